"""Server-Sent Events framing, the routes derived from the spec, the server's bookkeeping
(``x-request-id``, ``/_mock/stats``, ``/_mock/concurrency``, ``/_mock/reset``) and the
answers of aiohttp's own errors, as docs/mock-server.md describes them."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from together.mock import FaultOptions, MockOptions, MockServer
from together.mock import semantics as semantics_module
from together.mock import streaming as streaming_module

BEARER = {"Authorization": "Bearer any-token"}
CHAT = {
    "model": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
    "messages": [{"role": "user", "content": "Say hello"}],
    "stream": True,
}
# docs/mock-server.md: the reply is the preface followed by the last user message, one word
# per chunk.
REPLY = ["[together-mock:", "not", "a", "language", "model]", "You", "said:", "Say", "hello"]
INTERRUPTED = {
    "error": {
        "message": "Stream interrupted (injected)",
        "type": "server_error",
        "param": None,
        "code": None,
    }
}


def events_of(raw: bytes) -> list[bytes]:
    """The ``data:`` payloads of an event stream, checking its framing on the way."""
    assert raw.endswith(b"\n\n"), raw[-40:]
    frames = raw[:-2].split(b"\n\n")
    assert all(frame.startswith(b"data: ") for frame in frames), frames
    return [frame[len(b"data: ") :] for frame in frames]


async def read_cut(response: aiohttp.ClientResponse) -> bytes:
    got = b""
    with pytest.raises(aiohttp.ClientPayloadError):
        while chunk := await response.content.read(1):
            got += chunk
    return got


async def stats(client: Any) -> dict[str, Any]:
    return await (await client.get("/_mock/stats")).json()  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------- streaming


async def test_stream_is_one_word_per_event_then_done(serve: Any) -> None:
    client = await serve()
    headers = {**BEARER, "x-request-id": "req-s"}
    response = await client.post("/v1/chat/completions", json=CHAT, headers=headers)
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["x-request-id"] == "req-s"
    events = events_of(await response.read())
    assert events[-1] == b"[DONE]"
    chunks = [json.loads(event) for event in events[:-1]]
    assert len(chunks) == len(REPLY)
    pieces = [chunk["choices"][0]["delta"]["content"] for chunk in chunks]
    assert "".join(pieces) == " ".join(REPLY)
    assert [chunk["choices"][0]["finish_reason"] for chunk in chunks] == [None] * 8 + ["stop"]


async def test_truncated_stream_stops_halfway_without_done(serve: Any) -> None:
    client = await serve()
    headers = {**BEARER, "X-Mock-Status": "truncate"}
    response = await client.post("/v1/chat/completions", json=CHAT, headers=headers)
    assert response.status == 200
    events = events_of(await read_cut(response))
    assert len(events) == len(REPLY) // 2  # 4 of 9
    assert b"[DONE]" not in events
    assert (await stats(client))["requests"] == {"/v1/chat/completions": {"truncate": 1}}


async def test_error_event_halfway_ends_the_stream(serve: Any) -> None:
    client = await serve()
    headers = {**BEARER, "X-Mock-Status": "error-event"}
    response = await client.post("/v1/chat/completions", json=CHAT, headers=headers)
    assert response.status == 200
    events = events_of(await response.read())  # ended cleanly, but without [DONE]
    assert len(events) == len(REPLY) // 2 + 1
    assert [json.loads(e)["object"] for e in events[:-1]] == ["chat.completion.chunk"] * 4
    assert json.loads(events[-1]) == INTERRUPTED
    assert (await stats(client))["requests"] == {"/v1/chat/completions": {"error-event": 1}}


async def test_latency_is_waited_between_chunks(
    serve: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    waited: list[float] = []

    class Clock:
        @staticmethod
        async def sleep(seconds: float) -> None:
            waited.append(seconds)

    monkeypatch.setattr(streaming_module, "asyncio", Clock)
    client = await serve(MockOptions(faults=FaultOptions(latency_ms=20)))
    response = await client.post("/v1/chat/completions", json=CHAT, headers=BEARER)
    assert len(events_of(await response.read())) == len(REPLY) + 1
    assert waited == pytest.approx([0.02] * len(REPLY))
    waited.clear()
    client = await serve()
    await (await client.post("/v1/chat/completions", json=CHAT, headers=BEARER)).read()
    assert waited == []


# ---------------------------------------------------------------------------- routes


async def test_every_operation_of_the_spec_gets_a_route() -> None:
    # docs/mock-server.md: Together's 2026-04 spec, which openapi.yaml is, gets 99 routes.
    server = MockServer()
    assert server.route_count == 99


async def test_literal_paths_win_over_parameters(serve: Any) -> None:
    client = await serve()
    # /deployments/secrets is a list, not the deployment "secrets" (which does not exist).
    response = await client.get("/v1/deployments/secrets", headers=BEARER)
    assert response.status == 200
    assert (await client.get("/v1/deployments/nothing", headers=BEARER)).status == 404
    response = await client.get("/v1/deployments/storage/volumes", headers=BEARER)
    assert response.status == 200


async def test_routes_live_under_the_base_path_of_the_first_server(serve: Any) -> None:
    client = await serve()
    assert (await client.get("/v1/models", headers=BEARER)).status == 200
    assert (await client.get("/models", headers=BEARER)).status == 404


# ---------------------------------------------------------------------------- bookkeeping


async def test_request_id_is_echoed_or_made(serve: Any) -> None:
    client = await serve()
    response = await client.get("/v1/models", headers={**BEARER, "x-request-id": "mine-1"})
    assert response.headers["x-request-id"] == "mine-1"
    for path in ("/v1/models", "/v1/nothing"):
        response = await client.get(path, headers=BEARER)
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"]), path
    first = (await client.get("/v1/models", headers=BEARER)).headers["x-request-id"]
    second = (await client.get("/v1/models", headers=BEARER)).headers["x-request-id"]
    assert first != second


async def test_stats_count_each_path_and_status_but_not_the_mock_routes(serve: Any) -> None:
    client = await serve()
    assert await stats(client) == {"total": 0, "requests": {}}
    await client.get("/v1/models", headers=BEARER)
    await client.get("/v1/models", headers=BEARER)
    await client.get("/v1/models")
    await client.get("/v1/nothing")
    await client.post("/v1/models/x", headers=BEARER)
    await client.get("/_mock/concurrency")
    await client.get("/_mock/blobs/abc")
    assert await stats(client) == {
        "total": 5,
        "requests": {
            "/v1/models": {"200": 2, "401": 1},
            "/v1/models/x": {"404": 1},
            "/v1/nothing": {"404": 1},
        },
    }
    response = await client.post("/_mock/reset")
    assert await response.json() == {"total": 0, "requests": {}}
    assert await stats(client) == {"total": 0, "requests": {}}


async def test_concurrency_reports_in_flight_and_peak_and_reset_keeps_those_in_flight(
    serve: Any,
) -> None:
    client = await serve()
    assert await (await client.get("/_mock/concurrency")).json() == {"in_flight": 0, "peak": 0}
    slow = {**BEARER, "X-Mock-Latency-Ms": "700"}
    pending = [asyncio.ensure_future(client.get("/v1/models", headers=slow)) for _ in range(3)]
    for _ in range(100):
        now = await (await client.get("/_mock/concurrency")).json()
        if now["in_flight"] == 3:
            break
        await asyncio.sleep(0.01)
    assert now == {"in_flight": 3, "peak": 3}
    await client.post("/_mock/reset")
    assert await (await client.get("/_mock/concurrency")).json() == {"in_flight": 3, "peak": 3}
    for response in await asyncio.gather(*pending):
        assert response.status == 200
    assert await (await client.get("/_mock/concurrency")).json() == {"in_flight": 0, "peak": 3}
    await client.post("/_mock/reset")
    await client.get("/v1/models", headers=BEARER)
    assert await (await client.get("/_mock/concurrency")).json() == {"in_flight": 0, "peak": 1}


async def test_blobs_answer_a_few_bytes_named_after_them(serve: Any) -> None:
    client = await serve()
    response = await client.get("/_mock/blobs/0123abcd")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert await response.read() == b"together-mock blob 0123abcd\n"


async def test_oversize_body_on_an_sdk_route_is_400_request_too_large(serve: Any) -> None:
    client = await serve(MockOptions(max_body_bytes=1024))
    form = {"purpose": "fine-tune", "file_name": "a" * 4000, "file_type": "jsonl"}
    response = await client.post("/v1/files", data=form, headers=BEARER, allow_redirects=False)
    assert (response.status, await response.json()) == (
        400,
        {
            "error": {
                "message": "Request body larger than 1024 bytes",
                "type": "invalid_request_error",
                "param": None,
                "code": "request_too_large",
            }
        },
    )


async def test_a_crash_in_a_handler_is_a_500_in_the_spec_shape_and_logged(
    serve: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(call: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setitem(semantics_module._FIXED, "GET /models", broken)
    client = await serve()
    with caplog.at_level(logging.ERROR, logger="together.mock"):
        response = await client.get("/v1/models", headers=BEARER)
    assert (response.status, await response.json()) == (
        500,
        {
            "error": {
                "message": "Internal error in the mock server",
                "type": "server_error",
                "param": None,
                "code": None,
            }
        },
    )
    assert [r.getMessage() for r in caplog.records] == ["mock server error on GET /v1/models"]
    assert (await stats(client))["requests"] == {"/v1/models": {"500": 1}}


async def test_mock_server_urls_stats_and_peak() -> None:
    async with MockServer(MockOptions(api_key="k")) as server:
        assert server.root_url == f"http://127.0.0.1:{server.port}"
        assert server.port > 0
        assert server.url == server.root_url + "/v1"
        async with aiohttp.ClientSession() as session:
            async with session.get(server.url + "/models", headers={"Authorization": "Bearer k"}):
                pass
            async with session.get(server.url + "/models"):
                pass
        assert server.stats() == {"/v1/models": {"200": 1, "401": 1}}
        assert server.peak_in_flight == 1
        assert server.faults.next_fault(None) is None
    assert MockServer(host="::1", port=8123).root_url == "http://[::1]:8123"


async def test_servers_on_port_0_get_free_ports_and_a_given_port_is_used() -> None:
    async with MockServer() as first, MockServer() as second:
        assert first.port != second.port
        assert first.port > 1024 and second.port > 1024
        free = second.port
    async with MockServer(port=free) as given:
        assert given.port == free
        assert given.root_url == f"http://127.0.0.1:{free}"


async def test_stop_without_start_or_twice_does_nothing() -> None:
    server = MockServer()
    await server.stop()
    await server.start()
    await server.stop()
    await server.stop()


async def test_requests_are_not_access_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        async with (
            MockServer() as server,
            aiohttp.ClientSession() as session,
            session.get(server.url + "/models", headers=BEARER) as response,
        ):
            assert response.status == 200
    assert [r for r in caplog.records if r.name.startswith("aiohttp.access")] == []


async def test_a_stall_the_client_gave_up_on_is_counted_at_once() -> None:
    """A stalled answer is cancelled when its client goes away: counted as ``stall`` and no
    longer in flight, without waiting for the stall to end."""
    options = MockOptions(faults=FaultOptions(stall_seconds=30))
    async with MockServer(options) as server, aiohttp.ClientSession() as session:
        with pytest.raises(asyncio.TimeoutError):
            async with session.get(
                server.url + "/models",
                headers={**BEARER, "X-Mock-Status": "stall"},
                timeout=aiohttp.ClientTimeout(total=0.3),
            ):
                pass
        for _ in range(200):
            if server.stats():
                break
            await asyncio.sleep(0.01)
        assert server.stats() == {"/v1/models": {"stall": 1}}
        async with session.get(server.root_url + "/_mock/concurrency") as response:
            assert await response.json() == {"in_flight": 0, "peak": 1}


async def test_stopping_does_not_wait_for_a_stalled_answer() -> None:
    options = MockOptions(faults=FaultOptions(stall_seconds=30))
    server = MockServer(options)
    await server.start()
    async with aiohttp.ClientSession() as session:
        pending = asyncio.ensure_future(
            session.get(server.url + "/models", headers={**BEARER, "X-Mock-Status": "stall"})
        )
        while not server.stats() and server.peak_in_flight == 0:
            await asyncio.sleep(0.01)
        started = asyncio.get_running_loop().time()
        await server.stop()
        assert asyncio.get_running_loop().time() - started < 10  # not the 30 s stall
        with pytest.raises(aiohttp.ClientError):
            await pending


async def test_stopping_gives_answers_in_progress_half_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """mock-server.md: stopping gives the answers still in progress half a second to
    finish, then cancels them. What aiohttp's server is told to wait is checked, not the
    wall time a stop takes (which a loaded machine stretches)."""
    told: list[float | None] = []
    shutdown = web.Server.shutdown

    async def spy(self: web.Server, timeout: float | None = None) -> None:
        told.append(timeout)
        await shutdown(self, timeout)

    monkeypatch.setattr(web.Server, "shutdown", spy)
    server = MockServer(MockOptions(faults=FaultOptions(stall_seconds=30)))
    await server.start()
    async with aiohttp.ClientSession() as session:
        pending = asyncio.ensure_future(
            session.get(server.url + "/models", headers={**BEARER, "X-Mock-Status": "stall"})
        )
        while server.peak_in_flight == 0:
            await asyncio.sleep(0.01)
        await server.stop()
        with pytest.raises(aiohttp.ClientError):
            await pending
    assert told == [0.5]


async def test_a_server_restarts_on_its_port_while_old_connections_linger() -> None:
    """The server closes a ``Connection: close`` answer first, so its side of the socket
    lingers in TIME_WAIT after it stops; a new server on that port must still start (a
    restarted ``together-mock --port 8080``, a test's fixture reusing its port)."""
    async with MockServer() as first:
        port = first.port
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n"
            b"Connection: close\r\n\r\n"
        )
        assert (await reader.read()).startswith(b"HTTP/1.1 200")  # read until it closes
        writer.close()
        await writer.wait_closed()
    async with MockServer(port=port) as second:
        assert second.port == port


