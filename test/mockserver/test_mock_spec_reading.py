"""How the server reads a spec (docs/mock-server.md, "How the spec is read"): YAML timestamps
stay strings; ``nullable: true`` allows ``null`` (also as an ``allOf`` branch); ``properties``
without ``type`` means an object; every ``$ref`` is absolute; ``date-time`` and ``uri`` are
checked without optional packages; operations, parameters, bodies and answers as declared."""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path
from typing import Any

import pytest

from support import REPOSITORY
from together.mock.spec import FORMATS, SPEC_URI, default_spec_path, load_api, normalize

REF = "urn:together:openapi#/components/schemas/X"


# ---------------------------------------------------------------------------- normalize


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ({"$ref": "#/components/schemas/X"}, {"$ref": REF}),
        ({"$ref": "other.yaml#/X"}, {"$ref": "other.yaml#/X"}),
        ({"properties": {"a": {}}}, {"properties": {"a": {}}, "type": "object"}),
        ({"properties": {"a": {}}, "type": "array"}, {"properties": {"a": {}}, "type": "array"}),
        ({"properties": []}, {"properties": []}),
        (  # a $ref's siblings do not make it an object: the target says what it is
            {"$ref": "#/components/schemas/X", "properties": {"a": {}}},
            {"$ref": REF, "properties": {"a": {}}},
        ),
        ({"type": "string", "nullable": True}, {"type": ["string", "null"]}),
        ({"type": "string", "nullable": False}, {"type": "string"}),
        ({"type": "string", "nullable": "yes"}, {"type": "string", "nullable": "yes"}),
        (
            {"type": "string", "enum": ["a"], "nullable": True},
            {"type": ["string", "null"], "enum": ["a", None]},
        ),
        (
            {"type": "string", "enum": ["a", None], "nullable": True},
            {"type": ["string", "null"], "enum": ["a", None]},
        ),
        ({"type": ["string", "null"], "nullable": True}, {"type": ["string", "null"]}),
        (
            {"type": ["string", "integer"], "nullable": True},
            {"anyOf": [{"type": ["string", "integer"]}, {"type": "null"}]},
        ),
        (
            {"$ref": "#/components/schemas/X", "nullable": True},
            {"anyOf": [{"$ref": REF}, {"type": "null"}]},
        ),
        (
            {"allOf": [{"$ref": "#/components/schemas/X"}, {"nullable": True}], "title": "t"},
            {"title": "t", "anyOf": [{"allOf": [{"$ref": REF}]}, {"type": "null"}]},
        ),
        (
            {"allOf": [{"$ref": "#/components/schemas/X"}, {"nullable": True, "type": "string"}]},
            {"allOf": [{"$ref": REF}, {"type": ["string", "null"]}]},
        ),
        (
            {"allOf": [{"$ref": "#/components/schemas/X"}, {"nullable": False}]},
            {"allOf": [{"$ref": REF}, {}]},
        ),
        # OpenAPI 3.0's exclusive bounds are flags on the bound beside them; true is not 1.
        ({"minimum": 5, "exclusiveMinimum": True}, {"exclusiveMinimum": 5}),
        ({"maximum": 8, "exclusiveMaximum": True}, {"exclusiveMaximum": 8}),
        ({"minimum": 5, "exclusiveMinimum": False}, {"minimum": 5}),
        ({"maximum": 8, "exclusiveMaximum": False}, {"maximum": 8}),
        ({"exclusiveMinimum": True}, {}),  # no bound beside it: nothing to exclude
        (
            {"minimum": 0, "maximum": 0.5, "exclusiveMinimum": True, "exclusiveMaximum": True},
            {"exclusiveMinimum": 0, "exclusiveMaximum": 0.5},
        ),
        ({"minimum": 1, "exclusiveMinimum": 0}, {"minimum": 1, "exclusiveMinimum": 0}),
        # A type beside branches of other types (Together's train_on_inputs) would refuse
        # their values: the branches say what is meant. Where they agree, it stays.
        (
            {"type": "boolean", "oneOf": [{"type": "boolean"}, {"type": "string"}]},
            {"oneOf": [{"type": "boolean"}, {"type": "string"}]},
        ),
        (
            {"type": "string", "anyOf": [{"type": "integer"}]},
            {"anyOf": [{"type": "integer"}]},
        ),
        (
            {"type": "string", "anyOf": [{"type": "string"}, {"type": "string"}]},
            {"type": "string", "anyOf": [{"type": "string"}, {"type": "string"}]},
        ),
        (  # branches without a type (refs) say nothing against it
            {"type": "object", "oneOf": [{"$ref": "#/a"}, {"required": ["x"]}]},
            {"type": "object", "oneOf": [{"$ref": SPEC_URI + "#/a"}, {"required": ["x"]}]},
        ),
        (
            {"type": ["boolean", "null"], "oneOf": [{"type": "string"}]},
            {"type": ["boolean", "null"], "oneOf": [{"type": "string"}]},
        ),
        ([{"$ref": "#/a"}, 3, "s"], [{"$ref": "urn:together:openapi#/a"}, 3, "s"]),
        (
            {"items": {"items": {"$ref": "#/b"}}},
            {"items": {"items": {"$ref": "urn:together:openapi#/b"}}},
        ),
    ],
)
def test_normalize_reads_openapi_30_leftovers_as_meant(written: Any, read: Any) -> None:
    assert normalize(written) == read


