"""Answers of operations without semantics, as docs/mock-server.md ("Answers", synthesized)
describes them: the lowest declared 2xx (else 3xx, else 101), JSON from the schema, a few
events and ``[DONE]`` for ``"stream": true``, a WAV for binary answers, ``Location`` for a
3xx, an accepted-and-closed WebSocket for a 101; the same request always gets the same
answer, and ``--seed`` changes it."""

from __future__ import annotations

import io
import json
import re
import wave
from typing import Any

import aiohttp
import pytest

from together.mock import FaultOptions, MockOptions

BEARER = {"Authorization": "Bearer any-token"}
OK = {"type": "object", "required": ["ok"], "properties": {"ok": {"const": True}}}

SPEC = """
openapi: 3.1.0
info: {title: answers, version: "1"}
servers: [{url: "http://localhost/v3"}]
paths:
  /empty:
    delete:
      responses: {"204": {description: gone}, "404": {description: no}}
  /bare:
    get:
      responses: {"200": {description: nothing declared}}
  /moved:
    get:
      responses: {"302": {description: elsewhere}}
  /created:
    post:
      responses:
        "202": {content: {application/json: {schema: {const: accepted}}}}
        "201": {content: {application/json: {schema: {const: created}}}}
        "400": {content: {application/json: {schema: {const: bad}}}}
  /first-2xx:
    get:
      responses:
        "101": {description: upgrade}
        "302": {description: elsewhere}
        "200": {content: {application/json: {schema: {const: two-hundred}}}}
  /first-3xx:
    get:
      responses:
        "101": {description: upgrade}
        "307": {content: {application/json: {schema: {const: three-oh-seven}}}}
        "4XX": {description: bad}
  /only-default:
    get:
      responses: {default: {content: {application/json: {schema: {const: fallback}}}}}
  /events:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {stream: {type: boolean}}}
      responses:
        "200":
          content:
            application/json:
              schema: {type: object, required: [kind], properties: {kind: {const: whole}}}
            text/event-stream:
              schema:
                oneOf:
                  - type: object
                    required: [data]
                    properties:
                      data: {type: object, required: [n], properties: {n: {const: 1}}}
                  - type: object
                    required: [data]
                    properties:
                      data: {type: object, required: [n], properties: {n: {const: 2}}}
  /events-any:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {stream: {type: boolean}}}
      responses:
        "200":
          content:
            text/event-stream:
              schema:
                anyOf:
                  - type: object
                    required: [data]
                    properties: {data: {const: first}}
                  - type: object
                    required: [data]
                    properties: {data: {const: second}}
  /events-plain:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {stream: {type: boolean}}}
      responses:
        "200":
          content:
            text/event-stream:
              schema: {type: object, required: [data], properties: {data: {const: [1, 2]}}}
  /wave:
    get:
      responses: {"200": {content: {audio/wav: {schema: {type: string, format: binary}}}}}
  /octets:
    get:
      responses:
        "200": {content: {application/octet-stream: {schema: {type: string, format: binary}}}}
  /text:
    get:
      responses: {"200": {content: {text/plain: {schema: {const: hello}}}}}
  /csv:
    get:
      responses:
        "200":
          content:
            text/csv: {schema: {type: object, required: [a], properties: {a: {const: 1}}}}
  /ident:
    post:
      parameters:
        - {name: q, in: query, schema: {type: string}}
      requestBody:
        content:
          application/json: {schema: {type: object}}
      responses:
        "200":
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties: {id: {type: string, format: uuid}}
  /things/{name}:
    get:
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties: {id: {type: string, format: uuid}}
  /socket:
    get:
      responses: {"101": {description: a WebSocket}}
"""


async def test_204_has_no_body(serve: Any) -> None:
    client = await serve(spec=SPEC)
    response = await client.delete("/v3/empty")
    assert (response.status, await response.read()) == (204, b"")


async def test_an_answer_without_content_is_empty(serve: Any) -> None:
    client = await serve(spec=SPEC)
    response = await client.get("/v3/bare")
    assert (response.status, await response.read()) == (200, b"")


async def test_a_3xx_points_location_at_a_local_blob(serve: Any) -> None:
    client = await serve(spec=SPEC)
    response = await client.get("/v3/moved", allow_redirects=False)
    assert response.status == 302
    location = response.headers["Location"]
    origin = f"http://127.0.0.1:{client.port}"
    assert re.fullmatch(re.escape(origin) + r"/_mock/blobs/[0-9a-f]{16}", location), location
    again = await client.get("/v3/moved", allow_redirects=False)
    assert again.headers["Location"] == location  # the same request, the same answer
    blob = await client.get(location.removeprefix(origin))
    assert await blob.read() == f"together-mock blob {location.rsplit('/', 1)[1]}\n".encode()


