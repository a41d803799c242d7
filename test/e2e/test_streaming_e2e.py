"""Streamed answers over real sockets: incremental reading, and every way out closes the
connection (the server sees the disconnect)."""

from __future__ import annotations

import asyncio
import gc
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from pydantic import BaseModel, TypeAdapter

from support import TOKEN
from together.generated import ApiClient, ApiConnectionError, ApiTimeoutError, Configuration
from together.generated._runtime.operation import BodySpec, Operation, ResponseSpec

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Chunk(BaseModel):
    n: int


OPERATION: Operation[Any] = Operation(
    operation_id="count",
    method="POST",
    path="/count",
    body=BodySpec("application/json", TypeAdapter(dict[str, Any])),
    stream_responses={"200": ResponseSpec.event_stream(Chunk)},
    stream_flag="stream",
    retry_safe=True,
)


@asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[str]:
    """An aiohttp server on 127.0.0.1, a free port; yields its base URL."""

    async def route(request: web.Request) -> web.StreamResponse:
        return await handler(request)

    app = web.Application()
    app.router.add_post("/v1/count", route)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def client(url: str, **settings: Any) -> AsyncIterator[ApiClient]:
    async with ApiClient(Configuration(host=url, access_token=TOKEN, **settings)) as api_client:
        yield api_client


class Counter:
    """A handler that streams ``{"n": i}`` events until the client goes away."""

    def __init__(self, *, pause: float = 0.01, limit: int = 10_000) -> None:
        self.pause = pause
        self.limit = limit
        self.sent = 0
        self.disconnected = asyncio.Event()
        self.requests: list[Any] = []

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(await request.json())
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        try:
            for n in range(self.limit):
                await response.write(f"data: {json.dumps({'n': n})}\n\n".encode())
                self.sent += 1
                await asyncio.sleep(self.pause)
            await response.write(b"data: [DONE]\n\n")
        except (ConnectionResetError, ConnectionError):
            self.disconnected.set()
            return response
        # A closed client may not make write() fail at once; the transport tells.
        if request.transport is None or request.transport.is_closing():
            self.disconnected.set()
        return response


async def test_chunks_arrive_before_the_body_ends() -> None:
    first_seen = asyncio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(b'data: {"n": 0}\n\n')
        # Only sent once the client has the first chunk: a client reading the whole body
        # before yielding anything would wait here forever.
        await asyncio.wait_for(first_seen.wait(), 5)
        await response.write(b'data: {"n": 1}\n\ndata: [DONE]\n\n')
        return response

    async with serve(handler) as url, client(url) as api_client:
        seen = []
        async with await api_client.call_api_stream(OPERATION, {}, {}) as stream:
            async for chunk in stream:
                seen.append(chunk.n)
                first_seen.set()
        assert seen == [0, 1]


async def test_a_normal_end_leaves_the_client_usable() -> None:
    counter = Counter(pause=0, limit=3)
    async with serve(counter) as url, client(url) as api_client:
        for _ in range(3):
            stream = await api_client.call_api_stream(OPERATION, {}, {"prompt": "x"})
            assert [chunk.n async for chunk in stream] == [0, 1, 2]
    assert counter.requests == [{"prompt": "x", "stream": True}] * 3


async def test_break_inside_async_with_closes_the_connection() -> None:
    counter = Counter()
    async with serve(counter) as url, client(url) as api_client:
        async with await api_client.call_api_stream(OPERATION, {}, {}) as stream:
            async for chunk in stream:
                if chunk.n == 2:
                    break
        await asyncio.wait_for(counter.disconnected.wait(), 5)
    assert counter.sent < 1000


async def test_break_without_async_with_closes_the_connection() -> None:
    counter = Counter()
    async with serve(counter) as url, client(url) as api_client:
        async for chunk in await api_client.call_api_stream(OPERATION, {}, {}):
            if chunk.n == 2:
                break
        gc.collect()  # CPython frees the stream at once; other interpreters may need this
        await asyncio.wait_for(counter.disconnected.wait(), 5)