# ---------------------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2026-04-28T00:00:00Z", True),
        ("2026-04-28T23:59:59.123456+02:00", True),
        ("2026-04-28T00:00:00-05:30", True),
        ("2026-04-28 00:00:00Z", False),
        ("2026-04-28T00:00:00", False),
        ("2026-13-01T00:00:00Z", False),
        ("x2026-04-28T00:00:00Z", False),
        ("2026-04-28T00:00:00Zx", False),
        (5, True),
    ],
)
def test_date_time_format(value: Any, valid: bool) -> None:
    assert FORMATS.conforms(value, "date-time") is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("http://127.0.0.1/x", True),
        ("mailto:a@b.c", True),
        ("s3+x.y-z:bucket", True),
        ("/relative/path", False),
        ("1http://x", False),
        ("no scheme", False),
        (5, True),
    ],
)
def test_uri_format(value: Any, valid: bool) -> None:
    assert FORMATS.conforms(value, "uri") is valid


def test_other_formats_are_jsonschemas_own() -> None:
    assert FORMATS.conforms("a@b.c", "email")
    assert not FORMATS.conforms("nope", "email")
    assert not FORMATS.conforms("1.2.3", "ipv4")


# ---------------------------------------------------------------------------- loading

SPEC = """
openapi: 3.1.0
info: {title: reading, version: "1"}
servers: [{url: "https://example.test/base/v9/"}, {url: "http://other/v1"}]
security: [{token: []}]
components:
  securitySchemes:
    token: {type: http, scheme: Bearer}
    basic: {type: http, scheme: basic}
  parameters:
    Limit: {name: limit, in: query, schema: {type: integer}}
  requestBodies:
    Thing:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Thing"}
          example: {name: a}
          examples:
            one: {value: {name: b}}
            two: {summary: no value}
  responses:
    Done:
      content:
        application/json:
          schema: {type: object}
  schemas:
    Thing:
      type: object
      properties:
        name: {type: string}
        model:
          anyOf:
            - {enum: [m-one, m-two, 3]}
            - {$ref: "#/components/schemas/MoreModels"}
        when: {type: string, example: 2024-01-15T14:30:00Z}
    MoreModels: {oneOf: [{enum: [m-three, m-one]}, {type: string}]}
    Upload: {type: string, format: binary}
paths:
  /things/{id}:
    parameters:
      - {name: id, in: path, schema: {type: string}}
      - {name: view, schema: {type: string}}
    get:
      parameters:
        - {name: view, in: query, required: true, schema: {type: integer}}
        - {$ref: "#/components/parameters/Limit"}
        - {name: X-Extra, in: header, schema: {type: string}}
      responses:
        "200": {$ref: "#/components/responses/Done"}
        "404": {description: none}
    post:
      operationId: makeThing
      security: []
      requestBody: {$ref: "#/components/requestBodies/Thing"}
      responses:
        "201":
          content:
            text/plain: {}
    put:
      security: [{basic: []}]
      requestBody:
        content:
          multipart/form-data:
            schema: {type: object}
      responses: {"204": {description: empty}}
  /plain:
    delete:
      responses: {"302": {description: moved}, "101": {description: up}}
    patch:
      responses: {"101": {description: up}, "4XX": {description: bad}}
    options:
      responses: {default: {description: whatever}}
"""


@pytest.fixture
def api(tmp_path: Path) -> Any:
    path = tmp_path / "reading.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return load_api(path)


def test_operations_are_read_in_order_with_names_and_security(api: Any) -> None:
    assert api.base_path == "/base/v9"
    assert [(op.key, op.name, op.needs_bearer) for op in api.operations] == [
        ("GET /things/{id}", "GET /things/{id}", True),
        ("PUT /things/{id}", "PUT /things/{id}", False),  # methods in the OpenAPI order
        ("POST /things/{id}", "makeThing", False),
        ("DELETE /plain", "DELETE /plain", True),
        ("PATCH /plain", "PATCH /plain", True),
        ("OPTIONS /plain", "OPTIONS /plain", True),
    ]


