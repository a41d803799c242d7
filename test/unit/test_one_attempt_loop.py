"""Streams, downloads and raw calls open through the same attempt loop as ``call_api``:
the call's (or client's) retry strategy decides, hooks see every attempt, the deadline and
the Retry-After cap hold, and a hook that raises leaves no connection open."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from pydantic import BaseModel, TypeAdapter

from support import HOST, TOKEN, embeddings_payload, sent_calls
from together.generated import (
    ApiClient,
    Configuration,
    EmbeddingsApi,
    EmbeddingsRequest,
    RateLimitException,
    ServiceUnavailableException,
)
from together.generated._runtime.hooks import AttemptRequest, AttemptResult
from together.generated._runtime.operation import BodySpec, Operation, Param, ResponseSpec
from together.generated._runtime.retry import AttemptOutcome
from together.generated.models.error_data import ErrorData


class Chunk(BaseModel):
    text: str


class Request(BaseModel):
    model: str
    stream: bool | None = None


ERRORS = {code: ResponseSpec.json(ErrorData) for code in ("429", "503")}
STREAM: Operation[Chunk] = Operation(
    operation_id="complete",
    method="POST",
    path="/complete",
    body=BodySpec("application/json", TypeAdapter(Request), model=Request),
    responses={"200": ResponseSpec.json(Chunk), **ERRORS},
    stream_responses={"200": ResponseSpec.event_stream(Chunk)},
    stream_flag="stream",
    retry_safe=True,
)
DOWNLOAD: Operation[bytes] = Operation(
    operation_id="file_content",
    method="GET",
    path="/files/{id}/content",
    params=(Param("id", "path", TypeAdapter(str)),),
    responses={"200": ResponseSpec("bytes"), **ERRORS},
    accept="application/octet-stream",
    retry_safe=True,
)
STREAM_URL = f"{HOST}/complete"
DOWNLOAD_URL = f"{HOST}/files/f-1/content"
SSE = {"Content-Type": "text/event-stream", "x-request-id": "ok-3"}
BUSY = {"error": {"message": "busy"}}


class Recorder:
    """A retry strategy and a hook at once: what each saw, in order."""

    def __init__(self, waits: list[float | None]) -> None:
        self.waits = waits
        self.outcomes: list[tuple[int, int | None, str]] = []
        self.spans: list[tuple[str, int, int | None, str | None, str | None]] = []
        self.open: dict[AttemptRequest, None] = {}

    def decide(self, outcome: AttemptOutcome) -> float | None:
        self.outcomes.append((outcome.attempt, outcome.status, type(outcome.error).__name__))
        return self.waits.pop(0)

    def on_request(self, request: AttemptRequest) -> None:
        self.open[request] = None

    def on_response(self, request: AttemptRequest, result: AttemptResult) -> None:
        del self.open[request]
        error = type(result.error).__name__ if result.error is not None else None
        self.spans.append(
            (request.operation_id, request.attempt, result.status, result.request_id, error)
        )


def fail_twice(mocked: aioresponses, url: str, method: str = "post") -> None:
    getattr(mocked, method)(url, status=503, payload=BUSY, headers={"x-request-id": "r-1"})
    getattr(mocked, method)(url, exception=aiohttp.ClientConnectionError("reset"))


async def no_wait(delay: float) -> None:
    pass


async def test_a_per_call_strategy_and_a_hook_see_every_attempt_of_a_stream(
    mocked: aioresponses,
) -> None:
    fail_twice(mocked, STREAM_URL)
    mocked.post(STREAM_URL, body='data: {"text": "ok"}\n\ndata: [DONE]\n\n', headers=SSE)
    recorder = Recorder([0.25, 0.5])
    # The configuration says no retries: only the call's strategy can retry here.
    async with ApiClient(
        Configuration(host=HOST, access_token=TOKEN, retries=0), hooks=[recorder]
    ) as api_client:
        waited: list[float] = []

        async def sleep(delay: float) -> None:
            waited.append(delay)

        api_client._sleep = sleep
        stream = await api_client.call_api_stream(STREAM, {}, {"model": "m"}, retry_policy=recorder)
        async with stream:
            assert [chunk.text async for chunk in stream] == ["ok"]
    assert recorder.outcomes == [
        (0, 503, "ServiceUnavailableException"),
        (1, None, "ApiConnectionError"),
    ]
    assert waited == [0.25, 0.5]
    assert recorder.spans == [
        ("complete", 0, 503, "r-1", "ServiceUnavailableException"),
        ("complete", 1, None, None, "ApiConnectionError"),
        ("complete", 2, 200, "ok-3", None),
    ]
    assert recorder.open == {}


async def test_a_client_strategy_and_a_hook_see_every_attempt_of_a_download(
    mocked: aioresponses,
) -> None:
    fail_twice(mocked, DOWNLOAD_URL, "get")
    mocked.get(DOWNLOAD_URL, body=b"\x00\x01payload", headers={"x-request-id": "ok-3"})
    recorder = Recorder([0.0, 0.0])
    async with ApiClient(
        Configuration(host=HOST, access_token=TOKEN, retries=0),
        retry_policy=recorder,
        hooks=[recorder],
    ) as api_client:
        api_client._sleep = no_wait
        sink = io.BytesIO()
        written = await api_client.call_api_download(DOWNLOAD, {"id": "f-1"}, None, sink)
    assert (written, sink.getvalue()) == (9, b"\x00\x01payload")
    assert recorder.outcomes == [
        (0, 503, "ServiceUnavailableException"),
        (1, None, "ApiConnectionError"),
    ]
    assert [span[1:4] for span in recorder.spans] == [
        (0, 503, "r-1"),
        (1, None, None),
        (2, 200, "ok-3"),
    ]


async def test_a_strategy_saying_stop_raises_the_first_failure_of_a_download(
    mocked: aioresponses,
) -> None:
    fail_twice(mocked, DOWNLOAD_URL, "get")
    recorder = Recorder([None])
    async with ApiClient(Configuration(host=HOST, access_token=TOKEN, retries=5)) as api_client:
        with pytest.raises(ServiceUnavailableException) as raised:
            await api_client.call_api_download(
                DOWNLOAD, {"id": "f-1"}, None, io.BytesIO(), retry_policy=recorder
            )
    assert raised.value.request_id == "r-1"
    assert recorder.outcomes == [(0, 503, "ServiceUnavailableException")]
    assert len(sent_calls(mocked)) == 1


async def test_a_retry_after_beyond_the_cap_fails_a_stream_at_once(mocked: aioresponses) -> None:
    # README: Retry-After is honoured up to 60 s (max_retry_after); a longer wait fails now.
    mocked.post(STREAM_URL, status=429, payload=BUSY, headers={"Retry-After": "61"})
    mocked.post(STREAM_URL, body="data: [DONE]\n\n", headers=SSE)
    async with ApiClient(Configuration(host=HOST, access_token=TOKEN, retries=3)) as api_client:
        api_client._sleep = no_wait
        with pytest.raises(RateLimitException) as raised:
            await api_client.call_api_stream(STREAM, {}, {"model": "m"})
    assert raised.value.retry_after == 61
    assert len(sent_calls(mocked)) == 1


async def test_retries_per_call_cap_a_custom_strategy_for_a_stream(mocked: aioresponses) -> None:
    fail_twice(mocked, STREAM_URL)
    recorder = Recorder([0.0, 0.0])
    async with ApiClient(
        Configuration(host=HOST, access_token=TOKEN), retry_policy=recorder
    ) as api_client:
        api_client._sleep = no_wait
        with pytest.raises(ServiceUnavailableException):
            await api_client.call_api_stream(STREAM, {}, {"model": "m"}, retries=0)
    assert recorder.outcomes == []  # capped at 0 retries: the strategy is not even asked


async def test_a_hook_that_raises_on_a_raw_answer_leaves_no_connection_open(
    mocked: aioresponses,
) -> None:
    mocked.get(DOWNLOAD_URL, body=b"abc")
    closed: list[aiohttp.ClientResponse] = []

    class Broken:
        def on_request(self, request: AttemptRequest) -> None:
            pass

        def on_response(self, request: AttemptRequest, result: AttemptResult) -> None:
            raise RuntimeError("a bug in the hook")

    real_close = aiohttp.ClientResponse.close

    def spy(self: aiohttp.ClientResponse) -> None:
        closed.append(self)
        real_close(self)

    async with ApiClient(
        Configuration(host=HOST, access_token=TOKEN), hooks=[Broken()]
    ) as api_client:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(aiohttp.ClientResponse, "close", spy)
            with pytest.raises(RuntimeError, match="a bug in the hook"):
                await api_client.call_api_raw(DOWNLOAD, {"id": "f-1"})
    assert len(closed) == 1  # the response nobody will get is closed


async def test_a_generated_method_takes_a_per_call_strategy(mocked: aioresponses) -> None:
    url = f"{HOST}/embeddings"
    mocked.post(url, status=503, payload=BUSY)
    mocked.post(url, payload=embeddings_payload([[0.5]]))
    recorder = Recorder([0.0])
    async with ApiClient(Configuration(host=HOST, access_token=TOKEN, retries=0)) as api_client:
        api_client._sleep = no_wait
        request = EmbeddingsRequest(model="m", input=["a"])
        response = await EmbeddingsApi(api_client).embeddings(request, _retry_policy=recorder)
    assert response.data[0].embedding == [0.5]
    assert recorder.outcomes == [(0, 503, "ServiceUnavailableException")]


async def test_a_streams_request_id_is_read_like_every_results(mocked: aioresponses) -> None:
    # README: results and errors carry the server's x-request-id (or request-id).
    headers = {"Content-Type": "text/event-stream", "request-id": "plain-7"}
    mocked.post(STREAM_URL, body="data: [DONE]\n\n", headers=headers)
    async with ApiClient(Configuration(host=HOST, access_token=TOKEN)) as api_client:
        stream = await api_client.call_api_stream(STREAM, {}, {"model": "m"})
        async with stream:
            assert stream.request_id == "plain-7"


async def test_a_cancelled_attempt_is_reported_so_no_span_stays_open() -> None:
    recorder = Recorder([])
    started = asyncio.Event()

    class Hanging:
        closed = False

        async def request(self, request: Any, *, timeout: Any = None) -> Any:
            started.set()
            await asyncio.Event().wait()  # never answers

        async def open(self, request: Any, *, timeout: Any = None) -> Any:
            raise AssertionError("not used")

        async def close(self) -> None:
            self.closed = True

    async with ApiClient(
        Configuration(host=HOST, access_token=TOKEN), transport=Hanging(), hooks=[recorder]
    ) as api_client:
        request = EmbeddingsRequest(model="m", input=["a"])
        call = asyncio.create_task(EmbeddingsApi(api_client).embeddings(request))
        await started.wait()
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
    assert recorder.open == {}
    assert recorder.spans == [("embeddings", 0, None, None, "CancelledError")]
