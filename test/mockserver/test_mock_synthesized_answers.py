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
from together.mock import streaming as streaming_module

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
  /choices:
    get:
      responses: {"300": {description: several}}
  /empty-declared:
    delete:
      responses: {"204": {content: {application/json: {schema: {const: never sent}}}}}
  /reset:
    post:
      responses: {"205": {content: {application/json: {schema: {const: never sent}}}}}
  /wave-created:
    post:
      responses: {"201": {content: {audio/wav: {schema: {type: string, format: binary}}}}}
  /text-accepted:
    get:
      responses: {"202": {content: {text/plain: {schema: {const: later}}}}}
  /text-moved:
    get:
      responses: {"303": {content: {text/plain: {schema: {const: see there}}}}}
  /events-random:
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
                type: object
                required: [data]
                properties:
                  data: {type: string, format: uuid}
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
    # A 3xx points Location at a local download, whatever its body.
    assert ("Location" in response.headers) == (300 <= status < 400)


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


async def test_status_code_and_headers_of_each_kind_of_answer(serve: Any) -> None:
    client = await serve(spec=SPEC)
    response = await client.get("/v3/choices", allow_redirects=False)
    assert response.status == 300 and "/_mock/blobs/" in response.headers["Location"]
    response = await client.delete("/v3/empty-declared")
    assert (response.status, await response.read()) == (204, b"")
    response = await client.post("/v3/wave-created")
    assert (response.status, (await response.read())[:4]) == (201, b"RIFF")
    response = await client.get("/v3/text-accepted")
    assert (response.status, await response.read()) == (202, b"later")
    response = await client.get("/v3/text-moved", allow_redirects=False)
    assert (response.status, await response.read()) == (303, b"see there")
    assert "/_mock/blobs/" in response.headers["Location"]


async def test_a_205_has_no_body_even_where_content_is_declared(serve: Any) -> None:
    """RFC 9110 (15.3.6): a server must not send content with 205 Reset Content; aiohttp
    only leaves it out on its own for 204, 304 and 1xx."""
    client = await serve(spec=SPEC)
    response = await client.post("/v3/reset")
    assert (response.status, await response.read()) == (205, b"")


async def test_synthesized_events_are_random_but_repeatable(
    serve: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    waited: list[float] = []

    class Clock:
        @staticmethod
        async def sleep(seconds: float) -> None:
            waited.append(seconds)

    monkeypatch.setattr(streaming_module, "asyncio", Clock)
    client = await serve(MockOptions(faults=FaultOptions(latency_ms=30)), spec=SPEC)
    first = await (await client.post("/v3/events-random", json={"stream": True})).read()
    frames = first.split(b"\n\n")[:-1]
    assert frames[-1] == b"data: [DONE]" and len(frames) == 4
    ids = [json.loads(frame[len(b"data: ") :]) for frame in frames[:3]]
    assert len(set(ids)) == 3 and all(re.fullmatch(r"[0-9a-f-]{36}", i) for i in ids)
    assert await (await client.post("/v3/events-random", json={"stream": True})).read() == first
    assert waited == pytest.approx([0.03] * 6)  # between the events of both streams


# A stream's schema is often a union of the event and the things that may come instead of
# it (an error event, the `[DONE]` sentinel). The event is its first branch; `[DONE]` is
# written by the server itself after the events.
UNIONS = """
openapi: 3.1.0
info: {title: stream unions, version: "1"}
servers: [{url: "http://localhost/v3"}]
components:
  schemas:
    Chunk:
      type: object
      required: [data]
      properties:
        data:
          type: object
          required: [id]
          properties: {id: {const: chunk-1}}
    LooseError:
      type: object
      properties:
        data:
          type: object
          properties: {error: {type: object}}
    Sentinel:
      type: object
      required: [data]
      properties: {data: {const: "[DONE]"}}
    Link:
      type: object
      properties:
        tag: {const: link}
        next: {$ref: "#/components/schemas/Link"}
    Deep:
      type: object
      required: [data]
      properties:
        data: {$ref: "#/components/schemas/Link"}
    Stream:
      type: object
      properties: {stream: {type: boolean}}
paths:
  /chunks:
    post:
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/Stream"}}}}
      responses:
        "200":
          content:
            text/event-stream:
              schema:
                oneOf:
                  - $ref: "#/components/schemas/Chunk"
                  - $ref: "#/components/schemas/LooseError"
                  - $ref: "#/components/schemas/Sentinel"
  /deep-one-of:
    post:
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/Stream"}}}}
      responses:
        "200":
          content:
            text/event-stream:
              schema:
                oneOf:
                  - $ref: "#/components/schemas/Deep"
                  - $ref: "#/components/schemas/Sentinel"
  /deep-any-of:
    post:
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/Stream"}}}}
      responses:
        "200":
          content:
            text/event-stream:
              schema:
                anyOf:
                  - $ref: "#/components/schemas/Deep"
                  - $ref: "#/components/schemas/Sentinel"
  /deep-json:
    post:
      responses:
        "200": {content: {application/json: {schema: {$ref: "#/components/schemas/Deep"}}}}
"""


def streamed_data(raw: bytes) -> list[Any]:
    frames = raw.split(b"\n\n")
    assert frames[-2:] == [b"data: [DONE]", b""], raw[-60:]
    return [json.loads(frame.removeprefix(b"data: ")) for frame in frames[:-2]]


async def test_every_streamed_event_is_the_event_branchs_data(serve: Any) -> None:
    """The chunk's value also matches the loose error branch, so it is not valid against
    the `oneOf` as a whole; it is still the event: never the error branch nor the sentinel."""
    client = await serve(spec=UNIONS)
    response = await client.post("/v3/chunks", json={"stream": True})
    assert response.status == 200
    assert streamed_data(await response.read()) == [{"id": "chunk-1"}] * 3


@pytest.mark.parametrize("path", ["/v3/deep-one-of", "/v3/deep-any-of"])
async def test_streamed_events_are_as_rich_as_a_json_answer_of_their_schema(
    serve: Any, path: str
) -> None:
    """An event is synthesized from the event branch itself, as a JSON answer of that
    schema is: optional properties are filled to the same depth, not one level less as when
    the union is synthesized around it."""
    client = await serve(spec=UNIONS)
    answer = await (await client.post("/v3/deep-json", headers=BEARER)).json()
    chain, link = 0, answer["data"]
    while "next" in link:  # a recursive chain of optional links, cut at the depth limit
        chain, link = chain + 1, link["next"]
    assert chain >= 2 and answer["data"]["tag"] == "link"
    response = await client.post(path, json={"stream": True})
    assert streamed_data(await response.read()) == [answer["data"]] * 3
