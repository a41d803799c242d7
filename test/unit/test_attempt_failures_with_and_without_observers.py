"""What a failed attempt means does not depend on who is watching.

The attempt loop awaits the exchange directly when no hook is registered and DEBUG logging is
off (one coroutine frame fewer on the hot path, bench/README.md), and through ``_attempt``
(hooks told, a DEBUG line per request) otherwise. The same rule must hold on both paths
(docs/reliability.md): no answer at all (``ApiConnectionError``, ``ApiTimeoutError``) is a
failure the retry strategy judges; an answer that breaks the spec
(``MalformedResponseException``) and anything unexpected are raised at once, never retried.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from scripted_client import Hook, Scripted, client

from support import TOKEN, embeddings_payload
from together.generated import (
    ApiConnectionError,
    ApiTimeoutError,
    EmbeddingsApi,
    EmbeddingsRequest,
    OpenApiException,
)
from together.generated._runtime.exceptions import MalformedResponseException
from together.generated._runtime.rest import RESTResponse
from together.generated._runtime.retry import AttemptOutcome

REQUEST = EmbeddingsRequest(model="m", input="x")
OBSERVERS = ["nobody", "a hook", "debug logging", "a hook and debug logging"]


def ok() -> RESTResponse:
    return RESTResponse(
        200,
        "OK",
        {"Content-Type": "application/json"},
        json.dumps(embeddings_payload([[0.5, 0.25]])).encode(),
        "application/json",
    )


class RetryEverything:
    """A retry strategy that would retry anything it is asked about (and notes each ask)."""

    def __init__(self) -> None:
        self.asked: list[AttemptOutcome] = []

    def decide(self, outcome: AttemptOutcome) -> float | None:
        self.asked.append(outcome)
        return 0.0


def not_json() -> RESTResponse:
    return RESTResponse(200, "OK", {"Content-Type": "text/html"}, b"<html/>", "text/html")


@pytest.fixture(params=OBSERVERS)
def observed(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """The client's keyword arguments for one kind of observer (DEBUG set for the test)."""
    logger = logging.getLogger("together.generated")
    level = logger.level
    if "debug" in request.param:
        logger.setLevel(logging.DEBUG)
    try:
        yield {"hooks": [Hook()]} if "hook" in request.param else {}
    finally:
        logger.setLevel(level)


@pytest.mark.parametrize(
    "failure",
    [
        ApiConnectionError("POST https://api.test/v1/embeddings: ClientOSError: reset"),
        ApiTimeoutError("POST https://api.test/v1/embeddings: timed out"),
    ],
    ids=["connection error", "timeout"],
)
async def test_an_attempt_without_an_answer_is_retried(
    observed: dict[str, Any], failure: OpenApiException
) -> None:
    transport = Scripted([failure, failure, ok()])
    strategy = RetryEverything()
    async with client(transport, retry_policy=strategy, **observed) as api_client:
        response = await EmbeddingsApi(api_client).embeddings(REQUEST)
    assert response.data[0].embedding == [0.5, 0.25]
    assert len(transport.sent) == 3
    assert [(o.attempt, o.status, o.error) for o in strategy.asked] == [
        (0, None, failure),
        (1, None, failure),
    ]
    hooks = observed.get("hooks", [])
    for hook in hooks:  # every attempt told, the failures with their error and no status
        assert [(r.status, r.error) for r in hook.results] == [
            (None, failure),
            (None, failure),
            (200, None),
        ]


@pytest.mark.parametrize("failure", ["connection error", "timeout"])
async def test_an_attempt_without_an_answer_is_raised_when_retries_run_out(
    observed: dict[str, Any], failure: str
) -> None:
    error = (
        ApiConnectionError("POST https://api.test/v1/embeddings: reset")
        if failure == "connection error"
        else ApiTimeoutError("POST https://api.test/v1/embeddings: timed out")
    )
    transport = Scripted([error, error])
    async with client(transport, retries=1, **observed) as api_client:
        with pytest.raises(ApiConnectionError) as caught:
            await EmbeddingsApi(api_client).embeddings(REQUEST)
    assert caught.value is error
    assert len(transport.sent) == 2


async def test_a_malformed_success_is_raised_at_once_and_never_retried(
    observed: dict[str, Any],
) -> None:
    transport = Scripted([not_json(), ok()])
    strategy = RetryEverything()
    async with client(transport, retry_policy=strategy, **observed) as api_client:
        with pytest.raises(MalformedResponseException) as caught:
            await EmbeddingsApi(api_client).embeddings(REQUEST)
    assert "has content type 'text/html', expected JSON" in str(caught.value)
    assert caught.value.status == 200
    assert len(transport.sent) == 1  # the second answer was never asked for
    assert strategy.asked == []  # not even a strategy that retries anything is asked
    for hook in observed.get("hooks", []):
        assert [(r.status, r.error) for r in hook.results] == [(200, caught.value)]


async def test_an_unexpected_error_of_the_transport_is_raised_at_once(
    observed: dict[str, Any],
) -> None:
    class Broken(Scripted):
        async def request(self, request: Any, *, timeout: Any = None) -> RESTResponse:
            self.sent.append(request)
            raise KeyError("a bug in a transport of the caller's")

    transport = Broken([])
    strategy = RetryEverything()
    async with client(transport, retry_policy=strategy, **observed) as api_client:
        with pytest.raises(KeyError):
            await EmbeddingsApi(api_client).embeddings(REQUEST)
    assert len(transport.sent) == 1
    assert strategy.asked == []
    for hook in observed.get("hooks", []):
        assert [(r.status, type(r.error)) for r in hook.results] == [(None, KeyError)]


async def test_debug_logging_names_each_answered_attempt(
    caplog: pytest.LogCaptureFixture,
) -> None:
    transport = Scripted([ApiConnectionError("reset"), ok()])
    with caplog.at_level(logging.DEBUG, logger="together.generated"):
        async with client(transport, retries=1) as api_client:
            await EmbeddingsApi(api_client).embeddings(REQUEST)
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    # One line for the answer (retry 1: the second attempt); the failure has none of its own,
    # its retry is logged at INFO.
    assert len(lines) == 1
    assert lines[0].startswith("POST https://api.test/v1/embeddings -> 200 in ")
    assert lines[0].endswith(" ms (retry 1, request id -)")
    assert TOKEN not in caplog.text
