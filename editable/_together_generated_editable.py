"""Find this project's ``together.*`` packages when another ``together`` hides them.

Installed into site-packages by an editable install only (see ``hatch_build.py`` beside this
file), and started by a one-line ``.pth`` file at interpreter start.

Why: ``together`` is a namespace package here, so its subpackages live wherever the
distribution does. The official SDK (``pip install together``) ships ``together/__init__.py``,
a regular package; when it is installed, ``import together`` returns it and Python looks for
``together.generated`` only inside the SDK's folder. A wheel install puts this project's
folders there too, so that works; an editable install leaves them in the repository, outside
the SDK's ``together.__path__``, and ``import together.generated`` would fail.

The finder below is appended to ``sys.meta_path``: Python asks it only after its own finders
found nothing, and it then looks for a direct child of ``together`` (``together.generated``,
``together.mock``, ...) in the repository's ``together`` folder. Deeper modules are found
from their parent's ``__path__`` as usual. At interpreter start it imports nothing but
``sys`` (under 1 ms; ``test/test_install_beside_sdk.py`` checks that nothing of the SDK
and no ``together`` module is imported then).
"""

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType

_PARENT = "together"


class TogetherPortionFinder:
    """A meta path finder for ``together.<name>`` in one folder (a namespace portion)."""

    def __init__(self, portion: str) -> None:
        self.portion = portion

    def find_spec(
        self,
        fullname: str,
        path: "Sequence[str] | None" = None,
        target: "ModuleType | None" = None,
    ) -> "ModuleSpec | None":
        parent, _, child = fullname.rpartition(".")
        if parent != _PARENT or not child:
            return None
        import importlib.machinery  # only when a together.* module was not found elsewhere

        return importlib.machinery.PathFinder.find_spec(fullname, [self.portion])

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.portion!r})"


def install(portion: str) -> None:
    """Append a finder for ``portion`` (the repository's ``together`` folder), once."""
    for finder in sys.meta_path:
        if isinstance(finder, TogetherPortionFinder) and finder.portion == portion:
            return
    sys.meta_path.append(TogetherPortionFinder(portion))
