"""The aiohttp transport: where requests are sent.

Hand-written runtime (not generated). :class:`RESTClientObject` sends over one
``aiohttp.ClientSession``: its own, created lazily inside the running event loop with TLS,
proxy and pool settings resolved once from the :class:`Configuration`, or one the caller
passes in and keeps owning (see :mod:`together.generated._runtime.transport`). Transport failures
become :class:`ApiConnectionError` / :class:`ApiTimeoutError` (a redirect loop
:class:`RedirectLoopError`) with the aiohttp error chained, its request headers redacted.

``ApiException`` and friends are importable from here, as in openapi-generator's clients.
"""

from __future__ import annotations

import asyncio
import ssl
import time
import warnings
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeGuard

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from together.generated._runtime.configuration import Configuration
from together.generated._runtime.exceptions import (
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    ApiValueError,
    BadRequestException,
    ClientStateError,
    ForbiddenException,
    NotFoundException,
    OpenApiException,
    RateLimitException,
    RedirectLoopError,
    ServiceException,
    UnauthorizedException,
)

if TYPE_CHECKING:
    from together.generated._runtime.multipart import MultipartBody

__all__ = [
    "ApiException",
    "BadRequestException",
    "ForbiddenException",
    "NotFoundException",
    "OpenApiException",
    "PreparedRequest",
    "RESTClientObject",
    "RESTResponse",
    "RateLimitException",
    "RequestTimeout",
    "ServiceException",
    "UnauthorizedException",
    "to_client_timeout",
]

#: A per-call timeout: seconds for the whole call, a ``(connect, read)`` pair (``None`` for
#: a part leaves it unbounded), or an ``aiohttp.ClientTimeout``.
RequestTimeout = float | tuple[float | None, float | None] | aiohttp.ClientTimeout | None


# PreparedRequest and RESTResponse are built on every call: not frozen (treat them as
# read-only), since a frozen dataclass's __init__ costs about four times a plain one's
# (bench/README.md, "What each microsecond of the small call is").
@dataclass(slots=True)
class PreparedRequest:
    """A request ready to send: built and checked once, sent again as is on a retry."""

    method: str
    url: str
    headers: Mapping[str, str]
    query: list[tuple[str, str]]
    #: JSON (or other) bytes, or a multipart body that streams its files for each attempt.
    body: bytes | MultipartBody | None
    #: Lower-case names of the headers and query parameters holding an API key the runtime
    #: added: dropped, with ``Authorization`` and ``Cookie``, when a redirect leaves the origin.
    secret_names: frozenset[str] = frozenset()

    def __repr__(self) -> str:
        # Shown in tracebacks and debuggers: credentials (a bearer token, an API key in a
        # header or the query) and the user's text stay out of it.
        headers = {
            name: value if name.lower() in _SHOWN_HEADERS else "<redacted>"
            for name, value in self.headers.items()
        }
        query = [(name, "<redacted>") for name, _ in self.query]
        body = (
            "None"
            if self.body is None
            else f"<{len(self.body)} bytes>"
            if isinstance(self.body, bytes)
            else "<multipart>"
        )
        return (
            f"PreparedRequest(method={self.method!r}, url={self.url!r}, headers={headers!r}, "
            f"query={query!r}, body={body})"
        )


@dataclass(slots=True)
class RESTResponse:
    """A fully read answer."""

    status: int
    reason: str | None
    headers: Mapping[str, str]
    data: bytes
    content_type: str | None

    def getheader(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name, default)


