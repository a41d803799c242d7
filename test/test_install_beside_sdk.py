"""This distribution installs beside the official ``together`` SDK, editable and from a wheel.

The SDK ships ``together/__init__.py`` (a regular package); this project's ``together`` is a
namespace package. Each test builds a throwaway virtual environment without the network:

- its site-packages gets the SDK's files, copied from the test environment by the SDK's own
  RECORD (as pip would have laid them), when the scenario has the SDK;
- the project is installed into it with pip ``--no-index --no-deps --no-build-isolation``,
  so hatchling (in the ``test`` extra) builds it offline;
- the other dependencies (aiohttp, pydantic, the SDK's httpx, hatchling for pip's build, ...)
  are reached through a ``.pth`` file naming a folder of links to the test environment's
  site-packages, without anything called ``together``.

Then a child interpreter imports the packages the README uses. Skips, with the reason,
where the SDK or pip is not installed.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import REPOSITORY

# Imported by the child interpreter: what the README and the entry points use.
IMPORTS = """
import json, sys
started = sorted(m for m in sys.modules if m.split(".")[0] in ("together", "httpx"))
import together.generated
from together.generated.models.embeddings_request import EmbeddingsRequest
from together.generated.rest import ApiException
import together.bulk, together.cli.embed, together.mock
import together
request = EmbeddingsRequest(model="m", input=["a"])
print(json.dumps({
    "started": started,
    "together": getattr(together, "__file__", None),
    "generated": together.generated.__file__,
    "mock": together.mock.__file__,
    "bulk": together.bulk.__file__,
    "cli": together.cli.embed.__file__,
    "sdk_client": hasattr(together, "AsyncTogether"),
    "server": hasattr(together.mock, "MockServer"),
    "request": request.model_dump(),
}))
"""

_OURS = ("together", "together_generated", "_together_generated", "_editable_impl_together")


def _ours(name: str) -> bool:
    """An entry of site-packages that belongs to the SDK or to this project."""
    return name.startswith(_OURS) or name.startswith("together-")


@pytest.fixture(scope="module")
def dependencies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Links to every entry of the test environment's site-packages except ``together*``."""
    site = Path(sysconfig.get_paths()["purelib"])
    folder = tmp_path_factory.mktemp("dependencies")
    for entry in site.iterdir():
        if not _ours(entry.name) and entry.suffix != ".pth" and entry.name != "__pycache__":
            (folder / entry.name).symlink_to(entry)
    return folder


def _sdk() -> importlib.metadata.Distribution:
    try:
        return importlib.metadata.distribution("together")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("the official SDK is not installed here (pip install together)")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This project's wheel, built once (offline, with the test environment's hatchling)."""
    _needs_pip()
    folder = tmp_path_factory.mktemp("wheel")
    _pip(sys.executable, "wheel", "--wheel-dir", str(folder), str(REPOSITORY), cwd=folder)
    (built,) = folder.glob("together_generated-*.whl")
    return built


def _pip(python: str, command: str, *args: str, cwd: Path) -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            command,
            "--quiet",
            "--no-index",
            "--no-deps",
            "--no-build-isolation",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=cwd,
        env={**os.environ, "PIP_FIND_LINKS": "", "PIP_EXTRA_INDEX_URL": ""},
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.fixture(autouse=True)
def _pip_is_here() -> None:
    _needs_pip()


def _needs_pip() -> None:
    try:
        importlib.metadata.distribution("pip")
        importlib.metadata.distribution("hatchling")
    except importlib.metadata.PackageNotFoundError as missing:
        pytest.skip(f"{missing.name} is not installed: cannot install into a throwaway venv")


class Venv:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.python = root / "bin" / "python"
        subprocess.run(
            [sys.executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=120
        )
        self.site = Path(
            subprocess.run(
                [
                    str(self.python),
                    "-c",
                    "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                ],
                capture_output=True,
                text=True,
                check=True,
                timeout=60,
            ).stdout.strip()
        )

    def add_sdk(self) -> None:
        """Lay the SDK's files into site-packages, as its wheel install did here."""
        sdk = _sdk()
        for file in sdk.files or ():
            if file.parts[0] == "together" or file.parts[0].endswith(".dist-info"):
                target = self.site / file
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(file.locate(), target)

    def reach(self, dependencies: Path) -> None:
        # "zz": processed after the install's own .pth files, so the project comes first.
        (self.site / "zz_test_dependencies.pth").write_text(f"{dependencies}\n", encoding="utf-8")

    def pip_install(self, *args: str) -> None:
        _pip(str(self.python), "install", *args, cwd=self.root)

    def imports(self) -> dict[str, object]:
        completed = subprocess.run(
            [str(self.python), "-c", IMPORTS],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=self.root,  # not the repository: its folder must not be on sys.path by chance
        )
        assert completed.returncode == 0, completed.stderr
        result: dict[str, object] = json.loads(completed.stdout)
        return result


