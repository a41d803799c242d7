"""Helpers of the bulk tests: an oracle independent of the code under test, and CLI set-ups."""

from __future__ import annotations

import asyncio
import io
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, cast

import numpy as np
from multidict import CIMultiDict, CIMultiDictProxy

from support import TOKEN, json_of
from together.generated import ApiClient, Configuration
from together.generated._runtime.rest import PreparedRequest, RESTResponse
from together.mock import MockOptions, MockServer
from together.mock.embedding import DEFAULT_DIMENSIONS, embed

MODEL = "BAAI/bge-base-en-v1.5"


def expected_rows(texts: list[str], model: str = MODEL) -> np.ndarray:
    """The local server's vectors, computed here directly (not through the client)."""
    dimensions = DEFAULT_DIMENSIONS[model]
    return np.array([embed(model, dimensions, text) for text in texts], dtype=np.float32)


def sentences(n: int, start: int = 0) -> list[str]:
    return [f"sentence {i} about topic {i % 7}" for i in range(start, start + n)]


def write_lines(path: Path, texts: list[str]) -> Path:
    path.write_text("".join(text + "\n" for text in texts), encoding="utf-8")
    return path


def server_env(server: MockServer) -> dict[str, str]:
    """Environment that points together-embed at ``server`` (as for the real API)."""
    return {"TOGETHER_API_KEY": TOKEN, "TOGETHER_BASE_URL": server.url}


# ------------------------------------------------- the command line in this process (not a child)


@contextmanager
def threaded_server(options: MockOptions | None = None) -> Iterator[MockServer]:
    """The local server on its own event loop in a thread: the command under test runs its
    own ``asyncio.run`` in the test's thread, as it does in a process of its own."""
    server = MockServer(options or MockOptions(api_key=TOKEN))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(server.start(), loop).result(30)
        try:
            yield server
        finally:
            asyncio.run_coroutine_threadsafe(server.stop(), loop).result(30)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()


class Stdin(io.StringIO):
    """Standard input for ``run_bulk``: lines (bytes) in ``buffer``; a terminal or not."""

    def __init__(self, lines: Iterable[bytes] = (), *, tty: bool = False) -> None:
        super().__init__()
        self._lines = iter(lines)
        self.tty = tty

    @property
    def buffer(self) -> BinaryIO:
        # The command only iterates standard input's binary buffer: an iterator of lines
        # stands in for it (one that raises, e.g. KeyboardInterrupt, included).
        return cast(BinaryIO, self._lines)

    def isatty(self) -> bool:
        return self.tty


# ------------------------------------------------------------ a fake transport for unit tests

Answer = Callable[[list[str]], "tuple[int, object]"]


class FakeTransport:
    """Answers each embeddings request with ``answer(texts) -> (status, JSON body)``."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.sent: list[list[str]] = []

    async def request(self, request: PreparedRequest, *, timeout: object = None) -> RESTResponse:
        texts = json_of(request.body)["input"]
        self.sent.append(texts)
        status, body = self.answer(texts)
        headers = CIMultiDictProxy(CIMultiDict({"Content-Type": "application/json"}))
        return RESTResponse(status, "", headers, json.dumps(body).encode(), "application/json")

    async def open(self, request: PreparedRequest, *, timeout: object = None) -> RESTResponse:
        raise NotImplementedError

    async def close(self) -> None:
        pass


def fake_client(answer: Answer) -> tuple[ApiClient, FakeTransport]:
    transport = FakeTransport(answer)
    configuration = Configuration(host="https://api.example/v1", access_token=TOKEN)
    return ApiClient(configuration, transport=transport), transport  # type: ignore[arg-type]


def vectors_of(texts: list[str], dimensions: int = 4) -> dict[str, object]:
    """A well-formed answer: text *i* gets the vector ``[i + 1] * dimensions``."""
    data = [
        {"object": "embedding", "index": i, "embedding": [float(i + 1)] * dimensions}
        for i in range(len(texts))
    ]
    return {"object": "list", "model": MODEL, "data": data}


def refusal(message: str, param: str | None = None) -> dict[str, object]:
    return {"error": {"message": message, "type": "invalid_request_error", "param": param}}
