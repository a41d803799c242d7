"""What the views decide, read in process (no formatting, no import of generated code): the
annotations, names, signatures and defaults each kind of spec node gets; and what emitting
does with them (``codegen.emit``: the files, their headers, the filters, formatting, writing
and checking). Fast enough to run on every mutant of ``codegen.views`` and ``codegen.emit``."""

from __future__ import annotations

import dataclasses
import locale
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from codegen import ir
from codegen.emit import render as render_module
from codegen.emit.output import differences, format_python, is_generated, ruff_steps, write
from codegen.emit.render import RuntimeTablesError, render
from codegen.errors import SpecError
from codegen.lower import lower
from codegen.read import load_spec
from codegen.views import build_package_view
from codegen.views.alias_model import AliasModelView
from codegen.views.enum_model import EnumModelView
from codegen.views.model_base import ModelView
from codegen.views.object_model import ObjectModelView
from codegen.views.operation import OperationView
from codegen.views.package import PackageView
from codegen.views.python_types import Imports, TypeRenderer, field_constraints
from codegen.views.union_model import UnionModelView

RUNTIME = "together.generated._runtime"


def _spec(tmp_path: Path, text: str) -> ir.ApiSpec:
    path = tmp_path / "views.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return lower(load_spec(path))


def _view(tmp_path: Path, text: str, **kwargs: object) -> PackageView:
    return build_package_view(
        _spec(tmp_path, text),
        "pkg",
        RUNTIME,
        lambda status: f"Status{status}Error",
        **kwargs,  # type: ignore[arg-type]
    )


def _model(view: PackageView, name: str) -> ModelView:
    return next(m for m in view.models if m.schema_name == name)


def _object(view: PackageView, name: str) -> ObjectModelView:
    model = _model(view, name)
    assert isinstance(model, ObjectModelView)
    return model


def _enum(view: PackageView, name: str) -> EnumModelView:
    model = _model(view, name)
    assert isinstance(model, EnumModelView), model
    return model


def _union(view: PackageView, name: str) -> UnionModelView:
    model = _model(view, name)
    assert isinstance(model, UnionModelView), model
    return model


def _alias(view: PackageView, name: str) -> AliasModelView:
    model = _model(view, name)
    assert isinstance(model, AliasModelView), model
    return model


def _operation(view: PackageView, operation_id: str) -> OperationView:
    return next(op for api in view.apis for op in api.operations if op.operation_id == operation_id)


# ------------------------------------------------------------------ types of fields

TYPES = """
openapi: 3.1.0
info: {title: Types, version: "1"}
paths: {}
components:
  schemas:
    Colour: {type: string, enum: [red, green]}
    Level: {type: integer, enum: [1, 2]}
    Mixed: {enum: [1, "one"]}
    Names: {type: array, items: {type: string}}
    Either:
      oneOf: [{$ref: "#/components/schemas/Cat"}, {$ref: "#/components/schemas/Dog"}]
    Cat:
      type: object
      required: [kind]
      properties: {kind: {type: string, enum: [cat]}}
    Dog:
      type: object
      required: [kind]
      properties: {kind: {type: string, enum: [dog]}}
    Tagged:
      oneOf: [{$ref: "#/components/schemas/Cat"}, {$ref: "#/components/schemas/Dog"}]
      discriminator: {propertyName: kind, mapping: {cat: "#/components/schemas/Cat", dog: "#/components/schemas/Dog"}}
    Loose:
      type: object
      required: [kind]
      properties: {kind: {type: string}}
    Mapped:
      oneOf: [{$ref: "#/components/schemas/Loose"}, {$ref: "#/components/schemas/Cat"}]
      discriminator: {propertyName: kind, mapping: {loose: "#/components/schemas/Loose", cat: "#/components/schemas/Cat"}}
    Everything:
      type: object
      required: [when, count]
      properties:
        when: {type: string, format: date-time}
        day: {type: string, format: date}
        blob: {type: string, format: binary}
        count: {type: integer, minimum: 1, maximum: 5}
        ratio: {type: number, exclusiveMinimum: 0, exclusiveMaximum: 1, multipleOf: 0.5}
        flag: {type: boolean}
        code: {type: string, minLength: 2, maxLength: 3, pattern: "^[a-z]+$"}
        tags: {type: array, items: {type: string}, minItems: 1, maxItems: 4}
        extra: {type: object, additionalProperties: {type: integer}}
        anything: {}
        maybe: {type: [string, "null"]}
        colour: {$ref: "#/components/schemas/Colour"}
        level: {$ref: "#/components/schemas/Level"}
        mixed: {$ref: "#/components/schemas/Mixed"}
        names: {$ref: "#/components/schemas/Names"}
        either: {$ref: "#/components/schemas/Either"}
        tagged: {$ref: "#/components/schemas/Tagged"}
        mapped: {$ref: "#/components/schemas/Mapped"}
        choice: {type: string, enum: [a, b]}
        open: {anyOf: [{type: string, enum: [x, "y"]}, {type: string}]}
"""


def test_each_type_gets_its_annotation(tmp_path: Path) -> None:
    view = _view(tmp_path, TYPES)
    fields = {f.wire_name: f.annotation for f in _object(view, "Everything").fields}
    unwrap = "ONE_OF_VALUE"
    assert fields == {
        "when": "datetime",
        "day": "date | None",
        "blob": "bytes | None",
        "count": "Annotated[int, Field(ge=1, le=5)]",
        "ratio": "Annotated[float, Field(gt=0, lt=1, multiple_of=0.5)] | None",
        "flag": "bool | None",
        "code": "Annotated[str, Field(min_length=2, max_length=3, pattern='^[a-z]+$')] | None",
        "tags": "Annotated[list[str], Field(min_length=1, max_length=4)] | None",
        "extra": "dict[str, int] | None",
        "anything": "Any",
        "maybe": "str | None",
        "colour": "Colour | None",
        "level": "Level | None",
        "mixed": "Literal[1, 'one'] | None",
        "names": "list[str] | None",
        "either": f"Annotated[Cat | Dog, {unwrap}] | None",
        "tagged": f"Annotated[Annotated[Cat | Dog, Field(discriminator='kind')], {unwrap}] | None",
        "mapped": (
            "Annotated[Annotated[Annotated[Loose, Tag('Loose')] | Annotated[Cat, Tag('Cat')], "
            "Discriminator(lambda v: {'cat': 'Cat', 'loose': 'Loose'}.get(v.get('kind') if "
            "isinstance(v, dict) else getattr(v, 'kind', None)))], "
            f"{unwrap}] | None"
        ),
        "choice": "Literal['a', 'b'] | None",
        "open": "str | None",
    }


def test_a_model_imports_what_its_annotations_name(tmp_path: Path) -> None:
    view = _view(tmp_path, TYPES)
    # Sorted by module (ruff groups them when the file is formatted).
    assert _object(view, "Everything").imports == [
        "from datetime import date, datetime",
        "from pkg.models.cat import Cat",
        "from pkg.models.colour import Colour",
        "from pkg.models.dog import Dog",
        "from pkg.models.level import Level",
        "from pkg.models.loose import Loose",
        "from pydantic import Discriminator, Field, Tag",
        f"from {RUNTIME}.model_base import ApiModel, ONE_OF_VALUE",
        "from typing import Annotated, Any, Literal",
    ]


def test_enums_of_one_type_are_classes_and_mixed_ones_literals(tmp_path: Path) -> None:
    view = _view(tmp_path, TYPES)
    colour, level, mixed = _enum(view, "Colour"), _enum(view, "Level"), _model(view, "Mixed")
    assert (colour.kind, colour.enum_base, colour.enum_class) == ("enum", "str", "StrEnum")
    assert colour.enum_members == [("RED", "'red'"), ("GREEN", "'green'")]
    assert colour.imports == ["from enum import StrEnum"]
    assert (level.enum_base, level.enum_class) == ("int", "IntEnum")
    assert level.enum_members == [("VALUE_1", "1"), ("VALUE_2", "2")]
    assert level.imports == ["from enum import IntEnum"]
    assert mixed.kind == "alias"


def test_union_views_name_their_members(tmp_path: Path) -> None:
    view = _view(tmp_path, TYPES)
    tagged = _union(view, "Tagged")
    assert tagged.kind == "union"
    assert tagged.union_annotation == "Annotated[Cat | Dog, Field(discriminator='kind')]"
    assert tagged.union_members == ["Cat", "Dog"]
    assert tagged.imports == [
        "from pkg.models.cat import Cat",
        "from pkg.models.dog import Dog",
        "from pydantic import Field",
        f"from {RUNTIME}.model_base import OneOfModel",
        "from typing import Annotated, ClassVar",
    ]
    names = _alias(view, "Names")
    assert (names.kind, names.alias_annotation, names.imports) == (
        "alias",
        "list[str]",
        ["from typing import TypeAlias"],
    )


def test_field_constraints_use_pydantics_names() -> None:
    every = ir.Constraints(
        min_length=1,
        max_length=2,
        pattern="p",
        minimum=3,
        maximum=4,
        exclusive_minimum=5,
        exclusive_maximum=6,
        multiple_of=7,
        min_items=8,
        max_items=9,
    )
    assert field_constraints(every) == (
        "min_length=1, max_length=2, pattern='p', ge=3, le=4, gt=5, lt=6, multiple_of=7, "
        "min_length=8, max_length=9"
    )
    assert field_constraints(ir.Constraints()) == ""


def test_imports_are_sorted_lines() -> None:
    imports = Imports()
    imports.add("b", "Z")
    imports.add("a", "Y")
    imports.add("b", "X")
    imports.add("b", "X")
    assert imports.lines() == ["from a import Y", "from b import X, Z"]


def test_a_binary_property_is_a_file_only_in_a_multipart_body(tmp_path: Path) -> None:
    spec = _spec(tmp_path, TYPES)
    types = TypeRenderer(spec, "pkg", RUNTIME)
    binary = ir.Primitive("string", "binary")
    imports = Imports()
    assert types.annotation(binary, imports) == "bytes"
    types.binary_as_file = True
    assert types.annotation(binary, imports) == "FileInput"
    assert imports.lines() == [f"from {RUNTIME}.multipart import FileInput"]
    assert types.annotation(ir.Null(), Imports()) == "None"
    assert types.module_of("Everything") == "everything"
    assert types.model_module("Colour") == "pkg.models.colour"


# ------------------------------------------------------------------ operations

OPERATIONS = """
openapi: 3.1.0
info: {title: Ops, version: "1"}
servers: [{url: "https://ops.example/v2/"}]
security: [{bearer: []}]
tags:
  - {name: things, description: "All the   things."}
  - {name: Things}
paths:
  /things/{id}:
    get:
      operationId: getThing
      tags: [things]
      summary: Get one
      description: "Gets   one thing."
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}, description: "the id"}
        - {name: fields, in: query, schema: {type: array, items: {type: string}}, explode: false}
        - {name: X-Trace, in: header, schema: {type: string}}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}
        "404":
          description: "not   found"
          content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}
        "4XX": {description: other}
        default: {description: anything else}
    delete:
      operationId: deleteThing
      tags: [Things]
      deprecated: true
      security: [{key: []}]
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        "204": {description: gone}
  /things:
    post:
      operationId: createThing
      tags: [things]
      x-retry-safe: true
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Thing"}
            example: {name: "from the spec"}
      responses:
        "200":
          description: made
          content:
            application/json: {schema: {$ref: "#/components/schemas/Thing"}}
            text/event-stream: {schema: {$ref: "#/components/schemas/Thing"}}
        "204": {description: nothing}
    put:
      operationId: replaceThing
      tags: [things]
      x-retry-safe: false
      parameters:
        - {name: mode, in: query, required: true, schema: {type: string}}
      requestBody:
        content:
          application/json: {schema: {type: array, items: {type: string}}}
      responses:
        "200":
          description: bytes
          content: {application/octet-stream: {schema: {type: string, format: binary}}}
  /events:
    post:
      operationId: events
      tags: [things]
      responses:
        "200":
          description: events
          content: {text/event-stream: {schema: {$ref: "#/components/schemas/Thing"}}}
        "400":
          description: bad
          content: {application/problem+json: {schema: {$ref: "#/components/schemas/Error"}}}
  /moved:
    get:
      operationId: moved
      tags: [things]
      responses:
        "307": {description: to the file}
        "400": {description: bad}
  /text:
    patch:
      operationId: text
      tags: [things]
      responses:
        "200":
          description: text
          content: {text/plain: {schema: {type: string}}}
  /socket:
    get:
      operationId: socket
      tags: [things]
      responses:
        "101": {description: upgrade}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
    key: {type: apiKey, in: query, name: api_key}
  schemas:
    Thing:
      type: object
      required: [name]
      properties:
        name: {type: string}
        stream: {type: boolean}
    Error:
      type: object
      properties: {message: {type: string}}
"""