def test_parameters_merge_the_path_item_and_the_operation(api: Any) -> None:
    get = api.operations[0]
    assert [(p.name, p.location, p.required, dict(p.schema)) for p in get.parameters] == [
        ("id", "path", True, {"type": "string"}),  # a path parameter is always required
        ("view", "query", True, {"type": "integer"}),  # the operation's wins
        ("limit", "query", False, {"type": "integer"}),
        ("X-Extra", "header", False, {"type": "string"}),
    ]
    post = api.operations[2]
    assert [(p.name, p.location, p.required) for p in post.parameters] == [
        ("id", "path", True),
        ("view", "query", False),  # "in" defaults to query
    ]


def test_bodies_and_answers_follow_their_refs(api: Any) -> None:
    get, put, post = api.operations[:3]
    assert get.bodies == {} and not get.body_required
    body = post.bodies["application/json"]
    assert post.body_required
    assert body.content_type == "application/json"
    assert body.pointer == "/components/requestBodies/Thing/content/application~1json/schema"
    assert body.examples == ({"name": "a"}, {"name": "b"})
    assert api.resolve(body.schema)["type"] == "object"
    assert api.at(body.pointer) == {"$ref": "urn:together:openapi#/components/schemas/Thing"}
    assert not put.body_required
    assert put.bodies["multipart/form-data"].pointer.endswith(
        "/put/requestBody/content/multipart~1form-data/schema"
    )
    done = get.responses["200"]["application/json"]
    assert done.pointer == "/components/responses/Done/content/application~1json/schema"
    assert get.responses["404"] == {}
    text = post.responses["201"]["text/plain"]
    assert (text.pointer, dict(text.schema), text.examples) == ("", {}, ())


def test_success_status_is_the_lowest_2xx_else_3xx_else_1xx(api: Any) -> None:
    assert [op.success_status for op in api.operations] == [
        "200",
        "204",
        "201",
        "302",
        "101",
        "200",
    ]


def test_yaml_timestamps_stay_strings(api: Any) -> None:
    when = api.at("/components/schemas/Thing/properties/when")
    assert when["example"] == "2024-01-15T14:30:00Z"


def test_models_are_the_enum_values_of_the_model_field(api: Any) -> None:
    assert api.models_by_operation("POST /things/{id}") == ("m-one", "m-two", "m-three")
    assert api.models_by_operation("GET /things/{id}") == ()
    assert api.models_by_operation("GET /nothing") == ()


def test_at_and_resolve(api: Any) -> None:
    assert api.at("") == api.document
    assert api.at("/paths/~1plain/delete/responses/302") == {"description": "moved"}
    assert api.at("/info/title") == {}  # not a mapping
    resolved = api.resolve(
        {"$ref": "urn:together:openapi#/components/schemas/MoreModels", "title": "t"}
    )
    assert resolved == {"oneOf": [{"enum": ["m-three", "m-one"]}, {"type": "string"}], "title": "t"}


def test_validators_are_cached_per_pointer_and_format_checking(api: Any) -> None:
    pointer = "/components/schemas/Thing"
    assert api.validator(pointer) is api.validator(pointer)
    assert api.validator(pointer, formats=True) is not api.validator(pointer)
    strict = api.schema_validator({"type": "string", "format": "uri"}, formats=True)
    lenient = api.schema_validator({"type": "string", "format": "uri"})
    assert not strict.is_valid("no scheme") and lenient.is_valid("no scheme")
    assert [e.message for e in api.errors(pointer, {"name": 1})] == ["1 is not of type 'string'"]


def test_only_form_text_parts_are_held_to_binary_and_only_answers_to_formats(api: Any) -> None:
    """A request's JSON is not format-checked; a form's text part is never ``binary`` (a file
    part is); answers are held to every format."""
    pointer = "/components/schemas/Upload"
    assert api.validator(pointer).is_valid("text")
    assert list(api.errors(pointer, "text")) == []
    assert api.schema_validator({"type": "string", "format": "binary"}).is_valid("text")
    assert not api.validator(pointer, form=True).is_valid("text")
    assert [e.message for e in api.errors(pointer, "text", form=True)] == [
        "'text' is not a 'binary'"
    ]
    # A text part is held to no other format (a request is parsed leniently).
    assert api.schema_validator({"format": "date-time"}, form=True).is_valid("x")


def test_a_spec_without_servers_serves_at_the_root(tmp_path: Path) -> None:
    path = tmp_path / "bare.yaml"
    path.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n"
        "  /x: {get: {responses: {'200': {description: ok}}}}\n",
        encoding="utf-8",
    )
    api = load_api(path)
    assert (api.base_path, [op.needs_bearer for op in api.operations]) == ("", [False])
    assert load_api(path) is api  # read once per file version


