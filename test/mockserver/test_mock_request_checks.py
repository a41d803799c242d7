"""What a client gets for bad input: the bearer token, path and query parameters, bodies.

Each answer is checked whole (status, message, ``param``, ``type``, ``code``): the messages
and rules come from docs/mock-server.md ("Routes: every operation of the spec") and from the
schemas of the spec served, Together's ``openapi.yaml`` or a small document written here.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from together.mock import MockOptions
from together.mock.spec import load_api
from together.mock.validation import coerce

BEARER = {"Authorization": "Bearer any-token"}

# A small spec: each parameter or field is there to show one rule.
SPEC = """
openapi: 3.1.0
info: {title: checks, version: "1"}
servers: [{url: "http://localhost/v2"}]
security: [{bearerAuth: []}]
components:
  securitySchemes:
    bearerAuth: {type: http, scheme: bearer}
  schemas:
    Count: {type: integer, minimum: 2}
paths:
  /things/{thing_id}:
    get:
      parameters:
        - {name: thing_id, in: path, required: true, schema: {type: string, minLength: 3}}
        - {name: count, in: query, schema: {$ref: "#/components/schemas/Count"}}
        - {name: ratio, in: query, schema: {type: number, maximum: 0.5}}
        - {name: flag, in: query, schema: {type: boolean, enum: [true]}}
        - {name: tags, in: query, schema: {type: array, maxItems: 1}}
        - {name: filter, in: query, schema: {type: object, required: [x]}}
        - {name: either, in: query, schema: {anyOf: [{type: integer}, {type: boolean}], enum: [3, true]}}
        - {name: needed, in: query, required: true, schema: {type: string}}
        - {name: X-Trace, in: header, required: true, schema: {type: string}}
      responses:
        "200":
          content:
            application/json:
              schema: {type: object, required: [ok], properties: {ok: {const: true}}}
  /open:
    get:
      security: []
      responses:
        "200":
          content:
            application/json:
              schema: {type: object, required: [ok], properties: {ok: {const: true}}}
  /forms:
    post:
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: string}
                size: {type: integer, maximum: 10}
                file: {type: string, format: binary, maxLength: 2}
                source: {oneOf: [{type: string, format: binary}, {type: string, format: uri}]}
      responses:
        "200":
          content:
            application/json:
              schema: {type: object, required: [ok], properties: {ok: {const: true}}}
  /form-ident:
    post:
      requestBody:
        content:
          multipart/form-data:
            schema: {type: object, properties: {name: {type: string}, file: {type: string}}}
      responses:
        "200":
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties: {id: {type: string, format: uuid}}
  /any-form:
    post:
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema: {type: object, required: [name]}
      responses:
        "200":
          content:
            application/json:
              schema: {type: object, required: [ok], properties: {ok: {const: true}}}
  /either:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [name], properties: {name: {type: string}}}
          application/x-www-form-urlencoded:
            schema: {type: object, required: [name], properties: {name: {type: string}}}
      responses:
        "200":
          content:
            application/json:
              schema: {type: object, required: [ok], properties: {ok: {const: true}}}
  /headed:
    get:
      parameters:
        - {name: X-Trace, in: header, schema: {type: string}}
        - {name: session, in: cookie, schema: {type: string}}
        - {name: needed, in: query, required: true, schema: {type: string}}
      responses:
        "200":
          content:
            application/json:
              schema: {type: object, required: [ok], properties: {ok: {const: true}}}
  /form-first:
    post:
      requestBody:
        content:
          multipart/form-data:
            schema: {type: object, required: [file], properties: {file: {type: string}}}
          application/json:
            schema: {type: object, required: [url], properties: {url: {type: string}}}
      responses:
        "200":
          content:
            application/json:
              schema: {type: object, required: [ok], properties: {ok: {const: true}}}
  /loose:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                name: {type: string}
                kind: {enum: [a, b]}
                count: {type: [integer, "null"]}
                inner: {type: object, properties: {deep: {type: integer}}}
                pick: {anyOf: [{type: integer}, {type: boolean}]}
                blob: {type: string, format: binary}
                word: {const: binary}
      responses:
        "200":
          content:
            application/json:
              schema: {type: object, required: [ok], properties: {ok: {const: true}}}
  /text:
    post:
      requestBody:
        required: true
        content:
          text/plain:
            schema: {type: object, required: [name], properties: {name: {type: string}}}
      responses:
        "200":
          content:
            application/json:
              schema: {type: object, required: [ok], properties: {ok: {const: true}}}