def test_an_operation_with_parameters_has_them_in_order(tmp_path: Path) -> None:
    view = _view(tmp_path, OPERATIONS)
    op = _operation(view, "getThing")
    assert (op.name, op.constant, op.method, op.path) == (
        "get_thing",
        "_GET_THING_OPERATION",
        "GET",
        "/things/{id}",
    )
    assert (op.summary, op.description, op.deprecated) == ("Get one", "Gets   one thing.", False)
    assert op.signature == [
        "id: int",
        "fields: list[str] | None = None",
        "x_trace: str | None = None",
    ]
    assert op.download_signature == [
        "id: int",
        "destination: Destination",
        "fields: list[str] | None = None",
        "x_trace: str | None = None",
    ]
    assert op.signature_names == ["id", "fields", "x_trace"]
    assert op.call_params == [("id", "id"), ("fields", "fields"), ("X-Trace", "x_trace")]
    assert [(p.location, p.required, p.explode, p.description) for p in op.params] == [
        ("path", True, True, "the id"),
        ("query", False, False, ""),
        ("header", False, True, ""),
    ]
    assert [p.adapter_type for p in op.params] == ["int", "list[str]", "str"]
    assert (op.return_annotation, op.return_text) == ("Thing", "[**Thing**](Thing.md)")
    assert (op.has_plain, op.stream, op.download, op.decodable) == (True, None, False, True)
    assert op.decoded_suffix == ""
    assert op.method_names == [
        "get_thing",
        "get_thing_with_http_info",
        "get_thing_without_preload_content",
    ]
    assert op.accept == "application/json"
    assert (op.retry_safe, op.retry_reason) == (True, "its method is idempotent")
    assert op.security == [("bearer", "bearer", "header", "Authorization")]
    assert op.security_names == ["bearer"]
    assert op.legacy_alias is None
    assert [(r.status, r.raises, r.description) for r in op.responses] == [
        ("200", "-", "ok"),
        ("404", "`Status404Error`", "not found"),
        ("4XX", "the `ApiException` subclass for the status (4XX)", "other"),
        ("default", "the `ApiException` subclass for the status", "anything else"),
    ]
    assert [r.spec_expr for r in op.responses] == [
        "ResponseSpec.json(Thing)",
        "ResponseSpec.json(Error)",
        'ResponseSpec("empty")',
        'ResponseSpec("empty")',
    ]
    assert op.example_setup == ["id = 0  # **int**"]
    assert op.example_call == "id=id"
    assert op.example_imports == ["from pkg.models.thing import Thing"]


def test_a_json_body_and_a_stream_make_both_methods(tmp_path: Path) -> None:
    view = _view(tmp_path, OPERATIONS)
    op = _operation(view, "createThing")
    assert op.body is not None
    assert (op.body.name, op.body.annotation, op.body.model, op.body.required) == (
        "thing",
        "Thing | Mapping[str, Any]",
        "Thing",
        True,
    )
    assert op.body.stream_flag == "stream"
    assert op.signature == ["thing: Thing | Mapping[str, Any]"]
    assert op.stream is not None
    assert op.stream.specs == [("200", "ResponseSpec.event_stream(Thing)")]
    assert (op.stream.chunk_annotation, op.stream.chunk_text) == ("Thing", "[**Thing**](Thing.md)")
    assert op.return_annotation == "Thing | None"
    assert op.return_text == "[**Thing**](Thing.md) | None"
    assert (op.decodable, op.decoded_suffix) == (True, " | None")
    assert op.method_names == [
        "create_thing",
        "create_thing_with_http_info",
        "create_thing_without_preload_content",
        "create_thing_stream",
    ]
    assert op.accept == "application/json"
    assert (op.retry_safe, op.retry_reason) == (True, "the spec marks it `x-retry-safe: true`")
    assert op.example_setup == ["thing = Thing(name='from the spec')"]
    assert op.example_call == "thing=thing"


def test_a_download_takes_a_destination_after_the_required_arguments(tmp_path: Path) -> None:
    view = _view(tmp_path, OPERATIONS)
    op = _operation(view, "replaceThing")
    assert op.body is not None and op.body.name == "body" and op.body.model is None
    assert op.signature == ["mode: str", "body: list[str] | None = None"]
    assert op.download_signature == [
        "mode: str",
        "destination: Destination",
        "body: list[str] | None = None",
    ]
    assert (op.download, op.decodable, op.return_annotation) == (True, False, "bytes")
    assert op.method_names[-1] == "replace_thing_to_file"
    assert op.accept == "application/octet-stream"
    assert (op.retry_safe, op.retry_reason) == (False, "the spec marks it `x-retry-safe: false`")
    assert op.example_setup == ["mode = 'string'  # **str**"]
    assert op.example_call == "mode=mode"


def test_a_stream_only_operation_has_no_plain_method(tmp_path: Path) -> None:
    view = _view(tmp_path, OPERATIONS)
    op = _operation(view, "events")
    assert op.has_plain is False
    assert op.method_names == ["events_without_preload_content", "events_stream"]
    # Its Accept header is what its errors are written in.
    assert op.accept == "application/problem+json"
    assert op.return_annotation == "None"
    assert op.retry_reason == (
        "its method is not idempotent and the spec does not mark it `x-retry-safe`"
    )


def test_a_redirect_only_operation_is_a_download(tmp_path: Path) -> None:
    view = _view(tmp_path, OPERATIONS)
    op = _operation(view, "moved")
    assert (op.has_plain, op.download, op.return_annotation, op.accept) == (
        True,
        True,
        "bytes",
        None,
    )
    text = _operation(view, "text")
    assert (text.return_annotation, text.accept, text.download) == ("str", "text/plain", False)
    assert text.retry_safe is False


def test_tags_of_one_class_merge_and_upgrades_are_skipped(tmp_path: Path) -> None:
    view = _view(tmp_path, OPERATIONS)
    # The lowered spec orders the tags by name: ``Things`` first, and its class holds the
    # operations of ``things`` too, after its own; the first description that is not empty.
    assert [(a.name, a.module, a.tag) for a in view.apis] == [("ThingsApi", "things_api", "Things")]
    api = view.apis[0]
    assert api.description == "All the things."
    assert [op.operation_id for op in api.operations] == [
        "deleteThing",
        "getThing",
        "replaceThing",
        "createThing",
        "events",
        "moved",
        "text",
    ]
    assert api.decodes is True
    deleted = _operation(view, "deleteThing")
    assert deleted.deprecated is True
    assert deleted.security == [("key", "apiKey", "query", "api_key")]
    assert (deleted.return_annotation, deleted.accept, deleted.decodable) == ("None", None, False)
    assert [(s.operation_id, s.method, s.path, s.tag) for s in view.skipped] == [
        ("socket", "GET", "/socket", "things")
    ]
    assert view.skipped[0].reason == (
        "answers 101 (a protocol upgrade such as a WebSocket), not HTTP request/response"
    )
    assert "views.yaml#/paths/~1socket/get: operation 'socket' skipped: answers 101" in (
        "\n".join(view.warnings)
    )
    assert view.tag_index == [
        ("Things", "ThingsApi", "", ["delete_thing"]),
        (
            "things",
            "ThingsApi",
            "All the things.",
            ["get_thing", "replace_thing", "create_thing", "events", "moved", "text"],
        ),
    ]
    assert (view.default_host, view.base_path) == ("https://ops.example/v2", "/v2")
    assert (view.title, view.version, view.runtime_home) == ("Ops", "1", False)


def test_legacy_aliases_and_settings_are_carried(tmp_path: Path) -> None:
    from codegen.views.package import Settings

    settings = Settings(
        api_key_env="OPS_KEY", base_url_env="OPS_URL", legacy_operation_aliases=("getThing",)
    )
    view = _view(tmp_path, OPERATIONS, settings=settings)
    assert _operation(view, "getThing").legacy_alias == "GET_THING_OPERATION"
    assert _operation(view, "text").legacy_alias is None
    assert (view.api_key_env, view.base_url_env) == ("OPS_KEY", "OPS_URL")
    with pytest.raises(
        SpecError, match=r"legacy_operation_aliases name operations the spec lacks: \['nope'\]"
    ):
        _view(tmp_path, OPERATIONS, settings=Settings(legacy_operation_aliases=("nope",)))
    with pytest.raises(SpecError, match=r"mixins name schemas the spec lacks: \['Nope'\]"):
        _view(tmp_path, OPERATIONS, mixins={"Nope": "m:C"})


def test_unknown_mixins_and_legacy_aliases_are_refused_at_their_place(tmp_path: Path) -> None:
    from codegen.views.package import Settings

    with pytest.raises(SpecError) as caught:
        _view(tmp_path, OPERATIONS, settings=Settings(legacy_operation_aliases=("nope",)))
    assert (caught.value.pointer, caught.value.keyword) == ("/paths", "legacy_operation_aliases")
    with pytest.raises(SpecError) as caught:
        _view(tmp_path, OPERATIONS, mixins={"Nope": "m:C"})
    assert (caught.value.pointer, caught.value.keyword) == ("/components/schemas", "mixins")


@pytest.mark.parametrize(
    ("servers", "host", "base_path"),
    [
        ("", "http://localhost", ""),
        ("servers: [{url: api/v1}]", "http://localhost/api/v1", "/api/v1"),
        (
            "servers: [{url: /api/v1/}, {url: 'https://second.example'}]",
            "http://localhost/api/v1",
            "/api/v1",
        ),
        ("servers: [{url: 'https://x.example/'}]", "https://x.example", ""),
        (
            "servers: [{url: 'https://x.example/v1/INDEX/'}]",
            "https://x.example/v1/INDEX",
            "/v1/INDEX",
        ),
        ("servers: [{url: XML/v1}]", "http://localhost/XML/v1", "/XML/v1"),
        # The base path has no trailing slash, also before a query.
        (
            "servers: [{url: 'https://x.example/v1/?region=eu'}]",
            "https://x.example/v1/?region=eu",
            "/v1",
        ),
    ],
)
def test_the_first_server_is_the_default_host(
    tmp_path: Path, servers: str, host: str, base_path: str
) -> None:
    view = _view(
        tmp_path, f"openapi: 3.1.0\ninfo: {{title: T, version: '1'}}\n{servers}\npaths: {{}}\n"
    )
    assert (view.default_host, view.base_path) == (host, base_path)
    # No description in the spec: none in the package.
    assert view.description == ""


def test_schemas_named_like_imports_or_api_classes_are_renamed(tmp_path: Path) -> None:
    text = """
    openapi: 3.1.0
    info: {title: Names, version: "1"}
    paths:
      /x:
        get:
          operationId: getX
          tags: [things]
          responses: {"204": {description: done}}
      /y:
        get:
          operationId: getY
          tags: [other]
          responses: {"204": {description: done}}
    components:
      schemas:
        Field: {type: object, properties: {a: {type: integer}}}
        ThingsApi: {type: object, properties: {b: {type: integer}}}
        Plain: {type: object, properties: {c: {type: integer}}}
    """
    view = _view(tmp_path, text, root_names=frozenset({"Plain"}))
    assert {m.schema_name: m.name for m in view.models} == {
        "Field": "FieldModel",
        "ThingsApi": "ThingsApiModel",
        "Plain": "PlainModel",
    }
    assert [a.name for a in view.apis] == ["OtherApi", "ThingsApi"]
    assert view.runtime == RUNTIME


LOOPS_THROUGH_ALIASES = """
openapi: 3.1.0
info: {title: Loops, version: "1"}
paths: {}
components:
  schemas:
    Json:
      anyOf:
        - {type: string}
        - {type: array, items: {$ref: "#/components/schemas/JsonList"}}
    JsonList: {type: array, items: {$ref: "#/components/schemas/Json"}}
    Holder:
      type: object
      properties:
        value: {$ref: "#/components/schemas/Json"}
"""


def test_with_keep_going_a_recursion_without_a_class_is_reported_not_a_crash(
    tmp_path: Path,
) -> None:
    # No type can be written out for a schema that refers to itself without a class, nor for
    # a model using it: the refusals are reported before any view tries (not a RecursionError).
    from codegen.errors import Refusals, SpecErrors

    with pytest.raises(SpecErrors) as caught:
        _view(tmp_path, LOOPS_THROUGH_ALIASES, refusals=Refusals(keep_going=True))
    assert [e.pointer for e in caught.value.errors] == [
        "/components/schemas/Json",
        "/components/schemas/JsonList",
    ]


def test_recursion_is_reported_once_by_the_schema_that_loops(tmp_path: Path) -> None:
    from codegen.views.cycles import check_inline_recursion, recursive_groups

    spec = _spec(tmp_path, LOOPS_THROUGH_ALIASES)
    # Not again by the model that uses it (Holder).
    assert [e.pointer for e in check_inline_recursion(spec)] == [
        "/components/schemas/Json",
        "/components/schemas/JsonList",
    ]
    # Asked for the model's cycles, the loop it reaches is refused, naming the spec.
    with pytest.raises(SpecError) as caught:
        recursive_groups(spec)
    assert str(caught.value).startswith("views.yaml#/components/schemas/Json: '$ref': ")


