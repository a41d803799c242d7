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

#: What :meth:`Credentials.apply` adds: where (``header``, ``query`` or ``cookie``), the
#: name, the value, and the names to drop on a redirect off the origin; ``None``: nothing.
_Credential = tuple[str, str, str, frozenset[str]] | None
#: What a credential is chosen from (:meth:`Credentials.apply`): the configuration, its count
#: of assignments (``Configuration.changes``: host, token, username, password,
#: ``allow_insecure_http``, ``api_key`` itself) and a copy of its API keys (changed in place).
_Settings = tuple[Configuration, int, dict[str, str]]


class Credentials:
    """Applies credentials to requests.

    Which credential applies, and whether it may be sent, is worked out once per security
    requirement (an operation's tuple of schemes) and remembered with the settings it was
    worked out from: the configuration object, its count of assignments
    (``Configuration.changes``, moved by any setting assigned: host, token, username,
    password, ``allow_insecure_http``) and its API keys (compared with a copy: they change
    in place). A later call compares those and applies the remembered header or query value,
    and works it out again (checks included) whenever one changed.
    """

    def __init__(self) -> None:
        self._vetted: tuple[str, tuple[tuple[str, str], ...], bool] | None = None
        #: The last tuple of schemes applied, the settings read, and the credential chosen
        #: for them. One is enough: operations with the same schemes share one tuple
        #: (:class:`~.operation.Operation` interns it).
        self._chosen: tuple[tuple[SecurityScheme, ...], _Settings, _Credential] | None = None

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
        chosen = self._chosen
        if (
            chosen is not None
            and chosen[0] is schemes
            and chosen[1][0] is config
            and chosen[1][1] == config.changes
            and chosen[1][2] == config.api_key
        ):
            credential = chosen[2]
        else:
            changes = config.changes  # read first: a change while choosing is seen next call
            credential = self._choose(config, schemes)
            # The API keys copied: the caller may change them in place.
            self._chosen = (schemes, (config, changes, dict(config.api_key)), credential)
        if credential is None:
            return _NONE
        location, name, value, secret_names = credential
        if location == "header":
            headers[name] = value
        elif location == "query":
            query.append((name, value))
        else:
            cookie = f"{name}={value}"
            headers["Cookie"] = f"{headers['Cookie']}; {cookie}" if "Cookie" in headers else cookie
        return secret_names

    def _choose(self, config: Configuration, schemes: tuple[SecurityScheme, ...]) -> _Credential:
        """The credential of the first of ``schemes`` ``config`` has one for, checked (see
        :meth:`_vet`); ``None`` when there is none."""
        for scheme in schemes:
            if scheme.kind == "bearer" and config.access_token:
                self._vet(config, ("access token", config.access_token))
                return ("header", "Authorization", f"Bearer {config.access_token}", _NONE)
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
                pair = base64.b64encode(f"{config.username}:{password}".encode()).decode("ascii")
                return ("header", "Authorization", "Basic " + pair, _NONE)
            if scheme.kind == "apiKey" and scheme.name in config.api_key:
                key = config.api_key[scheme.name]
                self._vet(config, (f"API key {scheme.name!r}", key))
                if scheme.location == "cookie":  # Cookie never follows a redirect off-origin
                    return ("cookie", scheme.parameter_name, key, _NONE)
                names = frozenset({scheme.parameter_name.lower()})
                return (scheme.location, scheme.parameter_name, key, names)
        return None

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
