"""The attempt loop: the one place where a call is sent, retried and reported to hooks.

Hand-written runtime (not generated). Every kind of call — a JSON answer read and decoded
(:meth:`ApiClient.call_api <.api_client.ApiClient.call_api>`), a stream or
a download opened and handed back unread (``call_api_stream``, ``call_api_download``) — runs
its attempts through :func:`run_attempts`:

- each attempt is announced to the hooks and its end reported to them, answered or not;
- after a failed attempt the :class:`~.retry.RetryStrategy` is asked for a
  wait (with the time left until the call's deadline), and nothing else decides;
- retries are logged with the server's request id;
- ``deadline`` bounds all attempts and the waits between them.

What one attempt does with the transport and with a 2xx answer is its :data:`Exchange`:
:func:`read_and_decode` here, or :func:`~together.generated._runtime.opening.open_unread`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar, cast, overload

from together.generated._runtime.api_response import ApiResponse
from together.generated._runtime.exceptions import (
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    ApiTypeError,
    ApiValueError,
    OpenApiException,
    request_id_from,
)
from together.generated._runtime.hooks import AttemptRequest, AttemptResult, CallHook
from together.generated._runtime.operation import Operation, ResponseSpec
from together.generated._runtime.response_decoding import decode_success, error_for_status
from together.generated._runtime.rest import (
    PreparedRequest,
    RequestTimeout,
    RESTResponse,
    new_record,
)
from together.generated._runtime.retry import AttemptOutcome, RetryPolicy, RetryStrategy
from together.generated._runtime.transport import Transport

__all__ = [
    "Answer",
    "Attempts",
    "Exchange",
    "ReadAndDecode",
    "attempt_loop",
    "read_and_decode",
    "run_attempts",
]

T = TypeVar("T")

logger = logging.getLogger("together.generated")

#: What ``logger.isEnabledFor(level)`` answered, per level: logging's own cache
#: (``Logger._cache``), which ``isEnabledFor`` fills and logging empties in place whenever a
#: level changes (``setLevel``, ``logging.disable``), so a level not in it is asked again.
#: A logging module without that cache leaves this empty: ``isEnabledFor`` on every attempt.
#: (A ``disabled`` logger may find True here; the attempt then asks ``isEnabledFor``
#: before logging anything, so it only costs the frame.)
_LEVEL_CACHE: dict[int, bool] = (
    logger._cache if isinstance(getattr(logger, "_cache", None), dict) else {}  # type: ignore[attr-defined]
)


# Answer and Attempts are built on every call: not frozen, since a frozen dataclass's
# __init__ (object.__setattr__ per field) costs about four times a plain one's
# (bench/README.md, "What each microsecond of the small call is"). Nothing changes them.
@dataclass(slots=True)
class Answer(Generic[T]):
    """What the server answered to one attempt."""

    status: int
    headers: Mapping[str, str]
    #: The call's result for a 2xx answer; the typed exception for an error status.
    result: T | ApiException
    #: Frees what ``result`` holds (an open connection) if it is not handed back after all:
    #: a hook raised.
    release: Callable[[], object] | None = None


#: One attempt: send the request of the operation, make a 2xx answer into the call's result
#: (raising :class:`~.exceptions.MalformedResponseException` if it breaks the spec)
#: or an error status into its exception. A transport failure is raised as
#: :class:`~together.generated._runtime.exceptions.ApiConnectionError`. Given the operation
#: rather than holding it, so one exchange serves every operation of a client.
Exchange = Callable[[Operation[Any], PreparedRequest], Awaitable[Answer[T]]]


@dataclass(slots=True)
class Attempts:
    """Everything the loop needs besides the operation and the request: who decides, who
    listens, how to wait. The same for a client's calls while its settings stay: made once
    and reused (``ApiClient._run``)."""

    strategy: RetryStrategy
    #: Most retries whatever the strategy says (a call's ``_retries`` over a custom strategy).
    cap: int | None
    hooks: Sequence[CallHook]
    sleep: Callable[[float], Awaitable[None]]


def run_attempts(
    attempts: Attempts,
    operation: Operation[Any],
    request: PreparedRequest,
    exchange: Exchange[T],
    deadline: float | None,
) -> Coroutine[Any, Any, T]:
    """Attempt ``request`` until a success (its result), or until the strategy says stop
    (then raise the last failure). ``deadline`` bounds the attempts and the waits, in
    seconds; it does not bound reading a body handed back unread.

    Returns the loop's coroutine (await it): a bad ``deadline`` raises at once. Not itself a
    coroutine, so a call without a deadline runs one frame fewer.
    """
    if deadline is None:  # the common case, without a timer of its own
        return attempt_loop(attempts, operation, request, exchange, None)
    if isinstance(deadline, bool) or not isinstance(deadline, (int, float)):
        raise ApiTypeError(f"_deadline must be a number of seconds, not {deadline!r}")
    if not deadline > 0:  # NaN included
        raise ApiValueError(f"_deadline must be a positive number of seconds, not {deadline!r}")
    return _loop_until(attempts, operation, request, exchange, deadline)


async def _loop_until(
    attempts: Attempts,
    operation: Operation[Any],
    request: PreparedRequest,
    exchange: Exchange[T],
    deadline: float,
) -> T:
    give_up_at = time.monotonic() + deadline
    try:
        async with asyncio.timeout(deadline):
            return await attempt_loop(attempts, operation, request, exchange, give_up_at)
    except TimeoutError as exc:
        if isinstance(exc, ApiTimeoutError):
            raise
        raise ApiTimeoutError(
            f"{operation.operation_id}: the call's deadline of {deadline} s passed"
        ) from exc


async def attempt_loop(
    attempts: Attempts,
    operation: Operation[Any],
    request: PreparedRequest,
    exchange: Exchange[T],
    give_up_at: float | None,
) -> T:
    """The loop of :func:`run_attempts`, until ``give_up_at`` (``time.monotonic()``) if
    given; without a deadline the client awaits it directly (a frame fewer per call)."""
    strategy, cap = attempts.strategy, attempts.cap
    attempt = 0
    while True:
        # Without hooks or DEBUG logging, the exchange is awaited directly: one frame fewer.
        # Whether DEBUG is on is read from logging's own cache when it holds the answer
        # (_LEVEL_CACHE): calling isEnabledFor is a measurable part of a small call.
        observed: object = attempts.hooks or _LEVEL_CACHE.get(logging.DEBUG)
        if observed is None:
            observed = logger.isEnabledFor(logging.DEBUG)
        answer: Answer[T] | ApiConnectionError
        try:
            if observed:
                answer = await _attempt(attempts, operation, request, exchange, attempt)
            elif type(exchange) is ReadAndDecode:
                # What the exchange does, in this frame (see ReadAndDecode).
                response = await exchange.transport.request(request, timeout=exchange.timeout)
                if 200 <= response.status <= 299:
                    return exchange.decoded(operation, response)  # type: ignore[no-any-return]
                answer = exchange.error(operation, response)
            else:
                answer = await exchange(operation, request)
        except ApiConnectionError as exc:  # ApiTimeoutError included: no answer, may be retried
            answer = exc
        # Anything else the exchange raises (a malformed success: the server did answer, so
        # it is not retried) propagates at once.
        if isinstance(answer, Answer):
            result = answer.result
            # A 2xx answer's result is the call's, whatever its type (a decode= callable may
            # make anything of the body), as on the unobserved path above.
            if not isinstance(result, ApiException) or 200 <= answer.status <= 299:
                return cast(T, result)
            error: OpenApiException = result
            status: int | None = answer.status
            headers = answer.headers
        else:
            error, status, headers = answer, None, {}
        delay = None
        if cap is None or attempt < cap:
            time_left = None if give_up_at is None else give_up_at - time.monotonic()
            delay = strategy.decide(
                AttemptOutcome(
                    operation.operation_id,
                    operation.retry_safe,
                    attempt,
                    status,
                    headers,
                    error,
                    time_left,
                )
            )
        if delay is None:
            raise error
        attempt += 1
        logger.info(
            "retrying %s after %s: retry %d%s in %.2f s (request id %s)",
            operation.operation_id,
            status if status is not None else type(error).__name__,
            attempt,
            _of_max(strategy, cap),
            delay,
            request_id_from(headers) or "-",
        )
        await attempts.sleep(delay)


async def _attempt(
    attempts: Attempts,
    operation: Operation[Any],
    request: PreparedRequest,
    exchange: Exchange[T],
    attempt: int,
) -> Answer[T]:
    """One send, told to the hooks and logged at DEBUG: the server's answer. Whatever the
    exchange raises is reported to the hooks too (so no span is left open) and raised; the
    loop decides what a failure means."""
    hooks = attempts.hooks
    started = time.monotonic()
    hook_request = None
    if hooks:
        hook_request = AttemptRequest(
            operation.operation_id,
            request.method,
            operation.path,
            request.url,
            attempt,
        )
        for hook in hooks:
            hook.on_request(hook_request)
    try:
        answer = await exchange(operation, request)
    except BaseException as exc:
        if hook_request is not None:
            if isinstance(exc, ApiException):
                _report(hooks, hook_request, started, exc.status, exc.headers or {}, exc)
            else:
                _report(hooks, hook_request, started, None, {}, exc)
        raise
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "%s %s -> %d in %.1f ms (retry %d, request id %s)",
            request.method,
            request.url,
            answer.status,
            (time.monotonic() - started) * 1000,
            attempt,
            request_id_from(answer.headers) or "-",
        )
    if hook_request is not None:
        error = (
            answer.result
            if isinstance(answer.result, ApiException) and not 200 <= answer.status <= 299
            else None
        )
        try:
            _report(hooks, hook_request, started, answer.status, answer.headers, error)
        except BaseException:
            if answer.release is not None:
                answer.release()
            raise
    return answer


def _report(
    hooks: Sequence[CallHook],
    request: AttemptRequest,
    started: float,
    status: int | None,
    headers: Mapping[str, str],
    error: BaseException | None,
) -> None:
    """Tell every hook how an attempt ended."""
    result = AttemptResult(status, time.monotonic() - started, request_id_from(headers), error)
    for hook in hooks:
        hook.on_response(request, result)


def _of_max(strategy: RetryStrategy, cap: int | None) -> str:
    """`` of N`` for the retry log line, when the most retries is known."""
    limits = [cap] if cap is not None else []
    if isinstance(strategy, RetryPolicy):
        limits.append(strategy.max_retries)
    return f" of {min(limits)}" if limits else ""


class ReadAndDecode:
    """The exchange of :meth:`~together.generated._runtime.api_client.ApiClient.call_api`:
    the whole answer read, a success decoded as the spec declares it (or as ``result``
    asks). Its result is an :class:`ApiResponse`, or with ``whole=False`` the decoded data
    alone (``call_api_data``).

    An object rather than a closure so :func:`attempt_loop` can do what it does in its own
    frame when nobody observes the attempt: a coroutine frame fewer per call, and no
    :class:`Answer` for a success.
    """

    __slots__ = ("result", "timeout", "transport", "whole")

    def __init__(
        self,
        transport: Transport,
        timeout: RequestTimeout,
        result: ResponseSpec | None,
        whole: bool,
    ) -> None:
        self.transport = transport
        self.timeout = timeout
        self.result = result
        self.whole = whole

    async def __call__(self, operation: Operation[Any], request: PreparedRequest) -> Answer[Any]:
        response = await self.transport.request(request, timeout=self.timeout)
        status = response.status
        if not 200 <= status <= 299:
            return self.error(operation, response)
        answer: Answer[Any] = new_record(Answer)  # every field set below
        answer.status = status
        answer.headers = response.headers
        answer.result = self.decoded(operation, response)
        answer.release = None
        return answer

    def decoded(self, operation: Operation[Any], response: RESTResponse) -> Any:
        """The call's result for a 2xx ``response``."""
        status, headers = response.status, response.headers
        data = decode_success(
            operation, status, headers, response.data, response.content_type, self.result
        )
        return ApiResponse(status, headers, data, response.data) if self.whole else data

    def error(self, operation: Operation[Any], response: RESTResponse) -> Answer[Any]:
        """The answer of an error ``response``: its typed exception."""
        status, headers = response.status, response.headers
        error = error_for_status(
            operation, status, response.reason, headers, response.data, response.content_type
        )
        return Answer(status, headers, error)


@overload
def read_and_decode(
    transport: Transport,
    timeout: RequestTimeout,
    result: ResponseSpec | None,
    *,
    whole: Literal[True] = True,
) -> Exchange[ApiResponse[Any]]: ...


@overload
def read_and_decode(
    transport: Transport,
    timeout: RequestTimeout,
    result: ResponseSpec | None,
    *,
    whole: Literal[False],
) -> Exchange[Any]: ...


def read_and_decode(
    transport: Transport,
    timeout: RequestTimeout,
    result: ResponseSpec | None,
    *,
    whole: bool = True,
) -> Exchange[Any]:
    """The exchange of :meth:`~together.generated._runtime.api_client.ApiClient.call_api`
    (:class:`ReadAndDecode`): an :class:`ApiResponse`, or with ``whole=False`` the decoded
    data alone (``call_api_data``)."""
    return ReadAndDecode(transport, timeout, result, whole)
