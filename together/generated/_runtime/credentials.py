"""Credentials on a request: which scheme applies, and whether it may be sent at all.

Hand-written runtime (not generated). :class:`Credentials` puts the configuration's bearer
token, basic-auth pair or API key on a request for the first security scheme it has
credentials for, after refusing what cannot be sent safely: a value with a line break or
surrounding whitespace (a key read from a file with its newline; aiohttp would fail with a
bare ``ValueError``), and a token, password or API key over plain ``http://`` to a host that
is not loopback, unless ``Configuration.allow_insecure_http``. Errors never quote the secret.
"""

from __future__ import annotations

import base64
import ipaddress
from urllib.parse import urlsplit

from together.generated._runtime.configuration import Configuration
from together.generated._runtime.exceptions import ApiValueError, InsecureTransportError
from together.generated._runtime.operation import SecurityScheme

__all__ = ["Credentials", "is_loopback"]


_NONE: frozenset[str] = frozenset()


class Credentials:
    """Applies credentials to requests; remembers the last (host, secret, setting) found
    safe, so the checks run once, not on every call, and again whenever one changes."""

    def __init__(self) -> None:
        self._vetted: tuple[str, tuple[tuple[str, str], ...], bool] | None = None

    def apply(
        self,
        config: Configuration,
        schemes: tuple[SecurityScheme, ...],
        headers: dict[str, str],
        query: list[tuple[str, str]],
    ) -> frozenset[str]:
        """Apply the first of ``schemes`` ``config`` has credentials for; return the
        (lower-case) names of the API-key header or query parameter it added, which must
        not follow a redirect to another origin (``Authorization`` and ``Cookie`` never do)."""
        for scheme in schemes:
            if scheme.kind == "bearer" and config.access_token:
                self._vet(config, ("access token", config.access_token))
                headers["Authorization"] = f"Bearer {config.access_token}"
                return _NONE
            if scheme.kind == "basic" and config.username is not None:
                if ":" in config.username:
                    # RFC 7617: the first ':' ends the user-id; the server would read a
                    # shorter name and the rest as the start of the password.
                    raise ApiValueError(
                        "the username has a ':', which HTTP basic auth cannot carry (RFC 7617)"
                    )
                password = config.password or ""
                # Each part on its own: "ann: pw" has no surrounding whitespace as a whole.
                self._vet(config, ("username", config.username), ("password", password))
                pair = f"{config.username}:{password}"
                headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode(
                    "ascii"
                )
                return _NONE
            if scheme.kind == "apiKey" and scheme.name in config.api_key:
                key = config.api_key[scheme.name]
                self._vet(config, (f"API key {scheme.name!r}", key))
                if scheme.location == "header":
                    headers[scheme.parameter_name] = key
                elif scheme.location == "query":
                    query.append((scheme.parameter_name, key))
                else:
                    cookie = f"{scheme.parameter_name}={key}"
                    headers["Cookie"] = (
                        f"{headers['Cookie']}; {cookie}" if "Cookie" in headers else cookie
                    )
                    return _NONE
                return frozenset({scheme.parameter_name.lower()})
        return _NONE

    def _vet(self, config: Configuration, *parts: tuple[str, str]) -> None:
        """Refuse a credential, given as its (name, text) parts, that cannot be sent safely,
        before anything is sent."""
        host = config.host
        # allow_insecure_http belongs in the key: turning it off must refuse the next call.
        key = (host, parts, bool(config.allow_insecure_http))
        if key == self._vetted:
            return
        for name, text in parts:
            if text != text.strip() or any(c in text for c in "\r\n\x00"):
                raise ApiValueError(
                    f"the {name} has a line break or surrounding whitespace (read from a "
                    "file?); strip it"
                )
        what = " or ".join(name for name, _ in parts)
        if (
            host[:7].lower() == "http://"
            and not config.allow_insecure_http
            and not is_loopback(host)
        ):
            raise InsecureTransportError(
                f"refusing to send the {what} in clear text to {urlsplit(host).hostname} "
                "(plain http:// to a host that is not loopback); use https://, or "
                "Configuration(allow_insecure_http=True) if the network is trusted"
            )
        self._vetted = key


def is_loopback(url: str) -> bool:
    """Whether ``url`` names this machine (localhost, 127.0.0.0/8, ::1)."""
    hostname = urlsplit(url).hostname or ""
    if hostname == "localhost" or hostname.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False
