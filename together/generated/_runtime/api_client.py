"""The client every generated API class calls: one shared path for all operations.

Hand-written runtime (not generated). :meth:`ApiClient.call_api` (and its stream, download
and raw forms) builds the request from an :class:`~together.generated._runtime.operation.Operation`,
picks the retry strategy (:mod:`together.generated._runtime.retry`) and runs the attempts through
the one loop of :mod:`together.generated._runtime.attempts`, which sends through a transport
(:mod:`.transport`; by default :mod:`.rest`), tells the
hooks (:mod:`together.generated._runtime.hooks`) and asks the strategy after each failure. What an
attempt makes of a 2xx answer differs by form: decoded
(:mod:`together.generated._runtime.response_decoding`), or handed back unread
(:mod:`together.generated._runtime.opening`).
"""

from __future__ import annotations

import asyncio
import re
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar, cast, overload

import aiohttp

from together.generated._runtime.api_response import ApiResponse
from together.generated._runtime.attempts import (
    Attempts,
    Exchange,
    attempt_loop,
    read_and_decode,
    run_attempts,
)
from together.generated._runtime.configuration import Configuration
from together.generated._runtime.credentials import Credentials
from together.generated._runtime.exceptions import (
    ApiTypeError,
    ApiValueError,
)
from together.generated._runtime.hooks import CallHook
from together.generated._runtime.operation import Operation
from together.generated._runtime.response_decoding import (
    ResultDecoder,
    result_spec,
)
from together.generated._runtime.rest import (
    PreparedRequest,
    RequestTimeout,
    RESTClientObject,
    check_request_timeout,
    is_multipart,
    new_record,
)
from together.generated._runtime.retry import RetryPolicy, RetryStrategy
from together.generated._runtime.transport import Transport
from together.generated._runtime.version import __version__

if TYPE_CHECKING:
    # Uploads, streams and downloads are imported by the calls that need them (below), so a
    # client that only sends JSON never loads them: see bench/README.md "Calls and imports".
    from together.generated._runtime.download import Destination
    from together.generated._runtime.multipart import MultipartBody
    from together.generated._runtime.open_response import OpenResponse
    from together.generated._runtime.streaming import AsyncStream

__all__ = ["ApiClient"]

T = TypeVar("T")
R = TypeVar("R")
#: The result of a call decoded into a pydantic model class of the caller's (``decode=``).
#: Not bound to ``BaseModel``: the generated methods pass ``decode`` typed ``Any``, and mypy
#: infers ``Any`` for overloads an ``Any`` matches with different results.
M = TypeVar("M")

#: The strategy of a call that is never retried (``call_api_raw``).
_NO_RETRY = RetryPolicy(max_retries=0)

#: Sent with every request unless replaced (see :attr:`ApiClient.user_agent`).
USER_AGENT = f"together-generated/{__version__} (python; aiohttp {aiohttp.__version__})"