def test_with_keep_going_every_refused_model_and_operation_is_reported(tmp_path: Path) -> None:
    from codegen.errors import Refusals, SpecErrors

    text = """
    openapi: 3.1.0
    info: {title: Refusals, version: "1"}
    paths:
      /a:
        get:
          operationId: get_a
          responses: {"204": {description: done}}
      /b:
        get:
          operationId: getA
          responses: {"204": {description: done}}
    components:
      schemas:
        First:
          type: object
          properties: {n: {type: integer, default: "one"}}
        Second:
          type: object
          properties: {m: {type: boolean, default: "yes"}}
        Fine:
          type: object
          properties: {o: {type: integer}}
    """
    with pytest.raises(SpecErrors) as caught:
        _view(tmp_path, text, refusals=Refusals(keep_going=True))
    assert [e.pointer for e in caught.value.errors] == [
        "/components/schemas/First/properties/n/default",
        "/components/schemas/Second/properties/m/default",
        "/paths/~1b/get",
    ]


# ------------------------------------------------------------------ names that clash

CLASHES = """
openapi: 3.1.0
info: {title: Clash, version: "1"}
paths:
  /x/{self}:
    get:
      operationId: getX
      tags: [x]
      parameters:
        - {name: self, in: path, required: true, schema: {type: string}}
        - {name: self_, in: query, schema: {type: string}}
        - {name: self_2, in: query, schema: {type: string}}
        - {name: _retries, in: query, schema: {type: integer}}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/b"}}}
components:
  schemas:
    Letters: {type: string, enum: ["", a-b, a_b, A_B_2, "1", "_1", 2x]}
    B: {type: object, properties: {n: {type: integer}}}
    b: {type: object, properties: {m: {type: integer}}}
    "b.": {type: object, properties: {o: {type: integer}}}
    Configuration: {type: object, properties: {c: {type: integer}}}
    ConfigurationModel: {type: object, properties: {d: {type: integer}}}
"""


def test_clashing_names_are_numbered_with_warnings(tmp_path: Path) -> None:
    view = _view(tmp_path, CLASHES, root_names=frozenset({"Configuration"}))
    letters = _enum(view, "Letters")
    assert letters.enum_members == [
        ("EMPTY", "''"),
        ("A_B", "'a-b'"),
        ("A_B_3", "'a_b'"),
        ("A_B_2", "'A_B_2'"),
        ("VALUE_1", "'1'"),
        ("VALUE_1_2", "'_1'"),
        ("VALUE_2X", "'2x'"),
    ]
    assert {m.schema_name: m.name for m in view.models} == {
        "Letters": "Letters",
        "B": "B",
        "b": "B2",
        "b.": "B3",
        "Configuration": "ConfigurationModel2",
        "ConfigurationModel": "ConfigurationModel",
    }
    op = _operation(view, "getX")
    assert op.signature_names == ["self_3", "self_", "self_2", "retries"]
    assert op.call_params == [
        ("self", "self_3"),
        ("self_", "self_"),
        ("self_2", "self_2"),
        ("_retries", "retries"),
    ]
    assert op.return_annotation == "B2"
    assert sorted(view.warnings) == [
        "views.yaml#/components/schemas/Configuration: schema 'Configuration' is class "
        "'ConfigurationModel2': 'Configuration' is a name the package already uses",
        "views.yaml#/components/schemas/Letters/enum: enum value '_1' is member 'VALUE_1_2': "
        "'VALUE_1' is another value's member",
        "views.yaml#/components/schemas/Letters/enum: enum value 'a_b' is member 'A_B_3': "
        "'A_B' is another value's member",
        "views.yaml#/components/schemas/b.: schema 'b.' is class 'B3': 'B' is the class of "
        "schema 'B'",
        "views.yaml#/components/schemas/b: schema 'b' is class 'B2': 'B' is the class of "
        "schema 'B'",
        "views.yaml#/paths/~1x~1{self}/get/parameters/0: parameter 'self' is argument "
        "'self_3': 'self' is an argument every method has",
    ]


def test_a_body_named_like_one_of_the_methods_own_arguments_is_renamed(tmp_path: Path) -> None:
    # A body is named after its model: ``Self_`` would be the argument ``self``, a
    # duplicate of the method's own (a SyntaxError in the generated module).
    view = _view(
        tmp_path,
        """
        openapi: 3.1.0
        info: {title: Clash, version: "1"}
        paths:
          /s:
            post:
              operationId: send
              parameters:
                - {name: limit, in: query, schema: {type: integer}}
                - {name: self, in: query, schema: {type: string}}
                - {name: destination, in: header, schema: {type: string}}
              requestBody:
                required: true
                content: {application/json: {schema: {$ref: "#/components/schemas/Self_"}}}
              responses:
                "200":
                  description: the file
                  content: {application/octet-stream: {schema: {type: string, format: binary}}}
        components:
          schemas:
            Self_: {type: object, properties: {a: {type: string}}}
        """,
    )
    op = _operation(view, "send")
    # Required first (the body), then the optional parameters in the spec's order; a
    # parameter after one that keeps its name is renamed too.
    assert op.signature_names == ["self_2", "limit", "self_", "destination_"]
    assert op.download_signature[:2] == [
        "self_2: Self_ | Mapping[str, Any]",
        "destination: Destination",
    ]
    assert op.call_params == [
        ("limit", "limit"),
        ("self", "self_"),
        ("destination", "destination_"),
    ]
    assert op.example_setup == ["self_2 = Self_()"]
    assert op.example_call == "self_2=self_2"
    assert view.warnings == [
        "views.yaml#/paths/~1s/post/parameters/1: parameter 'self' is argument 'self_': "
        "'self' is an argument every method has",
        "views.yaml#/paths/~1s/post/parameters/2: parameter 'destination' is argument "
        "'destination_': 'destination' is an argument every method has",
        "views.yaml#/paths/~1s/post/requestBody: the request body is argument 'self_2': "
        "'self' is an argument every method has",
    ]


def test_a_renamed_parameter_does_not_take_the_bodys_name(tmp_path: Path) -> None:
    view = _view(
        tmp_path,
        """
        openapi: 3.1.0
        info: {title: Clash, version: "1"}
        paths:
          /s:
            post:
              operationId: send
              parameters:
                - {name: self, in: query, schema: {type: string}}
                - {name: self_, in: query, schema: {type: string}}
              requestBody:
                content: {application/json: {schema: {$ref: "#/components/schemas/Self_2"}}}
              responses: {"204": {description: done}}
        components:
          schemas:
            Self_2: {type: object, properties: {a: {type: string}}}
        """,
    )
    # ``self_`` is the next parameter's, ``self_2`` the body's (named after its model).
    assert _operation(view, "send").signature_names == ["self_2", "self_3", "self_"]


# ------------------------------------------------------------------ emitting

EMIT_SPEC = """
openapi: 3.1.0
info: {title: Emit, version: "3", description: 'Says "hi" BACKSLASH and TRIPLE quotes.'}
servers: [{url: "https://emit.example/v1"}]
security: [{bearer: []}]
tags: [{name: pets, description: "Pets [**all**](x.md) here"}]
paths:
  /pets:
    get:
      operationId: listPets
      tags: [pets]
      security: [{bearer: []}, {key: []}]
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}
        "429": {description: slow down}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
    key: {type: apiKey, in: header, name: X-Key}
  schemas:
    Pet:
      type: object
      properties: {name: {type: string}}
"""


# A description with a backslash and three double quotes (awkward in a docstring).
EMIT_SPEC = EMIT_SPEC.replace("BACKSLASH", "\\").replace("TRIPLE", '"' * 3)


def _emit_spec(tmp_path: Path, text: str = EMIT_SPEC) -> ir.ApiSpec:
    path = tmp_path / "emit.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return lower(load_spec(path))


def _render(spec: ir.ApiSpec, package: str = "pkg", runtime: str = RUNTIME) -> dict[str, str]:
    files, _ = render(spec, package=package, runtime=runtime, docs_dir="pkg_docs")
    return files


def test_render_gives_each_module_and_page(tmp_path: Path) -> None:
    files = _render(_emit_spec(tmp_path))
    assert sorted(files) == [
        "pkg/__init__.py",
        "pkg/api/__init__.py",
        "pkg/api/pets_api.py",
        "pkg/models/__init__.py",
        "pkg/models/pet.py",
        "pkg/openapi_info.py",
        "pkg_docs/Pet.md",
        "pkg_docs/PetsApi.md",
        "pkg_docs/README.md",
    ]
    sha = _emit_spec(tmp_path).source_sha256
    for path, text in files.items():
        if path.endswith(".py"):
            assert text.startswith(
                "# Generated by codegen from emit.yaml. Do not edit: change the spec or codegen/\n"
                f"# and run `python -m codegen`.\n# spec sha256: {sha}\n"
            ), path
        else:
            assert text.startswith(
                "<!-- Generated by codegen from emit.yaml. Do not edit: change the spec or "
                "codegen/\n     and run `python -m codegen`.\n"
                f"     spec sha256: {sha} -->\n"
            ), path
        assert "overlay" not in text.split("\n\n", 1)[0]


def test_the_runtimes_home_package_re_exports_the_seed_modules(tmp_path: Path) -> None:
    files = _render(_emit_spec(tmp_path), package="together.generated")
    seed = {p for p in files if p.count("/") == 2 and not p.endswith(("__init__.py", "_info.py"))}
    assert seed == {
        f"together/generated/{m}.py"
        for m in [
            "api_client",
            "api_response",
            "configuration",
            "exceptions",
            "rest",
            "hooks",
            "multipart",
            "retry",
            "streaming",
            "sync",
            "transport",
            "vectors",
        ]
    }
    assert "ApiException" in files["together/generated/rest.py"]


def test_an_overlay_is_named_in_every_header(tmp_path: Path) -> None:
    spec = dataclasses.replace(_emit_spec(tmp_path), overlay_name="o.yaml", overlay_sha256="abc")
    files = _render(spec)
    assert (
        f"# spec sha256: {spec.source_sha256}\n# overlay: o.yaml\n# overlay sha256: abc\n"
        in (files["pkg/models/pet.py"])
    )
    assert files["pkg_docs/Pet.md"].startswith(
        "<!-- Generated by codegen from emit.yaml. Do not edit: change the spec or codegen/\n"
        "     and run `python -m codegen`.\n"
        f"     spec sha256: {spec.source_sha256}\n"
        "     overlay: o.yaml, sha256: abc -->\n"
    )


def test_the_pages_print_the_runtimes_tables(tmp_path: Path) -> None:
    files = _render(_emit_spec(tmp_path))
    page = files["pkg_docs/PetsApi.md"]
    # The retried statuses come from the runtime (docs/reliability.md lists the same).
    assert "408, 409, 429, 500, 502, 503, 504" in page
    index = files["pkg_docs/README.md"]
    assert "RateLimitException" in index and "ServiceUnavailableException" in index
    # An exception outside the by-status table is listed with its docstring's first line.
    assert "MalformedResponseException" in index
    assert "* Bearer Authentication (bearer):\n" in page
    assert "* Api Key Authentication (key):\n" in page
    # Bold links are plain text in the call line.
    assert "> Pet list_pets()" in page


def _all_names(init: str) -> list[str]:
    return re.findall(r'^    "(\w+)",$', init.split("__all__ = [", 1)[1], re.MULTILINE)


def test_the_package_root_imports_names_on_first_use(tmp_path: Path) -> None:
    init = _render(_emit_spec(tmp_path))["pkg/__init__.py"]
    # Another spec's package binds the client and its settings to its own openapi_info; the
    # rest comes from the runtime, the API classes from their modules.
    for line in [
        '    "ApiClient": "pkg.openapi_info",',
        '    "Configuration": "pkg.openapi_info",',
        '    "SyncApiClient": "pkg.openapi_info",',
        f'    "AsyncStream": "{RUNTIME}.streaming",',
        f'    "ApiResponse": "{RUNTIME}.api_response",',
        '    "PetsApi": "pkg.api.pets_api",',
    ]:
        assert line + "\n" in init
    assert f"from {RUNTIME}.exceptions import (\n" in init
    names = _all_names(init)
    assert names == sorted(names)
    assert {"Pet", "PetsApi", "__version__", "ApiException", "ApiClient", "FileInput"} <= set(names)
    home = _render(_emit_spec(tmp_path), package="together.generated")
    assert f'    "ApiClient": "{RUNTIME}.api_client",\n' in home["together/generated/__init__.py"]


def test_render_passes_the_mixins_on(tmp_path: Path) -> None:
    files, _ = render(
        _emit_spec(tmp_path),
        package="pkg",
        runtime=RUNTIME,
        docs_dir="pkg_docs",
        mixins={"Pet": "mixins.pet:PetMixin"},
    )
    assert "from mixins.pet import PetMixin\n" in files["pkg/models/pet.py"]
    assert "class Pet(PetMixin, ApiModel):" in files["pkg/models/pet.py"]