@pytest.fixture
def venv(tmp_path: Path, dependencies: Path) -> Iterator[Venv]:
    yield Venv(tmp_path / "venv")


EXPECTED_REQUEST = {"model": "m", "input": ["a"]}


def test_editable_install_alone(venv: Venv, dependencies: Path) -> None:
    venv.reach(dependencies)
    venv.pip_install("--editable", str(REPOSITORY))
    result = venv.imports()
    assert result["together"] is None  # the namespace package: no together/__init__.py
    assert result["generated"] == str(REPOSITORY / "together" / "generated" / "__init__.py")
    assert result["request"] == EXPECTED_REQUEST
    assert result["server"] is True


def test_editable_install_beside_the_sdk(venv: Venv, dependencies: Path) -> None:
    # The README's own install (pip install -e .) with the SDK already there: the SDK's
    # regular package wins `import together`, and the repository's folders are not in its
    # __path__. The editable install's finder (editable/_together_generated_editable.py)
    # finds them.
    venv.add_sdk()
    venv.reach(dependencies)
    venv.pip_install("--editable", str(REPOSITORY))
    result = venv.imports()
    assert result["together"] == str(venv.site / "together" / "__init__.py")  # the SDK's
    assert result["sdk_client"] is True
    assert result["generated"] == str(REPOSITORY / "together" / "generated" / "__init__.py")
    assert result["mock"] == str(REPOSITORY / "together" / "mock" / "__init__.py")
    assert result["bulk"] == str(REPOSITORY / "together" / "bulk" / "__init__.py")
    assert result["cli"] == str(REPOSITORY / "together" / "cli" / "embed.py")
    assert result["server"] is True
    assert result["request"] == EXPECTED_REQUEST
    # The finder is installed at interpreter start without importing the SDK or ours.
    assert result["started"] == []


def test_wheel_install_beside_the_sdk(venv: Venv, dependencies: Path, wheel: Path) -> None:
    # A wheel merges this project's folders into the SDK's site-packages/together/.
    venv.add_sdk()
    venv.reach(dependencies)
    venv.pip_install(str(wheel))
    result = venv.imports()
    together_dir = venv.site / "together"
    assert result["together"] == str(together_dir / "__init__.py")
    assert result["sdk_client"] is True
    assert result["generated"] == str(together_dir / "generated" / "__init__.py")
    assert result["mock"] == str(together_dir / "mock" / "__init__.py")
    assert result["bulk"] == str(together_dir / "bulk" / "__init__.py")
    assert result["cli"] == str(together_dir / "cli" / "embed.py")
    assert (together_dir / "mock" / "openapi.yaml").is_file()  # the server's spec, shipped
    assert result["server"] is True
    assert result["request"] == EXPECTED_REQUEST
    assert result["started"] == []
    # No finder: a wheel needs none.
    assert not list(venv.site.glob("_together_generated_editable*"))