class ApiClient:
    """Holds the configuration and the connection pool; use it as an async context manager.

    ``async with ApiClient(configuration) as api_client: ...`` closes the pool on exit;
    otherwise call :meth:`close`. The aiohttp session is created on the first call, inside the
    running event loop, and the client stays bound to that loop.

    Keyword-only seams for code that builds on this client (all optional):

    - ``session``: an ``aiohttp.ClientSession`` to share; the caller owns and closes it.
    - ``transport``: any :class:`~together.generated._runtime.transport.Transport` (e.g. a fake).
    - ``retry_policy``: a :class:`~together.generated._runtime.retry.RetryStrategy` replacing the
      one built from the configuration's retry settings.
    - ``hooks``: :class:`~.hooks.CallHook` objects told about every attempt.
    - ``trace_configs``: aiohttp ``TraceConfig`` objects for the session the client creates.
    """

    #: The settings an ``ApiClient()`` without a configuration uses. A package generated
    #: from another spec subclasses the client with its own ``Configuration`` (its host, its
    #: environment variables), so such a client never reads this package's API key.
    configuration_class: ClassVar[type[Configuration]] = Configuration
    #: The default client of each client class (see :meth:`get_default`).
    _defaults: ClassVar[dict[type[ApiClient], ApiClient]] = {}

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
        self.configuration = (
            configuration if configuration is not None else self.configuration_class()
        )
        self.default_headers: dict[str, str] = {"User-Agent": USER_AGENT}
        if header_name is not None and header_value is not None:
            self.default_headers[header_name] = header_value
        self.cookie = cookie
        if transport is not None and (session is not None or trace_configs):
            raise ApiValueError("give a transport, or a session / trace_configs, not both")
        if session is not None and trace_configs:
            # aiohttp binds trace configs to a session when it is created: they would be
            # dropped without a word.
            raise ApiValueError(
                "trace_configs apply to the session the client creates; for a session of your "
                "own, pass them to aiohttp.ClientSession(trace_configs=...)"
            )
        self.rest_client: Transport = (
            transport
            if transport is not None
            else RESTClientObject(self.configuration, session=session, trace_configs=trace_configs)
        )
        if retry_policy is not None:
            _check_strategy(retry_policy, "retry_policy")
        self.retry_policy = retry_policy
        self.hooks: tuple[CallHook, ...] = tuple(hooks)
        for hook in self.hooks:
            if not (
                callable(getattr(hook, "on_request", None))
                and callable(getattr(hook, "on_response", None))
            ):
                raise ApiTypeError(
                    f"a hook needs on_request() and on_response() methods; "
                    f"{type(hook).__name__} lacks one"
                )
        # How retries wait; a seam so tests can see the delays without sleeping them.
        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self._credentials = Credentials()
        #: Per operation id (the entry holds the operation itself): its request's static part.
        self._kept_requests: dict[str, _KeptRequest] = {}
        #: The last calls' :class:`Attempts` (see :meth:`_run`).
        self._attempts: Attempts | None = None
        #: The exchange of a call without a timeout or decoder of its own, and the transport
        #: it sends through: made once (see :meth:`call_api`).
        self._plain_exchange: tuple[Transport, Exchange[ApiResponse[Any]]] = (
            self.rest_client,
            read_and_decode(self.rest_client, None, None),
        )
        #: The same for :meth:`call_api_data`, whose exchange keeps the decoded result alone.
        self._data_exchange: tuple[Transport, Exchange[Any]] = (
            self.rest_client,
            read_and_decode(self.rest_client, None, None, whole=False),
        )

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
        """The client API classes use when given none (created on first use).

        One per client class: the API classes of a package generated from another spec ask
        that package's subclass, so they never share this package's client or its key.
        """
        default = cls._defaults.get(cls)
        if default is None:
            default = cls._defaults[cls] = cls()
        return default

    @classmethod
    def set_default(cls, default: ApiClient | None) -> None:
        """Make ``default`` the client :meth:`get_default` gives for this class (None: none)."""
        if default is None:
            cls._defaults.pop(cls, None)
        else:
            cls._defaults[cls] = default

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
        decode: type[M],
    ) -> ApiResponse[M]: ...

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
        :class:`~together.generated._runtime.retry.RetryPolicy` (``retries`` overrides its count, or
        caps a custom strategy's). ``deadline`` bounds all attempts and waits together, in
        seconds. ``decode`` replaces the spec's result type for a success: ``bytes`` for the
        raw body, a pydantic model class, or a callable parsing the body's bytes.
        """
        if request_timeout is not None:
            check_request_timeout(request_timeout)
        request = self._build(operation, params or {}, body, headers)
        if request_timeout is None and decode is None:  # the common call
            transport, exchange = self._plain_exchange
            if transport is not self.rest_client:  # a transport replaced since
                exchange = read_and_decode(self.rest_client, None, None)
                self._plain_exchange = (self.rest_client, exchange)
        else:
            result = None if decode is None else result_spec(decode)
            exchange = read_and_decode(self.rest_client, request_timeout, result)
        return await self._run(operation, request, exchange, retry_policy, retries, deadline)

    @overload
    def call_api_data(
        self,
        operation: Operation[T],
        params: Mapping[str, Any],
        body: Any,
        request_timeout: RequestTimeout = None,
        headers: Mapping[str, str] | None = None,
        retries: int | None = None,
        deadline: float | None = None,
        retry_policy: RetryStrategy | None = None,
        decode: None = None,
    ) -> Coroutine[Any, Any, T]: ...

    @overload
    def call_api_data(
        self,
        operation: Operation[Any],
        params: Mapping[str, Any],
        body: Any,
        request_timeout: RequestTimeout,
        headers: Mapping[str, str] | None,
        retries: int | None,
        deadline: float | None,
        retry_policy: RetryStrategy | None,
        decode: ResultDecoder,
    ) -> Coroutine[Any, Any, Any]: ...

    def call_api_data(
        self,
        operation: Operation[Any],
        params: Mapping[str, Any],
        body: Any,
        request_timeout: RequestTimeout = None,
        headers: Mapping[str, str] | None = None,
        retries: int | None = None,
        deadline: float | None = None,
        retry_policy: RetryStrategy | None = None,
        decode: ResultDecoder | None = None,
    ) -> Coroutine[Any, Any, Any]:
        """What :meth:`call_api` does, for the generated methods returning the result alone:
        await it for the decoded answer (``call_api(...).data``), or its typed exception.

        The arguments are :meth:`call_api`'s, positional. Not a coroutine, and no
        :class:`ApiResponse` is made: a coroutine frame, nine keyword arguments and a record
        fewer per call (bench/README.md). A bad argument raises at once, so await the
        result where it is made, as the generated methods do.
        """
        if request_timeout is not None:
            check_request_timeout(request_timeout)
        request = self._build(operation, params, body, headers)
        if request_timeout is None and decode is None:  # the common call
            transport, exchange = self._data_exchange
            if transport is not self.rest_client:  # a transport replaced since
                exchange = read_and_decode(self.rest_client, None, None, whole=False)
                self._data_exchange = (self.rest_client, exchange)
        else:
            result = None if decode is None else result_spec(decode)
            exchange = read_and_decode(self.rest_client, request_timeout, result, whole=False)
        return self._run(operation, request, exchange, retry_policy, retries, deadline)

    def _run(
        self,
        operation: Operation[Any],
        request: PreparedRequest,
        exchange: Exchange[T],
        retry_policy: RetryStrategy | None,
        retries: int | None,
        deadline: float | None,
    ) -> Coroutine[Any, Any, T]:
        """Attempt ``request`` with this client's strategy, hooks and waits (await the
        result; a bad argument raises at once)."""
        body = request.body
        strategy: RetryStrategy
        if (
            retry_policy is None
            and retries is None
            and self.retry_policy is None
            and (body is None or type(body) is bytes)
        ):  # the common call: the configuration's policy, as _strategy would give it
            # (read where retry_policy() keeps it, made by it when a setting changed)
            configuration = self.configuration
            strategy = configuration.cached_retry_policy or configuration.retry_policy()
            cap = None
        else:
            strategy, cap = self._strategy(retry_policy, _retries_for(request, retries))
        # Made once while the strategy, the hooks and the sleep stay the same objects (the
        # configuration's policy is one object per set of retry settings).
        attempts = self._attempts
        if (
            attempts is None
            or attempts.strategy is not strategy
            or attempts.cap != cap
            or attempts.hooks is not self.hooks
            or attempts.sleep is not self._sleep
        ):
            attempts = self._attempts = Attempts(strategy, cap, self.hooks, self._sleep)
        if deadline is None:  # the loop itself: run_attempts' frame fewer
            return attempt_loop(attempts, operation, request, exchange, None)
        return run_attempts(attempts, operation, request, exchange, deadline)

    def _strategy(
        self, per_call: RetryStrategy | None, retries: int | None
    ) -> tuple[RetryStrategy, int | None]:
        """The strategy for one call, and a retry cap the loop enforces on top of it."""
        if retries is not None:
            if isinstance(retries, bool) or not isinstance(retries, int):
                raise ApiTypeError(f"_retries must be a whole number, not {retries!r}")
            if retries < 0:
                raise ApiValueError(f"_retries must be 0 or more, not {retries}")
        if per_call is not None:
            _check_strategy(per_call, "_retry_policy")
        strategy = per_call if per_call is not None else self.retry_policy
        if strategy is None:
            return self.configuration.retry_policy(retries), None
        if retries is not None and isinstance(strategy, RetryPolicy):
            return strategy.with_max_retries(retries), None
        return strategy, retries

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
        retry_policy: RetryStrategy | None = None,
    ) -> AsyncStream[Any]:
        """Send ``operation`` asking for a streamed answer; return it once the status is known.

        The body's :attr:`~Operation.stream_flag` is set to true (in the sent copy). Opening
        runs through the same attempts as :meth:`call_api` (retry strategy, hooks,
        ``deadline``); once the stream is returned nothing is retried, and hooks have heard
        of the attempt when its headers came in. By default only connecting and each wait
        for the next event are time-limited (see
        :func:`~.opening.long_read_timeout`); ``deadline`` bounds opening.
        """
        from together.generated._runtime.opening import long_read_timeout, open_unread
        from together.generated._runtime.streaming import open_stream

        if not operation.stream_responses:
            raise ApiValueError(f"{operation.operation_id}() has no streamed answer")
        accept = {"Accept": "text/event-stream"}
        request = self._build(
            operation, params or {}, body, {**accept, **(headers or {})}, stream=True
        )
        timeout = long_read_timeout(self.configuration, request_timeout)

        async def as_stream(response: OpenResponse) -> AsyncStream[Any]:
            return await open_stream(response, operation)

        exchange = open_unread(self.rest_client, timeout, as_stream)
        return await self._run(operation, request, exchange, retry_policy, retries, deadline)

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
        retry_policy: RetryStrategy | None = None,
    ) -> int:
        """Send ``operation`` and write its 2xx body to ``destination``; the bytes written.

        ``destination`` is a path (written to a temporary file beside it, renamed when
        complete: a failure leaves no partial file) or a binary file object. Opening runs
        through the same attempts as :meth:`call_api`; reading the body is not retried.
        Timeouts as for :meth:`call_api_stream`.
        """
        from together.generated._runtime.download import check_destination, save_body
        from together.generated._runtime.opening import long_read_timeout, open_unread, unread

        check_destination(destination, operation.operation_id)
        request = self._build(operation, params or {}, body, headers)
        timeout = long_read_timeout(self.configuration, request_timeout)
        exchange = open_unread(self.rest_client, timeout, unread)
        response = await self._run(operation, request, exchange, retry_policy, retries, deadline)
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
        hooks see it as one attempt that ends when the headers are in. With a transport of
        your own it is what that transport's ``open`` returned.
        """
        from together.generated._runtime.opening import open_unchecked

        if request_timeout is not None:
            check_request_timeout(request_timeout)
        request = self._build(operation, params or {}, body, headers)
        exchange = open_unchecked(self.rest_client, request_timeout)
        attempts = Attempts(_NO_RETRY, 0, self.hooks, self._sleep)
        response = await run_attempts(attempts, operation, request, exchange, None)
        # The generated *_without_preload_content methods promise aiohttp's response: it is
        # one with the default transport (a fake's stand-in is the fake's business).
        return cast(aiohttp.ClientResponse, response)

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
        has_params = bool(operation.params)  # most operations have none: skip three loops
        configuration = self.configuration
        if not operation.has_header_params and (payload is None or type(payload) is bytes):
            # The headers, the credential and the URL are the same on every call of the
            # operation while the settings they are made of stay: kept per operation.
            if has_params:  # checked first, as below
                path = operation.build_path(params)
                param_query = operation.build_query(params)
            kept = self._kept_requests.get(operation.operation_id)
            if (
                kept is None
                or kept.operation is not operation
                or kept.configuration is not configuration
                or kept.changes != configuration.changes
                or kept.api_key != configuration.api_key
                or kept.default_headers != self.default_headers
                or kept.cookie is not self.cookie
                or kept.has_body is not (payload is not None)
            ):
                kept = self._keep_request(operation, payload is not None)
            if has_params:
                url = configuration.host + path
                query = param_query + kept.query
            else:
                url = kept.url
                query = kept.query.copy()
            headers = kept.headers.copy()
            secret_names = kept.secret_names
        else:
            url = configuration.host + (
                operation.build_path(params) if has_params else operation.path
            )
            query = operation.build_query(params) if has_params else []
            headers = self._static_headers(operation, payload)
            if has_params:
                param_headers = operation.build_headers(params)
                if "Cookie" in param_headers and "Cookie" in headers:
                    # One Cookie header (RFC 6265): the client's cookie, then the parameters'.
                    param_headers["Cookie"] = f"{headers['Cookie']}; {param_headers['Cookie']}"
                headers.update(param_headers)
            secret_names = self._credentials.apply(
                configuration, operation.security, headers, query
            )
        if extra_headers:
            _check_headers(extra_headers)
            headers.update(extra_headers)
        request = new_record(PreparedRequest)  # every field set below
        request.method = operation.method
        request.url = url
        request.headers = headers
        request.query = query
        request.body = payload
        request.secret_names = secret_names
        return request

    def _static_headers(
        self, operation: Operation[Any], payload: bytes | MultipartBody | None
    ) -> dict[str, str]:
        """The client's headers, ``Accept``, ``Content-Type`` and the client's cookie."""
        headers = dict(self.default_headers)
        if operation.accept:
            headers["Accept"] = operation.accept
        if type(payload) is not bytes and is_multipart(payload):  # its type has the boundary
            headers["Content-Type"] = payload.content_type
            if payload.content_length is not None:
                headers["Content-Length"] = str(payload.content_length)
        elif payload is not None and operation.body is not None:
            headers["Content-Type"] = operation.body.content_type
        if self.cookie:
            headers["Cookie"] = self.cookie
        return headers

    def _keep_request(self, operation: Operation[Any], has_body: bool) -> _KeptRequest:
        """Work out (and keep) what every call of ``operation`` sends alike; raises if the
        credential cannot be sent (and keeps nothing then)."""
        configuration = self.configuration
        changes = configuration.changes  # read first: a change while building is seen next
        api_key = dict(configuration.api_key)
        default_headers = dict(self.default_headers)
        cookie = self.cookie
        headers = self._static_headers(operation, b"" if has_body else None)
        query: list[tuple[str, str]] = []
        secret_names = self._credentials.apply(configuration, operation.security, headers, query)
        kept = _KeptRequest(
            operation,
            configuration,
            changes,
            api_key,
            default_headers,
            cookie,
            has_body,
            configuration.host + operation.path,
            headers,
            query,
            secret_names,
        )
        if len(self._kept_requests) >= _KEPT_REQUESTS:
            self._kept_requests.clear()
        self._kept_requests[operation.operation_id] = kept
        return kept