def test_render_passes_settings_refusals_and_the_runtimes_names_on(tmp_path: Path) -> None:
    from codegen.errors import Refusals, SpecErrors
    from codegen.views.package import Settings

    spec = _emit_spec(tmp_path)
    files, _ = render(
        spec,
        package="pkg",
        runtime=RUNTIME,
        docs_dir="pkg_docs",
        settings=Settings(api_key_env="EMIT_KEY", base_url_env="EMIT_URL"),
    )
    info = files["pkg/openapi_info.py"]
    assert "API_KEY_ENV: str | None = 'EMIT_KEY'\n" in info
    assert "BASE_URL_ENV: str | None = 'EMIT_URL'\n" in info
    assert f'SPEC_SHA256 = "{spec.source_sha256}"\n' in info
    # Each error status names the runtime's exception for it.
    assert "**429** | slow down |  -  | `RateLimitException`\n" in files["pkg_docs/PetsApi.md"]
    # A schema named like a name the runtime exports from the package root is renamed.
    clash = EMIT_SPEC.replace("    Pet:\n", "    ApiClient: {type: object}\n    Pet:\n")
    names = _render(_emit_spec(tmp_path, clash))
    assert "pkg/models/api_client_model.py" in names and "pkg_docs/ApiClientModel.md" in names
    # With --keep-going every refusal is gathered.
    bad = EMIT_SPEC.replace(
        "    Pet:\n",
        "    Bad1: {type: object, properties: {n: {type: integer, default: x}}}\n"
        "    Bad2: {type: object, properties: {b: {type: boolean, default: y}}}\n"
        "    Pet:\n",
    )
    with pytest.raises(SpecErrors) as caught:
        render(
            _emit_spec(tmp_path, bad),
            package="pkg",
            runtime=RUNTIME,
            docs_dir="pkg_docs",
            refusals=Refusals(keep_going=True),
        )
    assert len(caught.value.errors) == 2


def test_the_index_lists_other_exceptions_with_their_first_line(tmp_path: Path) -> None:
    index = _render(_emit_spec(tmp_path))["pkg_docs/README.md"]
    assert (
        "`MalformedResponseException` | A success status whose body is not what the spec "
        "promises.\n" in index
    )


def test_the_template_environment_prints_what_templates_say() -> None:
    import jinja2

    env = render_module._environment()
    # Block tags take no line of their own, indentation before them goes, the file's last
    # newline stays, nothing is HTML-escaped, and a name no view gives is an error.
    assert env.from_string("a\n  {% if true %}\nb <&'>\n  {% endif %}\nc\n").render() == (
        "a\nb <&'>\nc\n"
    )
    assert env.from_string("{{ '<&>' }}").render() == "<&>"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ nothing }}").render()
    assert env.filters["truncate_arg"]("a: dict[str, int] = {'b': 1}") == "a"


def test_the_package_docstring_is_safe_in_triple_quotes(tmp_path: Path) -> None:
    files = _render(_emit_spec(tmp_path))
    init = files["pkg/__init__.py"]
    assert 'Says "hi" \\\\ and \\"\\"\\" quotes.' in init


def test_filters() -> None:
    env = render_module._environment()
    assert env.filters["docstring"](None) == ""
    assert env.filters["docstring"](' a  "b"\n c \\ """') == 'a "b" c \\\\ \\"\\"\\"'
    assert env.filters["striplinks"]("[**Pet**](Pet.md) or **x**") == "Pet or x"
    assert env.filters["truncate_arg"]("a: int = 1") == "a"
    assert env.filters["pyrepr"]("x") == "'x'"
    assert env.from_string("{{ v | tojson }}").render(v={"b": "é", "a": 1}) == '{"a": 1, "b": "é"}'
    assert render_module._first_line(None) == ""
    assert render_module._first_line("\n  One.\n  Two.") == "One."
    assert render_module._first_line(" \n ") == ""


def test_a_runtime_that_cannot_be_imported_stops_with_advice(tmp_path: Path) -> None:
    with pytest.raises(RuntimeTablesError) as caught:
        _render(_emit_spec(tmp_path), runtime="no_such_runtime_pkg")
    message = str(caught.value)
    assert message.startswith(
        "codegen reads the runtime's tables from no_such_runtime_pkg.exceptions, which could "
        "not be imported (ModuleNotFoundError: "
    )
    assert "`git checkout -- <package folder>`" in message
    assert isinstance(caught.value.__cause__, ModuleNotFoundError)


# ------------------------------------------------------------------ output


def test_ruff_steps_are_isolated_and_fixed() -> None:
    assert ruff_steps(["b", "a"]) == [
        [
            "check",
            "--isolated",
            "--no-cache",
            "--quiet",
            "--line-length",
            "100",
            "--select",
            "I,RUF022",
            "--fix",
            "--config",
            "lint.isort.known-first-party = ['a', 'b']",
        ],
        ["format", "--isolated", "--no-cache", "--quiet", "--line-length", "100"],
    ]


def test_format_python_formats_only_python_files() -> None:
    files = {
        "p/m.py": "import zlib\nimport abc\nx=[1,\n2]\n",
        "p/sub/n.py": "__all__ = ['b', 'a']\n",
        "docs/x.md": "x=[1,\n2]\n",
    }
    assert format_python(files, ["p"]) == {
        "p/m.py": "import abc\nimport zlib\n\nx = [1, 2]\n",
        "p/sub/n.py": '__all__ = ["a", "b"]\n',
        "docs/x.md": "x=[1,\n2]\n",
    }
    assert format_python({"a.md": "x"}, []) == {"a.md": "x"}
    # New folders two deep, and two files in one folder.
    assert format_python({"q/deep/a.py": "a=1\n", "q/deep/b.py": "b=2\n"}, []) == {
        "q/deep/a.py": "a = 1\n",
        "q/deep/b.py": "b = 2\n",
    }


def test_format_python_reports_what_ruff_refuses() -> None:
    with pytest.raises(
        RuntimeError, match=r"ruff could not format the generated code:\n."
    ) as caught:
        format_python({"bad.py": "def (:\n"}, [])
    # ruff's own report follows, as text: a line naming the file, line and column.
    assert re.search(r"^.*bad\.py:1:\d+$", str(caught.value), re.MULTILINE)


def test_is_generated_reads_the_first_line(tmp_path: Path) -> None:
    python, markdown, other = tmp_path / "a.py", tmp_path / "a.md", tmp_path / "b.py"
    python.write_text("# Generated by codegen from x.yaml.\nx = 1\n", encoding="utf-8")
    markdown.write_text("<!-- Generated by codegen from x.yaml -->\n", encoding="utf-8")
    other.write_text("x = 1\n# Generated by codegen from x.yaml.\n", encoding="utf-8")
    binary = tmp_path / "c.bin"
    binary.write_bytes(b"\xff\xfe\x00")
    assert [is_generated(p) for p in (python, markdown, other, binary)] == [
        True,
        True,
        False,
        False,
    ]
    assert is_generated(tmp_path / "missing.py") is False


def test_write_and_differences_keep_the_tree_equal_to_the_files(tmp_path: Path) -> None:
    marker = "# Generated by codegen from s.yaml\n"
    files = {"pkg/a.py": marker + "a = 1\n", "pkg/sub/deep/b.py": marker + "b = 2\n"}
    (tmp_path / "pkg").mkdir()
    stale = tmp_path / "pkg" / "old.py"
    stale.write_text(marker, encoding="utf-8")
    mine = tmp_path / "pkg" / "mine.py"
    mine.write_text("# hand-written\n", encoding="utf-8")
    cache = tmp_path / "pkg" / "__pycache__" / "old.py"
    cache.parent.mkdir()
    cache.write_text(marker, encoding="utf-8")
    assert differences(files, tmp_path, ["pkg", "nowhere"]) == [
        "missing: pkg/a.py",
        "missing: pkg/sub/deep/b.py",
        "stale: pkg/old.py",
    ]
    assert write(files, tmp_path, ["pkg", "nowhere"]) == [
        "pkg/a.py",
        "pkg/sub/deep/b.py",
        "pkg/old.py",
    ]
    assert not stale.exists() and mine.exists() and cache.exists()
    assert (tmp_path / "pkg/sub/deep/b.py").read_text(encoding="utf-8") == marker + "b = 2\n"
    assert differences(files, tmp_path, ["pkg"]) == []
    assert write(files, tmp_path, ["pkg"]) == []
    (tmp_path / "pkg/a.py").write_text(marker + "a = 2\n", encoding="utf-8")
    assert differences(files, tmp_path, ["pkg"]) == ["differs: pkg/a.py"]
    assert write(files, tmp_path, ["pkg"]) == ["pkg/a.py"]
    # A file that changed after one that did not is written too.
    (tmp_path / "pkg/sub/deep/b.py").write_text(marker + "b = 3\n", encoding="utf-8")
    assert write(files, tmp_path, ["pkg"]) == ["pkg/sub/deep/b.py"]
    # A folder that does not exist is skipped, not the end of the search.
    (tmp_path / "pkg/older.py").write_text(marker, encoding="utf-8")
    assert differences(files, tmp_path, ["nowhere", "pkg"]) == ["stale: pkg/older.py"]
    assert write(files, tmp_path, ["nowhere", "pkg"]) == ["pkg/older.py"]
    assert not (tmp_path / "pkg/older.py").exists()


@pytest.fixture
def ascii_locale() -> Iterator[None]:
    """The C locale, whose default text encoding is ASCII (unless Python runs in UTF-8 mode)."""
    saved = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    try:
        yield
    finally:
        locale.setlocale(locale.LC_CTYPE, saved)


def test_generated_files_are_utf_8_whatever_the_locale(tmp_path: Path, ascii_locale: None) -> None:
    # Regeneration is byte-identical everywhere: the files are read and written as UTF-8
    # also where the locale's encoding is another (a spec's text is not ASCII).
    marker = "# Generated by codegen from spéc.yaml\n"
    assert format_python({"p/m.py": "x='é'\n"}, ["p"]) == {"p/m.py": 'x = "é"\n'}
    files = {"pkg/a.py": marker + "a = 'é'\n"}
    assert write(files, tmp_path, ["pkg"]) == ["pkg/a.py"]
    assert (tmp_path / "pkg/a.py").read_bytes() == (marker + "a = 'é'\n").encode("utf-8")
    assert differences(files, tmp_path, ["pkg"]) == []
    assert write(files, tmp_path, ["pkg"]) == []
    assert is_generated(tmp_path / "pkg/a.py") is True
    (tmp_path / "pkg/old.py").write_bytes(marker.encode("utf-8"))
    assert differences(files, tmp_path, ["pkg"]) == ["stale: pkg/old.py"]


def test_stale_files_outside_the_root_are_shown_absolute(tmp_path: Path) -> None:
    root, docs = tmp_path / "root", tmp_path / "docs"
    root.mkdir()
    docs.mkdir()
    (docs / "Old.md").write_text("<!-- Generated by codegen from s.yaml -->\n", encoding="utf-8")
    kept = docs / "New.md"
    files = {str(kept): "<!-- Generated by codegen from s.yaml -->\nnew\n"}
    assert differences(files, root, [str(docs)]) == [
        f"missing: {kept}",
        f"stale: {(docs / 'Old.md').as_posix()}",
    ]


# ------------------------------------------------------------------ defaults


def test_defaults_are_exact_python_values(tmp_path: Path) -> None:
    from codegen.views.defaults import PythonDefault, python_default

    types = TypeRenderer(_spec(tmp_path, TYPES), "pkg", RUNTIME)
    imports = Imports()

    def source(type_: ir.TypeRef, value: object) -> PythonDefault:
        return python_default(type_, value, types, imports)

    integer, number = ir.Primitive("integer"), ir.Primitive("number")
    boolean, string = ir.Primitive("boolean"), ir.Primitive("string")
    assert source(integer, None) == PythonDefault("None")
    assert source(integer, "20") == PythonDefault("20")
    assert source(integer, 2.0) == PythonDefault("2")
    assert source(integer, 7) == PythonDefault("7")
    assert source(number, "0.2") == PythonDefault("0.2")
    assert source(number, "-1e2") == PythonDefault("-100.0")
    assert source(number, 3) == PythonDefault("3.0")
    assert source(number, 0.5) == PythonDefault("0.5")
    assert source(boolean, "true") == PythonDefault("True")
    assert source(boolean, "false") == PythonDefault("False")
    assert source(boolean, False) == PythonDefault("False")
    assert source(string, "x") == PythonDefault("'x'")
    assert source(ir.Nullable(integer), "3") == PythonDefault("3")
    assert source(ir.AnyValue(), {"a": 1}) == PythonDefault("{'a': 1}", factory=True)
    assert source(ir.AnyValue(), [1]) == PythonDefault("[1]", factory=True)
    assert source(ir.AnyValue(), "s") == PythonDefault("'s'")
    assert source(ir.LiteralValues(("a", 1)), 1) == PythonDefault("1")
    assert source(ir.OpenEnum(("a",)), "zzz") == PythonDefault("'zzz'")
    assert source(ir.ArrayOf(integer), ["1", 2]) == PythonDefault("[1, 2]", factory=True)
    assert source(ir.MapOf(number), {"k": "1.5"}) == PythonDefault("{'k': 1.5}", factory=True)
    union = ir.UnionOf((ir.Ref("Everything"), integer, string), "oneOf")
    assert source(union, "5") == PythonDefault("5")
    assert source(union, "five") == PythonDefault("'five'")
    assert source(ir.Ref("Colour"), "green") == PythonDefault("Colour.GREEN")
    assert source(ir.Ref("Level"), 2) == PythonDefault("Level.VALUE_2")
    assert source(ir.Ref("Mixed"), "one") == PythonDefault("'one'")
    assert source(ir.Ref("Names"), ["n"]) == PythonDefault("['n']", factory=True)
    assert imports.lines() == [
        "from pkg.models.colour import Colour",
        "from pkg.models.level import Level",
    ]


