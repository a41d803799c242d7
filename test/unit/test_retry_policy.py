"""The default retry strategy on its own: `RetryPolicy.decide` and `parse_retry_after`.

docs/reliability.md ("Retries", "Waiting") and docs/runtime.md ("Retry strategy") are the
oracle: the values below are the documented ones, written out as literals.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Mapping

import pytest

from together.generated import ApiConnectionError, ApiTimeoutError
from together.generated._runtime.exceptions import RedirectLoopError
from together.generated._runtime.retry import AttemptOutcome, RetryPolicy, parse_retry_after

#: 2030-01-01T00:00:00Z as a POSIX timestamp.
NEW_YEAR_2030 = 1_893_456_000.0


def outcome(
    *,
    status: int | None = 503,
    headers: Mapping[str, str] | None = None,
    error: BaseException | None = None,
    attempt: int = 0,
    retry_safe: bool = True,
    time_left: float | None = None,
) -> AttemptOutcome:
    return AttemptOutcome(
        "embeddings",
        retry_safe,
        attempt,
        status,
        headers or {},
        error if error is not None else RuntimeError("stands for the failure"),
        time_left,
    )


# ------------------------------------------------------------------ defaults and settings


def test_a_policy_built_without_arguments_has_the_documented_defaults() -> None:
    """2 retries, backoff from 0.5 s capped at 8 s, Retry-After honoured up to 60 s."""
    policy = RetryPolicy()
    assert policy.max_retries == 2
    assert policy.initial_backoff == 0.5
    assert policy.max_backoff == 8.0
    assert policy.max_retry_after == 60.0


def test_the_default_policy_honours_retry_after_up_to_60_seconds_inclusive() -> None:
    policy = RetryPolicy()
    assert policy.decide(outcome(headers={"Retry-After": "60"})) == 60.0
    assert policy.decide(outcome(headers={"Retry-After": "60.5"})) is None


@pytest.mark.parametrize(
    "settings",
    [
        {"max_retries": 0},
        {"initial_backoff": 0.0},
        {"max_backoff": 0.0},
        {"max_retry_after": 0.0},
    ],
)
def test_zero_is_a_valid_setting(settings: dict[str, float]) -> None:
    RetryPolicy(**settings)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"max_retries": -1}, "retries must be 0 or more"),
        ({"initial_backoff": -0.5}, "backoff and Retry-After limits must not be negative"),
        ({"max_backoff": -1.0}, "backoff and Retry-After limits must not be negative"),
        ({"max_retry_after": -1.0}, "backoff and Retry-After limits must not be negative"),
    ],
)
def test_a_negative_setting_is_refused(settings: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        RetryPolicy(**settings)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_zero_retry_after_cap_still_allows_an_immediate_retry() -> None:
    policy = RetryPolicy(max_retry_after=0.0)
    assert policy.decide(outcome(headers={"Retry-After": "0"})) == 0.0
    assert policy.decide(outcome(headers={"retry-after-ms": "1"})) is None


def test_with_max_retries_changes_only_the_count() -> None:
    policy = RetryPolicy(initial_backoff=1.0, max_backoff=3.0, max_retry_after=7.0)
    assert policy.with_max_retries(5) == RetryPolicy(5, 1.0, 3.0, 7.0)
    assert policy.with_max_retries(2) == policy


# ------------------------------------------------------------------ backoff


def test_backoff_follows_the_random_source_it_is_given() -> None:
    """Full jitter: uniform in [0, min(8, 0.5 * 2**n)], drawn from the given generator."""
    policy = RetryPolicy()
    for retry, bound in [(0, 0.5), (1, 1.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
        assert policy.backoff(retry, random.Random(7)) == random.Random(7).uniform(0.0, bound)


def test_backoff_with_a_zero_initial_bound_never_waits() -> None:
    policy = RetryPolicy(initial_backoff=0.0)
    assert {policy.backoff(n, random.Random(n)) for n in range(6)} == {0.0}


def test_backoff_without_a_random_source_uses_the_module_generator() -> None:
    random.seed(11)
    expected = random.Random(11).uniform(0.0, 2.0)
    assert RetryPolicy().backoff(2) == expected


# ------------------------------------------------------------------ decide


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_each_documented_status_is_retried_with_backoff(status: int) -> None:
    delay = RetryPolicy().decide(outcome(status=status))
    assert delay is not None and 0.0 <= delay <= 0.5


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422, 501, 505])
def test_other_statuses_are_not_retried(status: int) -> None:
    assert RetryPolicy().decide(outcome(status=status)) is None


def test_an_operation_that_is_not_retry_safe_is_not_retried() -> None:
    assert RetryPolicy().decide(outcome(retry_safe=False)) is None
    error = ApiConnectionError("reset")
    assert RetryPolicy().decide(outcome(status=None, error=error, retry_safe=False)) is None


def test_retries_stop_at_the_count() -> None:
    policy = RetryPolicy(max_retries=2)
    assert policy.decide(outcome(attempt=1)) is not None
    assert policy.decide(outcome(attempt=2)) is None
    assert RetryPolicy(max_retries=0).decide(outcome(attempt=0)) is None


def test_the_backoff_bound_grows_with_the_retry_number() -> None:
    policy = RetryPolicy(initial_backoff=100.0, max_backoff=1000.0)
    delays = [policy.decide(outcome(attempt=1)) for _ in range(200)]
    assert max(d for d in delays if d is not None) > 100.0  # bound 200 at retry 1, not 100


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (ApiConnectionError("reset"), True),
        (ApiTimeoutError("slow"), True),
        (RedirectLoopError("loop"), False),
        (ValueError("a failure that says nothing about retrying"), False),
    ],
)
def test_failures_without_an_answer_are_retried_when_retryable(
    error: BaseException, retried: bool
) -> None:
    delay = RetryPolicy().decide(outcome(status=None, error=error))
    assert (delay is not None) is retried


def test_a_transport_failure_ignores_headers() -> None:
    """With no answer there is no Retry-After: the wait is backoff (here at most 0.5 s)."""
    error = ApiConnectionError("reset")
    delay = RetryPolicy().decide(outcome(status=None, error=error, headers={"Retry-After": "30"}))
    assert delay is not None and delay <= 0.5


def test_the_server_wait_is_used_as_given() -> None:
    assert RetryPolicy().decide(outcome(headers={"Retry-After": "3"})) == 3.0
    assert RetryPolicy().decide(outcome(headers={"retry-after-ms": "0"})) == 0.0


def test_a_wait_that_reaches_the_deadline_is_not_started() -> None:
    policy = RetryPolicy()
    wait_3 = {"Retry-After": "3"}
    assert policy.decide(outcome(headers=wait_3, time_left=3.5)) == 3.0
    assert policy.decide(outcome(headers=wait_3, time_left=3.0)) is None  # would end at it
    assert policy.decide(outcome(headers=wait_3, time_left=2.0)) is None
    assert policy.decide(outcome(headers=wait_3, time_left=None)) == 3.0


def test_a_backoff_that_reaches_the_deadline_is_not_started() -> None:
    policy = RetryPolicy(initial_backoff=10.0, max_backoff=10.0)
    assert all(policy.decide(outcome(time_left=0.0)) is None for _ in range(20))


# ------------------------------------------------------------------ parsing Retry-After


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "nan", "Retry-After": "9"}, 9.0),
        ({"retry-after-ms": "inf", "Retry-After": "9"}, 9.0),
        ({"retry-after-ms": "-0.5", "Retry-After": "9"}, 9.0),
        ({"retry-after-ms": "1"}, 0.001),
        ({"retry-after-ms": "0.0"}, 0.0),
        ({"Retry-After": "-0.001"}, None),
        ({"Retry-After": "1e999"}, None),
        ({"Retry-After": ""}, None),
        ({"Retry-After": "0.25"}, 0.25),
    ],
)
def test_retry_after_edge_values(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers) == expected


def test_an_http_date_counts_from_now() -> None:
    now = NEW_YEAR_2030 - 90
    header = {"Retry-After": "Tue, 01 Jan 2030 00:00:00 GMT"}
    assert parse_retry_after(header, now=now) == 90.0
    assert parse_retry_after(header, now=NEW_YEAR_2030 + 5) == 0.0
    assert parse_retry_after({"Retry-After": "  Tue, 01 Jan 2030 00:00:00 GMT  "}, now=now) == 90.0


@pytest.fixture
def local_time_zone_new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is not available here")
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_an_http_date_without_a_zone_is_gmt_whatever_the_local_zone(
    local_time_zone_new_york: None,
) -> None:
    """HTTP-dates are GMT (RFC 9110): not read in the machine's own time zone."""
    header = {"Retry-After": "Tue, 01 Jan 2030 00:00:00"}
    assert parse_retry_after(header, now=NEW_YEAR_2030 - 30) == 30.0
