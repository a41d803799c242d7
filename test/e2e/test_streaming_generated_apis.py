"""The generated API classes for Together's streams, uploads and downloads, end to end.

A small aiohttp server on 127.0.0.1 plays the Together API as its spec describes it; the
generated ChatApi, FilesApi and AudioApi talk to it through TOGETHER_BASE_URL set to the
API root (the client adds the spec's /v1).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from support import TOKEN
from together.generated import ApiClient, Configuration

chat_api = pytest.importorskip("together.generated.api.chat_api", reason="not generated yet")
files_api = pytest.importorskip("together.generated.api.files_api", reason="not generated yet")
audio_api = pytest.importorskip("together.generated.api.audio_api", reason="not generated yet")

WAV = b"RIFF" + bytes(200_000)


def chunk(content: str) -> dict[str, Any]:
    return {
        "id": "chat-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [
            {"index": 0, "delta": {"role": "assistant", "content": content}, "finish_reason": None}
        ],
    }


class Together:
    """Just enough of the API for these calls, answering in the spec's shapes."""

    def __init__(self) -> None:
        self.received: list[Any] = []

    async def chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.received.append(body)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for word in ("Hello", " world"):
            await response.write(f"data: {json.dumps(chunk(word))}\n\n".encode())
        await response.write(b"data: [DONE]\n\n")
        return response

    async def upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        file = form["file"]
        assert isinstance(file, web.FileField)
        content = file.file.read()
        self.received.append((form["purpose"], file.filename, content))
        return web.json_response(
            {
                "id": "file-1",
                "object": "file",
                "created_at": 1,
                "filename": file.filename,
                "bytes": len(content),
                "purpose": form["purpose"],
                "Processed": True,
                "FileType": "jsonl",
                "LineCount": 1,
            }
        )

    async def speech(self, request: web.Request) -> web.Response:
        self.received.append(await request.json())
        return web.Response(body=WAV, content_type="audio/wav")

    async def transcribe(self, request: web.Request) -> web.Response:
        form = await request.post()
        file = form["file"]
        self.received.append(file.filename if isinstance(file, web.FileField) else file)
        return web.json_response({"text": "hello"})


@pytest.fixture
async def together(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Together, ApiClient]]:
    fake = Together()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", fake.chat)
    app.router.add_post("/v1/files/upload", fake.upload)
    app.router.add_post("/v1/audio/speech", fake.speech)
    app.router.add_post("/v1/audio/transcriptions", fake.transcribe)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    # The API root, as Together's docs give it; the client adds the spec's /v1.
    monkeypatch.setenv("TOGETHER_BASE_URL", f"http://127.0.0.1:{runner.addresses[0][1]}")
    try:
        async with ApiClient(Configuration(access_token=TOKEN)) as client:
            yield fake, client
    finally:
        await runner.cleanup()


async def test_chat_completions_stream(together: tuple[Together, ApiClient]) -> None:
    fake, client = together
    request = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    api = chat_api.ChatApi(client)
    async with await api.chat_completions_stream(request) as stream:
        words = [chunk.choices[0].delta.content async for chunk in stream]
    assert words == ["Hello", " world"]
    assert fake.received == [{**request, "stream": True}]
    assert "stream" not in request


async def test_files_upload_from_a_path(
    together: tuple[Together, ApiClient], tmp_path: Path
) -> None:
    fake, client = together
    data = tmp_path / "train.jsonl"
    data.write_bytes(b'{"text": "a"}\n')
    # POST /files/upload has no operationId: named from method and path.
    response = await files_api.FilesApi(client).post_files_upload(
        {"purpose": "fine-tune", "file_name": "train.jsonl", "file": data}
    )
    assert fake.received == [("fine-tune", "train.jsonl", b'{"text": "a"}\n')]
    assert response.id == "file-1"


async def test_speech_to_a_file(together: tuple[Together, ApiClient], tmp_path: Path) -> None:
    fake, client = together
    target = tmp_path / "hello.wav"
    written = await audio_api.AudioApi(client).audio_speech_to_file(
        destination=target,
        audio_speech_request={"model": "cartesia/sonic", "input": "Hello", "voice": "v"},
    )
    assert written == len(WAV) and target.read_bytes() == WAV
    assert "stream" not in fake.received[0] or fake.received[0]["stream"] is False


async def test_transcription_of_a_path_and_of_a_url(
    together: tuple[Together, ApiClient], tmp_path: Path
) -> None:
    fake, client = together
    audio = tmp_path / "meeting.wav"
    audio.write_bytes(WAV)
    api = audio_api.AudioApi(client)
    await api.audio_transcriptions({"file": audio})
    await api.audio_transcriptions({"file": "https://example.test/meeting.wav"})
    assert fake.received == ["meeting.wav", "https://example.test/meeting.wav"]