@pytest.mark.parametrize(
    ("type_", "value", "message"),
    [
        (ir.Primitive("boolean"), "yes", "'yes' is not a boolean"),
        (ir.Primitive("boolean"), 1, "1 is not a boolean"),
        (ir.Primitive("string"), 1, "1 is not a plain string"),
        (ir.Primitive("string", "date-time"), "2024-01-01T00:00:00Z", "is not a plain string"),
        (ir.Primitive("string", "date"), "2024-01-01", "is not a plain string"),
        (ir.Primitive("string", "binary"), "x", "is not a plain string"),
        (ir.Primitive("integer"), True, "True is not a integer"),
        (ir.Primitive("number"), False, "False is not a number"),
        (ir.Primitive("integer"), 1.5, "1.5 is not an integer"),
        (ir.Primitive("integer"), "1.5", "'1.5' is not an integer"),
        (ir.Primitive("integer"), "1x", "'1x' is not a integer"),
        (ir.Primitive("integer"), [1], r"\[1\] is not a integer"),
        (ir.Primitive("number"), "0.10000000000000000001", "has no exact float"),
        (ir.LiteralValues(("a", "b")), "c", r"'c' is not one of \['a', 'b'\]"),
        (ir.LiteralValues((1, 2)), True, r"True is not one of \[1, 2\]"),
        (ir.OpenEnum(("a",)), 1, "1 is not a string"),
        (ir.ArrayOf(ir.Primitive("integer")), "1", "'1' is not a list"),
        (ir.MapOf(ir.Primitive("integer")), [1], r"\[1\] is not a mapping"),
        (ir.UnionOf((ir.Primitive("integer"),), "anyOf"), "x", "'x' is none of the union's types"),
        (ir.Null(), 1, "1 is not null"),
        (ir.Ref("Colour"), "blue", r"'blue' is not one of \['red', 'green'\]"),
        (ir.Ref("Level"), "1", r"'1' is not one of \[1, 2\]"),
    ],
)
def test_a_default_that_is_no_value_of_its_type_is_refused(
    tmp_path: Path, type_: ir.TypeRef, value: object, message: str
) -> None:
    from codegen.views.defaults import NotAValue, python_default

    types = TypeRenderer(_spec(tmp_path, TYPES), "pkg", RUNTIME)
    with pytest.raises(NotAValue, match=message):
        python_default(type_, value, types, Imports())


DEFAULTS = """
openapi: 3.1.0
info: {title: Defaults, version: "1"}
paths: {}
components:
  schemas:
    Inner: {type: object, properties: {a: {type: integer}}}
    WithDefaults:
      type: object
      required: [needed]
      properties:
        needed: {type: integer, description: "Must   be set."}
        count: {type: integer, default: "20"}
        tags: {type: array, items: {type: string}, default: [a]}
        inner: {allOf: [{$ref: "#/components/schemas/Inner"}], default: {a: 1}}
        old: {type: string, deprecated: true, readOnly: true}
        Odd-Name: {type: string, default: x}
"""


def test_fields_carry_their_defaults_aliases_and_notes(tmp_path: Path) -> None:
    view = _view(tmp_path, DEFAULTS)
    fields = {f.wire_name: f for f in _object(view, "WithDefaults").fields}
    assert {w: f.assignment for w, f in fields.items()} == {
        "needed": " = Field(description='Must be set.')",
        "count": " = Field(default=20)",
        "tags": " = Field(default_factory=lambda: ['a'])",
        "inner": " = Field(default=None)",
        "old": " = Field(default=None, deprecated=True)",
        "Odd-Name": " = Field(default='x', alias='Odd-Name')",
    }
    assert {w: f.notes for w, f in fields.items()} == {
        "needed": "",
        "count": "[optional] [default to '20']",
        "tags": "[optional] [default to ['a']]",
        "inner": "[optional] [default to {'a': 1}]",
        "old": "[optional] [readonly]",
        "Odd-Name": "[optional] [default to 'x']",
    }
    assert fields["needed"].required and not fields["count"].required
    assert (fields["Odd-Name"].name, fields["needed"].description) == ("odd_name", "Must be set.")
    assert fields["tags"].type_text == "List[**str**]"
    assert fields["inner"].type_text == "[**Inner**](Inner.md)"
    assert view.warnings == [
        "views.yaml#/components/schemas/WithDefaults/properties/inner/default: default "
        "ignored, {'a': 1} stands for a Inner; the server applies its own"
    ]
    assert _object(view, "WithDefaults").imports == [
        "from pkg.models.inner import Inner",
        "from pydantic import Field",
        f"from {RUNTIME}.model_base import ApiModel",
    ]
    with pytest.raises(SpecError) as caught:
        _view(tmp_path, DEFAULTS.replace('default: "20"', "default: twenty"))
    assert caught.value.pointer == "/components/schemas/WithDefaults/properties/count/default"
    assert caught.value.keyword == "default"
    assert str(caught.value).startswith("views.yaml#/components/schemas/WithDefaults/")
    assert "the default is not a value of the property's type: 'twenty' is not a integer" in str(
        caught.value
    )


# ------------------------------------------------------------------ models: objects, cycles

MODELS = """
openapi: 3.1.0
info: {title: Models, version: "1"}
servers: [{url: /api}]
paths:
  /send:
    post:
      operationId: send
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Request"}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Node"}}}
  /upload:
    post:
      operationId: upload
      requestBody:
        content:
          multipart/form-data: {schema: {$ref: "#/components/schemas/Upload"}}
      responses:
        "204": {description: done}
components:
  schemas:
    Request:
      type: object
      description: "A   request."
      required: [list]
      properties:
        list: {type: array, items: {type: string}}
        str: {type: string}
        prompt: {type: string}
        messages: {type: array, items: {type: string}}
      oneOf:
        - required: [prompt]
        - required: [messages]
      example: {list: [a]}
    Open:
      type: object
      additionalProperties: false
      anyOf:
        - required: [a]
        - required: [b, c]
      properties:
        a: {type: string, example: "x"}
        b: {type: integer}
        c: {type: integer}
    Node:
      type: object
      required: [name]
      properties:
        name: {type: string, example: "root"}
        children: {type: array, items: {$ref: "#/components/schemas/Node"}}
        other: {$ref: "#/components/schemas/Other"}
    Other:
      type: object
      properties:
        back: {$ref: "#/components/schemas/Node"}
        level: {$ref: "#/components/schemas/Level"}
    Level: {type: integer, enum: [1, 2]}
    Plain:
      type: object
      required: [n]
      properties: {n: {type: integer}}
    Upload:
      type: object
      required: [file]
      properties:
        file: {type: string, format: binary}
        files: {type: array, items: {type: string, format: binary}}
        name: {type: string}
        picture: {$ref: "#/components/schemas/Media"}
        pictures: {$ref: "#/components/schemas/MediaList"}
    Media: {type: string, format: binary}
    MediaList: {type: array, items: {$ref: "#/components/schemas/Media"}}
    Zipped:
      type: object
      properties: {raw: {type: string, format: binary}}
    ZippedBytes: {type: string, format: binary}
"""


def test_object_models_forbid_extras_and_check_alternatives(tmp_path: Path) -> None:
    view = _view(tmp_path, MODELS, mixins={"Plain": "mixins.plain:PlainMixin"})
    request = _object(view, "Request")
    assert request.description == "A request."
    # Sent in requests only: unknown fields are refused.
    assert request.forbid_extra is True
    assert [f.name for f in request.fields] == ["list_", "str_", "prompt", "messages"]
    assert request.required_alternatives == [["prompt"], ["messages"]]
    assert request.alternatives_exactly_one is True
    assert (request.example_json, request.example_args) == ('{"list": ["a"]}', "")
    assert request.imports == [
        "from pydantic import ConfigDict, Field, model_validator",
        f"from {RUNTIME}.model_base import ApiModel",
        "from typing import Self",
    ]
    opened = _object(view, "Open")
    assert (opened.forbid_extra, opened.alternatives_exactly_one) == (True, False)
    assert opened.required_alternatives == [["a"], ["b", "c"]]
    assert (opened.example_json, opened.example_args) == ("", "")
    plain = _object(view, "Plain")
    assert plain.forbid_extra is False
    assert (plain.bases, plain.mixin) == (["PlainMixin", "ApiModel"], "mixins.plain:PlainMixin")
    assert plain.imports == [
        "from mixins.plain import PlainMixin",
        f"from {RUNTIME}.model_base import ApiModel",
    ]
    assert (plain.example_json, plain.example_args) == ("", "n=...")
    assert _object(view, "Node").example_json == '{"name": "root"}'
    upload = _object(view, "Upload")
    # A file part's property takes a file to upload, also through an alias (written out).
    assert [f.annotation for f in upload.fields] == [
        "FileInput",
        "list[FileInput] | None",
        "str | None",
        "FileInput | None",
        "list[FileInput] | None",
    ]
    body = _operation(view, "upload").body
    assert body is not None and body.file_fields == ["file", "files", "picture", "pictures"]
    assert _object(view, "Other").fields[1].annotation == "Level | None"
    # The binary-as-file switch is off again after the multipart body's model: a model
    # built after it (in name order), sent as JSON, holds bytes.
    assert [f.annotation for f in _object(view, "Zipped").fields] == ["bytes | None"]
    assert _alias(view, "ZippedBytes").alias_annotation == "bytes"
    assert TypeRenderer(_spec(tmp_path, MODELS), "pkg", RUNTIME).binary_as_file is False
    assert (view.default_host, view.base_path) == ("http://localhost/api", "/api")


FIELDS = """
openapi: 3.1.0
info: {title: Fields, version: "1"}
paths: {}
components:
  schemas:
    Pair:
      type: object
      properties: {b: {type: integer}, a: {type: integer}}
      example: {b: 1, a: 2}
    Both:
      type: object
      required: [z, y]
      properties: {z: {type: string, example: zz}, y: {type: integer, example: 3}}
    Two:
      type: object
      required: [z, y]
      properties: {z: {type: string}, y: {type: integer}}
    Listed:
      type: object
      required: [n]
      properties: {n: {type: integer}}
      example: [1, 2]
    Clashes:
      type: object
      properties:
        a-b: {type: string}
        a_b: {type: string}
        json: {type: string}
        json_: {type: string}
        x-y: {type: string}
        x.y: {type: string}
    Kinds:
      type: object
      properties:
        list: {enum: ["list", 1]}
"""


def test_object_examples_and_field_names(tmp_path: Path) -> None:
    view = _view(tmp_path, FIELDS)
    # The docs' examples: JSON with sorted keys, else every required field as an argument.
    assert _object(view, "Pair").example_json == '{"a": 2, "b": 1}'
    assert _object(view, "Both").example_json == '{"y": 3, "z": "zz"}'
    assert (_object(view, "Two").example_json, _object(view, "Two").example_args) == (
        "",
        "z=..., y=...",
    )
    # A required field without description or alias is a bare annotation.
    assert [f.assignment for f in _object(view, "Two").fields] == ["", ""]
    # An example that is no object is not the model's example.
    listed = _object(view, "Listed")
    assert (listed.example_json, listed.example_args) == ("", "n=...")
    # A property whose wire name is the identifier keeps it; the other is numbered.
    fields = _object(view, "Clashes").fields
    assert [(f.wire_name, f.name) for f in fields] == [
        ("a-b", "a_b_2"),
        ("a_b", "a_b"),
        ("json", "json__2"),
        ("json_", "json_"),
        # Neither asks for its identifier verbatim: the first gets it, the second a number.
        ("x-y", "x_y"),
        ("x.y", "x_y_2"),
    ]
    assert fields[0].assignment == " = Field(default=None, alias='a-b')"
    assert view.warnings == [
        "views.yaml#/components/schemas/Clashes/properties/a-b: property 'a-b' is field "
        "'a_b_2' (alias 'a-b'): 'a_b' is another property's field",
        "views.yaml#/components/schemas/Clashes/properties/json: property 'json' is field "
        "'json__2' (alias 'json'): 'json_' is another property's field",
        "views.yaml#/components/schemas/Clashes/properties/x.y: property 'x.y' is field "
        "'x_y_2' (alias 'x.y'): 'x_y' is another property's field",
    ]
    # The text of a literal value is no type name: a field named ``list`` keeps its name.
    kinds = _object(view, "Kinds").fields
    assert [(f.name, f.annotation) for f in kinds] == [("list", "Literal['list', 1] | None")]