ROUTES_SPEC = """
openapi: 3.1.0
info: {title: routes, version: "1"}
servers: [{url: "http://localhost/v1"}]
paths:
  /a/{x}/{y}:
    get: {responses: {"200": {content: {application/json: {schema: {const: a-x-y}}}}}}
  /a/{x}/fixed:
    get: {responses: {"200": {content: {application/json: {schema: {const: a-x-fixed}}}}}}
  /a/{x}:
    get: {responses: {"200": {content: {application/json: {schema: {const: a-x}}}}}}
  /a/fixed/{y}:
    get: {responses: {"200": {content: {application/json: {schema: {const: a-fixed-y}}}}}}
  /a/fixed:
    get: {responses: {"200": {content: {application/json: {schema: {const: a-fixed}}}}}}
  /b/{x}:
    get: {responses: {"200": {content: {application/json: {schema: {const: b-x}}}}}}
  /b/~fixed:
    get: {responses: {"200": {content: {application/json: {schema: {const: b-tilde}}}}}}
"""


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^/]*?\\\}", "[^/]+", re.escape(path)))


async def test_a_literal_segment_is_registered_before_a_parameter_where_they_overlap(
    tmp_path: Any,
) -> None:
    # aiohttp >= 3.10 looks a path up by its longest literal prefix, but the declared range
    # (aiohttp >= 3.9) includes dispatchers that take the first match in registration order:
    # a route must never come after one whose parameter would swallow its literal segment.
    spec = tmp_path / "routes.yaml"
    spec.write_text(ROUTES_SPEC, encoding="utf-8")
    from together.mock.server import create_app

    app = create_app(MockOptions(spec_path=spec))
    order = [r.canonical for r in app.router.resources() if r.canonical.startswith("/v1/")]
    assert sorted(order) == sorted(
        [
            *("/v1/a/{x}/{y}", "/v1/a/{x}/fixed", "/v1/a/{x}", "/v1/a/fixed/{y}", "/v1/a/fixed"),
            *("/v1/b/{x}", "/v1/b/~fixed"),
        ]
    )
    # What a first-match dispatcher picks is what aiohttp >= 3.10 picks: the longest literal
    # prefix, then the literal segment over the parameter.
    expected = {
        "/v1/a/fixed": "/v1/a/fixed",
        "/v1/a/other": "/v1/a/{x}",
        "/v1/a/fixed/fixed": "/v1/a/fixed/{y}",
        "/v1/a/fixed/other": "/v1/a/fixed/{y}",
        "/v1/a/other/fixed": "/v1/a/{x}/fixed",
        "/v1/a/other/other": "/v1/a/{x}/{y}",
        # "~" sorts after "{": the order is by kind of segment, not by the text
        "/v1/b/~fixed": "/v1/b/~fixed",
        "/v1/b/other": "/v1/b/{x}",
    }
    first_match = {
        concrete: next(p for p in order if _pattern(p).fullmatch(concrete)) for concrete in expected
    }
    assert first_match == expected