#: Operations whose requests a client keeps (:meth:`ApiClient._keep_request`); a spec has
#: fewer, so only a program making operations on the fly ever starts again from none.
_KEPT_REQUESTS = 512


@dataclass(slots=True)
class _KeptRequest:
    """What every call of one operation sends alike (:meth:`ApiClient._build`), and what
    it was made from: valid while each of these is the same."""

    operation: Operation[Any]
    configuration: Configuration
    #: ``Configuration.changes`` then: host, credentials, every setting.
    changes: int
    #: Copies: both are changed in place.
    api_key: dict[str, str]
    default_headers: dict[str, str]
    cookie: str | None
    #: Whether the request has a body (then ``Content-Type``).
    has_body: bool
    #: The host and the path (of an operation without path parameters).
    url: str
    #: The client's headers, Accept, Content-Type, Cookie and the credential.
    headers: dict[str, str]
    #: The credential's query parameter (an API key sent in the query), if any.
    query: list[tuple[str, str]]
    secret_names: frozenset[str]


def _retries_for(request: PreparedRequest, retries: int | None) -> int | None:
    """No retry for a body that cannot be sent twice (an upload from an unseekable stream)."""
    if is_multipart(request.body) and not request.body.replayable:
        return 0
    return retries


def _check_strategy(strategy: object, argument: str) -> None:
    """Refuse a retry strategy without ``decide``: it would fail only at the first error."""
    if not callable(getattr(strategy, "decide", None)):
        raise ApiTypeError(
            f"{argument} must be a RetryStrategy (an object with decide(outcome)), "
            f"not {type(strategy).__name__}"
        )


#: A header name: an RFC 9110 ``token`` (section 5.6.2).
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def _check_headers(headers: Mapping[str, str]) -> None:
    """Refuse extra headers aiohttp cannot send, naming the header but never its value
    (it may be a key)."""
    if not isinstance(headers, Mapping):
        raise ApiTypeError(
            f"_headers must be a mapping of names to values, not {type(headers).__name__}"
        )
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise ApiTypeError(
                f"_headers must map str names to str values; {name!r} has a "
                f"{type(value).__name__} value"
                if isinstance(name, str)
                else f"_headers must map str names to str values, not a {type(name).__name__} name"
            )
        if _HEADER_NAME.fullmatch(name) is None:
            raise ApiValueError(
                f"_headers: {name!r} is not a valid header name (RFC 9110: letters, digits "
                "and !#$%&'*+-.^_`|~, at least one)"
            )
        if any(c in value or c in name for c in "\r\n\0"):
            raise ApiValueError(f"the value of the header {name!r} contains a line break or NUL")
