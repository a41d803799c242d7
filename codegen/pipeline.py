"""The whole generator in one call: spec file -> loaded document -> IR -> files."""

from __future__ import annotations

import dataclasses
import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codegen.emit.output import format_python
from codegen.emit.render import render
from codegen.errors import Refusals
from codegen.lower import lower
from codegen.read.loader import SpecDocument, load_spec
from codegen.read.overlay import apply_overlay, load_overlay
from codegen.views import Settings


@dataclass(frozen=True)
class Target:
    """Where generated code goes and what it is called."""

    #: Import name of the generated package (its folder follows from it).
    package: str = "together.generated"
    #: Import name of the hand-written runtime the generated code uses.
    runtime: str = "together.generated._runtime"
    #: Folder of the generated Markdown pages, relative to the output root.
    docs_dir: str = "docs"
    #: Hand-written classes mixed into generated models: schema name -> "module:Class".
    mixins: tuple[tuple[str, str], ...] = ()
    #: Facts the generated package carries for the runtime (environment variable names).
    settings: Settings = field(default_factory=Settings)

    @property
    def owned_dirs(self) -> list[str]:
        """Folders where a generated file the spec no longer produces is stale."""
        package_dir = self.package.replace(".", "/")
        return [f"{package_dir}/api", f"{package_dir}/models", self.docs_dir]


def load_mixins(pyproject: Path) -> tuple[tuple[str, str], ...]:
    """``[tool.codegen.mixins]`` of a pyproject.toml (none when the file or table is absent).

    Language-specific additions to generated models (``EmbeddingsResponse.to_numpy``) live
    in hand-written mixins named here, not in the language-neutral spec.
    """
    mixins = _codegen_table(pyproject).get("mixins", {})
    if not isinstance(mixins, dict):
        raise ValueError(f"[tool.codegen] mixins = {mixins!r}: expected a table")
    for schema, target in mixins.items():
        module, sep, name = str(target).partition(":")
        if not sep or not module or not name.isidentifier():
            raise ValueError(
                f"[tool.codegen.mixins] {schema} = {target!r}: expected 'module:Class'"
            )
    return tuple(sorted((str(k), str(v)) for k, v in mixins.items()))


def _codegen_table(pyproject: Path) -> dict[str, Any]:
    if not pyproject.is_file():
        return {}
    try:
        with pyproject.open("rb") as file:  # TOML is UTF-8: tomllib decodes it
            tool = tomllib.load(file).get("tool")
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{pyproject}: not valid TOML: {exc}") from exc
    table = tool.get("codegen") if isinstance(tool, dict) else None
    return table if isinstance(table, dict) else {}


def load_settings(pyproject: Path) -> Settings:
    """``api_key_env``, ``base_url_env`` and ``legacy_operation_aliases`` of
    ``[tool.codegen]`` (unset: ``None``, ``()``).

    The first two name the environment variables the generated package's configuration
    reads; a package generated without them reads none, so it never sends one API's key to
    another. The last lists operationIds whose declaration stays importable under its old
    public name while code still imports it.
    """
    table = _codegen_table(pyproject)
    values: dict[str, str | None] = {}
    for key in ("api_key_env", "base_url_env"):
        value = table.get(key)
        if value is not None and (not isinstance(value, str) or not value):
            raise ValueError(f"[tool.codegen] {key} = {value!r}: expected a variable name")
        values[key] = value
    aliases = table.get("legacy_operation_aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        raise ValueError(
            f"[tool.codegen] legacy_operation_aliases = {aliases!r}: expected a list of "
            "operationIds"
        )
    return Settings(
        api_key_env=values["api_key_env"],
        base_url_env=values["base_url_env"],
        legacy_operation_aliases=tuple(aliases),
    )


def load_overlay_setting(pyproject: Path) -> Path | None:
    """``[tool.codegen] overlay``: the Overlay document applied to the spec, if any,
    relative to the pyproject's folder."""
    value = _codegen_table(pyproject).get("overlay")
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ValueError(f"[tool.codegen] overlay = {value!r}: expected a file name")
    return pyproject.parent / value


def load_with_overlay(spec_path: Path, overlay_path: Path | None) -> SpecDocument:
    """The spec as published, with the project's overlay applied when one is given."""
    document = load_spec(spec_path)
    if overlay_path is None:
        return document
    root = apply_overlay(document.root, load_overlay(overlay_path), source=overlay_path.name)
    return dataclasses.replace(
        document,
        root=root,
        overlay_name=overlay_path.name,
        overlay_sha256=hashlib.sha256(overlay_path.read_bytes()).hexdigest(),
    )


def generate(
    spec_path: Path,
    target: Target = Target(),
    *,
    keep_going: bool = False,
    overlay: Path | None = None,
) -> tuple[dict[str, str], tuple[str, ...]]:
    """Every generated file (path relative to the output root -> text), and warnings.

    ``overlay`` (an OpenAPI Overlay document) is applied to the spec first. A refusal raises
    ``SpecError``; with ``keep_going``, every refusal is gathered first and ``SpecErrors``
    raised with them all.
    """
    refusals = Refusals(keep_going=keep_going)
    spec = lower(load_with_overlay(spec_path, overlay), refusals)
    files, warnings = render(
        spec,
        package=target.package,
        runtime=target.runtime,
        docs_dir=target.docs_dir,
        mixins=dict(target.mixins),
        refusals=refusals,
        settings=target.settings,
    )
    first_party = sorted({target.package.split(".")[0], target.runtime.split(".")[0]})
    return format_python(files, first_party), (*spec.warnings, *warnings)
