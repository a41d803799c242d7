"""Reliability over real sockets: retries against injected faults, cancellation, redirects,
TLS, and that neither the key nor the user's text reaches a log line."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from aiohttp import web

import together.generated
import together.generated._runtime.rest as rest_module
from support import TOKEN, rest_transport
from together.generated import (
    ApiClient,
    ApiConnectionError,
    Configuration,
    EmbeddingsRequest,
    UnauthorizedException,
)
from together.generated._runtime.exceptions import RedirectLoopError
from together.mock import FaultOptions, MockOptions, MockServer

MODEL = "BAAI/bge-base-en-v1.5"
REQUEST = EmbeddingsRequest(model=MODEL, input="x")


def fast_retries(url: str, **settings: object) -> Configuration:
    """Real retries with short waits, so tests spend little time sleeping."""
    defaults: dict[str, object] = {"retry_initial_backoff": 0.01, "retry_max_backoff": 0.05}
    return Configuration(host=url, access_token=TOKEN, **{**defaults, **settings})  # type: ignore[arg-type]


@pytest.mark.parametrize("fault", [503, 429, 504, 500, 502, "drop", "truncate", "stall"])
async def test_each_fault_is_ridden_out(fault: int | str) -> None:
    options = MockOptions(
        faults=FaultOptions(script=[fault, fault], retry_after=0.01, stall_seconds=5)
    )
    async with MockServer(options) as server, ApiClient(fast_retries(server.url)) as client:
        response = await together.generated.EmbeddingsApi(client).embeddings(
            REQUEST, _request_timeout=0.5
        )
        assert len(response.data[0].embedding) == 768
        counts = server.stats()["/v1/embeddings"]
    assert counts == {str(fault): 2, "200": 1}


async def test_retry_after_from_the_server_is_waited_for() -> None:
    options = MockOptions(faults=FaultOptions(script=[429], retry_after=0.3))
    async with MockServer(options) as server, ApiClient(fast_retries(server.url)) as client:
        started = asyncio.get_running_loop().time()
        await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
        assert asyncio.get_running_loop().time() - started >= 0.3


async def test_deadline_bounds_a_stalled_call() -> None:
    options = MockOptions(faults=FaultOptions(script=["stall"] * 10, stall_seconds=10))
    async with MockServer(options) as server, ApiClient(fast_retries(server.url)) as client:
        started = asyncio.get_running_loop().time()
        with pytest.raises(together.generated.ApiTimeoutError):
            await together.generated.EmbeddingsApi(client).embeddings(
                REQUEST, _retries=10, _deadline=0.6
            )
        assert asyncio.get_running_loop().time() - started < 2


async def test_cancelled_calls_release_their_connections() -> None:
    server = MockServer(MockOptions(faults=FaultOptions(stall_seconds=30)))
    await server.start()  # the client's configuration needs the port
    try:
        await cancel_many(server)
    finally:
        await server.stop()


async def cancel_many(server: MockServer) -> None:
    async with ApiClient(fast_retries(server.url, connection_pool_maxsize=50)) as client:
        api = together.generated.EmbeddingsApi(client)
        stalled = [
            asyncio.create_task(api.embeddings(REQUEST, _headers={"X-Mock-Status": "stall"}))
            for _ in range(2000)
        ]
        await asyncio.sleep(0.5)  # the first 50 are in flight, the rest wait for the pool
        for task in stalled:
            task.cancel()
        results = await asyncio.gather(*stalled, return_exceptions=True)
        assert all(isinstance(r, asyncio.CancelledError) for r in results)
        connector = rest_transport(client)._get_session().connector
        assert connector is not None
        assert len(connector._acquired) == 0  # nothing is still held by a cancelled call
        assert (await api.embeddings(REQUEST)).data  # and the pool still works


async def test_a_closed_client_leaves_no_connection_open_on_the_server() -> None:
    async with MockServer() as server:
        async with ApiClient(fast_retries(server.url)) as client:
            api = together.generated.EmbeddingsApi(client)
            await asyncio.gather(*(api.embeddings(REQUEST) for _ in range(40)))
        await asyncio.sleep(0.1)
        assert server._runner is not None and server._runner.server is not None
        assert len(server._runner.server.connections) == 0


@pytest.fixture
async def redirector(mock_server: MockServer) -> AsyncIterator[tuple[str, list[str | None]]]:
    """A server that redirects POST /v1/embeddings: to another host, or to itself."""
    seen: list[str | None] = []

    async def away(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect(
            mock_server.url.replace("127.0.0.1", "localhost") + "/embeddings"
        )

    async def home(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect("/same/embeddings")

    async def same(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization"))
        return web.json_response({"object": "list", "model": MODEL, "data": []})

    app = web.Application()
    app.router.add_post("/away/embeddings", away)
    app.router.add_post("/home/embeddings", home)
    app.router.add_post("/same/embeddings", same)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}", seen
    finally:
        await runner.cleanup()


async def test_authorization_is_not_sent_to_another_host_on_redirect(
    redirector: tuple[str, list[str | None]],
) -> None:
    base, seen = redirector
    async with ApiClient(
        Configuration(host=base + "/away", access_token=TOKEN, retries=0)
    ) as client:
        # The other host requires the key; it did not get it.
        with pytest.raises(UnauthorizedException):
            await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
    async with ApiClient(
        Configuration(host=base + "/home", access_token=TOKEN, retries=0)
    ) as client:
        await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
    assert seen == [f"Bearer {TOKEN}"]  # a redirect on the same host keeps it


async def test_turning_tls_verification_off_warns_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rest_module, "_warned_unverified", False)
    with pytest.warns(UserWarning, match="verification is off"):
        first = ApiClient(Configuration(host="https://example.invalid/v1", verify_ssl=False))
    second = ApiClient(
        Configuration(host="https://example.invalid/v1", verify_ssl=False)
    )  # no warning
    await first.close()
    await second.close()
    assert rest_module._ssl_setting(Configuration(host="https://x/v1")) is True  # on by default


async def test_connection_refused_is_typed() -> None:
    async with MockServer() as server:
        url = server.url
    async with ApiClient(fast_retries(url, retries=1)) as client:
        with pytest.raises(ApiConnectionError) as caught:
            await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
    assert caught.value.__cause__ is not None


async def test_no_token_or_user_text_in_any_log_line(caplog: pytest.LogCaptureFixture) -> None:
    secret_text = "my private medical note 8d1f"
    caplog.set_level(logging.DEBUG)  # every logger, DEBUG
    options = MockOptions(
        api_key=TOKEN, faults=FaultOptions(script=[503, "drop", "truncate"], retry_after=0.01)
    )
    messages: list[str] = []
    async with MockServer(options) as server:
        configuration = fast_retries(server.url, debug=True, retries=3)
        async with ApiClient(configuration) as client:
            api = together.generated.EmbeddingsApi(client)
            await api.embeddings(EmbeddingsRequest(model=MODEL, input=[secret_text, "other"]))
            for bad in (
                EmbeddingsRequest(model="no/such", input=secret_text),
                {"model": MODEL, "input": [secret_text, 5]},
            ):
                with pytest.raises(together.generated.OpenApiException) as caught:
                    await api.embeddings(bad)
                messages.append(repr(caught.value))
        configuration.access_token = "wrong-" + TOKEN
        async with ApiClient(configuration) as client:
            with pytest.raises(UnauthorizedException) as unauthorized:
                await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
            messages.append(str(unauthorized.value))
    logged = caplog.text
    assert (
        "retrying embeddings after 503" in logged
        and "-> 200 in" in logged
        and "(retry 3, request id" in logged
    )
    assert TOKEN not in logged and secret_text not in logged
    assert all(TOKEN not in m for m in messages)
    logging.getLogger("together.generated").setLevel(logging.NOTSET)


# ------------------------------------------------------------ hostile servers (issue 8)


@asynccontextmanager
async def raw_server(
    handle: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> AsyncIterator[str]:
    """A TCP server on loopback that answers with whatever bytes ``handle`` writes."""
    tasks: set[asyncio.Task[None]] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            await reader.readuntil(b"\r\n\r\n")
            await handle(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client left, or the server is shutting down: either ends this answer
        finally:
            writer.close()
            tasks.discard(task)

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()


async def drip_headers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A status line, then one header line every 0.2 s for 20 s: each byte resets a read
    timeout, so only a total bound ends the call."""
    writer.write(b"HTTP/1.1 200 OK\r\n")
    for i in range(100):
        await writer.drain()
        await asyncio.sleep(0.2)
        writer.write(f"X-Drip-{i}: x\r\n".encode())


