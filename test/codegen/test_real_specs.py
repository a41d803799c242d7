"""Together's real public specs (../shared/specs) are expressible in the generator's IR."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegen import ir
from codegen.loader import load_spec
from codegen.lower import lower
from support import SHARED_SPECS

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
