"""Opening an answer whose body is read later: streams (SSE) and downloads.

Hand-written runtime (not generated). :func:`open_unread` is the
:data:`~.attempts.Exchange` of such calls: it opens the answer through the
transport and, for a 2xx status, hands it to the caller's ``accept`` with the body unread;
an error answer is read whole (they are small) and becomes its typed exception. The attempts
themselves — retries, hooks, deadline — are :func:`~.attempts.run_attempts`,
as for every call. Once the answer is handed back nothing is retried: part of the body may
already have reached the caller.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp

from together.generated._runtime.attempts import Answer, Exchange
from together.generated._runtime.configuration import Configuration
from together.generated._runtime.exceptions import ApiConnectionError, ApiTimeoutError
from together.generated._runtime.open_response import OpenResponse
from together.generated._runtime.operation import Operation
from together.generated._runtime.response_decoding import error_for_status
from together.generated._runtime.rest import PreparedRequest, RequestTimeout, to_client_timeout
from together.generated._runtime.transport import Transport

__all__ = ["long_read_timeout", "open_unchecked", "open_unread", "unread"]

T = TypeVar("T")


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


async def unread(response: OpenResponse) -> OpenResponse:
    """The ``accept`` of a download: the answer as it is, its body unread."""
    return response


def open_unread(
    transport: Transport,
    timeout: aiohttp.ClientTimeout,
    accept: Callable[[OpenResponse], Awaitable[T]],
) -> Exchange[T]:
    """The exchange of a call whose 2xx body the caller reads: ``accept`` makes the open
    answer into the call's result (and closes it if it raises)."""

    async def exchange(operation: Operation[Any], request: PreparedRequest) -> Answer[T]:
        response = await transport.open(request, timeout=timeout)
        status, headers = response.status, response.headers
        if 200 <= status <= 299:
            return Answer(status, headers, await accept(response), response.close)
        body = await _read_error_body(response, request)
        error = error_for_status(
            operation, status, response.reason, headers, body, headers.get("Content-Type")
        )
        return Answer(status, headers, error)

    return exchange


def open_unchecked(transport: Transport, timeout: RequestTimeout) -> Exchange[OpenResponse]:
    """The exchange of :meth:`~together.generated._runtime.api_client.ApiClient.call_api_raw`: the
    answer unread, whatever its status (the caller checks it)."""

    async def exchange(operation: Operation[Any], request: PreparedRequest) -> Answer[OpenResponse]:
        response = await transport.open(request, timeout=timeout)
        return Answer(response.status, response.headers, response, response.close)

    return exchange


async def _read_error_body(response: OpenResponse, request: PreparedRequest) -> bytes:
    """The whole body of an error answer, the connection released after."""
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
