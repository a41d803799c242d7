"""Client settings: where to connect, how to authenticate, TLS, proxy and pool size.

Hand-written runtime (not generated). Secrets (``access_token``, ``api_key``,
``password``) never appear in ``repr()``.
"""

from __future__ import annotations

import functools
import logging
import math
import os
from collections.abc import Mapping
from typing import ClassVar
from urllib.parse import urlsplit

from together.generated._runtime.exceptions import (
    ApiAttributeError,
    ApiKeyError,
    ApiTypeError,
    ApiValueError,
)
from together.generated._runtime.retry import RetryPolicy

# Where the API lives and which environment variables name its host and key: facts of the
# spec and of the generator's settings, generated into openapi_info. API_KEY_ENV is None for
# a package generated from another API's spec, so a Together key never goes to its host.
from together.generated.openapi_info import API_KEY_ENV, BASE_PATH, BASE_URL_ENV, DEFAULT_HOST

__all__ = [
    "API_KEY_ENV",
    "BASE_PATH",
    "BASE_URL_ENV",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_HOST",
    "DEFAULT_TOTAL_TIMEOUT",
    "Configuration",
    "base_url_from_environment",
]


def base_url_from_environment(
    value: str | None, base_path: str = BASE_PATH, default: str = DEFAULT_HOST
) -> str:
    """The API's base URL for a ``TOGETHER_BASE_URL``-style ``value``.

    One environment serves this package and Together's own SDKs: a value that already ends
    with the spec's base path (``https://api.together.ai/v1``, as those SDKs expect it) is
    used as it is; the API's root (``https://api.together.ai``) gets the base path
    appended. Unset or empty means ``default``.
    """
    url = (value or "").strip().rstrip("/")
    if not url:
        return default.rstrip("/")
    base_path = base_path.rstrip("/")
    if not base_path or urlsplit(url).path.rstrip("/").endswith(base_path):
        return url
    return url + base_path


#: Seconds a whole call (connect, send, wait, read) may take unless the caller says otherwise.
DEFAULT_TOTAL_TIMEOUT = 120.0
#: Seconds to obtain a connection.
DEFAULT_CONNECT_TIMEOUT = 10.0

_PACKAGE_LOGGER = "together.generated"
#: Every setting of a Configuration: assigning any other name is a typo.
_SETTINGS = frozenset(
    {
        "host",
        "access_token",
        "api_key",
        "username",
        "password",
        "retries",
        "retry_initial_backoff",
        "retry_max_backoff",
        "max_retry_after",
        "ssl_ca_cert",
        "verify_ssl",
        "cert_file",
        "key_file",
        "proxy",
        "proxy_headers",
        "connection_pool_maxsize",
        "total_timeout",
        "connect_timeout",
        "debug",
        "allow_insecure_http",
    }
)
#: What a Configuration keeps besides its settings (not shown by ``repr``).
_NOT_SETTINGS = frozenset({"cached_retry_policy", "changes"})
_SECRET_FIELDS = frozenset({"access_token", "api_key", "password"})
#: Settings that are a number of seconds, or None for no limit.
_TIMEOUT_FIELDS = frozenset({"total_timeout", "connect_timeout"})
#: Retry settings that are a number of seconds.
_RETRY_SECONDS_FIELDS = frozenset({"retry_initial_backoff", "retry_max_backoff", "max_retry_after"})
#: The settings the retry policy is made of.
_RETRY_FIELDS = _RETRY_SECONDS_FIELDS | {"retries"}


@functools.lru_cache(maxsize=64)
def _policy(retries: int, initial: float, maximum: float, cap: float) -> RetryPolicy:
    # Settings rarely change, calls are many: one policy object per distinct set of values.
    return RetryPolicy(
        max_retries=retries, initial_backoff=initial, max_backoff=maximum, max_retry_after=cap
    )


