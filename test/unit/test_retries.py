"""Retries: which failures are retried, how long the client waits, and when it gives up."""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses

import together.generated
from support import EMBEDDINGS_URL, HOST, TOKEN, embeddings_payload, rest_transport, sent_calls
from together.generated import (
    ApiClient,
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    Configuration,
    EmbeddingsRequest,
    MalformedResponseError,
    RateLimitException,
    ServiceUnavailableException,
)
from together.generated._runtime.operation import Operation, ResponseSpec
from together.generated._runtime.retry import RetryPolicy, parse_retry_after

REQUEST = EmbeddingsRequest(model="m", input="x")
ERROR = {"error": {"message": "try later", "type": "server_error"}}
#: The retried statuses, as README.md and docs/reliability.md state them.
README_RETRIED_STATUSES = [408, 409, 429, 500, 502, 503, 504]

# ------------------------------------------------------------------ Retry-After parsing


def http_date(seconds_from_now: float) -> str:
    return format_datetime(datetime.now(UTC) + timedelta(seconds=seconds_from_now), usegmt=True)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"Retry-After": "0"}, 0.0),
        ({"Retry-After": " 1.5 "}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "0"}, 0.0),
        ({"retry-after-ms": "0", "Retry-After": "9"}, 0.0),  # 0 ms is a value, not "absent"
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),  # the finer one wins
        ({"retry-after-ms": "soon", "Retry-After": "9"}, 9.0),  # garbage ms: fall back
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "-5"}, None),
        ({"Retry-After": "nan"}, None),
        ({"Retry-After": "inf"}, None),
        ({"retry-after-ms": "-1"}, None),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),  # in the past: no wait
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00"}, 0.0),  # no zone: GMT is implied
        ({"Retry-After": "Thu, 99 Foo 2015 99:99:99 GMT"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers) == expected


def test_parse_retry_after_http_date_in_the_future() -> None:
    assert parse_retry_after({"Retry-After": http_date(30)}) == pytest.approx(30, abs=1.5)


# ------------------------------------------------------------------ backoff


@pytest.mark.parametrize("retry", range(8))
def test_backoff_is_full_jitter_within_the_exponential_bound(retry: int) -> None:
    policy = RetryPolicy()
    rng = random.Random(retry)
    bound = min(8.0, 0.5 * 2**retry)
    samples = [policy.backoff(retry, rng) for _ in range(2000)]
    assert all(0.0 <= s <= bound for s in samples)
    assert max(samples) > 0.9 * bound and min(samples) < 0.1 * bound  # spread over the range


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_retries=-1)
    with pytest.raises(ValueError):
        Configuration(retries=-1)
    with pytest.raises(ValueError):
        Configuration(retry_initial_backoff=-0.1)


# ------------------------------------------------------------------ the retry loop


