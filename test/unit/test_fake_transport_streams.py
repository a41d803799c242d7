"""The transport seam covers streams and downloads too: a fake transport whose ``open``
returns any ``OpenResponse`` (not an aiohttp object) serves a streamed chat completion and
a speech download, with retries, hooks and closing as in production (docs/runtime.md,
"Transport and connection pool")."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from together.generated import (
    ApiClient,
    AudioApi,
    ChatApi,
    ChatCompletionChunk,
    Configuration,
    ServiceUnavailableException,
)
from together.generated._runtime.hooks import AttemptRequest, AttemptResult
from together.generated._runtime.rest import PreparedRequest, RequestTimeout, RESTResponse
from together.generated._runtime.transport import Transport

HOST = "http://127.0.0.1:9/v1"
MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
CHAT = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}
SPEECH = {"model": "cartesia/sonic-2", "input": "Hello", "voice": "v"}


def chunk_event(text: str) -> bytes:
    chunk = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": MODEL,
        "choices": [
            {"index": 0, "delta": {"role": "assistant", "content": text}, "finish_reason": None}
        ],
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()


@dataclass
class Pieces:
    """A body served in the pieces given (each ``readany`` returns the next one)."""

    pieces: list[bytes]

    async def read(self, n: int = -1) -> bytes:
        if not self.pieces:
            return b""
        if n < 0:
            whole, self.pieces = b"".join(self.pieces), []
            return whole
        piece = self.pieces.pop(0)
        if len(piece) > n:
            self.pieces.insert(0, piece[n:])
        return piece[:n]

    async def readany(self) -> bytes:
        return self.pieces.pop(0) if self.pieces else b""


@dataclass
class CannedAnswer:
    """An ``OpenResponse`` that is not aiohttp's."""

    status: int
    headers: Mapping[str, str]
    content: Pieces
    reason: str | None = "OK"
    closed: bool = False
    released: bool = False

    async def read(self) -> bytes:
        return await self.content.read()

    def release(self) -> None:
        self.released = True

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeTransport:
    answers: list[CannedAnswer]
    opened: list[PreparedRequest] = field(default_factory=list)
    closed: bool = False

    async def request(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> RESTResponse:
        raise AssertionError("streams and downloads are opened, not requested")

    async def open(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> CannedAnswer:
        self.opened.append(request)
        return self.answers.pop(0)

    async def close(self) -> None:
        self.closed = True


def typed_as_a_transport(transport: FakeTransport) -> Transport:
    # What mypy checks (test/test_static_checks.py includes this file): a fake whose open()
    # returns a CannedAnswer is a Transport; before OpenResponse, open() had to be aiohttp's.
    return transport


def overloaded() -> CannedAnswer:
    error = b'{"error": {"message": "busy", "type": "server_error"}}'
    return CannedAnswer(
        503,
        {"Content-Type": "application/json", "Retry-After": "0"},
        Pieces([error]),
        reason="Service Unavailable",
    )


def stream_answer(*pieces: bytes) -> CannedAnswer:
    headers = {"Content-Type": "text/event-stream", "x-request-id": "req-7"}
    return CannedAnswer(200, headers, Pieces(list(pieces)))


class Seen:
    def __init__(self) -> None:
        self.statuses: list[int | None] = []

    def on_request(self, request: AttemptRequest) -> None:
        pass

    def on_response(self, request: AttemptRequest, result: AttemptResult) -> None:
        self.statuses.append(result.status)


def client(transport: FakeTransport, hook: Seen | None = None) -> ApiClient:
    configuration = Configuration(host=HOST, access_token="t", retry_max_backoff=0.0)
    return ApiClient(configuration, transport=transport, hooks=[hook] if hook else [])


async def test_a_fake_transport_serves_a_stream_after_a_retry() -> None:
    # The SSE split falls inside an event: the runtime must join the pieces.
    body = chunk_event("Hel") + chunk_event("lo") + b"data: [DONE]\n\n"
    transport = FakeTransport([overloaded(), stream_answer(body[:50], body[50:])])
    hook = Seen()
    async with client(transport, hook) as api_client:
        stream = await ChatApi(api_client).chat_completions_stream(CHAT)
        async with stream:
            chunks = [chunk async for chunk in stream]
    assert all(isinstance(chunk, ChatCompletionChunk) for chunk in chunks)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in chunks) == "Hello"
    assert stream.request_id == "req-7"
    assert hook.statuses == [503, 200]
    assert len(transport.opened) == 2
    assert json.loads(transport.opened[1].body or b"")["stream"] is True  # type: ignore[arg-type]


async def test_leaving_a_fake_stream_early_closes_it() -> None:
    answer = stream_answer(chunk_event("a"), chunk_event("b"), chunk_event("c"))
    async with (
        client(FakeTransport([answer])) as api_client,
        await ChatApi(api_client).chat_completions_stream(CHAT) as stream,
    ):
        async for _chunk in stream:
            break
    assert answer.closed


async def test_a_fake_transport_serves_a_download(tmp_path: Path) -> None:
    audio = b"RIFF" + bytes(range(256)) * 50
    answer = CannedAnswer(200, {"Content-Type": "audio/wav"}, Pieces([audio[:100], audio[100:]]))
    destination = tmp_path / "hello.wav"
    async with client(FakeTransport([answer])) as api_client:
        written = await AudioApi(api_client).audio_speech_to_file(
            audio_speech_request=SPEECH, destination=destination
        )
    assert written == len(audio)
    assert destination.read_bytes() == audio
    assert answer.closed


async def test_an_error_answer_from_a_fake_open_is_its_typed_exception(tmp_path: Path) -> None:
    transport = FakeTransport([overloaded()])
    configuration = Configuration(host=HOST, access_token="t", retries=0)
    async with ApiClient(configuration, transport=transport) as api_client:
        with pytest.raises(ServiceUnavailableException, match="busy"):
            await AudioApi(api_client).audio_speech_to_file(
                audio_speech_request=SPEECH, destination=tmp_path / "x.wav"
            )
    assert not (tmp_path / "x.wav").exists()