class ApiKeys(dict[str, str]):
    """Keys for ``apiKey`` security schemes, by scheme name; a missing one is an
    :class:`ApiKeyError` that names the schemes that do have a key.

    Changed in place as any dict (``configuration.api_key["name"] = key``): what a client
    remembers from them is compared with the keys on each call (a copy of them; a dict of
    no or one key compares in a few instructions)."""

    def __missing__(self, name: str) -> str:
        known = ", ".join(sorted(self)) or "none"
        raise ApiKeyError(f"no API key for the security scheme {name!r} (keys given: {known})")


def _check_host(host: object) -> None:
    """Refuse a host that is not an http(s) URL: aiohttp would fail on every attempt, and
    the failure would look like a connection error worth retrying."""
    if not isinstance(host, str):
        raise ApiTypeError(f"host must be a URL string, not {type(host).__name__}")
    try:
        parts = urlsplit(host)
        hostname = parts.hostname
    except ValueError:  # e.g. an unclosed [IPv6 bracket
        hostname = None
    if not hostname or parts.scheme.lower() not in ("http", "https"):
        shown = "the URL given" if "@" in host else repr(host)  # user:password@ stays out
        raise ApiValueError(
            "host must be an http:// or https:// URL with a host name, like "
            f"'https://api.example.com/v1', not {shown}"
        )
    if "?" in host or "#" in host:
        # Operation paths are appended to the host: they would land in its query or fragment.
        # The query is not quoted: it may hold a key.
        like = "" if "@" in host else f", like {parts.scheme}://{parts.netloc}{parts.path}"
        raise ApiValueError(
            "host must not have a query or fragment (paths are appended to it); give the "
            f"base URL only{like}"
        )
    if "@" in parts.netloc:
        # Credentials in the URL would be shown wherever the URL is (errors, logs, hooks)
        # and sent beside the bearer token; they belong in the settings made for them.
        raise ApiValueError(
            "host must not contain credentials (user:password@); give them as "
            "Configuration(username=..., password=...) or access_token=..., host "
            f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
        )


def _check_proxy(proxy: object) -> None:
    """Refuse a proxy that is not an http(s) URL (aiohttp would fail every attempt)."""
    if not isinstance(proxy, str):
        raise ApiTypeError(f"proxy must be a URL string or None, not {type(proxy).__name__}")
    try:
        parts = urlsplit(proxy)
        hostname = parts.hostname
    except ValueError:
        hostname = None
    if not hostname or parts.scheme.lower() not in ("http", "https"):
        raise ApiValueError(
            "proxy must be an http:// or https:// URL with a host name, like "
            "'http://proxy.example.com:3128'"  # the value is not quoted: it may hold a password
        )


def _check_timeout(name: str, value: object) -> None:
    """Refuse a timeout aiohttp would only reject at the first call (or never: ``-1``)."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ApiTypeError(
            f"{name} must be a number of seconds or None, not {type(value).__name__}"
        )
    if not 0 < value < math.inf:  # NaN included; aiohttp cannot schedule infinity
        raise ApiValueError(
            f"{name} must be a positive, finite number of seconds or None, not {value!r}"
        )


def _check_retry_seconds(name: str, value: object) -> None:
    """Refuse a backoff bound or Retry-After cap that is not a number (a wrong type), or is
    infinite (a wait asyncio cannot schedule); other bad values are refused by the retry
    policy the settings make."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ApiTypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
    if math.isinf(value):
        raise ApiValueError(f"{name} must be a finite number of seconds, not {value!r}")


