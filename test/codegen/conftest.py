"""Fixtures of the generator's tests: small specs generated into importable packages."""

from __future__ import annotations

import importlib
import itertools
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from codegen.emit.output import write
from codegen.pipeline import Target, generate

_numbers = itertools.count(1)


@pytest.fixture
def generated(tmp_path: Path) -> Iterator[Any]:
    """A function generating a spec into a fresh importable package; cleans up after.

    The package's generation warnings are its ``__codegen_warnings__``; its folder is in
    ``tmp_path``, its docs in ``tmp_path/<package>_docs``.
    """
    created: list[str] = []

    def make(spec_text: str) -> ModuleType:
        package = f"genpkg_{next(_numbers)}"
        spec_path = tmp_path / f"{package}.yaml"
        spec_path.write_text(textwrap.dedent(spec_text), encoding="utf-8")
        files, warnings = generate(spec_path, Target(package=package, docs_dir=f"{package}_docs"))
        write(files, tmp_path, Target(package=package).owned_dirs)
        created.append(package)
        module = importlib.import_module(package)
        module.__codegen_warnings__ = warnings  # type: ignore[attr-defined]
        return module

    sys.path.insert(0, str(tmp_path))
    try:
        yield make
    finally:
        sys.path.remove(str(tmp_path))
        for name in list(sys.modules):
            if any(name == p or name.startswith(p + ".") for p in created):
                del sys.modules[name]