def to_client_timeout(
    value: RequestTimeout, default: aiohttp.ClientTimeout
) -> aiohttp.ClientTimeout:
    """The aiohttp timeout for a per-call ``_request_timeout`` value.

    A ``(connect, read)`` pair keeps the configured total (``default.total``): a read
    timeout restarts with every byte, so a server dripping its headers would otherwise hold
    the call for as long as it likes.
    """
    if value is None:
        return default
    if isinstance(value, aiohttp.ClientTimeout):
        return value
    if isinstance(value, tuple):
        if len(value) != 2:
            raise ApiValueError("_request_timeout as a tuple must be (connect, read) seconds")
        connect, read = value
        return aiohttp.ClientTimeout(
            total=default.total,
            connect=_seconds(connect, "connect", none_ok=True),
            sock_read=_seconds(read, "read", none_ok=True),
        )
    return aiohttp.ClientTimeout(total=_seconds(value, "total", none_ok=False))


#: A record's instance without its ``__init__``, for the records made on every call
#: (``PreparedRequest``, ``RESTResponse``, the attempt's ``Answer``): the caller sets every
#: field, one assignment each. A dataclass's ``__init__`` is one frame more, about 800
#: instructions a call (bench/README.md).
new_record = object.__new__

_INFINITY = float("inf")

#: Any default: :func:`check_request_timeout` only looks at the caller's value.
_NO_DEFAULT = aiohttp.ClientTimeout()


def check_request_timeout(value: RequestTimeout) -> None:
    """Refuse a bad ``_request_timeout`` (:class:`ApiTypeError` / :class:`ApiValueError`)
    before anything is sent."""
    if not isinstance(value, aiohttp.ClientTimeout):
        to_client_timeout(value, _NO_DEFAULT)


def _seconds(value: object, part: str, *, none_ok: bool) -> float | None:
    """One part of a ``_request_timeout``: a positive number of seconds (or None)."""
    if value is None and none_ok:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        # ApiValueError, as the seed raised for any bad timeout (a str "5" included).
        raise ApiValueError(
            "_request_timeout must be seconds, a (connect, read) pair or an "
            f"aiohttp.ClientTimeout; its {part} part is a {type(value).__name__}"
        )
    if not value > 0:  # NaN included
        raise ApiValueError(
            f"_request_timeout's {part} part must be a positive number of seconds, not {value!r}"
        )
    if value == _INFINITY:  # aiohttp cannot schedule it: an untyped OverflowError
        raise ApiValueError(
            f"_request_timeout's {part} part must be a finite number of seconds (None for no "
            "limit), not inf"
        )
    return float(value)