def _whole_number(name: str, value: object) -> int:
    """``value`` if it is an int; ``True``, ``2.0`` or ``"2"`` are a wrong type."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiTypeError(f"{name} must be a whole number, not {value!r}")
    return value


class Configuration:
    """Settings for an :class:`~together.generated._runtime.api_client.ApiClient`.

    Args:
        host: base URL of the API, used as given (e.g. ``https://api.together.ai/v1``).
            Default: ``$TOGETHER_BASE_URL`` (the API root, or the root with ``/v1``; see
            :func:`base_url_from_environment`), else the spec's server.
        access_token: bearer token. Default: ``$TOGETHER_API_KEY`` (for a package generated
            from Together's spec; other specs read no variable).
        api_key: keys for ``apiKey`` security schemes, by scheme name.
        username, password: credentials for ``http basic`` security schemes.
        retries: how many times a failed call may be retried (not counting the first try);
            0 disables retrying. Only retry-safe operations are retried.
        retry_initial_backoff, retry_max_backoff: bounds of the exponential backoff with full
            jitter between retries (seconds).
        max_retry_after: the longest ``Retry-After`` honoured; a longer one fails the call at
            once with the exception's ``retry_after`` set.
        ssl_ca_cert: path of a CA bundle to verify the server with.
        verify_ssl: verify the server's TLS certificate (default ``True``).
        cert_file, key_file: client certificate and key for mutual TLS.
        proxy: URL of an HTTP proxy; ``proxy_headers``: headers sent to it.
        connection_pool_maxsize: most connections kept open at once.
        total_timeout, connect_timeout: default limits in seconds for each call.
        debug: log each request (method, URL, status, duration) at DEBUG level.
        allow_insecure_http: send the bearer token or password over plain ``http://`` to a
            host that is not loopback. Off by default: such a call raises
            :class:`~together.generated._runtime.exceptions.InsecureTransportError` before sending.
    """

    # The facts of the spec the package was generated from (its openapi_info). A package
    # generated from another spec against this runtime exports a subclass that sets its own:
    # its host, and no Together variable unless its generator settings name one.
    #: The default host (the spec's first server).
    default_host: ClassVar[str] = DEFAULT_HOST
    #: The path part of ``default_host`` ("" when it has none).
    base_path: ClassVar[str] = BASE_PATH
    #: Environment variable read for ``access_token``; None: none.
    api_key_env: ClassVar[str | None] = API_KEY_ENV
    #: Environment variable read for ``host``; None: none.
    base_url_env: ClassVar[str | None] = BASE_URL_ENV
    #: The policy of the current retry settings once :meth:`retry_policy` has made it;
    #: ``None`` after a retry setting changed (then :meth:`retry_policy` makes it again).
    #: Read-only: a read of it costs less than the call of :meth:`retry_policy`, so the
    #: client reads it on every call and calls the method only when it is ``None``.
    cached_retry_policy: RetryPolicy | None = None
    #: How many times a setting was assigned: a client remembers what it worked out from the
    #: settings (the credential, the request's headers and URL) with this count, and works it
    #: out again when the count moved. Every assignment counts (``config.host = ...``, the
    #: constructor's, the ``debug`` property's); the API keys are changed in place, so a
    #: client compares them itself (:class:`ApiKeys`). Read-only.
    changes: int = 0

    def __init__(
        self,
        host: str | None = None,
        access_token: str | None = None,
        *,
        api_key: Mapping[str, str] | None = None,
        username: str | None = None,
        password: str | None = None,
        retries: int = 2,
        retry_initial_backoff: float = 0.5,
        retry_max_backoff: float = 8.0,
        max_retry_after: float = 60.0,
        ssl_ca_cert: str | None = None,
        verify_ssl: bool = True,
        cert_file: str | None = None,
        key_file: str | None = None,
        proxy: str | None = None,
        proxy_headers: Mapping[str, str] | None = None,
        connection_pool_maxsize: int = 100,
        total_timeout: float | None = DEFAULT_TOTAL_TIMEOUT,
        connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT,
        debug: bool = False,
        allow_insecure_http: bool = False,
    ) -> None:
        cls = type(self)
        if host:
            self.host = host.rstrip("/")
        else:
            from_env = os.environ.get(cls.base_url_env) if cls.base_url_env else None
            self.host = base_url_from_environment(from_env, cls.base_path, cls.default_host)
        if access_token is None and cls.api_key_env:
            access_token = os.environ.get(cls.api_key_env)
        self.access_token = access_token
        self.api_key: dict[str, str] = ApiKeys(api_key or {})
        self.username = username
        self.password = password
        self.retries = retries
        self.retry_initial_backoff = retry_initial_backoff
        self.retry_max_backoff = retry_max_backoff
        self.max_retry_after = max_retry_after
        self.retry_policy()  # refuse bad values now, not at the first failure
        self.ssl_ca_cert = ssl_ca_cert
        self.verify_ssl = verify_ssl
        self.cert_file = cert_file
        self.key_file = key_file
        self.proxy = proxy
        self.proxy_headers: dict[str, str] | None = dict(proxy_headers) if proxy_headers else None
        self.connection_pool_maxsize = connection_pool_maxsize
        self.total_timeout = total_timeout
        self.connect_timeout = connect_timeout
        self.debug = debug
        self.allow_insecure_http = allow_insecure_http

    def __setattr__(self, name: str, value: object) -> None:
        # A misspelt setting would otherwise be stored and ignored.
        if name not in _SETTINGS and not name.startswith("_"):
            raise ApiAttributeError(
                f"Configuration has no setting {name!r}; the settings are: "
                + ", ".join(sorted(_SETTINGS))
            )
        if name == "host":
            _check_host(value)
        elif name in _TIMEOUT_FIELDS:
            _check_timeout(name, value)
        elif name in _RETRY_SECONDS_FIELDS:
            _check_retry_seconds(name, value)
        elif name == "retries":
            _whole_number(name, value)  # a negative count is refused by the retry policy
        elif name == "connection_pool_maxsize" and _whole_number(name, value) < 1:
            raise ApiValueError(f"connection_pool_maxsize must be at least 1, not {value!r}")
        elif name == "proxy" and value is not None:
            _check_proxy(value)
        super().__setattr__(name, value)
        if name in _RETRY_FIELDS:
            # made again from the new value when asked
            object.__setattr__(self, "cached_retry_policy", None)
        object.__setattr__(self, "changes", self.changes + 1)

    def retry_policy(self, retries: int | None = None) -> RetryPolicy:
        """The retry policy of these settings (``retries`` overrides the count)."""
        if retries is None and self.cached_retry_policy is not None:
            return self.cached_retry_policy  # kept until a retry setting changes
        try:
            policy = _policy(
                self.retries if retries is None else retries,
                self.retry_initial_backoff,
                self.retry_max_backoff,
                self.max_retry_after,
            )
        except TypeError as exc:  # a ``retries`` override that is not a number
            raise ApiTypeError(f"invalid retry setting: {exc}") from None
        except ValueError as exc:  # negative, or NaN
            raise ApiValueError(f"invalid retry setting: {exc}") from None
        if retries is None:
            object.__setattr__(self, "cached_retry_policy", policy)
        return policy

    @property
    def debug(self) -> bool:
        return self._debug

    @debug.setter
    def debug(self, value: bool) -> None:
        # As in openapi-generator's clients: debug turns the package logger to DEBUG.
        self._debug = value
        if value:
            logging.getLogger(_PACKAGE_LOGGER).setLevel(logging.DEBUG)

    def __repr__(self) -> str:
        shown = []
        for name, value in vars(self).items():
            if name in _NOT_SETTINGS:  # what the client keeps, not settings
                continue
            name = name.lstrip("_")
            if name in _SECRET_FIELDS and value:
                value = "***"
            elif name == "proxy" and value and "@" in value:  # user:password@ in the URL
                scheme, _, rest = value.partition("://")
                value = f"{scheme}://***@{rest.rsplit('@', 1)[1]}" if scheme else "***"
            elif name == "proxy_headers" and value:
                value = {key: "***" for key in value}
            shown.append(f"{name}={value!r}")
        return f"Configuration({', '.join(shown)})"
