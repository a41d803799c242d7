"""Downloads over real sockets: to a path (atomically) or a file object, in chunks."""

from __future__ import annotations

import asyncio
import io
import os
import stat
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from pydantic import TypeAdapter

from support import TOKEN
from together.generated import (
    ApiClient,
    ApiConnectionError,
    ApiValueError,
    Configuration,
    NotFoundException,
)
from together.generated._runtime.operation import Operation, Param, ResponseSpec
from together.generated.models.error_data import ErrorData

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

OPERATION: Operation[bytes] = Operation(
    operation_id="file_content",
    method="GET",
    path="/files/{id}/content",
    params=(Param("id", "path", TypeAdapter(str)),),
    responses={"200": ResponseSpec("bytes"), "404": ResponseSpec.json(ErrorData)},
    accept="application/octet-stream",
    retry_safe=True,
)

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB


@asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[str]:
    async def route(request: web.Request) -> web.StreamResponse:
        return await handler(request)

    app = web.Application()
    app.router.add_get("/v1/files/{id}/content", route)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def client(url: str, **settings: Any) -> AsyncIterator[ApiClient]:
    settings.setdefault("retry_max_backoff", 0.01)
    async with ApiClient(Configuration(host=url, access_token=TOKEN, **settings)) as api_client:
        yield api_client


async def chunked(
    request: web.Request, data: bytes, *, cut_after: int | None = None
) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    step = 64 * 1024
    for start in range(0, len(data), step):
        if cut_after is not None and start >= cut_after:
            assert request.transport is not None
            request.transport.abort()
            return response
        await response.write(data[start : start + step])
    await response.write_eof()
    return response


async def test_a_download_to_a_path(tmp_path: Path) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        assert request.match_info["id"] == "file-1"
        assert request.headers["Accept"] == "application/octet-stream"
        return await chunked(request, PAYLOAD)

    target = tmp_path / "out.bin"
    async with serve(handler) as url, client(url) as api_client:
        written = await api_client.call_api_download(OPERATION, {"id": "file-1"}, None, target)
    assert written == len(PAYLOAD)
    assert target.read_bytes() == PAYLOAD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]  # no temporary left


async def test_a_downloaded_file_gets_the_permissions_of_any_new_file(tmp_path: Path) -> None:
    """Not the private 0600 of the temporary file it was written to."""

    async def handler(request: web.Request) -> web.StreamResponse:
        return await chunked(request, PAYLOAD)

    old_mask = os.umask(0o022)
    try:
        async with serve(handler) as url, client(url) as api_client:
            await api_client.call_api_download(OPERATION, {"id": "f"}, None, tmp_path / "a.bin")
        os.umask(0o027)
        async with serve(handler) as url, client(url) as api_client:
            await api_client.call_api_download(OPERATION, {"id": "f"}, None, tmp_path / "b.bin")
    finally:
        os.umask(old_mask)
    assert stat.S_IMODE((tmp_path / "a.bin").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "b.bin").stat().st_mode) == 0o640


async def test_a_download_to_a_file_object() -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return await chunked(request, PAYLOAD)

    buffer = io.BytesIO()
    async with serve(handler) as url, client(url) as api_client:
        written = await api_client.call_api_download(OPERATION, {"id": "f"}, None, buffer)
    assert written == len(PAYLOAD) and buffer.getvalue() == PAYLOAD
    assert not buffer.closed


async def test_an_error_status_raises_and_leaves_no_file(tmp_path: Path) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        error = {"error": {"message": "no such file", "type": "invalid_request_error"}}
        return web.json_response(error, status=404)

    target = tmp_path / "out.bin"
    async with serve(handler) as url, client(url) as api_client:
        with pytest.raises(NotFoundException, match="no such file"):
            await api_client.call_api_download(OPERATION, {"id": "f"}, None, target)
    assert list(tmp_path.iterdir()) == []


async def test_a_cut_download_leaves_no_partial_file_and_keeps_an_old_one(tmp_path: Path) -> None:
    calls = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        return await chunked(request, PAYLOAD, cut_after=256 * 1024)

    target = tmp_path / "out.bin"
    target.write_bytes(b"the previous complete version")
    async with serve(handler) as url, client(url, retries=3) as api_client:
        with pytest.raises(ApiConnectionError, match="broke after"):
            await api_client.call_api_download(OPERATION, {"id": "f"}, None, target)
    assert target.read_bytes() == b"the previous complete version"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]
    assert calls == 1  # bytes had arrived: not retried


async def test_a_cancelled_download_leaves_no_partial_file(tmp_path: Path) -> None:
    started = asyncio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        await response.prepare(request)
        await response.write(b"x" * 100_000)
        started.set()
        await asyncio.sleep(10)
        return response

    target = tmp_path / "out.bin"
    async with serve(handler) as url, client(url) as api_client:
        task = asyncio.create_task(
            api_client.call_api_download(OPERATION, {"id": "f"}, None, target)
        )
        await asyncio.wait_for(started.wait(), 5)
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert list(tmp_path.iterdir()) == []


async def test_opening_is_retried_before_any_byte(tmp_path: Path) -> None:
    calls = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        if calls == 1:
            return web.json_response({"error": {"message": "busy"}}, status=503)
        return await chunked(request, PAYLOAD)

    async with serve(handler) as url, client(url, retries=2) as api_client:
        written = await api_client.call_api_download(
            OPERATION, {"id": "f"}, None, tmp_path / "out.bin"
        )
    assert (calls, written) == (2, len(PAYLOAD))


async def test_bad_destinations_are_refused_before_sending(tmp_path: Path) -> None:
    calls = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        return await chunked(request, PAYLOAD)

    async with serve(handler) as url, client(url) as api_client:
        for destination, message in [
            (tmp_path / "missing" / "out.bin", "does not exist"),
            (tmp_path, "is a directory"),
            (42, "a path or a binary file object"),
            (io.StringIO(), "text mode"),
        ]:
            with pytest.raises(ApiValueError, match=message):
                await api_client.call_api_download(OPERATION, {"id": "f"}, None, destination)  # type: ignore[arg-type]
    assert calls == 0


async def test_a_large_download_is_not_held_in_memory(tmp_path: Path) -> None:
    size = 48 * 1024 * 1024

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        response.content_length = size
        await response.prepare(request)
        block = b"\0" * (256 * 1024)
        for _ in range(size // len(block)):
            await response.write(block)
        return response

    target = tmp_path / "big.bin"
    async with serve(handler) as url, client(url) as api_client:
        tracemalloc.start()
        try:
            written = await api_client.call_api_download(OPERATION, {"id": "f"}, None, target)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert written == size == target.stat().st_size
    assert peak < size // 4, f"peak {peak / 2**20:.1f} MiB while downloading 48 MiB"