async def test_an_exception_in_the_loop_body_closes_the_connection() -> None:
    counter = Counter()
    async with serve(counter) as url, client(url) as api_client:
        with pytest.raises(KeyError):
            async with await api_client.call_api_stream(OPERATION, {}, {}) as stream:
                async for chunk in stream:
                    if chunk.n == 1:
                        raise KeyError("user code failed")
        await asyncio.wait_for(counter.disconnected.wait(), 5)


async def test_cancelling_the_task_closes_the_connection() -> None:
    counter = Counter(pause=0.05)
    got_one = asyncio.Event()

    async def consume(api_client: ApiClient) -> None:
        stream = await api_client.call_api_stream(OPERATION, {}, {})
        async for _chunk in stream:
            got_one.set()

    async with serve(counter) as url, client(url) as api_client:
        task = asyncio.create_task(consume(api_client))
        await asyncio.wait_for(got_one.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.wait_for(counter.disconnected.wait(), 5)


async def test_aclose_closes_the_connection() -> None:
    counter = Counter()
    async with serve(counter) as url, client(url) as api_client:
        stream = await api_client.call_api_stream(OPERATION, {}, {})
        assert (await anext(stream)).n == 0
        await stream.aclose()
        await stream.aclose()  # idempotent
        assert stream.closed
        await asyncio.wait_for(counter.disconnected.wait(), 5)
        assert [chunk async for chunk in stream] == []


async def test_a_connection_cut_mid_stream_raises_and_is_not_retried() -> None:
    calls = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(b'data: {"n": 0}\n\n')
        await asyncio.sleep(0.05)
        assert request.transport is not None
        request.transport.abort()  # the chunked body never ends properly
        return response

    async with serve(handler) as url, client(url, retries=3) as api_client:
        stream = await api_client.call_api_stream(OPERATION, {}, {})
        received = []
        with pytest.raises(ApiConnectionError, match="broke mid-stream"):
            async for chunk in stream:
                received.append(chunk.n)
        assert received == [0]
    assert calls == 1  # after the first chunk, nothing is retried


async def test_a_silent_server_times_out_between_events() -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(b'data: {"n": 0}\n\n')
        await asyncio.sleep(5)
        return response

    # total_timeout is the longest silence between events (the whole stream has no limit).
    async with serve(handler) as url, client(url, total_timeout=0.3) as api_client:
        stream = await api_client.call_api_stream(OPERATION, {}, {})
        assert (await anext(stream)).n == 0
        with pytest.raises(ApiTimeoutError):
            await anext(stream)


async def test_a_stream_longer_than_total_timeout_is_not_cut() -> None:
    counter = Counter(pause=0.1, limit=6)  # 0.6 s of streaming, 0.1 s gaps
    async with serve(counter) as url, client(url, total_timeout=0.4) as api_client:
        stream = await api_client.call_api_stream(OPERATION, {}, {})
        assert [chunk.n async for chunk in stream] == [0, 1, 2, 3, 4, 5]


async def test_opening_is_retried_on_503_then_streams() -> None:
    calls = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        if calls == 1:
            return web.json_response({"error": {"message": "busy"}}, status=503)
        return await Counter(pause=0, limit=2)(request)

    async with serve(handler) as url, client(url, retries=2, retry_max_backoff=0.01) as api_client:
        stream = await api_client.call_api_stream(OPERATION, {}, {})
        assert [chunk.n async for chunk in stream] == [0, 1]
    assert calls == 2


async def test_the_deadline_bounds_opening_not_the_stream() -> None:
    async def slow_to_answer(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(3)
        return web.Response(status=503)

    async with serve(slow_to_answer) as url, client(url) as api_client:
        with pytest.raises(ApiTimeoutError, match=r"deadline of 0\.3 s"):
            await api_client.call_api_stream(OPERATION, {}, {}, deadline=0.3)

    counter = Counter(pause=0.1, limit=5)  # streams for 0.5 s, longer than the deadline
    async with serve(counter) as url, client(url) as api_client:
        stream = await api_client.call_api_stream(OPERATION, {}, {}, deadline=0.3)
        assert [chunk.n async for chunk in stream] == [0, 1, 2, 3, 4]
