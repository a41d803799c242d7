"""What each generated file says, computed from the IR, so that templates only print.

Every decision about Python code (names, annotations, defaults, imports) and about the docs
pages is taken here, in one small view per kind of thing the templates print:

- models (:mod:`.model`): one view per kind of schema -- :mod:`.object_model`,
  :mod:`.enum_model`, :mod:`.union_model`, :mod:`.alias_model`;
- APIs (:mod:`.api`): the operations of a tag (:mod:`.operation`), each made of its
  parameters (:mod:`.params`), its body -- JSON or multipart (:mod:`.bodies`) -- and its
  answers -- JSON, text, bytes, empty, or an event stream (:mod:`.answers`);
- the package (:mod:`.package`): all of them, and the spec's facts.

What they share: Python annotations and imports (:mod:`.python_types`), docs text
(:mod:`.doc_text`), media types (:mod:`.media`), defaults (:mod:`.defaults`) and import
cycles between models (:mod:`.cycles`).
"""

from codegen.views.package import (
    PUBLIC_RUNTIME_MODULES,
    PackageView,
    Settings,
    build_package_view,
)

__all__ = ["PUBLIC_RUNTIME_MODULES", "PackageView", "Settings", "build_package_view"]