def test_recursive_models_import_their_cycle_at_the_end(tmp_path: Path) -> None:
    view = _view(tmp_path, MODELS)
    node, other, level = (_model(view, n) for n in ("Node", "Other", "Level"))
    assert (node.recursive, other.recursive, level.recursive) == (True, True, False)
    assert node.cycle_imports == ["from pkg.models.other import Other"]
    assert other.cycle_imports == ["from pkg.models.node import Node"]
    # The cycle's partners are not among the imports at the top.
    assert node.imports == [
        "from pydantic import Field",
        f"from {RUNTIME}.model_base import ApiModel",
    ]
    assert other.imports == [
        "from pkg.models.level import Level",
        "from pydantic import Field",
        f"from {RUNTIME}.model_base import ApiModel",
    ]
    assert _model(view, "Plain").cycle_imports == []


def test_a_model_that_refers_only_to_itself_imports_nothing_of_its_own(
    tmp_path: Path,
) -> None:
    view = _view(
        tmp_path,
        """
        openapi: 3.1.0
        info: {title: Tree, version: "1"}
        paths: {}
        components:
          schemas:
            Tree:
              type: object
              properties:
                children: {type: array, items: {$ref: "#/components/schemas/Tree"}}
        """,
    )
    tree = _model(view, "Tree")
    # Its own class is defined in its module: no import of it, not even an empty one.
    assert (tree.recursive, tree.cycle_imports) == (True, [])
    assert tree.imports == [
        "from pydantic import Field",
        f"from {RUNTIME}.model_base import ApiModel",
    ]


def test_cycles_are_found_as_strongly_connected_components(tmp_path: Path) -> None:
    from codegen.views.cycles import _strongly_connected, recursive_groups

    assert recursive_groups(_spec(tmp_path, MODELS)) == {
        "Node": frozenset({"Node", "Other"}),
        "Other": frozenset({"Node", "Other"}),
    }
    graph = {
        "a": ["b"],
        "b": ["c", "a"],
        "c": ["c"],
        "d": ["a", "e"],
        "e": [],
        "f": ["g"],
        "g": ["h"],
        "h": ["f", "a"],
    }
    assert sorted(_strongly_connected(graph)) == [
        ["a", "b"],
        ["c"],
        ["d"],
        ["e"],
        ["f", "g", "h"],
    ]
    # A successor without an entry of its own is a node without edges.
    assert sorted(_strongly_connected({"a": ["x", "a"], "b": ["a"]})) == [["a"], ["b"], ["x"]]
    # Deeper than Python's stack: iterative.
    chain = {str(i): [str(i + 1)] for i in range(5000)}
    chain["5000"] = ["0"]
    assert len(_strongly_connected(chain)) == 1


RECURSIVE_ALIASES = """
openapi: 3.1.0
info: {title: Loops, version: "1"}
paths: {}
components:
  schemas:
    Json:
      anyOf:
        - {type: string}
        - {type: array, items: {$ref: "#/components/schemas/JsonList"}}
    JsonList: {type: array, items: {$ref: "#/components/schemas/Json"}}
    Tree:
      type: object
      properties:
        kids: {type: array, items: {$ref: "#/components/schemas/Forest"}}
    Forest: {type: array, items: {$ref: "#/components/schemas/Tree"}}
    Ping:
      type: object
      properties: {pong: {$ref: "#/components/schemas/Pong"}}
    Pong:
      type: object
      properties: {ping: {$ref: "#/components/schemas/Ping"}}
"""


def test_recursion_without_a_class_is_refused_and_through_one_is_not(tmp_path: Path) -> None:
    from codegen.views.cycles import check_inline_recursion, recursive_groups

    spec = _spec(tmp_path, RECURSIVE_ALIASES)
    errors = list(check_inline_recursion(spec))
    assert [(e.pointer, e.keyword) for e in errors] == [
        ("/components/schemas/Json", "$ref"),
        ("/components/schemas/JsonList", "$ref"),
    ]
    assert str(errors[0]) == (
        "views.yaml#/components/schemas/Json: '$ref': recursive schema 'Json' refers to itself "
        "through Json -> JsonList -> Json without an object schema on the way; the Python "
        "emitter needs a class to break the recursion"
    )
    assert recursive_groups(spec) == {
        "Tree": frozenset({"Tree"}),
        "Ping": frozenset({"Ping", "Pong"}),
        "Pong": frozenset({"Ping", "Pong"}),
    }
    with pytest.raises(SpecError, match="Json -> JsonList -> Json"):
        _view(tmp_path, RECURSIVE_ALIASES)


# ------------------------------------------------------------------ media, bodies, answers

MEDIA = """
openapi: 3.1.0
info: {title: Media, version: "1"}
paths:
  /chat:
    post:
      operationId: chat
      requestBody:
        required: false
        content:
          application/json; charset=utf-8: {schema: {$ref: "#/components/schemas/ChatRequest"}}
      responses:
        "200":
          description: chunks
          content:
            Application/JSON: {schema: {$ref: "#/components/schemas/Chunk"}}
            text/event-stream: {schema: {$ref: "#/components/schemas/ChatEvents"}}
        "201":
          description: other chunks
          content:
            text/event-stream:
              schema:
                oneOf:
                  - {$ref: "#/components/schemas/ChunkEvent"}
                  - {$ref: "#/components/schemas/OtherEvent"}
                  - {$ref: "#/components/schemas/DoneEvent"}
  /raw:
    get:
      operationId: raw
      responses:
        "200":
          description: any json, a picture or text
          content:
            application/vnd.api+json: {}
            image/png: {schema: {type: string, format: binary}}
        "202":
          description: events of any shape
          content: {text/event-stream: {}}
        "203":
          description: a plain event
          content: {text/event-stream: {schema: {$ref: "#/components/schemas/Chunk"}}}
        "204":
          description: only done events
          content: {text/event-stream: {schema: {oneOf: [{$ref: "#/components/schemas/DoneEvent"}]}}}
  /form:
    post:
      operationId: form
      requestBody:
        content:
          application/x-www-form-urlencoded: {schema: {type: object}}
      responses:
        "204": {description: done}
  /noschema:
    post:
      operationId: noschema
      requestBody:
        content:
          application/json: {}
          multipart/form-data: {schema: {$ref: "#/components/schemas/ChatRequest"}}
      responses:
        "204": {description: done}
  /multi:
    post:
      operationId: multi
      requestBody:
        content:
          multipart/form-data: {schema: {type: array, items: {type: string}}}
      responses:
        "204": {description: done}
components:
  schemas:
    ChatRequest:
      type: object
      properties:
        stream: {type: [boolean, "null"]}
        model: {type: string}
    Chunk: {type: object, properties: {text: {type: string}}}
    Other: {type: object, properties: {n: {type: integer}}}
    ChunkEvent:
      type: object
      required: [data]
      properties: {data: {$ref: "#/components/schemas/Chunk"}}
    OtherEvent:
      type: object
      required: [data]
      properties: {data: {$ref: "#/components/schemas/Other"}}
    DoneEvent:
      type: object
      required: [data]
      properties: {data: {type: string, enum: ["[DONE]"]}}
    ChatEvents:
      oneOf: [{$ref: "#/components/schemas/ChunkEvent"}, {$ref: "#/components/schemas/DoneEvent"}]
    Media: {type: string, format: binary}
    MediaList: {type: array, items: {$ref: "#/components/schemas/Media"}}
    Files:
      oneOf: [{type: string}, {type: array, items: {$ref: "#/components/schemas/Media"}}]
"""


def test_media_kinds_by_content_type() -> None:
    from codegen.views.media import media_kind

    assert [
        media_kind(t)
        for t in (
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/problem+json",
            "text/event-stream",
            "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded",
            "text/plain",
            "text/csv",
            "application/octet-stream",
            "audio/wav",
        )
    ] == [
        "json",
        "json",
        "json",
        "event-stream",
        "multipart",
        "form",
        "text",
        "text",
        "binary",
        "binary",
    ]


def test_streams_are_read_chunk_by_chunk(tmp_path: Path) -> None:
    view = _view(tmp_path, _only_operation(MEDIA, ""))
    chat = _operation(view, "chat")
    assert chat.stream is not None
    assert chat.stream.specs == [
        ("200", "ResponseSpec.event_stream(Chunk)"),
        ("201", "ResponseSpec.event_stream(Chunk | Other)"),
    ]
    assert chat.stream.chunk_annotation == "Chunk | Other"
    assert chat.stream.chunk_text == "[**Chunk**](Chunk.md) or [**Other**](Other.md)"
    assert chat.body is not None and chat.body.stream_flag == "stream"
    assert chat.body.annotation == "ChatRequest | Mapping[str, Any] | None"
    assert chat.body.content_type == "application/json; charset=utf-8"
    assert chat.accept == "Application/JSON"
    assert [r.type_text for r in chat.responses] == [
        "[**Chunk**](Chunk.md)",
        "a stream (see the `_stream` method)",
    ]
    raw = _operation(view, "raw")
    assert raw.stream is not None
    assert raw.stream.specs == [
        ("202", "ResponseSpec.event_stream(Any)"),
        ("203", "ResponseSpec.event_stream(Chunk)"),
        # Only the sentinel: the events themselves.
        ("204", "ResponseSpec.event_stream(DoneEvent)"),
    ]
    # A JSON answer without a schema is read as bytes, beside the picture.
    assert [r.spec_expr for r in raw.responses][:1] == ['ResponseSpec("bytes")']
    assert raw.return_annotation == "bytes"
    assert raw.accept == "application/vnd.api+json, image/png"


def test_bodies_the_emitter_cannot_send_are_refused(tmp_path: Path) -> None:
    for operation, message in [
        ("form", "request bodies of type application/x-www-form-urlencoded are not supported"),
        ("noschema", "request bodies of type application/json, multipart/form-data"),
        ("multi", "a multipart/form-data body must be an object schema"),
    ]:
        with pytest.raises(SpecError, match=message) as caught:
            _view(tmp_path, _only_operation(MEDIA, operation))
        assert caught.value.pointer.endswith("/post/requestBody")


def _only_operation(text: str, keep: str) -> str:
    """The MEDIA spec without the bodies the emitter refuses, but ``keep``'s."""
    for other in ("form", "noschema", "multi"):
        if other == keep:
            continue
        start = text.index(f"  /{other}:")
        end = text.index("\n  /", start + 1) + 1 if other != "multi" else text.index("components:")
        text = text[:start] + text[end:]
    return text


def test_binary_values_are_found_through_unions_arrays_and_aliases(tmp_path: Path) -> None:
    from codegen.views.media import is_binary

    schemas = {s.name: s for s in _spec(tmp_path, _only_operation(MEDIA, "")).schemas}
    binary = ir.Primitive("string", "binary")
    assert is_binary(binary, schemas)
    assert is_binary(ir.Nullable(binary), schemas)
    assert is_binary(ir.ArrayOf(binary), schemas)
    assert is_binary(ir.UnionOf((ir.Primitive("string"), binary), "oneOf"), schemas)
    assert is_binary(ir.Ref("Media"), schemas)
    assert is_binary(ir.Nullable(ir.Ref("Media")), schemas)
    assert is_binary(ir.Ref("MediaList"), schemas)
    assert is_binary(ir.Ref("Files"), schemas)
    assert not is_binary(ir.Primitive("string"), schemas)
    assert not is_binary(ir.Primitive("integer", "binary"), schemas)
    assert not is_binary(ir.Ref("Chunk"), schemas)
    assert not is_binary(ir.MapOf(binary), schemas)


