"""Which view builds what: one small view per kind of schema, body and answer."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from codegen import ir
from codegen.errors import SpecError
from codegen.lower import lower
from codegen.read import load_spec
from codegen.views.alias_model import AliasModelView
from codegen.views.answers import (
    BinaryAnswer,
    EmptyAnswer,
    JsonAnswer,
    StreamedAnswer,
    TextAnswer,
    answer_of,
)
from codegen.views.bodies import JsonBodyView, MultipartBodyView, body_view
from codegen.views.enum_model import EnumModelView
from codegen.views.model import model_view
from codegen.views.object_model import ObjectModelView
from codegen.views.python_types import Imports, TypeRenderer
from codegen.views.union_model import UnionModelView

SPEC = """
openapi: 3.1.0
info: {title: Kinds, version: "1"}
paths:
  /both:
    post:
      operationId: both
      requestBody:
        required: true
        content:
          multipart/form-data: {schema: {$ref: "#/components/schemas/Upload"}}
          application/json: {schema: {$ref: "#/components/schemas/Thing"}}
      responses:
        "200": {description: json, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}
        "201": {description: text, content: {text/plain: {schema: {type: string}}}}
        "202": {description: bytes, content: {audio/wav: {schema: {type: string, format: binary}}}}
        "204": {description: nothing}
        "206": {description: stream, content: {text/event-stream: {schema: {$ref: "#/components/schemas/Thing"}}}}
  /upload:
    post:
      operationId: upload
      requestBody:
        required: true
        content:
          multipart/form-data: {schema: {$ref: "#/components/schemas/Upload"}}
      responses:
        "204": {description: done}
  /note:
    post:
      operationId: note
      requestBody:
        content:
          text/plain: {schema: {type: string}}
      responses:
        "204": {description: done}
components:
  schemas:
    Thing: {type: object, properties: {name: {type: string}}}
    Upload:
      type: object
      required: [file]
      properties:
        file: {type: string, format: binary}
        purpose: {type: string}
    Colour: {type: string, enum: [red, green]}
    Mixed: {enum: [1, "one", 1.5]}
    Either: {oneOf: [{$ref: "#/components/schemas/Thing"}, {type: string}]}
    Names: {type: array, items: {type: string}}
"""


@pytest.fixture
def spec(tmp_path: Path) -> ir.ApiSpec:
    path = tmp_path / "kinds.yaml"
    path.write_text(textwrap.dedent(SPEC), encoding="utf-8")
    return lower(load_spec(path))


def _types(spec: ir.ApiSpec) -> TypeRenderer:
    return TypeRenderer(spec, "kinds", "kinds._runtime")


def _operation(spec: ir.ApiSpec, operation_id: str) -> ir.Operation:
    return next(op for op in spec.operations if op.operation_id == operation_id)


def test_each_kind_of_schema_gets_its_view(spec: ir.ApiSpec) -> None:
    types = _types(spec)
    views = {s.name: model_view(s, types, None) for s in spec.schemas}
    assert type(views["Thing"]) is ObjectModelView
    assert type(views["Colour"]) is EnumModelView
    assert type(views["Either"]) is UnionModelView
    assert type(views["Names"]) is AliasModelView
    # Values of mixed types make no Python Enum: a Literal alias takes them.
    mixed = views["Mixed"]
    assert type(mixed) is AliasModelView
    assert mixed.alias_annotation == "Literal[1, 'one', 1.5]"
    assert {v.template for v in views.values()} == {
        "model_object.py.j2",
        "model_enum.py.j2",
        "model_union.py.j2",
        "model_alias.py.j2",
    }
    assert views["Colour"].docs_section == "docs/model_enum.md.j2"


def test_a_json_body_is_preferred_to_a_multipart_one(spec: ir.ApiSpec) -> None:
    body = body_view(_operation(spec, "both"), _types(spec), Imports())
    assert type(body) is JsonBodyView
    assert (body.content_type, body.model, body.file_fields) == ("application/json", "Thing", [])


def test_a_multipart_body_names_its_file_parts(spec: ir.ApiSpec) -> None:
    body = body_view(_operation(spec, "upload"), _types(spec), Imports())
    assert type(body) is MultipartBodyView
    assert body.file_fields == ["file"]


def test_a_body_of_another_media_type_is_refused_with_its_pointer(spec: ir.ApiSpec) -> None:
    with pytest.raises(SpecError, match="text/plain") as caught:
        body_view(_operation(spec, "note"), _types(spec), Imports())
    assert caught.value.pointer == "/paths/~1note/post/requestBody"
    assert caught.value.keyword == "content"
    assert str(caught.value).startswith("kinds.yaml#/paths/~1note/post/requestBody: 'content': ")
    assert str(caught.value).endswith(
        "are not supported by the Python emitter (JSON and multipart/form-data only)"
    )


def test_each_status_gets_its_kind_of_answer(spec: ir.ApiSpec) -> None:
    kinds = {r.status: answer_of(r) for r in _operation(spec, "both").responses}
    assert isinstance(kinds["200"], JsonAnswer)
    assert isinstance(kinds["201"], TextAnswer)
    assert isinstance(kinds["202"], BinaryAnswer)
    assert isinstance(kinds["204"], EmptyAnswer)
    assert isinstance(kinds["206"], StreamedAnswer)
    types, imports = _types(spec), Imports()
    assert [kinds[s].spec_expr(types, imports) for s in ("201", "202", "204", "206")] == [
        'ResponseSpec("text")',
        'ResponseSpec("bytes")',
        'ResponseSpec("empty")',
        "",
    ]
    assert kinds["200"].annotation(types, imports) == "Thing"
