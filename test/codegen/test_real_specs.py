"""Together's real public specs (../shared/specs): expressible in the generator's IR, and
generated into packages that import and pass ``mypy --strict``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from codegen import ir
from codegen.emit.output import write
from codegen.lower import lower
from codegen.pipeline import Target, generate
from codegen.read.loader import load_spec
from support import REPOSITORY, SHARED_SPECS

SPECS = {
    "together-openapi-2025-02.yaml": (23, 68),
    "together-openapi-2026-04.yaml": (99, 243),
}


def _spec(name: str) -> Path:
    path = SHARED_SPECS / name
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared/specs is absent on users' machines)")
    return path


@pytest.mark.parametrize(("name", "counts"), sorted(SPECS.items()))
def test_real_spec_lowers_to_the_ir(name: str, counts: tuple[int, int]) -> None:
    operations, components = counts
    spec = lower(load_spec(_spec(name)))
    assert len(spec.operations) == operations
    pointers = {s.pointer for s in spec.schemas}
    assert (
        sum(p.count("/") == 3 and p.startswith("/components/schemas/") for p in pointers)
        == components
    )
    # The IR holds what the specs use: every kind of type and response is represented.
    kinds = set()

    def walk(type_: ir.TypeRef) -> None:
        kinds.add(type(type_).__name__)
        for child in _children(type_):
            walk(child)

    for schema in spec.schemas:
        kinds.add(type(schema).__name__)
        if isinstance(schema, ir.ObjectSchema):
            for prop in schema.properties:
                walk(prop.type)
        elif isinstance(schema, ir.UnionSchema):
            walk(schema.union)
        elif isinstance(schema, ir.AliasSchema):
            walk(schema.type)
    assert {
        "ObjectSchema",
        "UnionSchema",
        "Ref",
        "ArrayOf",
        "Nullable",
        "Primitive",
        "LiteralValues",
    } <= kinds
    assert all(op.responses for op in spec.operations)


def test_2026_spec_features() -> None:
    spec = lower(load_spec(_spec("together-openapi-2026-04.yaml")))
    content_types = {
        m.content_type for op in spec.operations for r in op.responses for m in r.contents
    }
    assert {"application/json", "text/event-stream"} <= content_types
    body_types = {
        m.content_type
        for op in spec.operations
        if op.request_body
        for m in op.request_body.contents
    }
    assert "multipart/form-data" in body_types
    statuses = {r.status for op in spec.operations for r in op.responses}
    assert "default" in statuses and "101" in statuses
    discriminated = [
        s
        for s in spec.schemas
        if isinstance(s, ir.UnionSchema) and s.union.discriminator is not None
    ]
    assert discriminated
    locations = {p.location for op in spec.operations for p in op.parameters}
    assert {"path", "query"} <= locations


def _children(type_: ir.TypeRef) -> list[ir.TypeRef]:
    if isinstance(type_, ir.ArrayOf):
        return [type_.items]
    if isinstance(type_, ir.MapOf):
        return [type_.values]
    if isinstance(type_, ir.Nullable):
        return [type_.inner]
    if isinstance(type_, ir.UnionOf):
        return list(type_.variants)
    return []


# ---------------------------------------------------------------- generate, import, mypy

#: Operations that get no method, by spec: not HTTP request/response (101 upgrades).
SKIPPED = {
    "together-openapi-2025-02.yaml": set(),
    "together-openapi-2026-04.yaml": {"realtime-tts", "realtime-transcription"},
}

IMPORT_ALL = """
import importlib, pkgutil, sys
package = importlib.import_module(sys.argv[1])
names = [m.name for m in pkgutil.walk_packages(package.__path__, sys.argv[1] + ".")]
for name in names:
    importlib.import_module(name)
print(len(names))
"""


def _generate_into(name: str, root: Path) -> tuple[str, tuple[str, ...]]:
    package = "gen_" + name.removeprefix("together-openapi-").removesuffix(".yaml").replace(
        "-", "_"
    )
    files, warnings = generate(
        _spec(name), Target(package=package, docs_dir=f"{package}_docs"), keep_going=True
    )
    write(files, root, Target(package=package).owned_dirs)
    return package, warnings


@pytest.mark.parametrize("name", sorted(SPECS))
def test_real_spec_generates_imports_and_passes_mypy(
    name: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    package, warnings = _generate_into(name, tmp_path)
    spec = lower(load_spec(_spec(name)))
    operations, _ = SPECS[name]
    # Every operation is a method, or is listed as skipped (by name, with its reason).
    skipped = {w.split("operation '", 1)[1].split("'", 1)[0] for w in warnings if " skipped: " in w}
    assert skipped == SKIPPED[name]
    module = tmp_path / package
    api_sources = "".join(p.read_text() for p in (module / "api").glob("*.py"))
    for op in spec.operations:
        if op.operation_id not in skipped:
            assert f'operation_id="{op.operation_id}"' in api_sources, op.operation_id
    assert len(spec.operations) == operations
    index = (tmp_path / f"{package}_docs" / "README.md").read_text()
    for operation_id in skipped:
        assert f"`{operation_id}`" in index
    # Every tag has its API class, every schema its model module.
    assert {t.name for t in spec.tags} and len(list((module / "api").glob("*_api.py"))) >= len(
        {t.name.lower() for t in spec.tags}
    )
    models = {p.stem for p in (module / "models").glob("*.py")} - {"__init__"}
    assert len(models) == len(spec.schemas)

    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    imported = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL, package],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr[-3000:]
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(REPOSITORY / "pyproject.toml"),
            "--cache-dir",
            # One cache for both specs: the runtime and pydantic are checked once.
            str(tmp_path_factory.getbasetemp() / "real-spec-mypy-cache"),
            "--strict",
            "-p",
            package,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout[-3000:]