@pytest.mark.parametrize("limit", ["total_timeout", "deadline"])
async def test_a_header_drip_is_bounded_with_a_connect_read_pair(limit: str) -> None:
    """Issue 8 item 10: `_request_timeout=(connect, read)` used to drop every overall bound."""
    async with raw_server(drip_headers) as url:
        settings: dict[str, object] = {"retries": 0}
        deadline: float | None = None
        if limit == "total_timeout":
            settings["total_timeout"] = 1.5
        else:
            deadline = 1.5
        async with ApiClient(fast_retries(url, **settings)) as client:
            started = time.monotonic()
            with pytest.raises(together.generated.ApiTimeoutError):
                await together.generated.EmbeddingsApi(client).embeddings(
                    REQUEST, _request_timeout=(1.0, 1.0), _deadline=deadline
                )
            elapsed = time.monotonic() - started
    assert 1.4 < elapsed < 4.0


async def unparsable_reply(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: twelve\r\n\r\n{}")
    await writer.drain()


def reprs_reachable_from(error: BaseException) -> list[str]:
    """repr() of the exception, its chain, and every attribute value down the chain."""
    seen: set[int] = set()
    texts: list[str] = []

    def visit(value: object, depth: int) -> None:
        if id(value) in seen or depth > 6:
            return
        seen.add(id(value))
        texts.append(repr(value))
        if isinstance(value, BaseException):
            for linked in (value.__cause__, value.__context__, *value.args):
                if linked is not None:
                    visit(linked, depth + 1)
        if isinstance(value, (list, tuple)):
            for item in value:
                visit(item, depth + 1)
        for attribute in ("request_info", "history", "headers", "real_url"):
            if hasattr(value, attribute):
                visit(getattr(value, attribute), depth + 1)
        for item in getattr(value, "__dict__", {}).values():
            visit(item, depth + 1)

    visit(error, 0)
    return texts


async def test_an_unparsable_reply_is_typed_and_its_chain_holds_no_token() -> None:
    """Issue 8 item 13: aiohttp's error kept the request headers, the bearer token with them."""
    async with raw_server(unparsable_reply) as url, ApiClient(fast_retries(url, retries=0)) as c:
        with pytest.raises(ApiConnectionError) as caught:
            await together.generated.EmbeddingsApi(c).embeddings(REQUEST)
    assert caught.value.__cause__ is not None
    texts = reprs_reachable_from(caught.value)
    assert any("request_info" in t or "RequestInfo" in t for t in texts)  # the chain was walked
    assert not [t for t in texts if TOKEN in t]


@pytest.fixture
async def redirect_loop() -> AsyncIterator[tuple[str, list[str]]]:
    """A server whose /loop/embeddings redirects to itself, for ever."""
    hits: list[str] = []

    async def loop(request: web.Request) -> web.Response:
        hits.append(request.headers.get("Authorization", ""))
        raise web.HTTPTemporaryRedirect("/loop/embeddings")

    app = web.Application()
    app.router.add_post("/loop/embeddings", loop)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/loop", hits
    finally:
        await runner.cleanup()


async def test_a_redirect_loop_stops_at_once_with_a_typed_error(
    redirect_loop: tuple[str, list[str]],
) -> None:
    """Issue 8 items 13-14: it was retried as a connection error (3 x 11 requests), and the
    chained aiohttp error held the token."""
    url, hits = redirect_loop
    async with ApiClient(fast_retries(url, retries=2)) as client:
        with pytest.raises(RedirectLoopError) as caught:
            await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
    assert len(hits) == 10  # aiohttp gives up at its max_redirects (10) requests; no retry
    assert hits[0] == f"Bearer {TOKEN}"  # same host: the token was sent, so it was at risk
    assert isinstance(caught.value, ApiConnectionError)
    assert "redirected 10 times" in str(caught.value)
    assert not [t for t in reprs_reachable_from(caught.value) if TOKEN in t]
