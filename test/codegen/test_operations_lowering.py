"""Operations lowered to the IR (``codegen/lower/document.py``): names, parameters, bodies,
answers, security and the document's own fields, from small inline specs through
``load_spec`` and ``lower``, with expected values written out here."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from codegen import ir
from codegen.errors import Refusals, SpecError
from codegen.lower import lower
from codegen.read.loader import load_spec


def lower_document(tmp_path: Path, paths: dict[str, Any], **top: Any) -> ir.ApiSpec:
    """The IR of a document with these paths (and other top-level fields)."""
    document = {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": paths}
    document.update(top)
    path = tmp_path / "spec.yaml"
    path.write_text(json.dumps(document), encoding="utf-8")
    return lower(load_spec(path))


def refused(tmp_path: Path, paths: dict[str, Any], **top: Any) -> SpecError:
    with pytest.raises(SpecError) as caught:
        lower_document(tmp_path, paths, **top)
    return caught.value


OK = {"200": {"description": "ok"}}


def test_operations_without_an_operation_id_are_named_and_reported_in_one_warning(
    tmp_path: Path,
) -> None:
    spec = lower_document(
        tmp_path,
        {
            "/files/upload": {"post": {"responses": OK}},
            "/things/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {}}],
                "get": {"responses": OK},
                "delete": {"operationId": "dropThing", "responses": OK},
            },
        },
    )
    assert [op.operation_id for op in spec.operations] == [
        "post_files_upload",
        "get_things_id",
        "dropThing",
    ]
    # One warning, a line for each derived name with the pointer of its operation.
    assert spec.warnings == (
        "2 operations with no operationId, named from method and path:\n"
        "  post_files_upload <- spec.yaml#/paths/~1files~1upload/post\n"
        "  get_things_id <- spec.yaml#/paths/~1things~1{id}/get",
    )


def test_a_spec_whose_operations_are_all_named_gives_no_warning(tmp_path: Path) -> None:
    spec = lower_document(tmp_path, {"/a": {"get": {"operationId": "getA", "responses": OK}}})
    assert spec.warnings == ()


STRING = ir.Primitive("string")
INTEGER = ir.Primitive("integer")

#: A document using each part of an operation the IR carries.
FULL_PATHS: dict[str, Any] = {
    "/things/{id}": {
        "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "trace", "in": "header", "schema": {"type": "string"}},
        ],
        "post": {
            "operationId": "makeThing",
            "summary": "Make a thing",
            "description": "Makes it.",
            "tags": ["Things", "Other"],
            "deprecated": True,
            "x-retry-safe": True,
            "x-speed": "fast",
            "security": [],
            "parameters": [
                # Replaces the path item's parameter of the same name and location.
                {
                    "name": "trace",
                    "in": "header",
                    "required": True,
                    "description": "Trace id",
                    "schema": {"type": "integer"},
                },
                {"$ref": "#/components/parameters/Limit"},
                {
                    "name": "tags",
                    "in": "query",
                    "style": "form",
                    "explode": False,
                    "deprecated": True,
                    "schema": {"type": "array", "items": {"type": "string"}},
                },
            ],
            "requestBody": {"$ref": "#/components/requestBodies/ThingBody"},
            "responses": {
                "201": {
                    "description": "made",
                    "headers": {
                        "X-Count": {"description": "how many", "schema": {"type": "integer"}},
                        "X-Other": {"$ref": "#/components/headers/Other"},
                    },
                    "content": {
                        "application/json": {
                            "schema": {"type": "object", "properties": {"id": {"type": "string"}}},
                            "examples": {"one": {"value": {"id": "t1"}}, "two": {"value": {}}},
                        }
                    },
                },
                "4XX": {"$ref": "#/components/responses/Problem"},
                "default": {
                    "description": "other",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"why": {"type": "string"}},
                            }
                        },
                        "text/plain": {},
                    },
                },
            },
        },
    },
    "/ping": {"get": {"operationId": "ping", "responses": {"204": {"description": "pong"}}}},
}

FULL_TOP: dict[str, Any] = {
    "info": {"title": "Things API", "version": 2, "description": "All about things."},
    "servers": [{"url": "https://a.example/v1", "description": "main"}, {"url": "/local"}],
    "security": [{"bearer": []}, {"key": [], "bearer": []}],
    "tags": [{"name": "Things", "description": "Thing calls"}, {"name": "Unused"}],
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "Bearer", "description": "token"},
            "key": {"type": "apiKey", "in": "query", "name": "api_key"},
        },
        "schemas": {
            "Problem": {"type": "object", "properties": {"code": {"type": "integer"}}},
            "Answer": {"type": "object", "properties": {"n": {"type": "integer"}}},
            "Both": {"type": "object", "properties": {"s": {"type": "string"}}},
        },
        "parameters": {
            "Limit": {
                "name": "limit",
                "in": "query",
                "schema": {"type": "integer", "default": 10},
            }
        },
        "requestBodies": {
            "ThingBody": {
                "required": True,
                "description": "the thing",
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/Both"},
                        "example": {"s": "x"},
                    },
                    "application/x-www-form-urlencoded": {
                        "schema": {"type": "object", "properties": {"f": {"type": "string"}}}
                    },
                },
            }
        },
        "responses": {
            "Problem": {
                "description": "bad",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                },
            }
        },
        "headers": {"Other": {"schema": {"type": "string"}}},
    },
}


def test_every_part_of_an_operation_is_lowered(tmp_path: Path) -> None:
    spec = lower_document(tmp_path, FULL_PATHS, **FULL_TOP)
    assert (spec.title, spec.version, spec.description) == ("Things API", "2", "All about things.")
    assert spec.servers == (
        ir.Server("https://a.example/v1", "main"),
        ir.Server("/local", None),
    )
    assert spec.security_schemes == (
        ir.SecurityScheme("bearer", "http", scheme="bearer", description="token"),
        ir.SecurityScheme("key", "apiKey", location="query", parameter_name="api_key"),
    )
    # Tags sorted by name, an operation under its first tag; a declared tag without an
    # operation is not listed, an undeclared one has no description.
    assert [(t.name, t.description) for t in spec.tags] == [
        ("Default", None),
        ("Things", "Thing calls"),
    ]
    ping, make = spec.operations
    assert ping == ir.Operation(
        operation_id="ping",
        method="get",
        path="/ping",
        tag="Default",
        pointer="/paths/~1ping/get",
        summary=None,
        description=None,
        parameters=(),
        request_body=None,
        responses=(ir.Response("204", "pong", ()),),
        security=("bearer", "key"),  # the document's, each scheme once
        deprecated=False,
        retry_safe=True,  # GET
        extensions={},
    )
    item = "/paths/~1things~1{id}"
    assert make.parameters == (
        ir.Parameter("id", "path", STRING, True, f"{item}/parameters/0"),
        ir.Parameter(
            "trace",
            "header",
            INTEGER,
            True,
            f"{item}/post/parameters/0",
            description="Trace id",
        ),
        ir.Parameter(
            "limit",
            "query",
            INTEGER,
            False,
            "/components/parameters/Limit",
            default=ir.Default(10),
        ),
        ir.Parameter(
            "tags",
            "query",
            ir.ArrayOf(STRING),
            False,
            f"{item}/post/parameters/2",
            style="form",
            explode=False,
            deprecated=True,
        ),
    )
    assert make.request_body == ir.RequestBody(
        required=True,
        contents=(
            ir.MediaType("application/json", ir.Ref("Both"), {"s": "x"}),
            ir.MediaType("application/x-www-form-urlencoded", ir.Ref("MakeThingRequest")),
        ),
        pointer="/components/requestBodies/ThingBody",
        description="the thing",
    )
    assert make.responses == (
        ir.Response(
            "201",
            "made",
            (ir.MediaType("application/json", ir.Ref("MakeThing201Response"), {"id": "t1"}),),
            (
                ir.Header("X-Count", INTEGER, "how many"),
                ir.Header("X-Other", STRING, None),
            ),
        ),
        ir.Response("4XX", "bad", (ir.MediaType("application/json", ir.Ref("Problem")),)),
        ir.Response(
            "default",
            "other",
            (
                ir.MediaType("application/json", ir.Ref("MakeThingDefaultResponse")),
                ir.MediaType("text/plain", None),
            ),
        ),
    )
    assert (make.operation_id, make.method, make.path, make.tag, make.pointer) == (
        "makeThing",
        "post",
        "/things/{id}",
        "Things",
        f"{item}/post",
    )
    assert (make.summary, make.description) == ("Make a thing", "Makes it.")
    assert make.security == ()  # `security: []` turns the document's off
    assert (make.deprecated, make.retry_safe) == (True, True)
    assert make.extensions == {"x-retry-safe": True, "x-speed": "fast"}
    # Which schemas requests and answers reach.
    usage = {s.name: (s.usage.in_request, s.usage.in_response) for s in spec.schemas}
    assert usage == {
        "Answer": (False, False),
        "Both": (True, False),
        "MakeThing201Response": (False, True),
        "MakeThingDefaultResponse": (False, True),
        "MakeThingRequest": (True, False),
        "Problem": (False, True),
    }
    assert spec.warnings == ()


def _op(**fields: Any) -> dict[str, Any]:
    return {"operationId": "op", "responses": OK, **fields}


PATH_ID = {"name": "id", "in": "path", "required": True, "schema": {}}


@pytest.mark.parametrize(
    ("paths", "top", "pointer", "keyword", "message"),
    [
        (
            {"things": {"get": _op()}},
            {},
            "/paths/things",
            "paths",
            "path 'things' must start with '/'",
        ),
        (
            {"/a": {"$ref": "#/components/pathItems/A"}},
            {},
            "/paths/~1a",
            "$ref",
            "path item references are not supported",
        ),
        (
            {"/a": {"get": _op(parameters=[{"name": "q", "in": "body"}])}},
            {},
            "/paths/~1a/get/parameters/0",
            "in",
            "parameter location 'body' is not valid",
        ),
        (
            {"/a": {"get": _op(parameters=[{"name": "q", "in": "query", "content": {}}])}},
            {},
            "/paths/~1a/get/parameters/0",
            "content",
            "parameters with 'content' are not supported",
        ),
        (
            {"/a/{id}": {"get": _op(parameters=[{"name": "id", "in": "path"}])}},
            {},
            "/paths/~1a~1{id}/get/parameters/0",
            "required",
            "path parameters must be required",
        ),
        (
            {"/a/{id}": {"get": _op()}},
            {},
            "/paths/~1a~1{id}/get",
            "parameters",
            "path parameter {id} is not declared",
        ),
        (
            {"/a": {"get": _op(parameters=[PATH_ID])}},
            {},
            "/paths/~1a/get",
            "parameters",
            "path parameter 'id' is not in the path '/a'",
        ),
        (
            {"/a": {"post": _op(requestBody={"content": {}})}},
            {},
            "/paths/~1a/post/requestBody",
            "content",
            "a request body needs at least one media type",
        ),
        (
            {"/a": {"get": _op(responses={})}},
            {},
            "/paths/~1a/get/responses",
            "responses",
            "an operation needs at least one response",
        ),
        (
            {"/a": {"get": _op(operationId="")}},
            {},
            "/paths/~1a/get",
            "operationId",
            "operationId must be a non-empty string",
        ),
        (
            {"/a": {"get": _op(operationId=7)}},
            {},
            "/paths/~1a/get",
            "operationId",
            "operationId must be a non-empty string",
        ),
        (
            {"/a": {"get": _op(**{"x-retry-safe": "yes"})}},
            {},
            "/paths/~1a/get/x-retry-safe",
            "x-retry-safe",
            "must be true or false",
        ),
        (
            {"/a": {"get": _op(tags=[3])}},
            {},
            "/paths/~1a/get/tags/0",
            "0",
            "expected a string, found 3",
        ),
        (
            {"/a": {"get": _op(tags="A")}},
            {},
            "/paths/~1a/get/tags",
            "tags",
            "expected a list, found str",
        ),
        (
            {"/a": {"get": _op(security=[{"missing": []}])}},
            {},
            "/paths/~1a/get/security/0/missing",
            "security",
            "no security scheme named 'missing'",
        ),
        (
            {"/a": {"get": _op()}},
            {"security": [{"missing": []}]},
            "/security/0/missing",
            "security",
            "no security scheme named 'missing'",
        ),
        (
            {"/a": {"get": _op()}},
            {"components": {"securitySchemes": {"d": {"type": "http", "scheme": "digest"}}}},
            "/components/securitySchemes/d",
            "scheme",
            "http scheme 'digest' is not supported",
        ),
        (
            {"/a": {"get": _op()}},
            {"components": {"securitySchemes": {"k": {"type": "apiKey", "in": "body"}}}},
            "/components/securitySchemes/k",
            "in",
            "apiKey location 'body' is not valid",
        ),
        (
            {"/a": {"get": _op()}},
            {"components": {"securitySchemes": {"o": {"type": "oauth2", "flows": {}}}}},
            "/components/securitySchemes/o",
            "type",
            "security scheme type 'oauth2' is not supported",
        ),
        (
            {"/a": {"get": _op()}},
            {"servers": [{"description": "no url"}]},
            "/servers/0/url",
            "url",
            "expected a string, found None",
        ),
        (
            {"/a": {"get": _op()}},
            {"tags": [{"description": "no name"}]},
            "/tags/0/name",
            "name",
            "expected a string, found None",
        ),
        (
            {"/a": {"get": _op()}, "/b": {"get": _op()}},
            {},
            "/paths/~1b/get",
            "operationId",
            "operationId 'op' is used twice (also at /paths/~1a/get)",
        ),
    ],
)
def test_operations_the_generator_refuses(
    tmp_path: Path,
    paths: dict[str, Any],
    top: dict[str, Any],
    pointer: str,
    keyword: str,
    message: str,
) -> None:
    error = refused(tmp_path, paths, **top)
    assert (error.pointer, error.keyword, error.message) == (pointer, keyword, message)


@pytest.mark.parametrize("status", ["2000", "20", "600", "099", "2X0", "2xx", "20X", "Default"])
def test_a_response_key_that_is_not_a_status_is_refused(tmp_path: Path, status: str) -> None:
    error = refused(tmp_path, {"/a": {"get": _op(responses={status: {"description": "?"}})}})
    assert (error.pointer, error.keyword) == (f"/paths/~1a/get/responses/{status}", "responses")
    assert error.message == f"{status!r} is not a status code, range or 'default'"


@pytest.mark.parametrize("status", ["100", "200", "2XX", "404", "5XX", "default"])
def test_status_codes_ranges_and_default_are_accepted(tmp_path: Path, status: str) -> None:
    spec = lower_document(tmp_path, {"/a": {"get": _op(responses={status: {"description": "d"}})}})
    assert spec.operations[0].responses == (ir.Response(status, "d", ()),)


@pytest.mark.parametrize(
    ("method", "retry_safe"),
    [
        ("get", True),
        ("head", True),
        ("options", True),
        ("put", True),
        ("delete", True),
        ("trace", True),
        ("post", False),
        ("patch", False),
    ],
)
def test_without_x_retry_safe_an_idempotent_method_is_retry_safe(
    tmp_path: Path, method: str, retry_safe: bool
) -> None:
    spec = lower_document(tmp_path, {"/a": {method: _op()}})
    (operation,) = spec.operations
    assert (operation.method, operation.retry_safe) == (method, retry_safe)
    explicit = lower_document(tmp_path, {"/a": {method: _op(**{"x-retry-safe": not retry_safe})}})
    assert explicit.operations[0].retry_safe is (not retry_safe)


def test_a_minimal_document_has_empty_defaults(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(
        json.dumps({"openapi": "3.0.3", "info": {"title": "T"}, "paths": {"/a": {"get": _op()}}}),
        encoding="utf-8",
    )
    spec = lower(load_spec(path))
    assert (spec.title, spec.version, spec.description) == ("T", "", None)
    assert (spec.servers, spec.security_schemes, spec.schemas, spec.warnings) == ((), (), (), ())
    assert (spec.source_name, spec.overlay_name, spec.overlay_sha256) == ("spec.yaml", "", "")
    (operation,) = spec.operations
    assert operation == ir.Operation(
        operation_id="op",
        method="get",
        path="/a",
        tag="Default",
        pointer="/paths/~1a/get",
        summary=None,
        description=None,
        parameters=(),
        request_body=None,
        responses=(ir.Response("200", "ok", ()),),
        security=(),
        deprecated=False,
        retry_safe=True,
        extensions={},
    )


def test_inline_schemas_are_named_after_the_operation_and_the_part(tmp_path: Path) -> None:
    inline = {"type": "object", "properties": {"a": {"type": "string"}}}
    spec = lower_document(
        tmp_path,
        {
            "/a": {
                "post": _op(
                    operationId="send_thing",
                    parameters=[{"name": "filter_by", "in": "query", "schema": inline}],
                    requestBody={"content": {"application/json": {"schema": inline}}},
                    responses={
                        "2XX": {
                            "headers": {"x-rate": {"schema": inline}},
                            "content": {"application/json": {"schema": inline}},
                        },
                        "404": {"content": {"application/json": {"schema": inline}}},
                    },
                )
            }
        },
    )
    (operation,) = spec.operations
    assert operation.parameters[0].type == ir.Ref("FilterBy")
    assert operation.request_body is not None
    assert operation.request_body.required is False
    assert operation.request_body.description is None
    assert operation.request_body.contents[0].type == ir.Ref("SendThingRequest")
    ranged, missing = operation.responses
    assert ranged.contents[0].type == ir.Ref("SendThing2XXResponse")
    assert ranged.headers == (ir.Header("x-rate", ir.Ref("SendThingXRate")),)
    assert ranged.description == ""  # no description in the spec
    assert missing.contents[0].type == ir.Ref("SendThing404Response")
    assert sorted(s.name for s in spec.schemas) == [
        "FilterBy",
        "SendThing2XXResponse",
        "SendThing404Response",
        "SendThingRequest",
        "SendThingXRate",
    ]


def test_schemas_reached_through_parameters_and_references_are_marked_used(
    tmp_path: Path,
) -> None:
    ref = {"$ref": "#/components/schemas/Filter"}
    spec = lower_document(
        tmp_path,
        {"/a": {"get": _op(parameters=[{"name": "f", "in": "query", "schema": ref}])}},
        components={
            "schemas": {
                "Filter": {
                    "type": "object",
                    "properties": {"node": {"$ref": "#/components/schemas/Node"}},
                },
                # Recursive: marking it must end.
                "Node": {
                    "type": "object",
                    "properties": {
                        "children": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Node"},
                        }
                    },
                },
                "Alone": {"type": "object", "properties": {"n": {"type": "integer"}}},
            }
        },
    )
    usage = {s.name: s.usage for s in spec.schemas}
    assert usage == {
        "Alone": ir.Usage(False, False),
        "Filter": ir.Usage(True, False),
        "Node": ir.Usage(True, False),
    }


def test_a_schema_already_marked_does_not_stop_the_marking_of_those_beside_it(
    tmp_path: Path,
) -> None:
    def ref(name: str) -> dict[str, str]:
        return {"$ref": f"#/components/schemas/{name}"}

    def body(schema: dict[str, Any]) -> dict[str, Any]:
        return {"content": {"application/json": {"schema": schema}}}

    obj = {"type": "object", "properties": {"n": {"type": "integer"}}}
    spec = lower_document(
        tmp_path,
        {
            "/a": {"post": _op(requestBody=body(ref("First")))},
            # First is marked already when this body is walked: Second beside it still is.
            "/b": {
                "post": {
                    **_op(requestBody=body({"oneOf": [ref("First"), ref("Second")]})),
                    "operationId": "b",
                }
            },
        },
        components={"schemas": {"First": obj, "Second": obj}},
    )
    assert {s.name: s.usage for s in spec.schemas if s.name in ("First", "Second")} == {
        "First": ir.Usage(True, False),
        "Second": ir.Usage(True, False),
    }


def test_schemas_reached_through_maps_nullables_and_extra_properties_are_marked_used(
    tmp_path: Path,
) -> None:
    def ref(name: str) -> dict[str, str]:
        return {"$ref": f"#/components/schemas/{name}"}

    obj = {"type": "object", "properties": {"n": {"type": "integer"}}}
    body = {
        "type": "object",
        "properties": {
            "by_key": {"type": "object", "additionalProperties": ref("InMap")},
            "maybe": {"oneOf": [ref("Nullable"), {"type": "null"}]},
            "holder": ref("Holder"),
        },
    }
    spec = lower_document(
        tmp_path,
        {"/a": {"post": _op(requestBody={"content": {"application/json": {"schema": body}}})}},
        components={
            "schemas": {
                "InMap": obj,
                "Nullable": obj,
                "Holder": {**obj, "additionalProperties": ref("Extra")},
                "Extra": obj,
            }
        },
    )
    usage = {s.name: s.usage for s in spec.schemas}
    for name in ("InMap", "Nullable", "Holder", "Extra"):
        assert usage[name] == ir.Usage(True, False), name


def test_each_parameter_location_of_openapi_is_lowered(tmp_path: Path) -> None:
    params = [
        {"name": name, "in": location, "schema": {"type": "string"}}
        for name, location in [("q", "query"), ("h", "header"), ("session", "cookie")]
    ]
    spec = lower_document(tmp_path, {"/a": {"get": _op(parameters=params)}})
    assert [(p.name, p.location) for p in spec.operations[0].parameters] == [
        ("q", "query"),
        ("h", "header"),
        ("session", "cookie"),
    ]


def test_security_requirements_list_each_scheme_once_in_order(tmp_path: Path) -> None:
    schemes = {
        "basic": {"type": "http", "scheme": "basic"},
        "cookie": {"type": "apiKey", "in": "cookie", "name": "session"},
        "header": {"type": "apiKey", "in": "header", "name": "X-Key"},
    }
    spec = lower_document(
        tmp_path,
        {"/a": {"get": _op(security=[{"header": [], "basic": []}, {"basic": []}, {"cookie": []}])}},
        components={"securitySchemes": schemes},
    )
    assert spec.operations[0].security == ("header", "basic", "cookie")
    assert spec.security_schemes == (
        ir.SecurityScheme("basic", "http", scheme="basic"),
        ir.SecurityScheme("cookie", "apiKey", location="cookie", parameter_name="session"),
        ir.SecurityScheme("header", "apiKey", location="header", parameter_name="X-Key"),
    )


def test_an_example_comes_from_example_or_else_the_first_of_examples(tmp_path: Path) -> None:
    def media(**fields: Any) -> dict[str, Any]:
        return {"schema": {"type": "string"}, **fields}

    spec = lower_document(
        tmp_path,
        {
            "/a": {
                "get": _op(
                    responses={
                        "200": {
                            "content": {
                                "text/a": media(example="a", examples={"x": {"value": "x"}}),
                                "text/b": media(
                                    examples={"x": {"value": "x"}, "y": {"value": "y"}}
                                ),
                                "text/c": media(examples={"x": "not an example object"}),
                                "text/d": media(examples={}),
                                "text/e": media(examples=["a list"]),
                            }
                        }
                    }
                )
            }
        },
    )
    examples = [(m.content_type, m.example) for m in spec.operations[0].responses[0].contents]
    assert examples == [
        ("text/a", "a"),
        ("text/b", "x"),
        ("text/c", None),
        ("text/d", None),
        ("text/e", None),
    ]


def test_a_header_without_a_schema_is_any_value(tmp_path: Path) -> None:
    responses = {"200": {"description": "ok", "headers": {"X-Any": {"description": "d"}}}}
    spec = lower_document(tmp_path, {"/a": {"get": _op(responses=responses)}})
    assert spec.operations[0].responses[0].headers == (ir.Header("X-Any", ir.AnyValue(), "d"),)


HEADERS = "/paths/~1a/get/responses/200/headers"


@pytest.mark.parametrize(
    ("header", "pointer", "keyword"),
    [
        (5, f"{HEADERS}/X-Rate", "X-Rate"),
        ({"$ref": "#/components/headers/Missing"}, f"{HEADERS}/X-Rate/$ref", "$ref"),
        ({"schema": {"not": {}}}, f"{HEADERS}/X-Rate/schema/not", "not"),
        ({"schema": 5}, f"{HEADERS}/X-Rate/schema", "schema"),
    ],
)
def test_a_bad_response_header_is_refused_with_its_pointer(
    tmp_path: Path, header: object, pointer: str, keyword: str
) -> None:
    responses = {"200": {"description": "ok", "headers": {"X-Rate": header}}}
    error = refused(tmp_path, {"/a": {"get": _op(responses=responses)}})
    assert (error.pointer, error.keyword) == (pointer, keyword)


def test_a_referenced_header_is_refused_where_the_reference_leads(tmp_path: Path) -> None:
    responses = {
        "200": {"description": "ok", "headers": {"X-Rate": {"$ref": "#/components/headers/R"}}}
    }
    error = refused(
        tmp_path,
        {"/a": {"get": _op(responses=responses)}},
        components={"headers": {"R": {"schema": {"type": "object", "not": {}}}}},
    )
    assert (error.pointer, error.keyword) == ("/components/headers/R/schema/not", "not")


@pytest.mark.parametrize(
    ("paths", "top", "pointer", "keyword"),
    [
        (
            {"/a": {"parameters": [{"name": "q", "in": "body"}], "get": _op()}},
            {},
            "/paths/~1a/parameters/0",
            "in",
        ),
        (
            {"/a": {"get": _op(parameters=[{"in": "query"}])}},
            {},
            "/paths/~1a/get/parameters/0/name",
            "name",
        ),
        (
            {"/a": {"get": _op(parameters=[{"name": "q", "in": "query", "schema": {"not": {}}}])}},
            {},
            "/paths/~1a/get/parameters/0/schema/not",
            "not",
        ),
        (
            {"/a": {"get": _op(parameters={"name": "q"})}},
            {},
            "/paths/~1a/get/parameters",
            "parameters",
        ),
        ({"/a": {"get": {"operationId": "op"}}}, {}, "/paths/~1a/get/responses", "responses"),
        ({"/a": {"get": _op(responses=["200"])}}, {}, "/paths/~1a/get/responses", "responses"),
        ({"/a": {"get": _op(requestBody=3)}}, {}, "/paths/~1a/get/requestBody", "requestBody"),
        ({"/a": {"get": _op(security={"a": []})}}, {}, "/paths/~1a/get/security", "security"),
        ({"/a": {"get": _op(security=["a"])}}, {}, "/paths/~1a/get/security/0", "0"),
        ({"/a": 5}, {}, "/paths/~1a", "~1a"),
        ({"/a": {"get": 5}}, {}, "/paths/~1a/get", "get"),
        (
            {"/a": {"get": _op(responses={"200": {"content": {"text/plain": 5}}})}},
            {},
            "/paths/~1a/get/responses/200/content/text~1plain",
            "text~1plain",
        ),
        (
            {"/a": {"get": _op(responses={"200": {"content": ["text/plain"]}})}},
            {},
            "/paths/~1a/get/responses/200/content",
            "content",
        ),
        (
            {"/a": {"get": _op(responses={"200": {"headers": ["X-A"]}})}},
            {},
            "/paths/~1a/get/responses/200/headers",
            "headers",
        ),
        (
            {"/a": {"get": _op(responses={"200": {"content": {"a/b": {"schema": {"not": {}}}}}})}},
            {},
            "/paths/~1a/get/responses/200/content/a~1b/schema/not",
            "not",
        ),
        (
            {"/a": {"post": _op(requestBody={"content": {"a/b": {"schema": {"not": {}}}}})}},
            {},
            "/paths/~1a/post/requestBody/content/a~1b/schema/not",
            "not",
        ),
        ({"/a": {"get": _op()}}, {"components": []}, "/components", "components"),
        ({"/a": {"get": _op()}}, {"components": {"schemas": []}}, "/components/schemas", "schemas"),
        (
            {"/a": {"get": _op()}},
            {"components": {"securitySchemes": []}},
            "/components/securitySchemes",
            "securitySchemes",
        ),
        (
            {"/a": {"get": _op()}},
            {"components": {"securitySchemes": {"s": 5}}},
            "/components/securitySchemes/s",
            "s",
        ),
        (
            {"/a": {"get": _op()}},
            {"components": {"securitySchemes": {"s": {"type": "http"}}}},
            "/components/securitySchemes/s/scheme",
            "scheme",
        ),
        (
            {"/a": {"get": _op()}},
            {"components": {"securitySchemes": {"s": {"type": "apiKey", "in": "header"}}}},
            "/components/securitySchemes/s/name",
            "name",
        ),
        ({"/a": {"get": _op()}}, {"security": {"s": []}}, "/security", "security"),
        ({"/a": {"get": _op()}}, {"security": ["s"]}, "/security/0", "0"),
        ({"/a": {"get": _op()}}, {"servers": {"url": "/"}}, "/servers", "servers"),
        ({"/a": {"get": _op()}}, {"tags": {"name": "A"}}, "/tags", "tags"),
        ({"/a": {"get": _op()}}, {"tags": ["A"]}, "/tags/0", "0"),
        ({"/a": {"get": _op()}}, {"info": {"title": 3}}, "/info/title", "title"),
    ],
)
def test_a_node_of_the_wrong_kind_is_refused_with_its_pointer(
    tmp_path: Path, paths: dict[str, Any], top: dict[str, Any], pointer: str, keyword: str
) -> None:
    error = refused(tmp_path, paths, **top)
    assert (error.pointer, error.keyword) == (pointer, keyword)


def test_a_parameter_without_a_schema_takes_any_value_and_empty_tags_mean_default(
    tmp_path: Path,
) -> None:
    spec = lower_document(
        tmp_path, {"/a": {"get": _op(tags=[], parameters=[{"name": "q", "in": "query"}])}}
    )
    (operation,) = spec.operations
    assert operation.tag == "Default"
    assert operation.parameters == (
        ir.Parameter("q", "query", ir.AnyValue(), False, "/paths/~1a/get/parameters/0"),
    )


def test_with_keep_going_a_refused_operation_is_left_out_and_the_rest_lowered(
    tmp_path: Path,
) -> None:
    path = tmp_path / "spec.yaml"
    paths = {
        "/a": {"get": _op(operationId="good"), "post": _op(operationId="bad", responses={})},
        "/b": {"get": _op(operationId="alsoGood")},
    }
    document = {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": paths}
    path.write_text(json.dumps(document), encoding="utf-8")
    refusals = Refusals(keep_going=True)
    spec = lower(load_spec(path), refusals)
    assert [op.operation_id for op in spec.operations] == ["good", "alsoGood"]
    assert [(e.pointer, e.keyword) for e in refusals.errors] == [
        ("/paths/~1a/post/responses", "responses")
    ]


def test_the_ir_names_the_spec_and_the_overlay_and_sorts_schemas_by_name(
    tmp_path: Path,
) -> None:
    path = tmp_path / "spec.yaml"
    document = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {},
        "components": {"schemas": {"Zeta": {"type": "string"}, "Alpha": {"type": "integer"}}},
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    loaded = dataclasses.replace(load_spec(path), overlay_name="o.yaml", overlay_sha256="abc")
    spec = lower(loaded)
    assert spec.source_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (spec.source_name, spec.overlay_name, spec.overlay_sha256) == (
        "spec.yaml",
        "o.yaml",
        "abc",
    )
    assert [s.name for s in spec.schemas] == ["Alpha", "Zeta"]


def test_with_keep_going_a_refused_discriminator_is_reported_and_lowering_goes_on(
    tmp_path: Path,
) -> None:
    def pet(kind: str) -> dict[str, Any]:
        return {"type": "object", "properties": {"kind": {"const": kind}}}

    schemas = {
        "Cat": pet("same"),
        "Dog": pet("same"),
        "Pet": {
            "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
            "discriminator": {"propertyName": "kind"},
        },
    }
    path = tmp_path / "spec.yaml"
    document = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {"/a": {"get": _op()}},
        "components": {"schemas": schemas},
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    refusals = Refusals(keep_going=True)
    spec = lower(load_spec(path), refusals)
    assert [(e.pointer, e.keyword) for e in refusals.errors] == [
        ("/components/schemas/Pet/discriminator", "discriminator")
    ]
    assert [s.name for s in spec.schemas] == ["Cat", "Dog", "Pet"]
    assert [op.operation_id for op in spec.operations] == ["op"]


def test_a_template_inside_a_segment_is_a_path_parameter(tmp_path: Path) -> None:
    # OpenAPI: a template expression marks "a section of a URL path", not only a whole
    # segment; the runtime fills {id} wherever it stands.
    spec = lower_document(tmp_path, {"/files/{id}.json": {"get": _op(parameters=[PATH_ID])}})
    [operation] = spec.operations
    assert operation.path == "/files/{id}.json"
    assert [(p.name, p.location) for p in operation.parameters] == [("id", "path")]
    error = refused(tmp_path, {"/files/{id}.{format}": {"get": _op(parameters=[PATH_ID])}})
    assert (error.pointer, error.message) == (
        "/paths/~1files~1{id}.{format}/get",
        "path parameter {format} is not declared",
    )


def test_a_path_parameter_must_stand_in_the_path_between_braces(tmp_path: Path) -> None:
    # "id" in the path's text is not a template: the parameter has nowhere to go.
    error = refused(tmp_path, {"/files/id.json": {"get": _op(parameters=[PATH_ID])}})
    assert (error.pointer, error.message) == (
        "/paths/~1files~1id.json/get",
        "path parameter 'id' is not in the path '/files/id.json'",
    )


def test_the_ir_finds_a_schema_by_name_and_tells_success_answers(tmp_path: Path) -> None:
    spec = lower_document(
        tmp_path,
        {"/a": {"get": _op()}},
        components={"schemas": {"Thing": {"type": "object"}, "Other": {"type": "string"}}},
    )
    assert spec.schema("Thing").name == "Thing"
    assert spec.schema("Other").name == "Other"
    with pytest.raises(KeyError) as caught:
        spec.schema("Missing")
    assert caught.value.args == ("Missing",)
    answers = [ir.Response(status, "", ()) for status in ("200", "2XX", "204", "default", "404")]
    assert [r.is_success for r in answers] == [True, True, True, False, False]
    assert ir.Constraints().is_empty()
    assert not ir.Constraints(min_length=0).is_empty()


@pytest.mark.parametrize("server", ["https://api.example", 5, None])
def test_a_server_that_is_not_a_mapping_is_refused_with_its_pointer(
    tmp_path: Path, server: object
) -> None:
    error = refused(tmp_path, {"/a": {"get": _op()}}, servers=[{"url": "https://ok"}, server])
    assert (error.pointer, error.keyword) == ("/servers/1", "1")
    assert error.message.startswith("expected a mapping, found ")
