"""Opening an answer whose body is read later: streams (SSE) and downloads.

Hand-written runtime (not generated). :func:`open_success` sends a request and returns the
aiohttp response of a 2xx answer with its body unread, for the caller to read piece by
piece. Before that point it behaves like :meth:`ApiClient.call_api
<together.generated.api_client.ApiClient.call_api>`: an error status raises the typed
:class:`~together.generated.exceptions.ApiException`, and a retry-safe operation is tried
again after a connection error or a status in
:data:`~together.generated.retry.RETRY_STATUSES`. After it returns, nothing is retried: part
of the body may already have been handed to the caller.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from together.generated.configuration import Configuration
from together.generated.exceptions import (
    ApiConnectionError,
    ApiTimeoutError,
    ApiValueError,
    OpenApiException,
)
from together.generated.operation import Operation
from together.generated.response_decoding import error_for_status
from together.generated.rest import PreparedRequest, RequestTimeout, to_client_timeout
from together.generated.retry import RETRY_STATUSES, RetryPolicy
from together.generated.transport import Transport

__all__ = ["long_read_timeout", "open_success"]

logger = logging.getLogger("together.generated")


def long_read_timeout(configuration: Configuration, value: RequestTimeout) -> aiohttp.ClientTimeout:
    """The timeout of a call whose body may take long to arrive (a stream, a download).

    By default no limit on the whole call, only on connecting (``connect_timeout``) and on
    the wait for each piece of the body (``total_timeout`` seconds of silence). A
    ``_request_timeout`` the caller gives is used as given (a number bounds the whole call).
    """
    default = aiohttp.ClientTimeout(
        total=None,
        connect=configuration.connect_timeout,
        sock_read=configuration.total_timeout,
    )
    return to_client_timeout(value, default)


async def open_success(
    rest_client: Transport,
    operation: Operation[Any],
    request: PreparedRequest,
    *,
    timeout: aiohttp.ClientTimeout,
    policy: RetryPolicy,
    deadline: float | None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> aiohttp.ClientResponse:
    """Send ``request`` until a 2xx answer; return it unread (the caller closes it).

    ``deadline`` bounds the attempts and the waits between them, in seconds; it does not
    bound reading the body afterwards.
    """
    if deadline is None:
        return await _attempts(rest_client, operation, request, timeout, policy, None, sleep)
    if deadline <= 0:
        raise ApiValueError(f"_deadline must be a positive number of seconds, not {deadline!r}")
    give_up_at = time.monotonic() + deadline
    try:
        async with asyncio.timeout(deadline):
            return await _attempts(
                rest_client, operation, request, timeout, policy, give_up_at, sleep
            )
    except TimeoutError as exc:
        if isinstance(exc, ApiTimeoutError):
            raise
        raise ApiTimeoutError(
            f"{operation.operation_id}: the call's deadline of {deadline} s passed"
        ) from exc


async def _attempts(
    rest_client: Transport,
    operation: Operation[Any],
    request: PreparedRequest,
    timeout: aiohttp.ClientTimeout,
    policy: RetryPolicy,
    give_up_at: float | None,
    sleep: Callable[[float], Awaitable[None]],
) -> aiohttp.ClientResponse:
    retry = 0
    while True:
        request_id = "-"
        try:
            response = await rest_client.open(request, timeout=timeout)
        except ApiConnectionError as exc:  # ApiTimeoutError included
            error: OpenApiException = exc
            outcome = type(exc).__name__
            retryable = operation.retry_safe
            retry_after = None
        else:
            if 200 <= response.status <= 299:
                return response
            request_id = response.headers.get("x-request-id", "-")
            api_error = error_for_status(
                operation,
                response.status,
                response.reason,
                response.headers,
                await _read_error_body(response, request),
                response.headers.get("Content-Type"),
            )
            error, outcome, retry_after = api_error, str(response.status), api_error.retry_after
            retryable = operation.retry_safe and response.status in RETRY_STATUSES

        if not retryable or retry >= policy.max_retries:
            raise error
        if retry_after is not None and retry_after > policy.max_retry_after:
            raise error
        delay = retry_after if retry_after is not None else policy.backoff(retry)
        if give_up_at is not None and time.monotonic() + delay >= give_up_at:
            raise error
        retry += 1
        logger.info(
            "retrying %s after %s: retry %d of %d in %.2f s (request id %s)",
            operation.operation_id,
            outcome,
            retry,
            policy.max_retries,
            delay,
            request_id,
        )
        await sleep(delay)


async def _read_error_body(response: aiohttp.ClientResponse, request: PreparedRequest) -> bytes:
    """The whole body of an error answer (they are small), the connection released after."""
    try:
        return await response.read()
    except TimeoutError as exc:
        raise ApiTimeoutError(
            f"{request.method} {request.url}: timed out reading the response"
        ) from exc
    except (aiohttp.ClientError, OSError) as exc:
        raise ApiConnectionError(
            f"{request.method} {request.url}: {type(exc).__name__} reading the response"
        ) from exc
    finally:
        response.release()