class RESTClientObject:
    """Sends requests over one pooled aiohttp session.

    Args:
        configuration: timeouts, TLS, proxy and pool size.
        session: an open ``aiohttp.ClientSession`` to send through instead of one of its
            own. The caller keeps owning it: :meth:`close` leaves it open. The
            configuration's timeouts, TLS verification and proxy still apply per request;
            its pool size does not (the session's connector decides).
        trace_configs: aiohttp ``TraceConfig`` objects for the session this object creates.
    """

    def __init__(
        self,
        configuration: Configuration,
        *,
        session: aiohttp.ClientSession | None = None,
        trace_configs: Sequence[aiohttp.TraceConfig] = (),
    ) -> None:
        self.configuration = configuration
        self._session: aiohttp.ClientSession | None = session
        self._owns_session = session is None
        self._trace_configs = list(trace_configs)
        # The event loop the session belongs to: an aiohttp session cannot move to another.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self.default_timeout = aiohttp.ClientTimeout(
            total=configuration.total_timeout, connect=configuration.connect_timeout
        )
        # Resolved once: aiohttp's trust_env would look proxies and netrc up on every call.
        self._proxy = configuration.proxy
        self._proxy_headers = configuration.proxy_headers
        self._ssl = _ssl_setting(configuration)
        self._send_options: dict[str, Any] = {}
        #: Each URL sent to, parsed (see :meth:`_url`).
        self._urls: dict[str, URL] = {}
        if self._proxy:
            self._send_options["proxy"] = self._proxy
            if self._proxy_headers:
                self._send_options["proxy_headers"] = self._proxy_headers
        if session is not None and self._ssl is not True:
            self._send_options["ssl"] = self._ssl  # a borrowed connector has its own default

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def has_open_session(self) -> bool:
        """Whether this object holds a pool it must close (a borrowed session does not count)."""
        return self._owns_session and self._session is not None and not self._session.closed

    def _get_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise ClientStateError("this ApiClient is closed; create a new one")
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            if self._loop is not None:
                raise ClientStateError(
                    "this ApiClient is bound to the event loop it was first used in; use one "
                    "client per event loop (asyncio.run starts a new loop each time), or "
                    "together.generated._runtime.sync.SyncApiClient from code without a loop"
                )
            self._loop = loop
        if self._session is None:
            # Created here, on first use, so it binds to the loop the calls run in.
            connector = aiohttp.TCPConnector(
                limit=self.configuration.connection_pool_maxsize, ssl=self._ssl
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=self.default_timeout,
                trust_env=False,
                trace_configs=self._trace_configs or None,
            )
        elif self._session.closed:
            raise ClientStateError("the aiohttp session given to this ApiClient is closed")
        return self._session

    async def request(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> RESTResponse:
        """Send one request and read the whole answer."""
        # What _start does, in this frame (a call and a tuple fewer per call); see there.
        session = self._session
        if session is None or self._loop is not asyncio.get_running_loop():  # (closed: None)
            session = self._get_session()
        client_timeout = (
            self.default_timeout
            if timeout is None
            else to_client_timeout(timeout, self.default_timeout)
        )
        started = time.monotonic()
        body = request.body
        query = request.query
        try:
            if query or self._send_options or not (body is None or type(body) is bytes):
                response = await self._start_request(session, request, client_timeout)
            else:  # the common request: aiohttp's defaults for what it does not have
                response = await session.request(
                    request.method,
                    self._url(request.url),
                    params=None,
                    data=body,
                    headers=request.headers,
                    timeout=client_timeout,
                    allow_redirects=False,
                )
        except _SEND_ERRORS as exc:
            raise _send_error(request, exc) from _send_error_cause(exc)
        if response.status in _REDIRECT_STATUSES:
            response = await self._follow(session, request, response, client_timeout, started)
        try:
            data = await response.read()
        except TimeoutError as exc:
            raise ApiTimeoutError(
                f"{request.method} {request.url}: timed out reading the response"
            ) from exc
        except (aiohttp.ClientError, OSError) as exc:
            _redact(exc)
            raise ApiConnectionError(
                f"{request.method} {request.url}: {type(exc).__name__} reading the response"
            ) from exc
        finally:
            response.release()
        answer = new_record(RESTResponse)  # every field set below
        answer.status = response.status
        answer.reason = response.reason
        answer.headers = headers = response.headers
        answer.data = data
        answer.content_type = headers.get("Content-Type")
        return answer

    async def open(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> aiohttp.ClientResponse:
        """Send one request and return the response unread (the caller releases it).

        Redirects are followed here, not by aiohttp (which drops only ``Authorization`` and
        ``Cookie`` when the origin changes): every credential the runtime added stays on the
        request's origin.
        """
        session, client_timeout, started, sending = self._start(request, timeout)
        try:
            response = await sending
        except _SEND_ERRORS as exc:
            raise _send_error(request, exc) from _send_error_cause(exc)
        if response.status not in _REDIRECT_STATUSES:
            return response
        return await self._follow(session, request, response, client_timeout, started)

    def _start(
        self, request: PreparedRequest, timeout: RequestTimeout
    ) -> tuple[
        aiohttp.ClientSession,
        aiohttp.ClientTimeout,
        float,
        Awaitable[aiohttp.ClientResponse],
    ]:
        """The first exchange of :meth:`open`, to be awaited (aiohttp's errors mapped by the
        caller), with the session, the timeout and the start time the redirects that may
        follow need. Not a coroutine: a frame fewer per call."""
        session = self._get_session()
        # Refused here, before anything is sent: a bad timeout is the caller's argument, not a
        # request aiohttp could not send.
        client_timeout = (
            self.default_timeout
            if timeout is None
            else to_client_timeout(timeout, self.default_timeout)
        )
        started = time.monotonic()  # redirects share the call's total timeout with it
        return (
            session,
            client_timeout,
            started,
            self._start_request(session, request, client_timeout),
        )

    def _start_request(
        self,
        session: aiohttp.ClientSession,
        request: PreparedRequest,
        client_timeout: aiohttp.ClientTimeout,
    ) -> Awaitable[aiohttp.ClientResponse]:
        """aiohttp's request for ``request`` (not followed: :meth:`_follow` does that)."""
        body = request.body
        return session.request(
            request.method,
            self._url(request.url),
            params=request.query or None,
            data=body if body is None or type(body) is bytes else _data(body),
            headers=request.headers,
            timeout=client_timeout,
            allow_redirects=False,
            **self._send_options,
        )

    def _url(self, url: str) -> URL | str:
        """``url`` parsed as aiohttp parses it (``yarl.URL(url)``), once per URL: a client
        sends to few URLs, and parsing one is a measurable part of a small call. Bounded;
        a URL yarl refuses is handed on as text, for aiohttp to refuse as it would."""
        parsed = self._urls.get(url)
        if parsed is None:
            try:
                parsed = URL(url)
            except ValueError:
                return url
            if len(self._urls) >= _URLS_KEPT:
                self._urls.clear()
            self._urls[url] = parsed
        return parsed

    async def _follow(
        self,
        session: aiohttp.ClientSession,
        request: PreparedRequest,
        response: aiohttp.ClientResponse,
        client_timeout: aiohttp.ClientTimeout,
        started: float,
    ) -> aiohttp.ClientResponse:
        """Follow redirects as aiohttp would (at most :data:`MAX_REDIRECTS` answers; a 303,
        or a 301/302 to a POST, becomes a GET without body), within the total timeout of
        the call that ``started`` (``time.monotonic()``) with the first request."""
        ends_at = None if client_timeout.total is None else started + client_timeout.total
        method, url = request.method, URL(request.url).update_query(request.query or None)
        headers: Mapping[str, str] = request.headers
        body = request.body
        secrets = request.secret_names
        # The API key the runtime put in the query: a Location on the same origin rarely
        # repeats it, so it is added again there, as headers are kept (dropped off-origin).
        query_keys = [(k, v) for k, v in request.query if k.lower() in secrets]
        redirects = 0
        while response.status in _REDIRECT_STATUSES:
            location = response.headers.get("Location") or response.headers.get("URI")
            if location is None:
                return response  # nothing to follow: the 3xx is the answer, as in aiohttp
            response.release()
            redirects += 1
            if redirects >= MAX_REDIRECTS:
                raise RedirectLoopError(
                    f"{request.method} {request.url}: redirected {redirects} times without "
                    "an answer (a redirect loop?)"
                )
            target = _redirect_target(url, location, request)
            if target.origin() != url.origin():
                headers = _without_secrets(headers, secrets)
                query_keys = []
                if secrets and target.query:
                    kept = [(k, v) for k, v in target.query.items() if k.lower() not in secrets]
                    target = target.with_query(kept)
            elif query_keys:
                present = {name.lower() for name in target.query}
                missing = [(k, v) for k, v in query_keys if k.lower() not in present]
                if missing:
                    target = target.extend_query(missing)
            if (response.status == 303 and method != "HEAD") or (
                response.status in (301, 302) and method == "POST"
            ):
                method, body = "GET", None
                headers = {
                    name: value
                    for name, value in headers.items()
                    if name.lower() not in ("content-length", "content-type")
                }
            elif is_multipart(body) and not body.replayable:
                raise ApiConnectionError(
                    f"{request.method} {request.url}: redirected ({response.status}), but the "
                    "upload streams from a file object that cannot be read twice; pass a path "
                    "or bytes"
                )
            url = target
            if ends_at is not None:
                left = ends_at - time.monotonic()
                if left <= 0:
                    raise ApiTimeoutError(f"{request.method} {request.url}: timed out")
                client_timeout = aiohttp.ClientTimeout(
                    total=left,
                    connect=client_timeout.connect,
                    sock_read=client_timeout.sock_read,
                    sock_connect=client_timeout.sock_connect,
                )
            response = await self._send(
                session, request, method, url, None, headers, body, client_timeout
            )
        return response

    async def _send(
        self,
        session: aiohttp.ClientSession,
        request: PreparedRequest,
        method: str,
        url: str | URL,
        query: list[tuple[str, str]] | None,
        headers: Mapping[str, str],
        body: bytes | MultipartBody | None,
        client_timeout: aiohttp.ClientTimeout,
    ) -> aiohttp.ClientResponse:
        """One HTTP exchange after a redirect, aiohttp's errors mapped to the runtime's
        (messages name the original request, whose query values are not shown)."""
        try:
            return await session.request(
                method,
                url,
                params=query,
                data=_data(body),
                headers=headers,
                timeout=client_timeout,
                allow_redirects=False,
                **self._send_options,
            )
        except _SEND_ERRORS as exc:
            raise _send_error(request, exc) from _send_error_cause(exc)

    async def close(self) -> None:
        """Close the session and its connections (a borrowed session is left open); safe to
        call more than once."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owns_session:
            await session.close()


def _data(body: bytes | MultipartBody | None) -> Any:
    """What aiohttp sends for ``body``: an upload streams its parts for each attempt."""
    return body.stream() if is_multipart(body) else body


#: What aiohttp raises for a request it could not send (:func:`_send_error` maps them).
_SEND_ERRORS = (TimeoutError, aiohttp.ClientError, OSError, RuntimeError, ValueError)


def _send_error(request: PreparedRequest, exc: BaseException) -> OpenApiException:
    """The runtime's error for what aiohttp raised sending ``request`` (one of
    :data:`_SEND_ERRORS`; messages name the original request, whose query values are not
    shown). The first class that matches decides, in this order."""
    where = f"{request.method} {request.url}"
    if isinstance(exc, TimeoutError):
        return ApiTimeoutError(f"{where}: timed out")
    if isinstance(exc, (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError)):
        # retrying cannot help
        return ApiValueError(
            f"{where}: not a URL aiohttp can send to ({exc}); check Configuration.host"
        )
    if isinstance(exc, (aiohttp.ClientError, OSError)):
        _redact(exc)
        return ApiConnectionError(f"{where}: {type(exc).__name__}: {exc}")
    if isinstance(exc, RuntimeError):  # e.g. a borrowed session from another event loop
        return ClientStateError(f"{where}: aiohttp cannot send from here: {exc}")
    # A ValueError: aiohttp refuses a header value or URL it cannot send.
    return ApiValueError(
        f"{where}: aiohttp could not send the request ({type(exc).__name__}); check header "
        "values for newlines"
    )


def _send_error_cause(exc: BaseException) -> BaseException | None:
    """What :func:`_send_error`'s error is raised from: aiohttp's error, except a bare
    ``ValueError``, whose message may quote a header value (a key, say)."""
    if isinstance(exc, (TimeoutError, aiohttp.ClientError, OSError, RuntimeError)):
        return exc
    return None


def is_multipart(body: object) -> TypeGuard[MultipartBody]:
    """Whether ``body`` is an upload's :class:`~.multipart.MultipartBody`.

    JSON bytes and no body are told apart without importing the multipart module: only
    uploads need it, and it is imported when an upload is built.
    """
    if body is None or type(body) is bytes:
        return False
    from together.generated._runtime.multipart import MultipartBody

    return isinstance(body, MultipartBody)


#: URLs a transport keeps parsed (:meth:`RESTClientObject._url`); a spec's operations without
#: path parameters need fewer, one per path parameter value more.
_URLS_KEPT = 256

#: The statuses aiohttp follows; :meth:`RESTClientObject.open` follows them itself.
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

#: Answers followed before :class:`RedirectLoopError` (aiohttp's default ``max_redirects``).
MAX_REDIRECTS = 10

#: Headers that never go to another origin (aiohttp drops the same three).
_ORIGIN_BOUND = frozenset({"authorization", "cookie", "proxy-authorization"})


def _redirect_target(url: URL, location: str, request: PreparedRequest) -> URL:
    """The absolute URL a ``Location`` leads to; an unusable one is an :class:`ApiValueError`
    (as aiohttp's ``InvalidUrlRedirectClientError`` was), not quoted (it may echo a key)."""
    try:
        target = URL(location)
        if not target.scheme or not target.host:
            target = url.join(target)
        if target.scheme not in ("http", "https"):
            raise ValueError("not http(s)")
        target.origin()
    except ValueError:
        raise ApiValueError(
            f"{request.method} {request.url}: the server redirected to a location that is "
            "not an http(s) URL"
        ) from None
    return target.with_fragment(None)


def _without_secrets(headers: Mapping[str, str], secret_names: frozenset[str]) -> dict[str, str]:
    return {
        name: value
        for name, value in headers.items()
        if (lower := name.lower()) not in _ORIGIN_BOUND and lower not in secret_names
    }


#: Request headers whose values may be shown in an exception's chain; all others are redacted.
_SHOWN_HEADERS = frozenset({"accept", "content-type", "content-length", "user-agent", "host"})


def _redact(exc: BaseException) -> None:
    """Hide the request's credentials in an aiohttp error before it is chained.

    ``ClientResponseError`` keeps the request's headers (``Authorization`` included) and
    its URL (an API key in the query included) in ``request_info``, its repr and its
    message; the redirect history keeps more of them. Query values are redacted like
    :class:`PreparedRequest`'s repr does.
    """
    if not isinstance(exc, aiohttp.ClientResponseError):
        return
    info, history = exc.request_info, exc.history
    if info is not None:
        headers = CIMultiDict(
            (name, value if name.lower() in _SHOWN_HEADERS else "<redacted>")
            for name, value in info.headers.items()
        )
        exc.request_info = aiohttp.RequestInfo(
            _without_query_values(info.url),
            info.method,
            CIMultiDictProxy(headers),
            _without_query_values(info.real_url),
        )
    # ``args`` holds the originals too (and pickling or a debugger would show them).
    exc.args = tuple(
        exc.request_info if arg is info else () if arg is history else arg for arg in exc.args
    )
    exc.history = ()  # earlier responses hold the same request headers


def _without_query_values(url: URL) -> URL:
    if not url.query_string:
        return url
    return url.with_query([(name, "<redacted>") for name in url.query])


_warned_unverified = False


def _ssl_setting(configuration: Configuration) -> ssl.SSLContext | bool:
    global _warned_unverified
    if not configuration.verify_ssl:
        if not _warned_unverified:
            _warned_unverified = True
            warnings.warn(
                "TLS certificate verification is off (verify_ssl=False): the server is not "
                "authenticated and the API key can be intercepted",
                stacklevel=4,
            )
        return False
    if not (configuration.ssl_ca_cert or configuration.cert_file):
        return True
    try:
        context = ssl.create_default_context(cafile=configuration.ssl_ca_cert)
        if configuration.cert_file:
            context.load_cert_chain(configuration.cert_file, configuration.key_file)
    except OSError as exc:  # ssl.SSLError included
        raise ApiValueError(
            "cannot load the TLS files given (ssl_ca_cert, cert_file, key_file): "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    return context
