"""When and how long to wait before retrying a call.

Hand-written runtime (not generated). A call is retried when its operation is retry-safe
(an idempotent method, or ``x-retry-safe: true`` in the spec) and it failed with a
connection error, a client-side timeout, or one of :data:`RETRY_STATUSES`. The wait is the
server's ``Retry-After`` / ``retry-after-ms`` when it gives one within
:attr:`RetryPolicy.max_retry_after`, else exponential backoff with full jitter.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime

__all__ = ["RETRY_STATUSES", "RetryPolicy", "parse_retry_after"]

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
        if self.initial_backoff < 0 or self.max_backoff < 0 or self.max_retry_after < 0:
            raise ValueError("backoff and Retry-After limits must not be negative")

    def backoff(self, retry: int, rng: random.Random | None = None) -> float:
        """Full jitter: uniform in [0, min(max_backoff, initial_backoff * 2**retry)]."""
        bound = min(self.max_backoff, self.initial_backoff * (2**retry))
        return (rng or random).uniform(0.0, bound)


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
