"""The client every generated API class calls: one shared path for all operations.

Hand-written runtime (not generated). :meth:`ApiClient.call_api` builds the request from an
:class:`~together.generated.operation.Operation`, sends it through
:mod:`together.generated.rest`, and decodes the answer or raises the typed exception
(:mod:`together.generated.response_decoding`).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
import warnings
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, ClassVar, Self, TypeVar

import aiohttp

from together.generated.api_response import ApiResponse
from together.generated.configuration import Configuration
from together.generated.download import Destination, check_destination, save_body
from together.generated.exceptions import (
    ApiConnectionError,
    ApiTimeoutError,
    ApiValueError,
    OpenApiException,
)
from together.generated.multipart import MultipartBody
from together.generated.opening import long_read_timeout, open_success
from together.generated.operation import Operation, SecurityScheme
from together.generated.response_decoding import decode_success, error_for_status
from together.generated.rest import PreparedRequest, RequestTimeout, RESTClientObject
from together.generated.retry import RETRY_STATUSES, RetryPolicy
from together.generated.streaming import AsyncStream, open_stream
from together.generated.version import __version__

__all__ = ["ApiClient"]

T = TypeVar("T")

logger = logging.getLogger("together.generated")

#: Sent with every request unless replaced (see :attr:`ApiClient.user_agent`).
USER_AGENT = f"together-generated/{__version__} (python; aiohttp {aiohttp.__version__})"


class ApiClient:
    """Holds the configuration and the connection pool; use it as an async context manager.

    ``async with ApiClient(configuration) as api_client: ...`` closes the pool on exit;
    otherwise call :meth:`close`. The aiohttp session is created on the first call, inside the
    running event loop.
    """

    _default: ClassVar[ApiClient | None] = None

    def __init__(
        self,
        configuration: Configuration | None = None,
        header_name: str | None = None,
        header_value: str | None = None,
        cookie: str | None = None,
    ) -> None:
        self.configuration = configuration if configuration is not None else Configuration()
        self.default_headers: dict[str, str] = {"User-Agent": USER_AGENT}
        if header_name is not None and header_value is not None:
            self.default_headers[header_name] = header_value
        self.cookie = cookie
        self.rest_client = RESTClientObject(self.configuration)
        # How retries wait; a seam so tests can see the delays without sleeping them.
        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def __del__(self) -> None:
        # Like aiohttp's own session: a client dropped with its pool open is a leak.
        rest_client = getattr(self, "rest_client", None)
        if rest_client is not None and rest_client.has_open_session:
            warnings.warn(
                "Unclosed ApiClient: use `async with ApiClient(...)` or `await client.close()`",
                ResourceWarning,
                source=self,
                stacklevel=1,
            )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the connection pool. Idempotent; the client cannot be used afterwards."""
        await self.rest_client.close()

    @property
    def closed(self) -> bool:
        return self.rest_client.closed

    @property
    def user_agent(self) -> str:
        return self.default_headers["User-Agent"]

    @user_agent.setter
    def user_agent(self, value: str) -> None:
        self.default_headers["User-Agent"] = value

    def set_default_header(self, header_name: str, header_value: str) -> None:
        """Send ``header_name: header_value`` with every request of this client."""
        self.default_headers[header_name] = header_value

    @classmethod
    def get_default(cls) -> ApiClient:
        """The client API classes use when given none (created on first use)."""
        if cls._default is None:
            cls._default = ApiClient()
        return cls._default

    @classmethod
    def set_default(cls, default: ApiClient | None) -> None:
        cls._default = default

    # ------------------------------------------------------------------ the call path

    async def call_api(
        self,
        operation: Operation[T],
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        *,
        request_timeout: RequestTimeout = None,
        headers: Mapping[str, str] | None = None,
        retries: int | None = None,
        deadline: float | None = None,
    ) -> ApiResponse[T]:
        """Send ``operation`` and return the decoded answer, or raise its typed exception.

        A retry-safe operation that fails with a connection error, a timeout or a status in
        :data:`~together.generated.retry.RETRY_STATUSES` is tried again, up to ``retries``
        more times (default: ``Configuration.retries``). ``deadline`` bounds all attempts and
        waits together, in seconds.
        """
        request = self._build(operation, params or {}, body, headers)
        policy = self.configuration.retry_policy(_retries_for(request, retries))
        if deadline is None:  # the common case, without a timer of its own
            return await self._attempts(operation, request, request_timeout, policy, None)
        if deadline <= 0:
            raise ApiValueError(f"_deadline must be a positive number of seconds, not {deadline!r}")
        give_up_at = time.monotonic() + deadline
        try:
            async with asyncio.timeout(deadline):
                return await self._attempts(operation, request, request_timeout, policy, give_up_at)
        except TimeoutError as exc:
            if isinstance(exc, ApiTimeoutError):
                raise
            raise ApiTimeoutError(
                f"{operation.operation_id}: the call's deadline of {deadline} s passed"
            ) from exc

    async def _attempts(
        self,
        operation: Operation[T],
        request: PreparedRequest,
        request_timeout: RequestTimeout,
        policy: RetryPolicy,
        give_up_at: float | None,
    ) -> ApiResponse[T]:
        retry = 0
        while True:
            debug = logger.isEnabledFor(logging.DEBUG)
            started = time.monotonic() if debug else 0.0
            headers: Mapping[str, str] = {}
            try:
                response = await self.rest_client.request(request, timeout=request_timeout)
            except ApiConnectionError as exc:  # ApiTimeoutError included
                error: OpenApiException = exc
                outcome = type(exc).__name__
                retryable = operation.retry_safe
                retry_after = None
            else:
                headers = response.headers
                if debug:
                    logger.debug(
                        "%s %s -> %d in %.1f ms (retry %d, request id %s)",
                        request.method,
                        request.url,
                        response.status,
                        (time.monotonic() - started) * 1000,
                        retry,
                        headers.get("x-request-id", "-"),
                    )
                if 200 <= response.status <= 299:
                    data: T = decode_success(
                        operation,
                        response.status,
                        response.headers,
                        response.data,
                        response.content_type,
                    )
                    return ApiResponse(
                        status_code=response.status,
                        headers=response.headers,
                        data=data,
                        raw_data=response.data,
                    )
                api_error = error_for_status(
                    operation,
                    response.status,
                    response.reason,
                    response.headers,
                    response.data,
                    response.content_type,
                )
                error, outcome, retry_after = api_error, str(response.status), api_error.retry_after
                retryable = operation.retry_safe and response.status in RETRY_STATUSES

            if not retryable or retry >= policy.max_retries:
                raise error
            if retry_after is not None and retry_after > policy.max_retry_after:
                # The server asks for a longer wait than we allow: fail now; the exception's
                # retry_after tells the caller how long.
                raise error
            delay = retry_after if retry_after is not None else policy.backoff(retry)
            if give_up_at is not None and time.monotonic() + delay >= give_up_at:
                raise error  # the wait would pass the deadline: the last answer is the best report
            retry += 1
            logger.info(
                "retrying %s after %s: retry %d of %d in %.2f s (request id %s)",
                operation.operation_id,
                outcome,
                retry,
                policy.max_retries,
                delay,
                headers.get("x-request-id", "-"),
            )
            await self._sleep(delay)

    async def call_api_stream(
        self,
        operation: Operation[Any],
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        *,
        request_timeout: RequestTimeout = None,
        headers: Mapping[str, str] | None = None,
        retries: int | None = None,
        deadline: float | None = None,
    ) -> AsyncStream[Any]:
        """Send ``operation`` asking for a streamed answer; return it once the status is known.

        The body's :attr:`~Operation.stream_flag` is set to true (in the sent copy). Opening is
        retried like :meth:`call_api`; once the stream is returned nothing is retried. By
        default only connecting and each wait for the next event are time-limited (see
        :func:`~together.generated.opening.long_read_timeout`); ``deadline`` bounds opening.
        """
        if not operation.stream_responses:
            raise ApiValueError(f"{operation.operation_id}() has no streamed answer")
        accept = {"Accept": "text/event-stream"}
        request = self._build(
            operation, params or {}, body, {**accept, **(headers or {})}, stream=True
        )
        response = await open_success(
            self.rest_client,
            operation,
            request,
            timeout=long_read_timeout(self.configuration, request_timeout),
            policy=self.configuration.retry_policy(_retries_for(request, retries)),
            deadline=deadline,
            sleep=self._sleep,
        )
        return await open_stream(response, operation)

    async def call_api_download(
        self,
        operation: Operation[Any],
        params: Mapping[str, Any] | None,
        body: Any,
        destination: Destination,
        *,
        request_timeout: RequestTimeout = None,
        headers: Mapping[str, str] | None = None,
        retries: int | None = None,
        deadline: float | None = None,
    ) -> int:
        """Send ``operation`` and write its 2xx body to ``destination``; the bytes written.

        ``destination`` is a path (written to a temporary file beside it, renamed when
        complete: a failure leaves no partial file) or a binary file object. Opening is
        retried like :meth:`call_api`; reading the body is not. Timeouts as for
        :meth:`call_api_stream`.
        """
        check_destination(destination, operation.operation_id)
        request = self._build(operation, params or {}, body, headers)
        response = await open_success(
            self.rest_client,
            operation,
            request,
            timeout=long_read_timeout(self.configuration, request_timeout),
            policy=self.configuration.retry_policy(_retries_for(request, retries)),
            deadline=deadline,
            sleep=self._sleep,
        )
        description = f"{operation.operation_id}: HTTP {response.status}"
        return await save_body(response, destination, description)

    async def call_api_raw(
        self,
        operation: Operation[Any],
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        *,
        request_timeout: RequestTimeout = None,
        headers: Mapping[str, str] | None = None,
    ) -> aiohttp.ClientResponse:
        """Send ``operation`` and return aiohttp's response unread and unchecked.

        The caller reads and releases it (``async with`` or ``release()``).
        """
        request = self._build(operation, params or {}, body, headers)
        return await self.rest_client.open(request, timeout=request_timeout)

    def _build(
        self,
        operation: Operation[Any],
        params: Mapping[str, Any],
        body: Any,
        extra_headers: Mapping[str, str] | None,
        *,
        stream: bool = False,
    ) -> PreparedRequest:
        """Everything a request needs; raises before anything is sent if an argument is bad."""
        payload = operation.encode_body(body, stream=stream)
        url = self.configuration.host + operation.build_path(params)
        query = operation.build_query(params)
        headers = dict(self.default_headers)
        if operation.accept:
            headers["Accept"] = operation.accept
        if isinstance(payload, MultipartBody):  # its type carries the boundary
            headers["Content-Type"] = payload.content_type
            if payload.content_length is not None:
                headers["Content-Length"] = str(payload.content_length)
        elif payload is not None and operation.body is not None:
            headers["Content-Type"] = operation.body.content_type
        if self.cookie:
            headers["Cookie"] = self.cookie
        headers.update(operation.build_headers(params))
        self._authorize(operation.security, headers, query)
        if extra_headers:
            headers.update(extra_headers)
        return PreparedRequest(operation.method, url, headers, query, payload)

    def _authorize(
        self,
        schemes: tuple[SecurityScheme, ...],
        headers: dict[str, str],
        query: list[tuple[str, str]],
    ) -> None:
        """Apply the first of ``schemes`` the configuration has credentials for."""
        config = self.configuration
        for scheme in schemes:
            if scheme.kind == "bearer" and config.access_token:
                headers["Authorization"] = f"Bearer {config.access_token}"
                return
            if scheme.kind == "basic" and config.username is not None:
                pair = f"{config.username}:{config.password or ''}".encode()
                headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
                return
            if scheme.kind == "apiKey" and scheme.name in config.api_key:
                key = config.api_key[scheme.name]
                if scheme.location == "header":
                    headers[scheme.parameter_name] = key
                elif scheme.location == "query":
                    query.append((scheme.parameter_name, key))
                else:
                    cookie = f"{scheme.parameter_name}={key}"
                    headers["Cookie"] = (
                        f"{headers['Cookie']}; {cookie}" if "Cookie" in headers else cookie
                    )
                return


def _retries_for(request: PreparedRequest, retries: int | None) -> int | None:
    """No retry for a body that cannot be sent twice (an upload from an unseekable stream)."""
    if isinstance(request.body, MultipartBody) and not request.body.replayable:
        return 0
    return retries