CONTAINERS = """
openapi: 3.1.0
info: {title: Containers, version: "1"}
paths: {}
components:
  schemas:
    Colour: {type: string, enum: [red]}
    Cat:
      type: object
      required: [kind]
      properties: {kind: {type: string, enum: [cat]}}
    LazyCat:
      type: object
      properties: {kind: {type: string, enum: [lazy]}}
    TwoCats:
      type: object
      required: [kind]
      properties: {kind: {type: string, enum: [cat, kitten]}}
    Number: {type: integer, enum: [1]}
    Cats: {type: array, items: {$ref: "#/components/schemas/Cat"}}
    NotRequired:
      oneOf: [{$ref: "#/components/schemas/Cat"}, {$ref: "#/components/schemas/LazyCat"}]
      discriminator: {propertyName: kind, mapping: {cat: "#/components/schemas/Cat", lazy: "#/components/schemas/LazyCat"}}
    MoreValues:
      oneOf: [{$ref: "#/components/schemas/Cat"}, {$ref: "#/components/schemas/TwoCats"}]
      discriminator: {propertyName: kind, mapping: {cat: "#/components/schemas/Cat", kitten: "#/components/schemas/TwoCats"}}
    Containers:
      type: object
      required: [colours, by_name, maybe, either, cats]
      properties:
        colours: {type: array, items: {$ref: "#/components/schemas/Colour"}}
        by_name: {type: object, additionalProperties: {$ref: "#/components/schemas/Colour"}}
        maybe: {anyOf: [{$ref: "#/components/schemas/Colour"}, {type: "null"}]}
        either: {oneOf: [{$ref: "#/components/schemas/Colour"}, {$ref: "#/components/schemas/Cat"}]}
        cats: {$ref: "#/components/schemas/Cats"}
"""


def test_containers_import_what_their_items_name(tmp_path: Path) -> None:
    view = _view(tmp_path, CONTAINERS)
    containers = _object(view, "Containers")
    assert [f.annotation for f in containers.fields] == [
        "list[Colour]",
        "dict[str, Colour]",
        "Colour | None",
        # An inline oneOf is a named union: its plain value, its wrapper unwrapped.
        "Annotated[Colour | Cat, ONE_OF_VALUE]",
        "list[Cat]",
    ]
    assert containers.imports == [
        "from pkg.models.cat import Cat",
        "from pkg.models.colour import Colour",
        f"from {RUNTIME}.model_base import ApiModel, ONE_OF_VALUE",
        "from typing import Annotated",
    ]


def test_a_discriminator_without_matching_literals_tags_by_class(tmp_path: Path) -> None:
    view = _view(tmp_path, CONTAINERS)
    # LazyCat's tag is optional, TwoCats' has a value the mapping gives another: neither is
    # pydantic's own discriminator.
    for name, table, second in [
        ("NotRequired", "{'cat': 'Cat', 'lazy': 'LazyCat'}", "LazyCat"),
        ("MoreValues", "{'cat': 'Cat', 'kitten': 'TwoCats'}", "TwoCats"),
    ]:
        assert _union(view, name).union_annotation == (
            f"Annotated[Annotated[Cat, Tag('Cat')] | Annotated[{second}, Tag('{second}')], "
            f"Discriminator(lambda v: {table}.get(v.get('kind') if isinstance(v, dict) else "
            "getattr(v, 'kind', None)))]"
        ), name


# ------------------------------------------------------------------ docs text, examples, APIs


def test_doc_types_read_as_the_docs_show_them(tmp_path: Path) -> None:
    from codegen.views.doc_text import doc_type, one_paragraph

    types = TypeRenderer(_spec(tmp_path, TYPES), "pkg", RUNTIME)
    colour = ir.Ref("Colour")
    assert [
        doc_type(t, types)
        for t in (
            colour,
            ir.ArrayOf(colour),
            ir.MapOf(ir.Primitive("integer")),
            ir.Nullable(ir.Primitive("string")),
            ir.UnionOf((colour, ir.Primitive("number")), "anyOf"),
            ir.OpenEnum(("a", "b")),
            ir.LiteralValues(("x", 1)),
            ir.Primitive("string", "date-time"),
            ir.Primitive("integer", constraints=ir.Constraints(minimum=1)),
        )
    ] == [
        "[**Colour**](Colour.md)",
        "List[[**Colour**](Colour.md)]",
        "Dict[str, **int**]",
        "**str**, nullable",
        "[**Colour**](Colour.md) or **float**",
        "str (known values: `a`, `b`)",
        "`'x'` or `1`",
        "**datetime**",
        "**Annotated[int, Field(ge=1)]**",
    ]
    assert one_paragraph(None) == ""
    assert one_paragraph(" a\n\n  b\t c ") == "a b c"


EXAMPLES = """
openapi: 3.1.0
info: {title: Examples, version: "1"}
paths:
  /a/{n}:
    post:
      operationId: withSchemaExample
      tags: [ex]
      parameters:
        - {name: n, in: path, required: true, schema: {type: integer}}
        - {name: ratio, in: query, required: true, schema: {type: number}}
        - {name: flag, in: query, required: true, schema: {type: boolean}}
        - {name: Some-Name, in: header, required: true, schema: {type: string}}
        - {name: opt, in: query, schema: {type: integer}}
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Req"}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Req"}}}
        "400":
          description: bad
          content: {application/json: {schema: {$ref: "#/components/schemas/Err"}}}
  /b:
    post:
      operationId: withMediaExample
      tags: [ex]
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Req"}
            example: {Max-Tokens: 5}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Req"}}}}
  /c:
    post:
      operationId: listBody
      tags: [ex]
      requestBody:
        content:
          application/json:
            schema: {type: array, items: {type: string}}
      responses:
        "204": {description: done}
components:
  schemas:
    Req:
      type: object
      required: [Max-Tokens, model, stop, kind, mode]
      properties:
        Max-Tokens: {type: integer}
        model: {type: string, example: m1}
        stop: {type: array, items: {type: string}}
        opt: {type: string}
        kind: {type: string, enum: [chat, text]}
        mode: {anyOf: [{type: string, enum: [fast, slow]}, {type: string}]}
    Err: {type: object, properties: {m: {type: string}}}
"""


def test_operation_examples_fill_in_what_is_required(tmp_path: Path) -> None:
    view = _view(tmp_path, EXAMPLES)
    first = _operation(view, "withSchemaExample")
    assert first.example_setup == [
        "n = 0  # **int**",
        "ratio = 0.0  # **float**",
        "flag = False  # **bool**",
        "some_name = 'string'  # **str**",
        "req = Req(max_tokens=0, model='m1', stop=[], kind='chat', mode='fast')",
    ]
    assert first.example_call == "n=n, ratio=ratio, flag=flag, some_name=some_name, req=req"
    # The success's model only: not the error's.
    assert first.example_imports == ["from pkg.models.req import Req"]
    second = _operation(view, "withMediaExample")
    assert second.example_setup == ["req = Req(max_tokens=5)"]
    assert second.example_call == "req=req"
    assert second.example_imports == ["from pkg.models.req import Req"]
    listed = _operation(view, "listBody")
    assert (listed.example_setup, listed.example_call, listed.example_imports) == ([], "", [])
    req = _object(view, "Req")
    assert (req.example_json, req.example_args) == (
        "",
        "max_tokens=..., model=..., stop=..., kind=..., mode=...",
    )


RENAMED_FIELDS = """
openapi: 3.1.0
info: {title: Renamed, version: "1"}
paths:
  /send:
    post:
      operationId: send
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Req"}
      responses: {"204": {description: done}}
  /sendExample:
    post:
      operationId: sendExample
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Req"}
            example: {json: j, list: [x], a-b: y, a_b: z, extra-key: 1}
      responses: {"204": {description: done}}
  /upload:
    post:
      operationId: upload
      requestBody:
        content:
          multipart/form-data: {schema: {$ref: "#/components/schemas/Upload"}}
      responses: {"204": {description: done}}
  /scalars:
    post:
      operationId: scalars
      requestBody:
        content:
          multipart/form-data: {schema: {$ref: "#/components/schemas/Scalars"}}
          application/json: {schema: {$ref: "#/components/schemas/Scalars"}}
      responses: {"204": {description: done}}
components:
  schemas:
    Scalars:
      type: object
      required: [ratio, flag]
      properties:
        ratio: {type: number}
        flag: {type: boolean}
        raw: {type: string, format: binary}
    Req:
      type: object
      required: [json, list, a-b, a_b]
      properties:
        json: {type: string}
        list: {type: array, items: {type: string}}
        a-b: {type: string}
        a_b: {type: string}
    Upload:
      type: object
      required: [bytes, note]
      properties:
        bytes: {type: string, format: binary}
        note: {type: string}
        other: {type: string, format: byte}
"""


def test_docs_examples_name_the_fields_as_the_model_does(tmp_path: Path) -> None:
    # The example builds the body with the model's field names, which are not always the
    # wire names made identifiers: ``json_`` (a pydantic name), ``list_`` (a type the model
    # uses), ``a_b_2`` (two properties asking for one name).
    view = _view(tmp_path, RENAMED_FIELDS)
    assert [f.name for f in _object(view, "Req").fields] == ["json_", "list_", "a_b_2", "a_b"]
    assert _operation(view, "send").example_setup == [
        "req = Req(json_='string', list_=[], a_b_2='string', a_b='string')"
    ]
    # A key the model does not have is passed as it is spelled (made an identifier).
    assert _operation(view, "sendExample").example_setup == [
        "req = Req(json_='j', list_=['x'], a_b_2='y', a_b='z', extra_key=1)"
    ]
    # A file part keeps its name: in the multipart model ``bytes`` is no type it uses.
    assert [f.name for f in _object(view, "Upload").fields] == ["bytes", "note", "other"]
    assert _operation(view, "upload").example_setup == [
        "upload = Upload(bytes='string', note='string')"
    ]
    # Placeholders of each kind; a body also sent as JSON is sent as JSON: bytes, no file.
    assert _operation(view, "scalars").example_setup == ["scalars = Scalars(ratio=0.0, flag=False)"]
    assert [f.annotation for f in _object(view, "Scalars").fields] == [
        "float",
        "bool",
        "bytes | None",
    ]
    # The renaming is said once, by the model.
    assert view.warnings == [
        "views.yaml#/components/schemas/Req/properties/a-b: property 'a-b' is field 'a_b_2' "
        "(alias 'a-b'): 'a_b' is another property's field"
    ]


def test_two_operations_giving_one_method_are_refused(tmp_path: Path) -> None:
    text = EXAMPLES.replace("operationId: withMediaExample", "operationId: with_schema_example")
    with pytest.raises(SpecError) as caught:
        _view(tmp_path, text)
    assert caught.value.pointer == "/paths/~1b/post"
    assert caught.value.keyword == "operationId"
    assert str(caught.value).startswith("views.yaml#/paths/~1b/post: ")
    assert (
        "operationId 'with_schema_example' gives the method 'with_schema_example' of ExApi, "
        "as does the operation at /paths/~1a~1{n}/post"
    ) in str(caught.value)


def test_a_parameter_named_like_another_or_the_body_is_refused(tmp_path: Path) -> None:
    text = """
    openapi: 3.1.0
    info: {title: Same, version: "1"}
    paths:
      /things:
        post:
          operationId: make
          parameters:
            - {name: thing, in: query, schema: {type: string}}
          requestBody:
            content:
              application/json: {schema: {$ref: "#/components/schemas/Thing"}}
          responses: {"204": {description: done}}
    components:
      schemas:
        Thing: {type: object, properties: {n: {type: integer}}}
    """
    with pytest.raises(SpecError) as caught:
        _view(tmp_path, text)
    assert str(caught.value) == (
        "views.yaml#/paths/~1things/post: 'parameters': two parameters have the same Python name"
    )
    twins = text.replace(
        "- {name: thing, in: query, schema: {type: string}}",
        "- {name: a-b, in: query, schema: {type: string}}\n"
        "            - {name: a_b, in: header, schema: {type: string}}",
    )
    with pytest.raises(SpecError, match="two parameters have the same Python name"):
        _view(tmp_path, twins)


def test_an_operation_without_summary_or_description_has_empty_ones(tmp_path: Path) -> None:
    op = _operation(_view(tmp_path, OPERATIONS), "deleteThing")
    assert (op.summary, op.description) == ("", "")


def test_signature_names_end_at_the_first_colon(tmp_path: Path) -> None:
    text = """
    openapi: 3.1.0
    info: {title: Colon, version: "1"}
    paths:
      /x:
        get:
          operationId: getX
          parameters:
            - {name: mode, in: query, required: true, schema: {enum: ["a:b", 1]}}
          responses: {"204": {description: done}}
    """
    op = _operation(_view(tmp_path, text), "getX")
    assert op.signature == ["mode: Literal['a:b', 1]"]
    assert op.signature_names == ["mode"]


def test_class_names_keep_an_identifiers_spelling_and_skip_reserved_ones() -> None:
    from codegen.views.python_types import class_name, unique_class_names

    # A schema name that is an identifier is kept (capitalized); another is made PascalCase.
    assert [class_name(n) for n in ("chat_message", "chatMessage", "chat-message")] == [
        "Chat_message",
        "ChatMessage",
        "ChatMessage",
    ]
    # ``<name>Model`` taken too (by a reserved name, compared ignoring case): numbered.
    assert unique_class_names(["Foo"], frozenset({"Foo", "foomodel"})) == (
        {"Foo": "FooModel2"},
        {"Foo": "'Foo' is a name the package already uses"},
    )