@pytest.fixture
async def client(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A client with default retries (2) whose waits are recorded, not slept."""
    monkeypatch.delenv("TOGETHER_API_KEY", raising=False)
    async with ApiClient(Configuration(host=HOST, access_token=TOKEN)) as api_client:
        waits: list[float] = []

        async def record(delay: float) -> None:
            waits.append(delay)

        api_client._sleep = record
        api_client.waits = waits  # type: ignore[attr-defined]
        yield api_client


def attempts(mocked: aioresponses) -> int:
    return len(sent_calls(mocked))


@pytest.mark.parametrize("status", README_RETRIED_STATUSES)
async def test_retried_statuses_then_success(
    client: Any, mocked: aioresponses, status: int
) -> None:
    mocked.post(EMBEDDINGS_URL, status=status, payload=ERROR)
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[1.0]]))
    response = await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
    assert response.data[0].embedding == [1.0]
    assert attempts(mocked) == 2
    assert len(client.waits) == 1 and 0 <= client.waits[0] <= 0.5


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 410, 413, 422, 451, 501, 505, 511])
async def test_other_error_statuses_are_never_retried(
    client: Any, mocked: aioresponses, status: int
) -> None:
    mocked.post(EMBEDDINGS_URL, status=status, payload=ERROR, repeat=True)
    with pytest.raises(ApiException):
        await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
    assert attempts(mocked) == 1 and client.waits == []


async def test_retries_run_out(client: Any, mocked: aioresponses) -> None:
    mocked.post(EMBEDDINGS_URL, status=503, payload=ERROR, repeat=True)
    with pytest.raises(ServiceUnavailableException):
        await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
    assert attempts(mocked) == 3  # the first try and two retries
    assert len(client.waits) == 2
    assert client.waits[0] <= 0.5 and client.waits[1] <= 1.0


async def test_retries_per_call_and_zero_disables(client: Any, mocked: aioresponses) -> None:
    api = together.generated.EmbeddingsApi(client)
    mocked.post(EMBEDDINGS_URL, status=503, payload=ERROR, repeat=True)
    with pytest.raises(ServiceUnavailableException):
        await api.embeddings(REQUEST, _retries=0)
    assert attempts(mocked) == 1
    with pytest.raises(ServiceUnavailableException):
        await api.embeddings(REQUEST, _retries=4)
    assert attempts(mocked) == 1 + 5


@pytest.mark.parametrize(
    "failure",
    [
        aiohttp.ClientConnectionError("reset"),
        aiohttp.ServerDisconnectedError(),
        TimeoutError(),
        OSError("unreachable"),
    ],
)
async def test_connection_errors_and_timeouts_are_retried(
    client: Any, mocked: aioresponses, failure: Exception
) -> None:
    mocked.post(EMBEDDINGS_URL, exception=failure)
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[1.0]]))
    assert (await together.generated.EmbeddingsApi(client).embeddings(REQUEST)).data
    assert attempts(mocked) == 2


async def test_last_transport_error_is_raised_typed(client: Any, mocked: aioresponses) -> None:
    mocked.post(EMBEDDINGS_URL, exception=TimeoutError(), repeat=True)
    with pytest.raises(ApiTimeoutError):
        await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
    assert attempts(mocked) == 3


async def test_malformed_success_is_not_retried(client: Any, mocked: aioresponses) -> None:
    mocked.post(EMBEDDINGS_URL, body=b"not json", content_type="application/json", repeat=True)
    with pytest.raises(MalformedResponseError):
        await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
    assert attempts(mocked) == 1


async def test_operation_that_is_not_retry_safe_is_never_retried(
    client: Any, mocked: aioresponses
) -> None:
    operation: Operation[None] = Operation(
        operation_id="createThing",
        method="POST",
        path="/things",
        responses={"201": ResponseSpec("empty")},
    )
    mocked.post(f"{HOST}/things", status=503, payload=ERROR, repeat=True)
    with pytest.raises(ServiceUnavailableException):
        await client.call_api(operation)
    mocked.post(f"{HOST}/things2", exception=aiohttp.ClientConnectionError("reset"), repeat=True)
    with pytest.raises(ApiConnectionError):
        await client.call_api(Operation(operation_id="t2", method="POST", path="/things2"))
    assert attempts(mocked) == 2 and client.waits == []


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"Retry-After": "0"}, 0.0),
        ({"Retry-After": "garbage"}, None),  # falls back to backoff
    ],
)
async def test_retry_after_is_honoured(
    client: Any, mocked: aioresponses, headers: dict[str, str], wait: float | None
) -> None:
    mocked.post(EMBEDDINGS_URL, status=429, payload=ERROR, headers=headers)
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[1.0]]))
    await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
    if wait is None:
        assert 0 <= client.waits[0] <= 0.5
    else:
        assert client.waits == [wait]


async def test_retry_after_http_date(client: Any, mocked: aioresponses) -> None:
    mocked.post(EMBEDDINGS_URL, status=503, payload=ERROR, headers={"Retry-After": http_date(20)})
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[1.0]]))
    await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
    assert client.waits[0] == pytest.approx(20, abs=1.5)


async def test_retry_after_beyond_the_cap_fails_at_once(client: Any, mocked: aioresponses) -> None:
    mocked.post(
        EMBEDDINGS_URL, status=429, payload=ERROR, headers={"Retry-After": "3600"}, repeat=True
    )
    with pytest.raises(RateLimitException) as caught:
        await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
    assert caught.value.retry_after == 3600
    assert attempts(mocked) == 1 and client.waits == []


@pytest.mark.parametrize(("retry_after", "retried"), [("60", True), ("60.001", False)])
async def test_the_default_cap_is_60_seconds_inclusive(
    client: Any, mocked: aioresponses, retry_after: str, retried: bool
) -> None:
    """README: `Retry-After` is honoured up to 60 s."""
    mocked.post(EMBEDDINGS_URL, status=429, payload=ERROR, headers={"Retry-After": retry_after})
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[1.0]]))
    if retried:
        await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
        assert client.waits == [60.0]
    else:
        with pytest.raises(RateLimitException) as caught:
            await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
        assert caught.value.retry_after == 60.001 and client.waits == []
    assert Configuration().max_retry_after == 60.0


async def test_retry_after_ms_zero_retries_at_once(client: Any, mocked: aioresponses) -> None:
    mocked.post(EMBEDDINGS_URL, status=503, payload=ERROR, headers={"retry-after-ms": "0"})
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[1.0]]))
    await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
    assert client.waits == [0.0]


def test_default_settings_match_the_docs(monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/reliability.md: 2 retries, backoff 0.5 s to 8 s, 120 s total, 10 s to connect."""
    monkeypatch.delenv("TOGETHER_API_KEY", raising=False)
    configuration = Configuration()
    assert (configuration.total_timeout, configuration.connect_timeout) == (120.0, 10.0)
    assert configuration.retry_policy() == RetryPolicy(
        max_retries=2, initial_backoff=0.5, max_backoff=8.0, max_retry_after=60.0
    )
    client = ApiClient(configuration)
    timeout = rest_transport(client).default_timeout
    assert (timeout.total, timeout.connect, timeout.sock_read) == (120.0, 10.0, None)


async def test_without_preload_content_is_never_retried(client: Any, mocked: aioresponses) -> None:
    """Even on a client with retries (the fixture's: 2), the raw form sends once."""
    assert client.configuration.retries == 2
    mocked.post(EMBEDDINGS_URL, status=503, payload=ERROR, repeat=True)
    response = await together.generated.EmbeddingsApi(client).embeddings_without_preload_content(
        REQUEST
    )
    assert response.status == 503
    response.release()
    assert attempts(mocked) == 1 and client.waits == []


async def test_without_preload_content_is_not_retried_on_a_connection_error(
    client: Any, mocked: aioresponses
) -> None:
    mocked.post(EMBEDDINGS_URL, exception=aiohttp.ClientConnectionError("reset"), repeat=True)
    with pytest.raises(ApiConnectionError):
        await together.generated.EmbeddingsApi(client).embeddings_without_preload_content(REQUEST)
    assert attempts(mocked) == 1 and client.waits == []


async def test_the_cap_is_configurable(client: Any, mocked: aioresponses) -> None:
    client.configuration.max_retry_after = 5000
    mocked.post(EMBEDDINGS_URL, status=429, payload=ERROR, headers={"Retry-After": "3600"})
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[1.0]]))
    await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
    assert client.waits == [3600]


