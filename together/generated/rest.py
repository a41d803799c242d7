"""The aiohttp transport: where requests are sent.

Hand-written runtime (not generated). :class:`RESTClientObject` owns one
``aiohttp.ClientSession``, created lazily inside the running event loop, with TLS, proxy and
pool settings resolved once from the :class:`Configuration`. Transport failures become
:class:`ApiConnectionError` / :class:`ApiTimeoutError` with the aiohttp error chained.

``ApiException`` and friends are importable from here, as in openapi-generator's clients.
"""

from __future__ import annotations

import ssl
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from together.generated.configuration import Configuration
from together.generated.exceptions import (
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    ApiValueError,
    BadRequestException,
    ForbiddenException,
    NotFoundException,
    OpenApiException,
    RateLimitException,
    ServiceException,
    UnauthorizedException,
)
from together.generated.multipart import MultipartBody

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
]

#: A per-call timeout: seconds for the whole call, a ``(connect, read)`` pair, or an
#: ``aiohttp.ClientTimeout``.
RequestTimeout = float | tuple[float, float] | aiohttp.ClientTimeout | None


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    """A request ready to send: built and checked once, sent again as is on a retry."""

    method: str
    url: str
    headers: Mapping[str, str]
    query: list[tuple[str, str]]
    #: JSON (or other) bytes, or a multipart body that streams its files for each attempt.
    body: bytes | MultipartBody | None


@dataclass(frozen=True, slots=True)
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
    """The aiohttp timeout for a per-call ``_request_timeout`` value."""
    if value is None:
        return default
    if isinstance(value, aiohttp.ClientTimeout):
        return value
    if isinstance(value, tuple):
        if len(value) != 2:
            raise ApiValueError("_request_timeout as a tuple must be (connect, read) seconds")
        connect, read = value
        return aiohttp.ClientTimeout(total=None, connect=connect, sock_read=read)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ApiValueError(f"_request_timeout must be a positive number of seconds, not {value!r}")
    return aiohttp.ClientTimeout(total=float(value))


class RESTClientObject:
    """Sends requests over one pooled aiohttp session."""

    def __init__(self, configuration: Configuration) -> None:
        self.configuration = configuration
        self._session: aiohttp.ClientSession | None = None
        self._closed = False
        self.default_timeout = aiohttp.ClientTimeout(
            total=configuration.total_timeout, connect=configuration.connect_timeout
        )
        # Resolved once: aiohttp's trust_env would look proxies and netrc up on every call.
        self._proxy = configuration.proxy
        self._proxy_headers = configuration.proxy_headers
        self._ssl = _ssl_setting(configuration)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def has_open_session(self) -> bool:
        return self._session is not None and not self._session.closed

    def _get_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise OpenApiException("this ApiClient is closed; create a new one")
        if self._session is None:
            # Created here, on first use, so it binds to the loop the calls run in.
            connector = aiohttp.TCPConnector(
                limit=self.configuration.connection_pool_maxsize, ssl=self._ssl
            )
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=self.default_timeout, trust_env=False
            )
        return self._session

    async def request(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> RESTResponse:
        """Send one request and read the whole answer."""
        response = await self.open(request, timeout=timeout)
        try:
            data = await response.read()
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
        return RESTResponse(
            status=response.status,
            reason=response.reason,
            headers=response.headers,
            data=data,
            content_type=response.headers.get("Content-Type"),
        )

    async def open(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> aiohttp.ClientResponse:
        """Send one request and return the response unread (the caller releases it)."""
        session = self._get_session()
        kwargs: dict[str, Any] = {}
        if self._proxy:
            kwargs["proxy"] = self._proxy
            if self._proxy_headers:
                kwargs["proxy_headers"] = self._proxy_headers
        try:
            return await session.request(
                request.method,
                request.url,
                params=request.query or None,
                data=request.body.stream()
                if isinstance(request.body, MultipartBody)
                else request.body,
                headers=request.headers,
                timeout=to_client_timeout(timeout, self.default_timeout),
                **kwargs,
            )
        except TimeoutError as exc:
            raise ApiTimeoutError(f"{request.method} {request.url}: timed out") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise ApiConnectionError(
                f"{request.method} {request.url}: {type(exc).__name__}: {exc}"
            ) from exc

    async def close(self) -> None:
        """Close the session and its connections; safe to call more than once."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()


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
    context = ssl.create_default_context(cafile=configuration.ssl_ca_cert)
    if configuration.cert_file:
        context.load_cert_chain(configuration.cert_file, configuration.key_file)
    return context
