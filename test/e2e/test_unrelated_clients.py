"""Clients that are not ours accept the server: the OpenAI SDK, and schemathesis' checks
generated from openapi.yaml (no 5xx, every answer conforms to the spec)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from support import REPOSITORY, TOKEN
from together.mock import MockOptions, MockServer


async def test_openai_sdk_embeddings_create(mock_server: MockServer) -> None:
    openai = pytest.importorskip("openai")
    async with openai.AsyncOpenAI(base_url=mock_server.url, api_key=TOKEN, max_retries=0) as client:
        floats = await client.embeddings.create(
            model="BAAI/bge-base-en-v1.5", input=["hello world", "goodbye"], encoding_format="float"
        )
        default = await client.embeddings.create(model="BAAI/bge-base-en-v1.5", input="hello world")
    assert [len(d.embedding) for d in floats.data] == [768, 768]
    assert floats.model == "BAAI/bge-base-en-v1.5"
    # The SDK asks for base64 by default and decodes it: the same vector within float32.
    assert default.data[0].embedding == pytest.approx(floats.data[0].embedding, abs=1e-6)


class ThreadedServer:
    """The server on its own event loop in a thread, for synchronous clients (schemathesis)."""

    def __init__(self, options: MockOptions) -> None:
        self.server = MockServer(options)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> MockServer:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)
        return self.server

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

schema = schemathesis.openapi.from_path(REPOSITORY / "openapi.yaml")


@pytest.fixture(scope="module")
def threaded_server() -> Iterator[MockServer]:
    with ThreadedServer(MockOptions(api_key=TOKEN)) as server:
        yield server


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_server_conforms_to_the_spec(case: schemathesis.Case, threaded_server: MockServer) -> None:
    case.call_and_validate(
        base_url=threaded_server.url, headers={"Authorization": f"Bearer {TOKEN}"}
    )
