"""The attempt loop's details a caller sees: the deadline's error, what hooks measure, the
DEBUG line per request, the retry log line of a custom strategy, and which statuses count as
a success (docs/runtime.md "Hooks", "Retry strategy"; docs/reliability.md)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from scripted_client import ERROR, REQUEST, Clock, Hook, Scripted, answer, client

import together.generated._runtime.attempts as attempts_module
from support import HOST, embeddings_payload
from together.generated import (
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    EmbeddingsApi,
    OpenApiException,
    ServiceUnavailableException,
)
from together.generated._runtime.exceptions import MalformedResponseException
from together.generated._runtime.rest import PreparedRequest, RequestTimeout, RESTResponse
from together.generated._runtime.retry import AttemptOutcome

# ------------------------------------------------------------------ deadline


async def test_a_deadline_passing_during_an_attempt_is_a_typed_timeout_naming_it() -> None:
    transport = Scripted([answer(200, embeddings_payload([[1.0]]))], sleep=5.0)
    async with client(transport) as api_client:
        with pytest.raises(ApiTimeoutError) as caught:
            await EmbeddingsApi(api_client).embeddings(REQUEST, _deadline=0.05)
    assert str(caught.value) == "embeddings: the call's deadline of 0.05 s passed"
    assert isinstance(caught.value.__cause__, TimeoutError)
    assert isinstance(caught.value, TimeoutError)


async def test_a_transport_timeout_within_a_deadline_is_raised_as_it_is() -> None:
    own = ApiTimeoutError("POST https://api.test/v1/embeddings: timed out")
    transport = Scripted([own])
    async with client(transport, retries=0) as api_client:
        with pytest.raises(ApiTimeoutError) as caught:
            await EmbeddingsApi(api_client).embeddings(REQUEST, _deadline=30)
    assert caught.value is own


async def test_a_deadline_with_time_to_spare_still_retries() -> None:
    transport = Scripted(
        [answer(503, ERROR, **{"Retry-After": "1"}), answer(200, embeddings_payload([[1.0]]))]
    )
    async with client(transport) as api_client:
        waits: list[float] = []

        async def record(delay: float) -> None:
            waits.append(delay)

        api_client._sleep = record
        await EmbeddingsApi(api_client).embeddings(REQUEST, _deadline=30)
    assert waits == [1.0] and len(transport.sent) == 2


@pytest.mark.parametrize("deadline", [True, "5", None])
async def test_a_deadline_must_be_a_number(deadline: Any) -> None:
    transport = Scripted([answer(200, embeddings_payload([[1.0]]))])
    async with client(transport) as api_client:
        api = EmbeddingsApi(api_client)
        if deadline is None:  # None is "no deadline"
            await api.embeddings(REQUEST, _deadline=deadline)
        else:
            with pytest.raises(OpenApiException, match="_deadline must be a number"):
                await api.embeddings(REQUEST, _deadline=deadline)


@pytest.mark.parametrize("deadline", [0, -1, -0.5])
async def test_a_deadline_must_be_positive(deadline: float) -> None:
    transport = Scripted([])
    async with client(transport) as api_client:
        with pytest.raises(OpenApiException, match="_deadline must be a positive number"):
            await EmbeddingsApi(api_client).embeddings(REQUEST, _deadline=deadline)
    assert transport.sent == []


# ------------------------------------------------------------------ what hooks measure


async def test_hooks_get_each_attempts_own_duration(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr(attempts_module, "time", clock)
    hook = Hook()
    transport = Scripted(
        [
            answer(503, ERROR, **{"x-request-id": "r-1"}),
            ApiConnectionError("reset"),
            answer(200, embeddings_payload([[1.0]]), **{"request-id": "r-3"}),
        ],
        clock=clock,
        takes=0.25,
    )
    async with client(transport, hooks=[hook]) as api_client:
        await EmbeddingsApi(api_client).embeddings(REQUEST)
    assert [r.duration for r in hook.results] == [0.25, 0.25, 0.25]
    assert [r.status for r in hook.results] == [503, None, 200]
    assert [r.request_id for r in hook.results] == ["r-1", None, "r-3"]
    assert isinstance(hook.results[0].error, ServiceUnavailableException)
    assert isinstance(hook.results[1].error, ApiConnectionError)
    assert hook.results[2].error is None


async def test_a_hook_hears_of_an_unexpected_failure_without_a_status() -> None:
    class Broken(Scripted):
        async def request(
            self, request: PreparedRequest, *, timeout: RequestTimeout = None
        ) -> RESTResponse:
            raise KeyError("a bug in a transport")

    hook = Hook()
    async with client(Broken([]), hooks=[hook]) as api_client:
        with pytest.raises(KeyError):
            await EmbeddingsApi(api_client).embeddings(REQUEST)
    (result,) = hook.results
    assert result.status is None and isinstance(result.error, KeyError)


# ------------------------------------------------------------------ logging


async def test_debug_logs_one_line_per_request_without_token_or_text(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr(attempts_module, "time", clock)
    caplog.set_level(logging.DEBUG, logger="together.generated")
    transport = Scripted(
        [
            answer(503, ERROR, **{"x-request-id": "r-1"}),
            answer(200, embeddings_payload([[1.0]])),
        ],
        clock=clock,
        takes=0.0125,
    )
    async with client(transport) as api_client:
        await EmbeddingsApi(api_client).embeddings(REQUEST)
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert lines == [
        f"POST {HOST}/embeddings -> 503 in 12.5 ms (retry 0, request id r-1)",
        f"POST {HOST}/embeddings -> 200 in 12.5 ms (retry 1, request id -)",
    ]


async def test_the_debug_line_gives_the_attempts_duration_in_milliseconds(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr(attempts_module, "time", clock)
    caplog.set_level(logging.DEBUG, logger="together.generated")
    transport = Scripted([answer(200, embeddings_payload([[1.0]]))], clock=clock, takes=2.0)
    async with client(transport) as api_client:
        await EmbeddingsApi(api_client).embeddings(REQUEST)
    (line,) = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert line == f"POST {HOST}/embeddings -> 200 in 2000.0 ms (retry 0, request id -)"


async def test_a_custom_strategy_without_a_cap_logs_no_retry_count(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Once:
        def decide(self, outcome: AttemptOutcome) -> float | None:
            return 0.5 if outcome.attempt == 0 else None

    caplog.set_level(logging.INFO, logger="together.generated")
    transport = Scripted([answer(503, ERROR), answer(200, embeddings_payload([[1.0]]))])
    async with client(transport, retry_policy=Once()) as api_client:
        await EmbeddingsApi(api_client).embeddings(REQUEST)
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert lines == ["retrying embeddings after 503: retry 1 in 0.50 s (request id -)"]


async def test_a_capped_policy_logs_the_smaller_count(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="together.generated")

    class Always:
        def decide(self, outcome: AttemptOutcome) -> float | None:
            return 0.0

    transport = Scripted([answer(503, ERROR), answer(200, embeddings_payload([[1.0]]))])
    async with client(transport, retry_policy=Always()) as api_client:
        await EmbeddingsApi(api_client).embeddings(REQUEST, _retries=3)
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert lines == ["retrying embeddings after 503: retry 1 of 3 in 0.00 s (request id -)"]


# ------------------------------------------------------------------ what a success is


@pytest.mark.parametrize(("status", "success"), [(200, True), (299, True), (300, False)])
async def test_2xx_is_a_success_and_anything_else_an_error(status: int, success: bool) -> None:
    transport = Scripted([answer(status, embeddings_payload([[1.0]]))])
    async with client(transport, retries=0) as api_client:
        api = EmbeddingsApi(api_client)
        if success:
            assert (await api.embeddings(REQUEST)).data[0].embedding == [1.0]
        else:
            with pytest.raises(ApiException) as caught:
                await api.embeddings(REQUEST)
            assert caught.value.status == status


async def test_a_1xx_final_status_is_not_a_success() -> None:
    transport = Scripted([answer(199, embeddings_payload([[1.0]]))])
    async with client(transport, retries=0) as api_client:
        with pytest.raises(ApiException) as caught:
            await EmbeddingsApi(api_client).embeddings(REQUEST)
    assert caught.value.status == 199


async def test_a_hook_gets_the_request_id_of_a_malformed_success() -> None:
    hook = Hook()
    broken = RESTResponse(200, "OK", {"x-request-id": "bad-1"}, b"[]", "application/json")
    async with client(Scripted([broken]), hooks=[hook]) as api_client:
        with pytest.raises(MalformedResponseException):
            await EmbeddingsApi(api_client).embeddings(REQUEST)
    (result,) = hook.results
    assert (result.status, result.request_id) == (200, "bad-1")
    assert isinstance(result.error, MalformedResponseException)
