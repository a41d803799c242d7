"""The blocking facade streams and downloads too (docs/runtime.md, "Synchronous use": every
async method blocks): ``for chunk in stream`` over real sockets, against the local server and
a counting server that sees the client go away."""

from __future__ import annotations

import asyncio
import gc
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiohttp import web

from support import TOKEN
from together.generated import (
    AudioApi,
    ChatApi,
    ChatCompletionChunk,
    Configuration,
    StreamException,
    SyncApiClient,
)
from together.generated._runtime.exceptions import ClientStateError
from together.generated._runtime.sync import SyncStream
from together.mock import MockOptions, MockServer

CHAT_MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
PROMPT = "the cat sat on the mat"
REQUEST = {"model": CHAT_MODEL, "messages": [{"role": "user", "content": PROMPT}]}


@contextmanager
def loop_in_a_thread() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop running in a thread, for servers a synchronous test talks to."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield loop
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


@contextmanager
def mock_server() -> Iterator[MockServer]:
    with loop_in_a_thread() as loop:
        server = MockServer(MockOptions(api_key=TOKEN))
        asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)
        try:
            yield server
        finally:
            asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)


class Counter:
    """Streams chat chunks until the client goes away; tells when it did."""

    def __init__(self) -> None:
        self.sent = 0
        self.disconnected = threading.Event()

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        chunk = {
            "id": "c",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": CHAT_MODEL,
            "choices": [
                {"index": 0, "delta": {"role": "assistant", "content": "x"}, "finish_reason": None}
            ],
        }
        try:
            for _ in range(10_000):
                await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.sent += 1
                await asyncio.sleep(0.01)
        except (ConnectionResetError, ConnectionError):
            self.disconnected.set()
            return response
        if request.transport is None or request.transport.is_closing():
            self.disconnected.set()
        return response


@contextmanager
def counting_server(counter: Counter) -> Iterator[str]:
    with loop_in_a_thread() as loop:
        app = web.Application()

        async def route(request: web.Request) -> web.StreamResponse:
            return await counter(request)

        app.router.add_post("/v1/chat/completions", route)
        runner = web.AppRunner(app, shutdown_timeout=0.5)

        async def start() -> int:
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            return int(runner.addresses[0][1])

        port = asyncio.run_coroutine_threadsafe(start(), loop).result(10)
        try:
            yield f"http://127.0.0.1:{port}/v1"
        finally:
            asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)


def test_a_stream_is_a_blocking_iterator_of_typed_chunks() -> None:
    with (
        mock_server() as server,
        SyncApiClient(Configuration(host=server.url, access_token=TOKEN)) as client,
    ):
        chat = client.api(ChatApi)
        whole = chat.chat_completions(REQUEST).choices[0].message.content
        with chat.chat_completions_stream(REQUEST) as stream:
            assert isinstance(stream, SyncStream)
            assert stream.status_code == 200
            chunks = list(stream)
        assert chunks and all(isinstance(chunk, ChatCompletionChunk) for chunk in chunks)
        text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
        assert text == whole
        assert text.endswith(PROMPT)  # the local server repeats the prompt
        assert stream.closed
        # The client is still usable after a stream.
        assert chat.chat_completions(REQUEST).choices[0].message.content == whole


def test_an_error_inside_a_stream_raises_its_typed_exception() -> None:
    with (
        mock_server() as server,
        SyncApiClient(Configuration(host=server.url, access_token=TOKEN, retries=0)) as client,
    ):
        stream = client.api(ChatApi).chat_completions_stream(
            REQUEST, _headers={"X-Mock-Status": "error-event"}
        )
        with pytest.raises(StreamException) as caught:
            for _chunk in stream:
                pass
        assert stream.closed
        assert caught.value.status == 200


def test_speech_to_a_file_blocks_until_the_file_is_complete(tmp_path: Path) -> None:
    destination = tmp_path / "hello.wav"
    with (
        mock_server() as server,
        SyncApiClient(Configuration(host=server.url, access_token=TOKEN)) as client,
    ):
        written = client.api(AudioApi).audio_speech_to_file(
            audio_speech_request={"model": "cartesia/sonic-2", "input": "Hello", "voice": "v"},
            destination=destination,
        )
    assert written > 0
    data = destination.read_bytes()
    assert len(data) == written
    assert data[:4] == b"RIFF"  # a WAV file, the spec's default format


@pytest.mark.parametrize("way_out", ["with", "close", "garbage"])
def test_leaving_a_stream_early_closes_the_connection(way_out: str) -> None:
    counter = Counter()
    with (
        counting_server(counter) as url,
        SyncApiClient(Configuration(host=url, access_token=TOKEN)) as client,
    ):
        chat = client.api(ChatApi)
        if way_out == "with":
            with chat.chat_completions_stream(REQUEST) as stream:
                for n, _chunk in enumerate(stream):
                    if n == 2:
                        break
        elif way_out == "close":
            stream = chat.chat_completions_stream(REQUEST)
            next(stream)
            stream.close()
            assert list(stream) == []
        else:
            for n, _chunk in enumerate(chat.chat_completions_stream(REQUEST)):
                if n == 2:
                    break
            gc.collect()
        assert counter.disconnected.wait(5), "the server kept streaming"
    assert counter.sent < 1000


def test_the_sync_stream_reads_on_the_clients_loop_only() -> None:
    # The stream's reads run on the SyncApiClient's loop: from inside a running loop (where
    # the async client belongs) the facade refuses, as for any call.
    counter = Counter()
    with (
        counting_server(counter) as url,
        SyncApiClient(Configuration(host=url, access_token=TOKEN)) as client,
    ):
        stream = client.api(ChatApi).chat_completions_stream(REQUEST)

        async def inside_a_loop() -> None:
            next(stream)

        with pytest.raises(ClientStateError, match="running event loop"):
            asyncio.run(inside_a_loop())
        stream.close()
