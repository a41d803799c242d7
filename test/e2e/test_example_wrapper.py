"""examples/together_client.py, a wrapper SDK on the public surface, against the local server
over real sockets; and the blocking facade it uses."""

from __future__ import annotations

import ast
import asyncio
import gc
import importlib.util
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import aiohttp
import pytest

import together.generated
from support import REPOSITORY, TOKEN
from together.generated import (
    ApiClient,
    Configuration,
    EmbeddingsApi,
    EmbeddingsRequest,
    EmbeddingsResponse,
    NotFoundException,
    UnauthorizedException,
)
from together.generated._runtime.exceptions import ClientStateError
from together.generated._runtime.hooks import AttemptRequest, AttemptResult
from together.generated._runtime.sync import SyncApiClient
from together.mock import FaultOptions, MockOptions, MockServer

EXAMPLE = REPOSITORY / "examples" / "together_client.py"
MODEL = "BAAI/bge-base-en-v1.5"  # 768 dimensions on the local server


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("together_client", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@contextmanager
def server_in_a_thread(options: MockOptions) -> Iterator[MockServer]:
    """The local server on its own loop in a thread, for callers that have no loop."""
    server = MockServer(options)
    ready = threading.Event()
    loop = asyncio.new_event_loop()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        ready.set()
        loop.run_forever()
        loop.run_until_complete(server.stop())
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


def test_the_example_uses_no_private_name() -> None:
    """If the wrapper needed a private name of the runtime, a seam would be missing."""
    tree = ast.parse(EXAMPLE.read_text())
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("together"):
            assert not any(part.startswith("_") for part in (node.module or "").split("."))
            imported += [alias.name for alias in node.names]
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            owner = node.value
            # Only the example's own private attributes (self._x) are allowed.
            assert isinstance(owner, ast.Name) and owner.id == "self", ast.unparse(node)
    assert imported and not [name for name in imported if name.startswith("_")]


async def test_async_wrapper_against_the_local_server() -> None:
    pytest.importorskip("numpy")
    example = load_example()
    spans: list[tuple[str, int | None]] = []

    class Metrics:
        def on_request(self, request: AttemptRequest) -> None:
            pass

        def on_response(self, request: AttemptRequest, result: AttemptResult) -> None:
            spans.append((request.path, result.status))

    options = MockOptions(api_key=TOKEN, faults=FaultOptions(script=[503], retry_after=0.01))
    async with (
        MockServer(options) as server,
        example.AsyncTogether(api_key=TOKEN, base_url=server.url, hooks=[Metrics()]) as client,
    ):
        vectors = await client.embeddings.create(
            model=MODEL, input=["a cat", "a dog", "stocks"], as_numpy=True
        )
        response = await client.embeddings.create(model=MODEL, input="one text")
        with pytest.raises(NotFoundException) as missing:
            await client.embeddings.create(model="no/such-model", input="x")
    assert vectors.shape == (3, 768) and str(vectors.dtype) == "float32"
    assert isinstance(response, EmbeddingsResponse) and len(response.data) == 1
    assert missing.value.request_id and missing.value.request_id in str(missing.value)
    assert spans[:2] == [("/embeddings", 503), ("/embeddings", 200)]  # retried, and seen


async def test_async_wrappers_share_one_session() -> None:
    example = load_example()
    async with MockServer(MockOptions(api_key=TOKEN)) as server, aiohttp.ClientSession() as session:
        for _ in range(2):
            async with example.AsyncTogether(
                api_key=TOKEN, base_url=server.url, session=session
            ) as client:
                await client.embeddings.create(model=MODEL, input="x")
        assert not session.closed  # the wrappers closed, the shared pool did not
        assert server.stats()["/v1/embeddings"] == {"200": 2}


def test_blocking_wrapper_without_an_event_loop() -> None:
    pytest.importorskip("numpy")
    example = load_example()
    with server_in_a_thread(MockOptions(api_key=TOKEN)) as server:
        with example.Together(api_key=TOKEN, base_url=server.url) as client:
            vectors = client.embeddings.create(model=MODEL, input=["a", "b"], as_numpy=True)
            again = client.embeddings.create(model=MODEL, input=["a", "b"], as_numpy=True)
        with (
            example.Together(api_key="wrong", base_url=server.url) as client,
            pytest.raises(UnauthorizedException),
        ):
            client.embeddings.create(model=MODEL, input="a")
    assert vectors.shape == (2, 768) and (vectors == again).all()


def test_sync_facade_runs_the_generated_api_as_is() -> None:
    with server_in_a_thread(MockOptions(api_key=TOKEN)) as server:
        configuration = Configuration(host=server.url, access_token=TOKEN, retries=0)
        with SyncApiClient(configuration) as client:
            api = client.api(EmbeddingsApi)
            response = api.embeddings(EmbeddingsRequest(model=MODEL, input=["x"]))
            info = api.embeddings_with_http_info({"model": MODEL, "input": "y"})
            assert api.api_client is client.api_client  # plain attributes pass through
        assert client.api_client.closed
    assert len(response.data[0].embedding) == 768
    assert info.status_code == 200 and info.request_id
    with pytest.raises(ClientStateError, match="closed"):
        client.api(EmbeddingsApi).embeddings(EmbeddingsRequest(model=MODEL, input=["x"]))


async def test_sync_facade_refuses_a_running_loop_without_leaking_a_coroutine() -> None:
    client = SyncApiClient(Configuration(host="https://api.test/v1", access_token=TOKEN))
    with pytest.raises(ClientStateError, match="running event loop"):
        client.api(EmbeddingsApi).embeddings(EmbeddingsRequest(model=MODEL, input=["x"]))
    await asyncio.to_thread(client._runner.close)  # close from a thread without a loop
    with pytest.warns(ResourceWarning, match="Unclosed SyncApiClient"):  # never closed
        del client
        gc.collect()


def test_sync_facade_refuses_another_thread() -> None:
    with SyncApiClient(Configuration(host="https://api.test/v1", access_token=TOKEN)) as client:
        errors: list[BaseException] = []

        def use() -> None:
            try:
                client.api(EmbeddingsApi).embeddings(EmbeddingsRequest(model=MODEL, input="x"))
            except BaseException as exc:  # handed to the test thread
                errors.append(exc)

        thread = threading.Thread(target=use)
        thread.start()
        thread.join(10)
    assert len(errors) == 1 and isinstance(errors[0], ClientStateError)


def test_sync_facade_refuses_a_session() -> None:
    with pytest.raises(ClientStateError, match="own event loop"):
        SyncApiClient(Configuration(host="https://api.test/v1"), session=object())


async def test_trace_configs_reach_the_session() -> None:
    """aiohttp's own tracing, passed through: connection-level events for a wrapper."""
    events: list[str] = []

    async def on_request_start(session: Any, context: Any, params: Any) -> None:
        events.append(f"start {params.method} {params.url.path}")
        assert "Authorization" in params.headers  # aiohttp's tracing sees what aiohttp sends

    async def on_connection_create_end(session: Any, context: Any, params: Any) -> None:
        events.append("connected")

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    trace.on_connection_create_end.append(on_connection_create_end)
    async with MockServer(MockOptions(api_key=TOKEN)) as server:
        configuration = Configuration(host=server.url, access_token=TOKEN, retries=0)
        async with ApiClient(configuration, trace_configs=[trace]) as client:
            await EmbeddingsApi(client).embeddings(EmbeddingsRequest(model=MODEL, input="x"))
    assert events == ["start POST /v1/embeddings", "connected"]
    assert together.generated.ApiClient is ApiClient


@pytest.mark.parametrize("form", ["root", "root/", "root/v1"])
def test_base_url_is_the_api_root_as_for_the_official_sdk(form: str) -> None:
    # The official together SDK and TOGETHER_BASE_URL take the API root
    # (https://api.together.ai) and add /v1; a URL already ending in /v1 stays as it is.
    example = load_example()
    with server_in_a_thread(MockOptions(api_key=TOKEN)) as server:
        root = server.url.removesuffix("/v1")
        base_url = {"root": root, "root/": root + "/", "root/v1": root + "/v1"}[form]
        with example.Together(api_key=TOKEN, base_url=base_url) as client:
            response = client.embeddings.create(model=MODEL, input="x")
        assert len(response.data) == 1
        assert server.stats()["/v1/embeddings"] == {"200": 1}
