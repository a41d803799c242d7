"""Uploads over real sockets: what the server receives, retries, and memory use."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import BodyPartReader, web
from pydantic import BaseModel, TypeAdapter

from support import TOKEN
from together.generated import (
    ApiClient,
    ApiValueError,
    Configuration,
    ServiceUnavailableException,
)
from together.generated._runtime.multipart import FileInput
from together.generated._runtime.operation import BodySpec, Operation, ResponseSpec

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Upload(BaseModel):
    purpose: str
    file: FileInput
    check: bool | None = None


class Received(BaseModel):
    fields: dict[str, str]
    files: dict[str, list[str]]  # name -> [filename, content type, sha-less text]


OPERATION: Operation[Received] = Operation(
    operation_id="upload",
    method="POST",
    path="/upload",
    body=BodySpec("multipart/form-data", TypeAdapter(Upload), model=Upload, file_fields=("file",)),
    responses={"200": ResponseSpec.json(Received)},
    retry_safe=True,
)


@asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[str]:
    async def route(request: web.Request) -> web.StreamResponse:
        return await handler(request)

    app = web.Application(client_max_size=1024**3)
    app.router.add_post("/v1/upload", route)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
    finally:
        await runner.cleanup()


class Recorder:
    """Reads each upload part by part (streaming, like a real server) and answers what it got.

    The first ``fail`` requests are read whole and answered 503.
    """

    def __init__(self, fail: int = 0) -> None:
        self.fail = fail
        self.calls = 0
        self.bodies: list[dict[str, Any]] = []
        self.content_lengths: list[str | None] = []

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        self.calls += 1
        self.content_lengths.append(request.headers.get("Content-Length"))
        reader = await request.multipart()
        fields: dict[str, str] = {}
        files: dict[str, list[str]] = {}
        sizes: dict[str, int] = {}
        while (part := await reader.next()) is not None:
            assert isinstance(part, BodyPartReader), "a nested multipart body"
            name = part.name or ""
            if part.filename is None:
                fields[name] = (await part.read()).decode()
                continue
            size = 0
            head = b""
            while chunk := await part.read_chunk(1024 * 1024):
                if len(head) < 64:
                    head += chunk[: 64 - len(head)]
                size += len(chunk)
            sizes[name] = size
            files[name] = [
                part.filename,
                part.headers.get("Content-Type", ""),
                head.decode("latin-1"),
            ]
        self.bodies.append({"fields": fields, "files": files, "sizes": sizes})
        if self.calls <= self.fail:
            return web.json_response({"error": {"message": "busy"}}, status=503)
        return web.json_response({"fields": fields, "files": files})


@asynccontextmanager
async def client(url: str, **settings: Any) -> AsyncIterator[ApiClient]:
    settings.setdefault("retry_max_backoff", 0.01)
    async with ApiClient(Configuration(host=url, access_token=TOKEN, **settings)) as api_client:
        yield api_client


async def test_the_server_receives_fields_and_file(tmp_path: Path) -> None:
    data = tmp_path / "train.jsonl"
    data.write_bytes(b'{"text": "hello"}\n')
    recorder = Recorder()
    async with serve(recorder) as url, client(url) as api_client:
        response = await api_client.call_api(
            OPERATION, {}, Upload(purpose="fine-tune", file=data, check=True)
        )
    assert response.data.fields == {"purpose": "fine-tune", "check": "true"}
    assert response.data.files == {
        "file": ["train.jsonl", "application/octet-stream", '{"text": "hello"}\n']
    }
    assert recorder.content_lengths[0] is not None  # sizes known: not chunked


async def test_a_missing_file_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    recorder = Recorder()
    async with serve(recorder) as url, client(url) as api_client:
        with pytest.raises(ApiValueError, match="no such file"):
            await api_client.call_api(
                OPERATION, {}, {"purpose": "p", "file": str(tmp_path / "gone.jsonl")}
            )
    assert recorder.calls == 0


@pytest.mark.parametrize("kind", ["path", "bytes", "seekable"])
async def test_re_readable_sources_are_retried_with_the_same_content(
    tmp_path: Path, kind: str
) -> None:
    content = b"0123456789" * 50_000
    (tmp_path / "a.bin").write_bytes(content)
    source: Any = {
        "path": tmp_path / "a.bin",
        "bytes": content,
        "seekable": io.BytesIO(content),
    }[kind]
    recorder = Recorder(fail=2)
    async with serve(recorder) as url, client(url, retries=2) as api_client:
        response = await api_client.call_api(OPERATION, {}, Upload(purpose="p", file=source))
    assert recorder.calls == 3
    assert [body["sizes"]["file"] for body in recorder.bodies] == [len(content)] * 3
    assert response.data.files["file"][2] == content[:64].decode()


async def test_an_unseekable_source_is_not_retried() -> None:
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    recorder = Recorder(fail=1)
    async with serve(recorder) as url, client(url, retries=3) as api_client:
        with pytest.raises(ServiceUnavailableException):
            await api_client.call_api(OPERATION, {}, Upload(purpose="p", file=Pipe(b"once")))
    assert recorder.calls == 1
    assert recorder.content_lengths == [None]  # size unknown: sent chunked
    assert recorder.bodies[0]["sizes"] == {"file": 4}


async def test_a_large_file_is_streamed_not_loaded(tmp_path: Path) -> None:
    size = 64 * 1024 * 1024
    big = tmp_path / "big.bin"
    with big.open("wb") as file:
        file.truncate(size)  # sparse: quick to make, 64 MiB to read
    recorder = Recorder()
    async with serve(recorder) as url, client(url) as api_client:
        tracemalloc.start()
        try:
            await api_client.call_api(OPERATION, {}, Upload(purpose="p", file=big))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert recorder.bodies[0]["sizes"] == {"file": size}
    # Client and server together stayed far below the file's size.
    assert peak < size // 4, f"peak {peak / 2**20:.1f} MiB while uploading 64 MiB"
