"""Request and response hooks: where a wrapper adds logging, metrics or tracing spans.

Hand-written runtime (not generated). ``ApiClient(configuration, hooks=[...])`` calls each
hook's :meth:`CallHook.on_request` before every attempt is sent and
:meth:`CallHook.on_response` after it ends, answered or not. What a hook sees is chosen so
it can be exported as is: operation, method, URL (without the query), path template,
attempt number, status, duration and request id. Headers and bodies are not shown, so the
bearer token and the user's text never reach a hook.

A hook runs inside the call, on the event loop: it must be quick and must not raise (an
exception from a hook propagates to the caller, as a bug in the caller's code would).
aiohttp's own ``TraceConfig`` objects can be passed as ``ApiClient(trace_configs=[...])``
for connection-level events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["AttemptRequest", "AttemptResult", "CallHook"]


@dataclass(frozen=True, slots=True, eq=False)
class AttemptRequest:
    """One attempt about to be sent. Compared by identity: a hook may key a dict by it."""

    #: The operation's id, e.g. ``"embeddings"``.
    operation_id: str
    method: str
    #: The operation's path template, e.g. ``"/embeddings"`` (a low-cardinality span name).
    path: str
    #: The full URL without the query string.
    url: str
    #: Retries before this attempt (0 for the first).
    attempt: int


@dataclass(frozen=True, slots=True, eq=False)
class AttemptResult:
    """How one attempt ended."""

    #: The HTTP status, or ``None`` when no answer came.
    status: int | None
    #: Seconds from sending to the full answer (or the failure).
    duration: float
    #: The server's request id, when it sent one.
    request_id: str | None
    #: The exception this attempt came to (an ``OpenApiException``; ``CancelledError`` when
    #: the task was cancelled mid-attempt), or ``None`` on success.
    error: BaseException | None


class CallHook(Protocol):
    """What ``ApiClient(hooks=[...])`` accepts; both methods are called for every attempt."""

    def on_request(self, request: AttemptRequest) -> None: ...

    def on_response(self, request: AttemptRequest, result: AttemptResult) -> None: ...