@pytest.mark.parametrize(
    ("method", "path", "status", "value"),
    [
        ("POST", "/v3/created", 201, "created"),
        ("GET", "/v3/first-2xx", 200, "two-hundred"),
        ("GET", "/v3/first-3xx", 307, "three-oh-seven"),
    ],
)
async def test_the_lowest_2xx_else_3xx_is_answered(
    serve: Any, method: str, path: str, status: int, value: str
) -> None:
    client = await serve(spec=SPEC)
    response = await client.request(method, path, allow_redirects=False)
    assert response.status == status
    assert response.headers["Content-Type"] == "application/json"
    assert await response.json() == value


async def test_without_any_status_200_is_answered(serve: Any) -> None:
    client = await serve(spec=SPEC)
    response = await client.get("/v3/only-default")
    assert (response.status, await response.read()) == (200, b"")


async def test_stream_true_answers_synthesized_events_then_done(serve: Any) -> None:
    client = await serve(spec=SPEC)
    response = await client.post("/v3/events", json={"stream": True})
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/event-stream"
    assert await response.read() == b'data: {"n": 1}\n\n' * 3 + b"data: [DONE]\n\n"
    for body in ({"stream": False}, {}, None):
        response = await client.post("/v3/events", json=body)
        assert await response.json() == {"kind": "whole"}, body


async def test_stream_events_take_the_first_branch_or_the_schema_itself(serve: Any) -> None:
    client = await serve(spec=SPEC)
    response = await client.post("/v3/events-any", json={"stream": True})
    assert await response.read() == b'data: "first"\n\n' * 3 + b"data: [DONE]\n\n"
    response = await client.post("/v3/events-plain", json={"stream": True})
    assert await response.read() == b"data: [1, 2]\n\n" * 3 + b"data: [DONE]\n\n"


async def test_a_synthesized_stream_can_be_cut(serve: Any) -> None:
    client = await serve(spec=SPEC)
    response = await client.post(
        "/v3/events", json={"stream": True}, headers={"X-Mock-Status": "error-event"}
    )
    error = {
        "error": {
            "message": "Stream interrupted (injected)",
            "type": "server_error",
            "param": None,
            "code": None,
        }
    }
    assert (
        await response.read()
        == b'data: {"n": 1}\n\n' + b"data: " + json.dumps(error).encode() + b"\n\n"
    )


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/v3/wave", "audio/wav"), ("/v3/octets", "application/octet-stream")],
)
async def test_binary_answers_are_a_quarter_second_16khz_mono_wav(
    serve: Any, path: str, content_type: str
) -> None:
    client = await serve(spec=SPEC)
    response = await client.get(path)
    assert (response.status, response.headers["Content-Type"]) == (200, content_type)
    raw = await response.read()
    with wave.open(io.BytesIO(raw)) as sound:
        assert (sound.getnchannels(), sound.getsampwidth(), sound.getframerate()) == (1, 2, 16000)
        assert sound.getnframes() == 4000
        samples = sound.readframes(4000)
    assert max(samples) > 0  # a tone, not silence
    assert await (await client.get(path)).read() == raw


async def test_text_answers_are_the_value_or_its_json(serve: Any) -> None:
    client = await serve(spec=SPEC)
    response = await client.get("/v3/text")
    assert response.headers["Content-Type"].startswith("text/plain")
    assert await response.read() == b"hello"
    response = await client.get("/v3/csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert json.loads(await response.read()) == {"a": 1}


async def test_answers_depend_on_request_and_seed_only(serve: Any) -> None:
    async def ident(client: Any, body: Any, query: str = "") -> str:
        response = await client.post("/v3/ident" + query, json=body)
        value: str = (await response.json())["id"]
        assert re.fullmatch(
            r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value
        )
        return value

    plain = await serve(spec=SPEC)
    seeded = await serve(MockOptions(faults=FaultOptions(seed=5)), spec=SPEC)
    again = await serve(MockOptions(faults=FaultOptions(seed=5)), spec=SPEC)
    first = await ident(plain, {"a": 1})
    assert await ident(plain, {"a": 1}) == first
    assert await ident(plain, {"a": 2}) != first
    assert await ident(plain, {"a": 1}, "?q=x") != first
    assert await ident(plain, {"a": 1}, "?q=x") != await ident(plain, {"a": 1}, "?q=y")
    assert await ident(seeded, {"a": 1}) != first
    assert await ident(seeded, {"a": 1}) == await ident(again, {"a": 1})
    one = await (await plain.get("/v3/things/one")).json()
    two = await (await plain.get("/v3/things/two")).json()
    assert one != two
    assert await (await plain.get("/v3/things/one")).json() == one


async def test_a_101_operation_accepts_the_upgrade_and_closes(serve: Any) -> None:
    client = await serve(spec=SPEC)
    response = await client.get("/v3/socket")
    assert (response.status, await response.json()) == (
        400,
        {
            "error": {
                "message": "/socket needs a WebSocket upgrade",
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            }
        },
    )
    socket = await client.ws_connect("/v3/socket")
    message = await socket.receive()
    assert message.type == aiohttp.WSMsgType.CLOSE
    await socket.close()