"""

GOOD_QUERY = "needed=yes"


async def answer(response: aiohttp.ClientResponse) -> tuple[int, Any]:
    return response.status, await response.json(content_type=None)


def error(message: str, param: str | None = None, code: str | None = None) -> dict[str, Any]:
    return {
        "error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    }


# ---------------------------------------------------------------------------- bearer token


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Basic abc", "Bearer", "Bearer ", "Bearer    ", "Token abc", "Bearerabc"],
)
async def test_missing_or_malformed_bearer_is_401_invalid_api_key(
    serve: Any, authorization: str | None
) -> None:
    client = await serve()
    headers = {} if authorization is None else {"Authorization": authorization}
    got = await answer(await client.get("/v1/models", headers=headers))
    assert got == (
        401,
        error(
            "Missing or malformed bearer token in the Authorization header",
            code="invalid_api_key",
        ),
    )


@pytest.mark.parametrize("authorization", ["Bearer any-token", "bearer any-token", "BEARER x"])
async def test_any_well_formed_bearer_is_accepted_without_api_key(
    serve: Any, authorization: str
) -> None:
    client = await serve()
    response = await client.get("/v1/models", headers={"Authorization": authorization})
    assert response.status == 200


async def test_api_key_option_accepts_only_that_token(serve: Any) -> None:
    client = await serve(MockOptions(api_key="the-key"))
    for header, status in [
        ("Bearer the-key", 200),
        ("Bearer  the-key ", 200),  # surrounding blanks are not part of the token
        ("Bearer the-key2", 401),
        ("Bearer other", 401),
    ]:
        response = await client.get("/v1/models", headers={"Authorization": header})
        assert response.status == status, header
        if status == 401:
            assert await response.json() == error(
                "Invalid API key provided.", code="invalid_api_key"
            )


async def test_operation_without_security_needs_no_token(serve: Any) -> None:
    client = await serve(spec=SPEC)
    assert await answer(await client.get("/v2/open")) == (200, {"ok": True})
    status, _ = await answer(await client.get("/v2/things/abc?needed=1"))
    assert status == 401


# ---------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    ("query", "param", "message"),
    [
        ("", "needed", "needed: required query parameter is missing"),
        ("count=1&needed=x", "count", "count: 1 is less than the minimum of 2"),
        ("count=two&needed=x", "count", "count: 'two' is not of type 'integer'"),
        ("ratio=0.75&needed=x", "ratio", "ratio: 0.75 is greater than the maximum of 0.5"),
        ("ratio=half&needed=x", "ratio", "ratio: 'half' is not of type 'number'"),
        ("flag=false&needed=x", "flag", "flag: False is not one of [True]"),
        ("flag=FALSE&needed=x", "flag", "flag: False is not one of [True]"),
        ("flag=yes&needed=x", "flag", "flag: 'yes' is not of type 'boolean'"),
        ('tags=["a","b"]&needed=x', "tags", "tags: ['a', 'b'] is too long"),
        ("tags=[1&needed=x", "tags", "tags: '[1' is not of type 'array'"),
        ("filter={}&needed=x", "filter", "filter: 'x' is a required property"),
        ("either=4&needed=x", "either", "either: 4 is not one of [3, True]"),
        ("either=false&needed=x", "either", "either: False is not one of [3, True]"),
    ],
)
async def test_query_parameters_are_coerced_then_validated(
    serve: Any, query: str, param: str, message: str
) -> None:
    client = await serve(spec=SPEC)
    got = await answer(await client.get(f"/v2/things/abcd?{query}", headers=BEARER))
    assert got == (400, error(message, param=param))


@pytest.mark.parametrize(
    "query",
    [
        "needed=x",
        "needed=x&count=2&ratio=0.5&flag=true&tags=[1]",
        'needed=x&filter={"x":1}&either=3',
        "needed=x&either=TRUE&flag=True",
    ],
)
async def test_valid_parameters_pass(serve: Any, query: str) -> None:
    client = await serve(spec=SPEC)
    got = await answer(await client.get(f"/v2/things/abcd?{query}", headers=BEARER))
    assert got == (200, {"ok": True})


async def test_query_parameters_after_header_and_cookie_ones_are_still_checked(
    serve: Any,
) -> None:
    client = await serve(spec=SPEC)
    got = await answer(await client.get("/v2/headed", headers={**BEARER, "X-Trace": "t"}))
    assert got == (400, error("needed: required query parameter is missing", param="needed"))
    assert await answer(await client.get("/v2/headed?needed=x", headers=BEARER)) == (
        200,
        {"ok": True},
    )


async def test_path_parameters_are_validated(serve: Any) -> None:
    client = await serve(spec=SPEC)
    got = await answer(await client.get("/v2/things/ab?needed=x", headers=BEARER))
    assert got == (400, error("thing_id: 'ab' is too short", param="thing_id"))


def test_coerce_reads_text_as_the_schema_type() -> None:
    api = load_api()
    assert coerce("7", {"type": "integer"}, api) == 7
    assert coerce("7", {"type": "string"}, api) == "7"
    assert coerce("7", {"type": ["string", "integer"]}, api) == "7"  # a string stays text
    assert coerce("7", {"type": ["integer", "null"]}, api) == 7
    assert coerce("2.5", {"type": "number"}, api) == 2.5
    assert coerce("2.5", {"type": ["integer", "number"]}, api) == 2.5
    assert coerce("x", {"type": ["integer", "number"]}, api) == "x"
    assert coerce("True", {"type": "boolean"}, api) is True
    assert coerce("false", {"type": "boolean"}, api) is False
    assert coerce("maybe", {"type": "boolean"}, api) == "maybe"
    assert coerce("[1, 2]", {"type": "array"}, api) == [1, 2]
    assert coerce('{"a": 1}', {"type": "object"}, api) == {"a": 1}
    assert coerce("{", {"type": ["object", "integer"]}, api) == "{"
    assert coerce("{", {"type": ["object", "boolean"]}, api) == "{"
    assert coerce("True", {"type": ["array", "boolean"]}, api) is True  # not JSON, a boolean
    assert coerce("5", {"oneOf": [{"type": "integer"}]}, api) == 5
    assert coerce("5", {"anyOf": [{"type": "boolean"}, {"type": "integer"}]}, api) == 5
    assert coerce("5", {"anyOf": [{"type": "integer"}, {"type": "string"}]}, api) == "5"
    assert coerce("5", {"anyOf": [{"type": ["integer"]}]}, api) == "5"  # list types: not read
    assert coerce("5", {}, api) == "5"
    # A $ref is followed: the spec's ErrorData is an object.
    assert coerce(
        '{"error": 1}', {"$ref": "urn:together:openapi#/components/schemas/ErrorData"}, api
    ) == {"error": 1}


# ---------------------------------------------------------------------------- JSON bodies


@pytest.mark.parametrize(
    ("body", "param", "message"),
    [
        # Several wrong fields: the one with the shorter path is named, then by name.
        ({"model": 5, "input": [1]}, "input", "input: [1] is not a valid value"),
        ({"input": "x", "dimensions": "many"}, "model", "model: field required"),
        ({"model": 5, "input": "x"}, "model", "model: expected string, got 5"),
        ({"model": "m", "input": ["a", 1]}, "input", 'input: ["a", 1] is not a valid value'),
        ({}, "model", "model: field required"),
        ({"input": "x", "model": None}, "model", "model: expected string, got null"),
        (
            {"model": "m", "input": "x" * 100},
            None,
            None,
        ),
    ],
)
async def test_embeddings_bodies_name_the_field_at_fault(
    serve: Any, body: Any, param: str | None, message: str | None
) -> None:
    client = await serve()
    got = await answer(await client.post("/v1/embeddings", json=body, headers=BEARER))
    if message is None:
        assert got[0] == 404  # valid, but "m" is not a model
        assert got[1]["error"]["code"] == "model_not_found"
    else:
        assert got == (400, error(message, param=param))


@pytest.mark.parametrize(
    ("length", "shown"),
    [
        (200, '"' + "y" * 76 + "..."),  # 80 characters: 77 of the value, then "..."
        (79, '"' + "y" * 76 + "..."),  # 81 characters of JSON: too long by one
        (78, '"' + "y" * 78 + '"'),  # 80 characters of JSON: shown whole
    ],
)
async def test_messages_show_long_values_shortened(serve: Any, length: int, shown: str) -> None:
    client = await serve()
    body = {"model": "meta-llama/Llama-3.3-70B-Instruct-Turbo", "messages": "y" * length}
    got = await answer(await client.post("/v1/chat/completions", json=body, headers=BEARER))
    assert got == (400, error(f"messages: expected array, got {shown}", param="messages"))


async def test_nested_errors_name_the_top_level_field_and_the_whole_path(serve: Any) -> None:
    client = await serve()
    body = {
        "model": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "messages": [{"role": "user", "content": "hi"}],
        "n": 0,
    }
    got = await answer(await client.post("/v1/chat/completions", json=body, headers=BEARER))
    assert got == (400, error("n: 0 does not satisfy minimum 1", param="n"))
    body = {"model": "meta-llama/Llama-3.3-70B-Instruct-Turbo", "messages": [], "stop": [1]}
    got = await answer(await client.post("/v1/chat/completions", json=body, headers=BEARER))
    assert got == (400, error("stop.0: expected string, got 1", param="stop"))


async def test_a_value_fitting_several_oneof_branches_is_taken(serve: Any) -> None:
    """openapi.yaml: cosine scheduler arguments (`min_lr_ratio`, `num_cycles`) fit the
    linear ones (`min_lr_ratio`, open to more) too, which JSON Schema's oneOf refuses; the
    request is taken, as Together takes it. A value that fits no branch is still refused."""
    client = await serve()
    base = {"training_file": "file-abc", "model": "m"}
    cosine = {
        "lr_scheduler_type": "cosine",
        "lr_scheduler_args": {"min_lr_ratio": 0.0, "num_cycles": 0.5},
    }
    response = await client.post(
        "/v1/fine-tunes", json={**base, "lr_scheduler": cosine}, headers=BEARER
    )
    assert response.status == 200
    wrong = {"lr_scheduler_type": "cosine", "lr_scheduler_args": {"min_lr_ratio": "low"}}
    got = await answer(
        await client.post("/v1/fine-tunes", json={**base, "lr_scheduler": wrong}, headers=BEARER)
    )
    assert got == (
        400,
        error(
            'lr_scheduler.lr_scheduler_args: {"min_lr_ratio": "low"} is not a valid value',
            param="lr_scheduler",
        ),
    )


@pytest.mark.parametrize("value", ["auto", True, False])
async def test_train_on_inputs_takes_auto_as_its_default_says(serve: Any, value: Any) -> None:
    """openapi.yaml declares `train_on_inputs` `type: boolean` beside `oneOf: [boolean,
    "auto"]` with `default: auto`: "auto" is taken, at the top and in `training_method`."""
    client = await serve()
    for body in (
        {"train_on_inputs": value},
        {"training_method": {"method": "sft", "train_on_inputs": value}},
    ):
        body = {"training_file": "file-abc", "model": "m", **body}
        response = await client.post("/v1/fine-tunes", json=body, headers=BEARER)
        assert response.status == 200, await response.text()
    body = {"training_file": "f", "model": "m", "train_on_inputs": "always"}
    got = await answer(await client.post("/v1/fine-tunes", json=body, headers=BEARER))
    assert got == (400, error('train_on_inputs: "always" is not a valid value', "train_on_inputs"))


async def test_missing_body_where_the_spec_requires_one(serve: Any) -> None:
    client = await serve()
    got = await answer(await client.post("/v1/fine-tunes", headers=BEARER))
    assert got == (400, error("A JSON request body is required"))


async def test_optional_body_with_required_fields_reads_as_empty_object(serve: Any) -> None:
    client = await serve()
    got = await answer(await client.post("/v1/chat/completions", headers=BEARER))
    assert got == (400, error("model: field required", param="model"))


async def test_optional_body_without_required_fields_may_be_absent(serve: Any) -> None:
    client = await serve(spec=SPEC)
    assert await answer(await client.post("/v2/loose", headers=BEARER)) == (200, {"ok": True})
    for body, param, message in [
        ({"name": 1}, "name", "name: expected string, got 1"),
        ({"kind": "c"}, "kind", 'kind: expected one of ["a", "b"], got "c"'),
        ({"count": "3"}, "count", 'count: expected integer or null, got "3"'),
        ({"inner": {"deep": 1.5}}, "inner", "inner.deep: expected integer, got 1.5"),
        ({"pick": "x"}, "pick", 'pick: "x" is not a valid value'),
        ([1], None, "body: expected object, got [1]"),
        ({"word": "x"}, "word", 'word: "x" does not satisfy const "binary"'),
    ]:
        got = await answer(await client.post("/v2/loose", json=body, headers=BEARER))
        assert got == (400, error(message, param=param)), body


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            b"{not json",
            "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        (b"[1,", "Expecting value: line 1 column 4 (char 3)"),
        (b"\xff", "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"),
    ],
)
async def test_body_that_is_not_json(serve: Any, raw: bytes, message: str) -> None:
    client = await serve()
    headers = {**BEARER, "Content-Type": "application/json"}
    got = await answer(await client.post("/v1/embeddings", data=raw, headers=headers))
    assert got == (400, error(f"Request body is not valid JSON: {message}"))


async def test_body_of_another_declared_type_is_read_as_json(serve: Any) -> None:
    client = await serve(spec=SPEC)
    headers = {**BEARER, "Content-Type": "text/plain"}
    got = await answer(await client.post("/v2/text", data=b'{"name": 2}', headers=headers))
    assert got == (400, error("name: expected string, got 2", param="name"))
    got = await answer(await client.post("/v2/text", data=b'{"name": "a"}', headers=headers))
    assert got == (200, {"ok": True})
    assert await answer(await client.post("/v2/text", headers=BEARER)) == (
        400,
        error("A JSON request body is required"),
    )


# ---------------------------------------------------------------------------- form bodies


async def test_form_body_fields_are_coerced_and_validated(serve: Any) -> None:
    client = await serve(spec=SPEC)
    form = aiohttp.FormData()
    form.add_field("name", "n")
    form.add_field("size", "11")
    got = await answer(await client.post("/v2/forms", data=form, headers=BEARER))
    assert got == (400, error("size: 11 does not satisfy maximum 10", param="size"))
    form = aiohttp.FormData()
    form.add_field("size", "3")
    got = await answer(await client.post("/v2/forms", data=form, headers=BEARER))
    assert got == (400, error("name: field required", param="name"))


async def test_form_schema_without_properties_takes_fields_as_text(serve: Any) -> None:
    client = await serve(spec=SPEC)
    got = await answer(await client.post("/v2/any-form", data={"name": "5"}, headers=BEARER))
    assert got == (200, {"ok": True})
    got = await answer(await client.post("/v2/any-form", data={"other": "5"}, headers=BEARER))
    assert got == (400, error("name: field required", param="name"))


async def test_file_parts_are_not_held_to_their_string_schema(serve: Any) -> None:
    client = await serve(spec=SPEC)
    form = aiohttp.FormData()
    form.add_field("name", "n")
    form.add_field("file", b"longer than two bytes", filename="f.bin")
    assert await answer(await client.post("/v2/forms", data=form, headers=BEARER)) == (
        200,
        {"ok": True},
    )


async def test_a_text_part_is_never_a_file(serve: Any) -> None:
    """``format: binary`` names a file part. Together's transcription ``file`` is a file or
    a URL (``oneOf`` binary or uri): a URL sent as text matches the uri branch alone."""
    client = await serve(spec=SPEC)
    for source in ("https://example.test/a.wav", b"RIFF...."):
        form = aiohttp.FormData()
        form.add_field("name", "n")
        if isinstance(source, bytes):
            form.add_field("source", source, filename="a.wav")
        else:
            form.add_field("source", source)
        got = await answer(await client.post("/v2/forms", data=form, headers=BEARER))
        assert got == (200, {"ok": True})
    got = await answer(
        await client.post("/v2/forms", data={"name": "n", "file": "ab"}, headers=BEARER)
    )
    assert got == (400, error('file: expected a file part, got "ab"', param="file"))


async def test_form_body_needs_a_form_content_type(serve: Any) -> None:
    client = await serve()
    got = await answer(
        await client.post("/v1/files/upload", json={"purpose": "fine-tune"}, headers=BEARER)
    )
    assert got == (400, error("Expected a multipart/form-data body, got application/json"))
    got = await answer(await client.post("/v1/files/upload", data=b"x", headers=BEARER))
    assert got == (400, error("Expected a multipart/form-data body, got application/octet-stream"))
    # No body where a form is required (aiohttp reads a missing type as octet-stream).
    got = await answer(await client.post("/v1/files/upload", headers=BEARER))
    assert got == (400, error("Expected a multipart/form-data body, got application/octet-stream"))


async def test_optional_form_body_may_be_absent(serve: Any) -> None:
    client = await serve(spec=SPEC)
    assert await answer(await client.post("/v2/forms", headers=BEARER)) == (200, {"ok": True})


async def test_json_or_form_body_is_read_as_what_was_sent(serve: Any) -> None:
    client = await serve(spec=SPEC)
    got = await answer(await client.post("/v2/either", data={"name": "a"}, headers=BEARER))
    assert got == (200, {"ok": True})
    got = await answer(await client.post("/v2/either", json={"name": "a"}, headers=BEARER))
    assert got == (200, {"ok": True})
    got = await answer(await client.post("/v2/either", json={}, headers=BEARER))
    assert got == (400, error("name: field required", param="name"))
    got = await answer(await client.post("/v2/either", data={"other": "a"}, headers=BEARER))
    assert got == (400, error("name: field required", param="name"))


async def test_json_is_held_to_the_json_schema_when_a_form_is_declared_first(
    serve: Any,
) -> None:
    client = await serve(spec=SPEC)
    got = await answer(await client.post("/v2/form-first", json={"url": "u"}, headers=BEARER))
    assert got == (200, {"ok": True})
    got = await answer(await client.post("/v2/form-first", json={"file": "f"}, headers=BEARER))
    assert got == (400, error("url: field required", param="url"))
    got = await answer(await client.post("/v2/form-first", data={"url": "u"}, headers=BEARER))
    assert got == (400, error("file: field required", param="file"))


async def test_malformed_multipart_is_400_saying_so(serve: Any) -> None:
    client = await serve()
    headers = {**BEARER, "Content-Type": "multipart/form-data; boundary=x"}
    status, payload = await answer(
        await client.post("/v1/files/upload", data=b"--x\r\nnope", headers=headers)
    )
    assert status == 400
    assert payload["error"]["message"].startswith("Malformed multipart/form-data body: ")
    assert (payload["error"]["param"], payload["error"]["code"]) == (None, None)


def multipart(*parts: tuple[str, str | None, str, bytes]) -> tuple[bytes, dict[str, str]]:
    """A multipart body written out by hand: (name, filename, content type, bytes) per part
    (aiohttp's FormData makes every bytes value a file part)."""
    body = b""
    for name, filename, content_type, data in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        body += (
            (
                f"--B\r\nContent-Disposition: {disposition}\r\nContent-Type: {content_type}\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )
    return body + b"--B--\r\n", {**BEARER, "Content-Type": "multipart/form-data; boundary=B"}


async def test_multipart_upload_fields_reach_the_file_store(serve: Any) -> None:
    client = await serve()
    body, headers = multipart(
        ("purpose", None, "application/octet-stream", b"fine-tune"),
        ("file_name", None, "text/plain", b""),  # empty: the file part's own name is used
        ("file", "orig.jsonl", "application/jsonl", b'{"a": 1}\n'),
    )
    response = await client.post("/v1/files/upload", data=body, headers=headers)
    assert response.status == 200
    described = await response.json()
    assert (described["filename"], described["purpose"], described["bytes"]) == (
        "orig.jsonl",
        "fine-tune",
        9,
    )
    content = await client.get(f"/v1/files/{described['id']}/content", headers=BEARER)
    assert await content.read() == b'{"a": 1}\n'


async def test_form_fields_sent_as_bytes_are_read_as_utf8_text(serve: Any) -> None:
    client = await serve()
    body, headers = multipart(
        ("purpose", None, "application/octet-stream", b"\xff"),
        ("file_name", None, "text/plain", b"a.jsonl"),
        ("file", "a.jsonl", "application/jsonl", b"x"),
    )
    status, payload = await answer(
        await client.post("/v1/files/upload", data=body, headers=headers)
    )
    assert (status, payload["error"]["param"]) == (400, "purpose")
    assert payload["error"]["message"].startswith("purpose: expected one of [")
    assert payload["error"]["message"].endswith('got "\\ufffd"')


async def test_text_form_fields_reach_the_handler(serve: Any) -> None:
    client = await serve()
    body, headers = multipart(
        ("purpose", None, "text/plain", b"fine-tune"),
        ("file_name", None, "text/plain", b"named.csv"),
        ("file", "orig.jsonl", "application/jsonl", b"a,b\n"),
    )
    response = await client.post("/v1/files/upload", data=body, headers=headers)
    described = await response.json()
    assert (described["filename"], described["purpose"], described["type"]) == (
        "named.csv",
        "fine-tune",
        "csv",
    )


async def test_form_fields_seed_the_synthesized_answer(serve: Any) -> None:
    """The same form gets the same answer; another form another one (docs: values come
    from the request)."""
    client = await serve(spec=SPEC)

    async def ident(name: bytes, data: bytes) -> str:
        body, headers = multipart(
            ("name", None, "text/plain", name), ("file", "f.bin", "application/octet-stream", data)
        )
        response = await client.post("/v2/form-ident", data=body, headers=headers)
        assert response.status == 200
        value: str = (await response.json())["id"]
        return value

    first = await ident(b"a", b"x")
    assert await ident(b"a", b"x") == first
    assert await ident(b"b", b"x") != first
    assert await ident(b"a", b"y") != first


async def test_json_bodies_are_not_held_to_formats(serve: Any) -> None:
    """Only a form's text parts are held to ``binary`` (a file part is one); JSON is parsed
    leniently, as a real server does."""
    client = await serve(spec=SPEC)
    got = await answer(await client.post("/v2/loose", json={"blob": "abc"}, headers=BEARER))
    assert got == (200, {"ok": True})


async def test_an_optional_form_body_sent_as_json_is_refused(serve: Any) -> None:
    client = await serve(spec=SPEC)
    got = await answer(await client.post("/v2/forms", json={"name": "n"}, headers=BEARER))
    assert got == (400, error("Expected a multipart/form-data body, got application/json"))
