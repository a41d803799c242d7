"""The client every generated API class calls: one shared path for all operations.

Hand-written runtime (not generated). :meth:`ApiClient.call_api` builds the request from an
:class:`~together.generated.operation.Operation`, sends it through a transport
(:mod:`together.generated.transport`; by default :mod:`together.generated.rest`), decodes the
answer or raises the typed exception (:mod:`together.generated.response_decoding`), and asks
its retry strategy (:mod:`together.generated.retry`) whether and how long to wait after a
failure. Hooks (:mod:`together.generated.hooks`) see every attempt.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, ClassVar, Self, TypeVar, overload

import aiohttp

from together.generated.api_response import ApiResponse
from together.generated.configuration import Configuration
from together.generated.credentials import Credentials
from together.generated.download import Destination, check_destination, save_body
from together.generated.exceptions import (
    ApiConnectionError,
    ApiTimeoutError,
    ApiValueError,
    OpenApiException,
    request_id_from,
)
from together.generated.hooks import AttemptRequest, AttemptResult, CallHook
from together.generated.multipart import MultipartBody
from together.generated.opening import long_read_timeout, open_success
from together.generated.operation import Operation, ResponseSpec, SecurityScheme
from together.generated.response_decoding import (
    ResultDecoder,
    decode_success,
    error_for_status,
    result_spec,
)
from together.generated.rest import PreparedRequest, RequestTimeout, RESTClientObject
from together.generated.retry import AttemptOutcome, RetryPolicy, RetryStrategy
from together.generated.streaming import AsyncStream, open_stream
from together.generated.transport import Transport
from together.generated.version import __version__

__all__ = ["ApiClient"]

T = TypeVar("T")
R = TypeVar("R")

logger = logging.getLogger("together.generated")

#: Sent with every request unless replaced (see :attr:`ApiClient.user_agent`).
USER_AGENT = f"together-generated/{__version__} (python; aiohttp {aiohttp.__version__})"


class ApiClient:
    """Holds the configuration and the connection pool; use it as an async context manager.

    ``async with ApiClient(configuration) as api_client: ...`` closes the pool on exit;
    otherwise call :meth:`close`. The aiohttp session is created on the first call, inside the
    running event loop, and the client stays bound to that loop.

    Keyword-only seams for code that builds on this client (all optional):

    - ``session``: an ``aiohttp.ClientSession`` to share; the caller owns and closes it.
    - ``transport``: any :class:`~together.generated.transport.Transport` (e.g. a fake).
    - ``retry_policy``: a :class:`~together.generated.retry.RetryStrategy` replacing the
      one built from the configuration's retry settings.
    - ``hooks``: :class:`~together.generated.hooks.CallHook` objects told about every attempt.
    - ``trace_configs``: aiohttp ``TraceConfig`` objects for the session the client creates.
    """

    _default: ClassVar[ApiClient | None] = None

    def __init__(
        self,
        configuration: Configuration | None = None,
        header_name: str | None = None,
        header_value: str | None = None,
        cookie: str | None = None,
        *,
        session: aiohttp.ClientSession | None = None,
        transport: Transport | None = None,
        retry_policy: RetryStrategy | None = None,
        hooks: Sequence[CallHook] = (),
        trace_configs: Sequence[aiohttp.TraceConfig] = (),
    ) -> None:
        self.configuration = configuration if configuration is not None else Configuration()
        self.default_headers: dict[str, str] = {"User-Agent": USER_AGENT}
        if header_name is not None and header_value is not None:
            self.default_headers[header_name] = header_value
        self.cookie = cookie
        if transport is not None and (session is not None or trace_configs):
            raise ApiValueError("give a transport, or a session / trace_configs, not both")
        self.rest_client: Transport = (
            transport
            if transport is not None
            else RESTClientObject(self.configuration, session=session, trace_configs=trace_configs)
        )
        self.retry_policy = retry_policy
        self.hooks: tuple[CallHook, ...] = tuple(hooks)
        # How retries wait; a seam so tests can see the delays without sleeping them.
        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self._credentials = Credentials()

    def __del__(self) -> None:
        # Like aiohttp's own session: a client dropped with its pool open is a leak.
        rest_client = getattr(self, "rest_client", None)
        if getattr(rest_client, "has_open_session", False):
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
        """Close the connection pool (a borrowed session stays open). Idempotent; the client
        cannot be used afterwards."""
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

    @overload
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
        retry_policy: RetryStrategy | None = None,
        decode: None = None,
    ) -> ApiResponse[T]: ...

    @overload
    async def call_api(
        self,
        operation: Operation[Any],
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        *,
        request_timeout: RequestTimeout = None,
        headers: Mapping[str, str] | None = None,
        retries: int | None = None,
        deadline: float | None = None,
        retry_policy: RetryStrategy | None = None,
        decode: Callable[[bytes], R],
    ) -> ApiResponse[R]: ...

    async def call_api(
        self,
        operation: Operation[Any],
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        *,
        request_timeout: RequestTimeout = None,
        headers: Mapping[str, str] | None = None,
        retries: int | None = None,
        deadline: float | None = None,
        retry_policy: RetryStrategy | None = None,
        decode: ResultDecoder | None = None,
    ) -> ApiResponse[Any]:
        """Send ``operation`` and return the decoded answer, or raise its typed exception.

        After a failed attempt the retry strategy decides whether and how long to wait:
        ``retry_policy`` for this call, else the client's, else the configuration's
        :class:`~together.generated.retry.RetryPolicy` (``retries`` overrides its count, or
        caps a custom strategy's). ``deadline`` bounds all attempts and waits together, in
        seconds. ``decode`` replaces the spec's result type for a success: ``bytes`` for the
        raw body, a pydantic model class, or a callable parsing the body's bytes.
        """
        request = self._build(operation, params or {}, body, headers)
        strategy, cap = self._strategy(retry_policy, _retries_for(request, retries))
        result = None if decode is None else result_spec(decode)
        if deadline is None:  # the common case, without a timer of its own
            return await self._attempts(
                operation, request, request_timeout, strategy, cap, None, result
            )
        if deadline <= 0:
            raise ApiValueError(f"_deadline must be a positive number of seconds, not {deadline!r}")
        give_up_at = time.monotonic() + deadline
        try:
            async with asyncio.timeout(deadline):
                return await self._attempts(
                    operation, request, request_timeout, strategy, cap, give_up_at, result
                )
        except TimeoutError as exc:
            if isinstance(exc, ApiTimeoutError):
                raise
            raise ApiTimeoutError(
                f"{operation.operation_id}: the call's deadline of {deadline} s passed"
            ) from exc

    def _strategy(
        self, per_call: RetryStrategy | None, retries: int | None
    ) -> tuple[RetryStrategy, int | None]:
        """The strategy for one call, and a retry cap the loop enforces on top of it."""
        strategy = per_call if per_call is not None else self.retry_policy
        if strategy is None:
            return self.configuration.retry_policy(retries), None
        if retries is not None and isinstance(strategy, RetryPolicy):
            return strategy.with_max_retries(retries), None
        return strategy, retries

    async def _attempts(
        self,
        operation: Operation[Any],
        request: PreparedRequest,
        request_timeout: RequestTimeout,
        strategy: RetryStrategy,
        cap: int | None,
        give_up_at: float | None,
        result: ResponseSpec | None,
    ) -> ApiResponse[Any]:
        """Attempt until a success, or until the strategy says stop (then raise)."""
        attempt = 0
        while True:
            outcome = await self._attempt(operation, request, request_timeout, attempt, result)
            if isinstance(outcome, ApiResponse):
                return outcome
            error, status, headers = outcome
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
            await self._sleep(delay)

    async def _attempt(
        self,
        operation: Operation[Any],
        request: PreparedRequest,
        request_timeout: RequestTimeout,
        attempt: int,
        result: ResponseSpec | None,
    ) -> ApiResponse[Any] | tuple[OpenApiException, int | None, Mapping[str, str]]:
        """One send: the decoded success, or the failure as (error, status, headers).

        A malformed success is raised at once: the server did answer, so it is not retried.
        """
        hooks = self.hooks
        debug = logger.isEnabledFor(logging.DEBUG)
        started = time.monotonic() if hooks or debug else 0.0
        hook_request = None
        if hooks:
            hook_request = AttemptRequest(
                operation.operation_id, request.method, operation.path, request.url, attempt
            )
            for hook in hooks:
                hook.on_request(hook_request)
        try:
            response = await self.rest_client.request(request, timeout=request_timeout)
        except ApiConnectionError as exc:  # ApiTimeoutError included
            if hook_request is not None:
                self._report(hook_request, started, None, {}, exc)
            return exc, None, {}
        status, headers = response.status, response.headers
        if debug:
            logger.debug(
                "%s %s -> %d in %.1f ms (retry %d, request id %s)",
                request.method,
                request.url,
                status,
                (time.monotonic() - started) * 1000,
                attempt,
                request_id_from(headers) or "-",
            )
        if not 200 <= status <= 299:
            error = error_for_status(
                operation, status, response.reason, headers, response.data, response.content_type
            )
            if hook_request is not None:
                self._report(hook_request, started, status, headers, error)
            return error, status, headers
        try:
            data = decode_success(
                operation, status, headers, response.data, response.content_type, result
            )
        except OpenApiException as exc:
            if hook_request is not None:
                self._report(hook_request, started, status, headers, exc)
            raise
        if hook_request is not None:
            self._report(hook_request, started, status, headers, None)
        return ApiResponse(status_code=status, headers=headers, data=data, raw_data=response.data)

    def _report(
        self,
        request: AttemptRequest,
        started: float,
        status: int | None,
        headers: Mapping[str, str],
        error: BaseException | None,
    ) -> None:
        """Tell every hook how an attempt ended."""
        result = AttemptResult(status, time.monotonic() - started, request_id_from(headers), error)
        for hook in self.hooks:
            hook.on_response(request, result)

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

        The caller reads and releases it (``async with`` or ``release()``). Never retried;
        hooks see it as one attempt that ends when the headers are in.
        """
        request = self._build(operation, params or {}, body, headers)
        if not self.hooks:
            return await self.rest_client.open(request, timeout=request_timeout)
        hook_request = AttemptRequest(
            operation.operation_id, request.method, operation.path, request.url, 0
        )
        for hook in self.hooks:
            hook.on_request(hook_request)
        started = time.monotonic()
        try:
            response = await self.rest_client.open(request, timeout=request_timeout)
        except OpenApiException as exc:
            self._report(hook_request, started, None, {}, exc)
            raise
        self._report(hook_request, started, response.status, response.headers, None)
        return response

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
        self._credentials.apply(self.configuration, schemes, headers, query)


def _of_max(strategy: RetryStrategy, cap: int | None) -> str:
    """`` of N`` for the retry log line, when the most retries is known."""
    limits = [cap] if cap is not None else []
    if isinstance(strategy, RetryPolicy):
        limits.append(strategy.max_retries)
    return f" of {min(limits)}" if limits else ""


def _retries_for(request: PreparedRequest, retries: int | None) -> int | None:
    """No retry for a body that cannot be sent twice (an upload from an unseekable stream)."""
    if isinstance(request.body, MultipartBody) and not request.body.replayable:
        return 0
    return retries