async def test_deadline_stops_before_a_wait_that_would_pass_it(
    client: Any, mocked: aioresponses
) -> None:
    mocked.post(
        EMBEDDINGS_URL, status=503, payload=ERROR, headers={"Retry-After": "10"}, repeat=True
    )
    with pytest.raises(ServiceUnavailableException):
        await together.generated.EmbeddingsApi(client).embeddings(REQUEST, _retries=5, _deadline=5)
    assert attempts(mocked) == 1 and client.waits == []


async def test_bad_deadline_is_refused(client: Any, mocked: aioresponses) -> None:
    with pytest.raises(together.generated.ApiValueError):
        await together.generated.EmbeddingsApi(client).embeddings(REQUEST, _deadline=0)
    assert attempts(mocked) == 0


async def test_each_retry_logs_one_info_line(
    client: Any, mocked: aioresponses, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="together.generated")
    mocked.post(
        EMBEDDINGS_URL,
        status=503,
        payload=ERROR,
        headers={"x-request-id": "req-7", "Retry-After": "1"},
    )
    mocked.post(EMBEDDINGS_URL, exception=aiohttp.ClientConnectionError("reset"))
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[1.0]]))
    await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert lines[0] == "retrying embeddings after 503: retry 1 of 2 in 1.00 s (request id req-7)"
    assert lines[1].startswith("retrying embeddings after ApiConnectionError: retry 2 of 2 in ")
    assert len(lines) == 2