def test_the_default_spec_is_the_repository_openapi_yaml() -> None:
    assert default_spec_path() == REPOSITORY / "openapi.yaml"
    api = load_api()
    assert api.base_path == "/v1"
    assert len(api.operations) == 99


def test_a_wheel_serves_the_openapi_yaml_it_ships_beside_the_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "openapi.yaml").write_text("openapi: 3.1.0\n", encoding="utf-8")
    monkeypatch.setattr(importlib.resources, "files", lambda package: tmp_path)
    assert default_spec_path() == tmp_path / "openapi.yaml"


def test_a_changed_spec_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "changing.yaml"
    head = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n"
    path.write_text(head + "  /a: {get: {responses: {'200': {description: ok}}}}\n")
    assert [op.key for op in load_api(path).operations] == ["GET /a"]
    path.write_text(head + "  /b: {get: {responses: {'200': {description: ok}}}}\n")
    os.utime(path, ns=(1, path.stat().st_mtime_ns + 1_000_000_000))  # a later version
    assert [op.key for op in load_api(path).operations] == ["GET /b"]


def chain(length: int, name: str = "C") -> str:
    """Components ``{name}0`` .. ``{name}{length}``: each a $ref to the next, the last a
    string schema (or a response)."""
    lines = [f"    {name}{i}: {{$ref: '#/components/KIND/{name}{i + 1}'}}" for i in range(length)]
    return "\n".join(lines) + "\n"


def test_ref_chains_are_followed_for_64_hops_and_cycles_stop(tmp_path: Path) -> None:
    """64 hops is far more than any spec nests; the limit is what stops a $ref cycle."""
    path = tmp_path / "chains.yaml"
    path.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"
        "paths:\n"
        "  /long: {get: {responses: {'200': {$ref: '#/components/responses/R0'}}}}\n"
        "  /longer: {get: {responses: {'200': {$ref: '#/components/responses/L0'}}}}\n"
        "  /cycle: {get: {responses: {'200': {$ref: '#/components/responses/Loop'}}}}\n"
        "components:\n"
        "  schemas:\n"
        + chain(64).replace("KIND", "schemas")
        + "    C64: {type: string}\n"
        + chain(65, "D").replace("KIND", "schemas")
        + "    D65: {type: string}\n"
        + "    Self: {$ref: '#/components/schemas/Self'}\n"
        + "  responses:\n"
        + chain(63, "R").replace("KIND", "responses")
        + "    R63: {content: {application/json: {schema: {type: integer}}}}\n"
        + chain(64, "L").replace("KIND", "responses")
        + "    L64: {content: {application/json: {schema: {type: integer}}}}\n"
        + "    Loop: {$ref: '#/components/responses/Loop'}\n",
        encoding="utf-8",
    )
    api = load_api(path)
    # From C0 (a $ref to C1) to C64: 64 hops; from D0 to D65: 65.
    assert api.resolve(api.at("/components/schemas/C0")) == {"type": "string"}
    assert api.resolve(api.at("/components/schemas/D0")) == {
        "$ref": f"{SPEC_URI}#/components/schemas/D65"
    }
    assert api.resolve({"$ref": f"{SPEC_URI}#/components/schemas/Self"}) == {
        "$ref": f"{SPEC_URI}#/components/schemas/Self"
    }
    # From the operation's $ref to R0 to R63: 64 hops; to L64: 65.
    long, longer, cycle = (op.responses["200"] for op in api.operations)
    assert long["application/json"].pointer == (
        "/components/responses/R63/content/application~1json/schema"
    )
    assert longer == {} and cycle == {}


def test_paths_with_a_tilde_get_json_pointers_that_find_them(tmp_path: Path) -> None:
    path = tmp_path / "tilde.yaml"
    path.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n"
        "  /x~1y:\n"
        "    post:\n"
        "      requestBody: {content: {application/json: {schema: {type: integer}}}}\n"
        "      responses: {'200': {description: ok}}\n",
        encoding="utf-8",
    )
    (operation,) = load_api(path).operations
    body = operation.bodies["application/json"]
    assert body.pointer == "/paths/~1x~01y/post/requestBody/content/application~1json/schema"
    assert load_api(path).at(body.pointer) == {"type": "integer"}


async def test_a_parameter_without_a_schema_takes_any_value(serve: Any) -> None:
    client = await serve(
        spec="openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n"
        "  /find:\n"
        "    get:\n"
        "      parameters: [{name: q, in: query, required: true}]\n"
        "      responses: {'200': {content: {application/json: {schema: {const: found}}}}}\n"
    )
    response = await client.get("/find", params={"q": "anything at all"})
    assert (response.status, await response.json()) == (200, "found")
    response = await client.get("/find")
    assert response.status == 400
