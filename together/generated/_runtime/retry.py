"""When and how long to wait before retrying a call: the one place that decides.

Hand-written runtime (not generated). After each failed attempt the call loop describes
what happened in an :class:`AttemptOutcome` and asks its :class:`RetryStrategy` for a
wait; ``None`` means stop and raise. :class:`RetryPolicy` is the default strategy: a call
is retried when its operation is retry-safe (an idempotent method, or ``x-retry-safe: true``
in the spec) and it failed with a retryable transport error (a connection error or a
client-side timeout, not a redirect loop) or one of :data:`RETRY_STATUSES`. The wait is the
server's ``Retry-After`` / ``retry-after-ms`` when it gives one within
:attr:`RetryPolicy.max_retry_after`, else exponential backoff with full jitter, and never one
that would pass the call's deadline.

This module imports only the standard library (the generator imports it to print
:data:`RETRY_STATUSES` in the docs), so exceptions are judged by their ``retryable``
attribute, not by class.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Protocol

__all__ = ["RETRY_STATUSES", "AttemptOutcome", "RetryPolicy", "RetryStrategy", "parse_retry_after"]

#: Statuses worth another try: the server may answer differently in a moment.
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many retries, and how long to wait between them (seconds)."""

    #: Retries after the first attempt (0 disables retrying).
    max_retries: int = 2
    #: The first backoff bound; each retry doubles it, up to ``max_backoff``.
    initial_backoff: float = 0.5
    max_backoff: float = 8.0
    #: A server-requested wait longer than this fails the call at once instead.
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("retries must be 0 or more")
        bounds = (self.initial_backoff, self.max_backoff, self.max_retry_after)
        if any(bound < 0 for bound in bounds):
            raise ValueError("backoff and Retry-After limits must not be negative")
        if not all(bound < math.inf for bound in bounds):  # NaN fails too
            raise ValueError("backoff and Retry-After limits must be finite")

    def backoff(self, retry: int, rng: random.Random | None = None) -> float:
        """Full jitter: uniform in [0, min(max_backoff, initial_backoff * 2**retry)]."""
        bound = min(self.max_backoff, self.initial_backoff * (2**retry))
        return (rng or random).uniform(0.0, bound)

    def with_max_retries(self, max_retries: int) -> RetryPolicy:
        """This policy with another retry count (a call's ``_retries``)."""
        if max_retries == self.max_retries:
            return self
        return replace(self, max_retries=max_retries)

    def decide(self, outcome: AttemptOutcome) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` to give up."""
        if not outcome.retry_safe or outcome.attempt >= self.max_retries:
            return None
        if outcome.status is not None:
            if outcome.status not in RETRY_STATUSES:
                return None
            retry_after = parse_retry_after(outcome.headers)
        elif getattr(outcome.error, "retryable", False):
            retry_after = None
        else:
            return None
        if retry_after is not None and retry_after > self.max_retry_after:
            # The server asks for a longer wait than we allow: fail now; the exception's
            # retry_after tells the caller how long.
            return None
        delay = retry_after if retry_after is not None else self.backoff(outcome.attempt)
        if outcome.time_left is not None and delay >= outcome.time_left:
            return None  # the wait would pass the deadline: the last answer is the best report
        return delay


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    """What one failed attempt came to, as a retry strategy sees it.

    Exactly one of ``status`` (the server answered with an error status) and a transport
    ``error`` without a status describes the failure; ``error`` is the exception the call
    raises if it stops here.
    """

    #: The operation's id, e.g. ``"embeddings"``.
    operation_id: str
    #: Whether the operation may be sent again at all (idempotent or ``x-retry-safe``).
    retry_safe: bool
    #: Retries made so far (0 after the first attempt).
    attempt: int
    #: The HTTP status, or ``None`` when no answer came (connection error, timeout).
    status: int | None
    #: The answer's headers (empty when no answer came).
    headers: Mapping[str, str]
    #: The exception that stands for this failure.
    error: BaseException
    #: Seconds until the call's deadline, or ``None`` when it has none.
    time_left: float | None


class RetryStrategy(Protocol):
    """Anything that can decide on retries: ``ApiClient(retry_policy=...)`` or per call."""

    def decide(self, outcome: AttemptOutcome) -> float | None:
        """Seconds to wait before trying again, or ``None`` to raise ``outcome.error``."""
        ...


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the server asks to wait, from ``retry-after-ms`` or ``Retry-After``.

    ``Retry-After`` may be delta-seconds or an HTTP-date. Garbage and negative values are
    ignored (``None``); a date in the past means 0.
    """
    milliseconds = headers.get("retry-after-ms")
    if milliseconds is not None:
        try:
            value = float(milliseconds)
        except ValueError:
            value = -1.0
        if value >= 0 and value == value and value != float("inf"):  # not NaN, not infinite
            return value / 1000.0
    header = headers.get("Retry-After")
    if header is None:
        return None
    header = header.strip()
    try:
        seconds = float(header)
    except ValueError:
        try:
            when = parsedate_to_datetime(header)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # HTTP-dates are always GMT
            when = when.replace(tzinfo=UTC)
        current = time.time() if now is None else now
        return max(0.0, when.timestamp() - current)
    if seconds < 0 or seconds != seconds or seconds == float("inf"):
        return None
    return seconds
