"""The whole generator in one call: spec file -> loaded document -> IR -> files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from codegen.loader import load_spec
from codegen.lower import lower
from codegen.output import format_python
from codegen.render import render


@dataclass(frozen=True)
class Target:
    """Where generated code goes and what it is called."""

    #: Import name of the generated package (its folder follows from it).
    package: str = "together.generated"
    #: Import name of the hand-written runtime the generated code uses.
    runtime: str = "together.generated"
    #: Folder of the generated Markdown pages, relative to the output root.
    docs_dir: str = "docs"

    @property
    def owned_dirs(self) -> list[str]:
        """Folders where a generated file the spec no longer produces is stale."""
        package_dir = self.package.replace(".", "/")
        return [f"{package_dir}/api", f"{package_dir}/models", self.docs_dir]


def generate(spec_path: Path, target: Target = Target()) -> tuple[dict[str, str], tuple[str, ...]]:
    """Every generated file (path relative to the output root -> text), and warnings."""
    spec = lower(load_spec(spec_path))
    files = render(spec, package=target.package, runtime=target.runtime, docs_dir=target.docs_dir)
    first_party = sorted({target.package.split(".")[0], target.runtime.split(".")[0]})
    return format_python(files, first_party), spec.warnings
