"""Client settings: where to connect, how to authenticate, TLS, proxy and pool size.

Hand-written runtime (not generated). Secrets (``access_token``, ``api_key``,
``password``) never appear in ``repr()``.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from together.generated.exceptions import ApiAttributeError, ApiKeyError

# Where the API lives and which environment variables name its host and key: facts of the
# spec and of the generator's settings, generated into openapi_info. API_KEY_ENV is None for
# a package generated from another API's spec, so a Together key never goes to its host.
from together.generated.openapi_info import API_KEY_ENV, BASE_PATH, BASE_URL_ENV, DEFAULT_HOST
from together.generated.retry import RetryPolicy

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
_SECRET_FIELDS = frozenset({"access_token", "api_key", "password"})


@functools.lru_cache(maxsize=64)
def _policy(retries: int, initial: float, maximum: float, cap: float) -> RetryPolicy:
    # Settings rarely change, calls are many: one policy object per distinct set of values.
    return RetryPolicy(
        max_retries=retries, initial_backoff=initial, max_backoff=maximum, max_retry_after=cap
    )


class ApiKeys(dict[str, str]):
    """Keys for ``apiKey`` security schemes, by scheme name; a missing one is an
    :class:`ApiKeyError` that names the schemes that do have a key."""

    def __missing__(self, name: str) -> str:
        known = ", ".join(sorted(self)) or "none"
        raise ApiKeyError(f"no API key for the security scheme {name!r} (keys given: {known})")


class Configuration:
    """Settings for an :class:`~together.generated.api_client.ApiClient`.

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
            :class:`~together.generated.exceptions.InsecureTransportError` before sending.
    """

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
        if host:
            self.host = host.rstrip("/")
        else:
            from_env = os.environ.get(BASE_URL_ENV) if BASE_URL_ENV else None
            self.host = base_url_from_environment(from_env)
        if access_token is None and API_KEY_ENV:
            access_token = os.environ.get(API_KEY_ENV)
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
        if connection_pool_maxsize < 1:
            raise ValueError("connection_pool_maxsize must be at least 1")
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
        super().__setattr__(name, value)

    def retry_policy(self, retries: int | None = None) -> RetryPolicy:
        """The retry policy of these settings (``retries`` overrides the count)."""
        return _policy(
            self.retries if retries is None else retries,
            self.retry_initial_backoff,
            self.retry_max_backoff,
            self.max_retry_after,
        )

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
            name = name.lstrip("_")
            if name in _SECRET_FIELDS and value:
                value = "***"
            elif name == "proxy" and value and "@" in value:  # user:password@ in the URL
                scheme, _, rest = value.rpartition("://")
                value = f"{scheme}://***@{rest.rsplit('@', 1)[1]}" if scheme else "***"
            elif name == "proxy_headers" and value:
                value = {key: "***" for key in value}
            shown.append(f"{name}={value!r}")
        return f"Configuration({', '.join(shown)})"
