"""Fault injection: which answer a request gets instead of the normal one.

A fault is an HTTP status (answered in the spec's error shape), ``drop`` (the connection is
closed without an answer), ``stall`` (the answer waits past any sensible client timeout) or
``truncate`` (the normal answer, cut off halfway; a stream stops halfway without
``[DONE]``) or ``error-event`` (a stream sends an error event halfway and ends; other
answers get a 500). Faults come, in this order of precedence,
from the request's ``X-Mock-Status`` header, a scripted sequence ("fail N times, then
succeed"), or a random rate over chosen faults, seeded for repeatable runs.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = [
    "FAULT_HEADER",
    "LATENCY_HEADER",
    "SHUFFLE_HEADER",
    "FaultOptions",
    "FaultPlan",
    "parse_fault",
    "parse_faults",
]

#: A request header that forces a fault (or ``ok``) for that one request.
FAULT_HEADER = "X-Mock-Status"
#: A request header adding that many milliseconds of latency to that one request.
LATENCY_HEADER = "X-Mock-Latency-Ms"
#: A request header (``1``) that shuffles the ``data`` items of that one embeddings answer.
SHUFFLE_HEADER = "X-Mock-Shuffle"
_NAMED = ("drop", "stall", "truncate", "error-event")


def parse_fault(text: str) -> int | str | None:
    """``"503"`` -> 503, ``"drop"`` -> ``"drop"``, ``"ok"`` -> ``None`` (a normal answer)."""
    token = text.strip().lower()
    if token in ("ok", "200", ""):
        return None
    if token in _NAMED:
        return token
    if token.isdigit() and 400 <= int(token) <= 599:
        return int(token)
    raise ValueError(f"not a fault: {text!r} (a 4xx/5xx status, ok, {', '.join(_NAMED)})")


def parse_faults(text: str) -> list[int | str | None]:
    """A comma-separated list of faults, e.g. ``"429,503,drop"``."""
    return [parse_fault(part) for part in text.split(",") if part.strip()]


@dataclass
class FaultOptions:
    """How the server misbehaves. The default misbehaves never."""

    #: Share of requests (0..1) that get one of ``fail_statuses`` at random.
    fail_rate: float = 0.0
    fail_statuses: list[int | str] = field(default_factory=lambda: [429, 503, 504])
    #: Faults for the next requests, in order, before normal behaviour resumes.
    script: list[int | str | None] = field(default_factory=list)
    #: Seconds sent as ``Retry-After`` on 429 and 503 answers (``None``: no header).
    retry_after: float | None = None
    #: Added to every answer.
    latency_ms: float = 0.0
    #: How long a ``stall`` waits before answering.
    stall_seconds: float = 30.0
    #: Seed of the random faults, for repeatable runs.
    seed: int | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.fail_rate <= 1.0:
            raise ValueError("fail_rate must be between 0 and 1")
        if self.fail_rate and not self.fail_statuses:
            raise ValueError("fail_rate needs at least one fault in fail_statuses")


class FaultPlan:
    """Decides each request's fault from the options (state: the script and the random draw)."""

    def __init__(self, options: FaultOptions) -> None:
        self.options = options
        self._script: deque[int | str | None] = deque(options.script)
        self._random = random.Random(options.seed)

    def next_fault(self, forced: str | None) -> int | str | None:
        """The fault for the next request; ``forced`` is its ``X-Mock-Status`` header."""
        if forced is not None:
            return parse_fault(forced)
        if self._script:
            return self._script.popleft()
        if self.options.fail_rate and self._random.random() < self.options.fail_rate:
            return self._random.choice(self.options.fail_statuses)
        return None

    def extend_script(self, faults: Iterable[int | str | None]) -> None:
        self._script.extend(faults)