STREAM_SHAPES = """
openapi: 3.1.0
info: {title: Shapes, version: "1"}
paths:
  /s:
    post:
      operationId: s
      responses:
        "200":
          description: done first
          content: {text/event-stream: {schema: {$ref: "#/components/schemas/DoneFirst"}}}
        "201":
          description: optional data
          content: {text/event-stream: {schema: {$ref: "#/components/schemas/Loose"}}}
        "202":
          description: data and more
          content: {text/event-stream: {schema: {$ref: "#/components/schemas/Wide"}}}
        "203":
          description: an event or text
          content:
            text/event-stream:
              schema:
                oneOf: [{$ref: "#/components/schemas/Event"}, {type: string}]
  /up:
    get:
      operationId: up
      responses:
        "101": {description: upgrade}
        "200": {description: or not}
  /up2:
    get:
      operationId: up2
      responses:
        "101": {description: upgrade}
        "103": {description: hints}
components:
  schemas:
    Chunk: {type: object, properties: {t: {type: string}}}
    Done: {type: object, required: [data], properties: {data: {type: string, enum: ["[DONE]"]}}}
    Event: {type: object, required: [data], properties: {data: {$ref: "#/components/schemas/Chunk"}}}
    OptionalEvent: {type: object, properties: {data: {$ref: "#/components/schemas/Chunk"}}}
    WideEvent:
      type: object
      required: [data, id]
      properties: {data: {$ref: "#/components/schemas/Chunk"}, id: {type: string}}
    DoneFirst:
      oneOf: [{$ref: "#/components/schemas/Done"}, {$ref: "#/components/schemas/Event"}]
    Loose:
      oneOf: [{$ref: "#/components/schemas/OptionalEvent"}, {$ref: "#/components/schemas/Done"}]
    Wide:
      oneOf: [{$ref: "#/components/schemas/WideEvent"}, {$ref: "#/components/schemas/Done"}]
"""


def test_stream_chunks_and_upgrades_by_shape(tmp_path: Path) -> None:
    view = _view(tmp_path, STREAM_SHAPES)
    stream = _operation(view, "s").stream
    assert stream is not None
    # The sentinel may come first; only a required ``data``, alone, is an event's chunk.
    assert stream.specs == [
        ("200", "ResponseSpec.event_stream(Chunk)"),
        (
            "201",
            "ResponseSpec.event_stream(Annotated[OptionalEvent | Done, ONE_OF_VALUE])",
        ),
        (
            "202",
            "ResponseSpec.event_stream(Annotated[WideEvent | Done, ONE_OF_VALUE])",
        ),
        # A variant that is no event object: the union itself is the chunk.
        (
            "203",
            "ResponseSpec.event_stream(Annotated[Event | str, ONE_OF_VALUE])",
        ),
    ]
    # A 101 beside a success is an ordinary operation; 1xx only is skipped, all named.
    assert [s.operation_id for s in view.skipped] == ["up2"]
    assert view.skipped[0].reason.startswith("answers 101, 103 (a protocol upgrade")


def test_a_streamed_status_has_no_plain_annotation(tmp_path: Path) -> None:
    from codegen.views.answers import StreamedAnswer

    types = TypeRenderer(_spec(tmp_path, STREAM_SHAPES), "pkg", RUNTIME)
    with pytest.raises(TypeError, match=r"^a streamed status has no plain result$"):
        StreamedAnswer().annotation(types, Imports())


def test_defaults_of_nullable_enums_and_decimal_floats(tmp_path: Path) -> None:
    from codegen.views.defaults import PythonDefault, python_default

    types = TypeRenderer(_spec(tmp_path, NAMED_DEFAULTS), "pkg", RUNTIME)
    imports = Imports()
    nullable = ir.Nullable(ir.Ref("Colour"))
    assert python_default(nullable, "red", types, imports) == PythonDefault("Colour.RED")
    assert imports.lines() == ["from pkg.models.colour import Colour"]
    assert python_default(ir.Primitive("number"), 0.1, types, imports) == PythonDefault("0.1")


NAMED_DEFAULTS = """
openapi: 3.1.0
info: {title: Named defaults, version: "1"}
paths: {}
components:
  schemas:
    Colour: {type: string, enum: [red, green]}
    Colours: {type: array, items: {$ref: "#/components/schemas/Colour"}}
    ColourOrCount:
      oneOf: [{$ref: "#/components/schemas/Colour"}, {type: integer}]
    Paint:
      type: object
      properties:
        colours: {allOf: [{$ref: "#/components/schemas/Colours"}], default: [green]}
        either: {allOf: [{$ref: "#/components/schemas/ColourOrCount"}], default: red}
        count: {allOf: [{$ref: "#/components/schemas/ColourOrCount"}], default: 3}
"""


def test_defaults_through_aliases_and_unions_name_enum_members(tmp_path: Path) -> None:
    view = _view(tmp_path, NAMED_DEFAULTS)
    paint = _object(view, "Paint")
    assert [f.assignment for f in paint.fields] == [
        " = Field(default_factory=lambda: [Colour.GREEN])",
        " = Field(default=Colour.RED)",
        " = Field(default=3)",
    ]
    assert "from pkg.models.colour import Colour" in paint.imports


PARAMETERS = """
openapi: 3.1.0
info: {title: Params, version: "1"}
paths:
  /p/{id}:
    get:
      operationId: getP
      parameters:
        - {name: id, in: path, required: true, schema: {$ref: "#/components/schemas/Id"}}
        - {name: when, in: query, schema: {anyOf: [{$ref: "#/components/schemas/Id"}, {type: "null"}]}}
      responses:
        "204": {description: done}
components:
  schemas:
    Id: {type: string}
    Ids: {type: array, items: {type: string}}
    Filter: {type: object, properties: {a: {type: string}}}
    FilterAlias: {$ref: "#/components/schemas/Filter"}
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("in: query, schema:", "in: query, style: spaceDelimited, schema:"),
            "'style': style 'spaceDelimited' for a query parameter is not supported (only 'form')",
        ),
        (
            (
                "in: path, required: true, schema:",
                "in: path, required: true, style: label, schema:",
            ),
            "'style': style 'label' for a path parameter is not supported (only 'simple')",
        ),
        (
            (
                '$ref: "#/components/schemas/Id"}, {type: "null"}',
                '$ref: "#/components/schemas/Filter"}, {type: "null"}',
            ),
            "'schema': object-valued parameters are not supported",
        ),
        (
            (
                '{name: when, in: query, schema: {anyOf: [{$ref: "#/components/schemas/Id"}, {type: "null"}]}}',
                "{name: when, in: query, schema: {type: object, additionalProperties: {type: string}}}",
            ),
            "'schema': object-valued parameters are not supported",
        ),
        (
            (
                'required: true, schema: {$ref: "#/components/schemas/Id"}',
                'required: true, schema: {$ref: "#/components/schemas/Ids"}',
            ),
            "'schema': array-valued path parameters are not supported",
        ),
    ],
)
def test_parameters_the_runtime_cannot_serialize_are_refused(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in PARAMETERS
    with pytest.raises(SpecError) as caught:
        _view(tmp_path, PARAMETERS.replace(old, new, 1))
    assert str(caught.value).startswith("views.yaml#/paths/~1p~1{id}/get/parameters/")
    assert str(caught.value).endswith(f": {message}")


def test_parameters_through_aliases_and_nullability_are_accepted(tmp_path: Path) -> None:
    view = _view(tmp_path, PARAMETERS)
    op = _operation(view, "getP")
    assert op.signature == ["id: str", "when: str | None = None"]
    # An array in a query is fine.
    ids = PARAMETERS.replace(
        '{anyOf: [{$ref: "#/components/schemas/Id"}, {type: "null"}]}',
        '{$ref: "#/components/schemas/Ids"}',
    )
    assert _operation(_view(tmp_path, ids), "getP").signature[1] == "when: list[str] | None = None"


def test_a_multipart_body_that_is_no_object_is_refused_with_its_pointer(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        _view(tmp_path, _only_operation(MEDIA, "multi"))
    assert str(caught.value) == (
        "views.yaml#/paths/~1multi/post/requestBody: 'content': a multipart/form-data body "
        "must be an object schema (its properties are the parts)"
    )


def test_only_a_boolean_stream_property_is_the_stream_flag(tmp_path: Path) -> None:
    for properties, flag in [
        ("{stream: {type: boolean}}", "stream"),
        ("{stream: {type: string}}", None),
        ("{streaming: {type: boolean}}", None),
    ]:
        text = _only_operation(MEDIA, "").replace(
            """      properties:
        stream: {type: [boolean, "null"]}
        model: {type: string}""",
            f"      properties: {properties}",
        )
        chat = _operation(_view(tmp_path, text), "chat")
        assert chat.body is not None and chat.body.stream_flag == flag, properties


def test_only_an_operation_answering_nothing_but_redirects_follows_them(tmp_path: Path) -> None:
    from codegen.views.operation import redirects_to_the_result

    def op(*statuses: str) -> ir.Operation:
        responses = tuple(ir.Response(s, "", ()) for s in statuses)
        return ir.Operation(
            operation_id="o",
            method="get",
            path="/o",
            tag="t",
            pointer="/paths/~1o/get",
            summary=None,
            description=None,
            parameters=(),
            request_body=None,
            responses=responses,
            security=(),
        )

    assert redirects_to_the_result(op("307", "400")) is True
    assert redirects_to_the_result(op("302")) is True
    assert redirects_to_the_result(op("307", "200")) is False
    assert redirects_to_the_result(op("307", "default")) is False
    assert redirects_to_the_result(op("400")) is False
    assert redirects_to_the_result(op()) is False
    view = _view(
        tmp_path,
        OPERATIONS.replace(
            '"307": {description: to the file}',
            '"307": {description: to the file}\n        default: {description: error}',
        ),
    )
    moved = _operation(view, "moved")
    assert (moved.download, moved.return_annotation) == (False, "None")


def test_parameters_alone_or_a_body_alone_bring_type_adapter(tmp_path: Path) -> None:
    # Each parameter and a body are read through ``TypeAdapter`` (api.py.j2): one API
    # whose operation has parameters only, one whose operation has a body only, one with
    # neither.
    view = _view(
        tmp_path,
        """
        openapi: 3.1.0
        info: {title: Adapters, version: "1"}
        paths:
          /p:
            get:
              operationId: withParameter
              tags: [P]
              parameters: [{name: q, in: query, schema: {type: string}}]
              responses: {"204": {description: done}}
          /b:
            post:
              operationId: withBody
              tags: [B]
              requestBody:
                content: {application/json: {schema: {type: array, items: {type: string}}}}
              responses: {"204": {description: done}}
          /n:
            get:
              operationId: withNeither
              tags: [N]
              responses: {"204": {description: done}}
        """,
    )
    imports = {api.name: api.imports for api in view.apis}
    assert "from pydantic import TypeAdapter" in imports["PApi"]
    assert "from pydantic import TypeAdapter" in imports["BApi"]
    assert not any("TypeAdapter" in line for line in imports["NApi"])


def test_enum_members_renamed_twice_each_get_their_own_number() -> None:
    from codegen.views.enum_model import enum_member_names

    schema = ir.EnumSchema("E", "/components/schemas/E", ("a-b", "a_b", "a.b", "A_B_3"))
    assert enum_member_names(schema) == ["A_B", "A_B_2", "A_B_4", "A_B_3"]


def test_an_api_module_imports_what_its_operations_need(tmp_path: Path) -> None:
    view = _view(tmp_path, OPERATIONS)
    assert view.apis[0].imports == [
        "from collections.abc import Callable, Mapping",
        "from pkg.models.error import Error",
        "from pkg.models.thing import Thing",
        "from pydantic import BaseModel, TypeAdapter",
        f"from {RUNTIME}.download import Destination",
        f"from {RUNTIME}.operation import BodySpec, Operation, Param, ResponseSpec, SecurityScheme",
        f"from {RUNTIME}.streaming import AsyncStream",
        "from typing import Any, TypeVar, overload",
    ]
    body = _operation(view, "createThing").body
    assert body is not None
    assert (body.adapter_type, body.type_text) == ("Thing", "[**Thing**](Thing.md)")
    # A model body alone (no JSON answer) brings Mapping and Any; an enum parameter its class.
    text = """
openapi: 3.1.0
info: {title: Body, version: "1"}
paths:
  /b:
    post:
      operationId: post
      parameters:
        - {name: colour, in: query, schema: {$ref: "#/components/schemas/Colour"}}
      requestBody:
        content:
          application/json: {schema: {$ref: "#/components/schemas/Thing"}}
      responses:
        "204": {description: done}
components:
  schemas:
    Colour: {type: string, enum: [red]}
    Thing: {type: object, properties: {a: {type: string}}}
"""
    view = _view(tmp_path, text)
    assert view.apis[0].imports == [
        "from collections.abc import Mapping",
        "from pkg.models.colour import Colour",
        "from pkg.models.thing import Thing",
        "from pydantic import TypeAdapter",
        f"from {RUNTIME}.operation import BodySpec, Operation, Param, ResponseSpec, SecurityScheme",
        "from typing import Any",
    ]
