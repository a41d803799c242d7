"""SyncApiClient: the generated API classes driven from code without an event loop.

Through a fake transport (no sockets): the facade's own rules — one private loop, one
thread, closing — are what is tested here; the generated methods run unchanged on it.
The facade over real sockets: test/e2e/test_example_wrapper.py.
"""

from __future__ import annotations

import asyncio
import gc
import json
import threading
from dataclasses import dataclass, field
from typing import Any

import pytest

from support import HOST, TOKEN, embeddings_payload
from together.generated import (
    ApiClient,
    Configuration,
    EmbeddingsApi,
    EmbeddingsRequest,
    ServiceUnavailableException,
    SyncApiClient,
)
from together.generated._runtime.exceptions import ClientStateError
from together.generated._runtime.rest import PreparedRequest, RequestTimeout, RESTResponse
from together.generated._runtime.sync import BlockingApi

REQUEST = EmbeddingsRequest(model="m", input=["a"])


def answer(status: int, document: Any) -> RESTResponse:
    return RESTResponse(
        status=status,
        reason={200: "OK", 503: "Service Unavailable"}[status],
        headers={"Content-Type": "application/json", "x-request-id": f"r-{status}"},
        data=json.dumps(document).encode(),
        content_type="application/json",
    )


@dataclass
class FakeTransport:
    answers: list[RESTResponse]
    loops: list[asyncio.AbstractEventLoop] = field(default_factory=list)
    closed: bool = False
    close_calls: int = 0

    async def request(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> RESTResponse:
        self.loops.append(asyncio.get_running_loop())
        return self.answers.pop(0)

    async def open(self, request: PreparedRequest, *, timeout: RequestTimeout = None) -> Any:
        raise ClientStateError("no unread answers here")

    async def close(self) -> None:
        self.closed = True
        self.close_calls += 1


def sync_client(*answers: RESTResponse, **settings: Any) -> tuple[SyncApiClient, FakeTransport]:
    transport = FakeTransport(list(answers))
    configuration = Configuration(host=HOST, access_token=TOKEN, retries=0, **settings)
    return SyncApiClient(configuration, transport=transport), transport


def test_generated_methods_block_and_return_their_result() -> None:
    client, transport = sync_client(
        answer(200, embeddings_payload([[1.0, 2.0]])), answer(200, embeddings_payload([[3.0]]))
    )
    with client:
        api = client.api(EmbeddingsApi)
        assert isinstance(api, BlockingApi)
        response = api.embeddings(REQUEST)
        info = api.embeddings_with_http_info(embeddings_request={"model": "m", "input": "b"})
    assert response.data[0].embedding == [1.0, 2.0]
    assert info.status_code == 200 and info.request_id == "r-200"
    assert info.data.data[0].embedding == [3.0]
    assert transport.loops[0] is transport.loops[1]  # one private loop for every call
    assert transport.closed


def test_errors_arrive_typed() -> None:
    client, _ = sync_client(answer(503, {"error": {"message": "busy", "type": "t"}}))
    with client, pytest.raises(ServiceUnavailableException, match="busy"):
        client.api(EmbeddingsApi).embeddings(REQUEST)


def test_plain_attributes_and_method_names_pass_through() -> None:
    client, _ = sync_client()
    with client:
        api = client.api(EmbeddingsApi)
        assert api.api_client is client.api_client
        assert api.embeddings.__name__ == "embeddings"
        assert api.embeddings.__doc__ == EmbeddingsApi.embeddings.__doc__
        with pytest.raises(AttributeError):
            api.no_such_method  # noqa: B018


def test_run_returns_what_the_call_returns() -> None:
    client, _ = sync_client()
    with client:

        async def forty_two() -> int:
            await asyncio.sleep(0)
            return 42

        assert client.run(forty_two) == 42
        assert isinstance(client.api_client, ApiClient)


def test_client_options_reach_the_async_client() -> None:
    client, transport = sync_client()
    with client:
        assert client.api_client.rest_client is transport


def test_close_is_idempotent_and_a_closed_client_refuses_calls() -> None:
    client, transport = sync_client(answer(200, embeddings_payload([[1.0]])))
    client.close()
    client.close()
    assert transport.close_calls == 1
    api = client.api(EmbeddingsApi)
    with pytest.raises(ClientStateError, match=r"^this SyncApiClient is closed; create a new one$"):
        api.embeddings(REQUEST)
    with pytest.raises(ClientStateError, match="closed"):
        client.run(lambda: asyncio.sleep(0))
    gc.collect()  # a refused call made no coroutine: nothing "never awaited" to warn about


def test_leaving_with_closes_even_after_an_error() -> None:
    client, transport = sync_client()
    with pytest.raises(RuntimeError), client:
        raise RuntimeError("the caller's")
    assert transport.closed
    with pytest.raises(ClientStateError):
        client.run(lambda: asyncio.sleep(0))


def test_a_session_is_refused() -> None:
    with pytest.raises(
        ClientStateError,
        match=r"^a SyncApiClient runs its own event loop; an aiohttp session from another loop cannot be used in it$",
    ):
        SyncApiClient(Configuration(host=HOST), session=object())


def test_another_thread_is_refused_and_the_owner_can_go_on() -> None:
    client, _ = sync_client(answer(200, embeddings_payload([[1.0]])))
    errors: list[BaseException] = []

    def use() -> None:
        try:
            client.api(EmbeddingsApi).embeddings(REQUEST)
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)

    with client:
        thread = threading.Thread(target=use)
        thread.start()
        thread.join(10)
        assert len(errors) == 1 and isinstance(errors[0], ClientStateError)
        assert str(errors[0]) == "a SyncApiClient is used from the thread that created it"
        assert client.api(EmbeddingsApi).embeddings(REQUEST).data[0].embedding == [1.0]
    gc.collect()


async def test_a_running_loop_is_refused() -> None:
    client, _ = sync_client()
    with pytest.raises(
        ClientStateError,
        match=r"^SyncApiClient called inside a running event loop; await the ApiClient instead$",
    ):
        client.run(lambda: asyncio.sleep(0))
    with pytest.raises(ClientStateError, match="running event loop"):
        client.api(EmbeddingsApi).embeddings(REQUEST)
    # Its private loop is closed from a thread without a running loop; the client was never
    # closed, and says so when dropped (here, inside a running loop: only the warning).
    await asyncio.to_thread(client._runner.close)
    with pytest.warns(ResourceWarning, match="Unclosed SyncApiClient"):
        del client
        gc.collect()


def test_a_client_dropped_unclosed_warns_and_closes_its_loop_and_transport() -> None:
    """Like an ApiClient dropped with its pool open (docs/reliability.md, "Lifecycle")."""
    client, transport = sync_client(answer(200, embeddings_payload([[1.0]])))
    client.api(EmbeddingsApi).embeddings(REQUEST)
    loop = client.run(_running_loop)
    with pytest.warns(ResourceWarning, match="Unclosed SyncApiClient"):
        del client
        gc.collect()
    assert transport.close_calls == 1
    assert loop.is_closed()


def test_a_closed_client_dropped_does_not_warn() -> None:
    client, transport = sync_client()
    loop = client.run(_running_loop)
    client.close()
    del client
    gc.collect()  # warnings are errors in this suite: a warning here fails the test
    assert transport.close_calls == 1 and loop.is_closed()


async def _running_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()
