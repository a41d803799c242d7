"""Every error this package raises, and the mapping from HTTP status to exception class.

Hand-written runtime (not generated). All errors derive from :class:`OpenApiException`;
HTTP errors derive from :class:`ApiException` and carry the status, reason, headers, raw
body, the server's request id and, when the body is the spec's error document, its parsed
model in ``data``.

Names follow one rule: a class raised because of what the server answered (an error status,
or a success whose body breaks the spec) derives from :class:`ApiException` and ends in
``Exception``; every other class (bad arguments, transport, client state) ends in ``Error``.
The seed's ``MalformedResponseError`` is an alias of :class:`MalformedResponseException`.

This module imports only the standard library. The generator imports it like any user of
the package, to print its tables (the exception of each status) in the docs.
``__all__`` lists every class of the family (the generated package ``__init__`` and the
seed's path ``together.generated.exceptions`` re-export them all).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "EXCEPTIONS_BY_STATUS",
    "ApiAttributeError",
    "ApiConnectionError",
    "ApiException",
    "ApiKeyError",
    "ApiTimeoutError",
    "ApiTypeError",
    "ApiValueError",
    "BadGatewayException",
    "BadRequestException",
    "ClientStateError",
    "ConflictException",
    "ForbiddenException",
    "GatewayTimeoutException",
    "InsecureTransportError",
    "InvalidVectorsError",
    "MalformedResponseError",
    "MalformedResponseException",
    "NotFoundException",
    "OpenApiException",
    "RateLimitException",
    "RedirectLoopError",
    "ServiceException",
    "ServiceUnavailableException",
    "UnauthorizedException",
    "UnprocessableEntityException",
    "exception_class_for_status",
]


class OpenApiException(Exception):
    """The base of every exception raised by ``together.generated``."""


class ApiTypeError(OpenApiException, TypeError):
    """An argument of the wrong type; raised before anything is sent."""


class ApiValueError(OpenApiException, ValueError):
    """An invalid argument value (e.g. a request that fails its schema); nothing was sent."""


class ApiAttributeError(OpenApiException, AttributeError):
    """An attribute that does not exist (kept for openapi-generator compatibility).

    Raised when a setting is assigned that :class:`Configuration` does not have (a typo such
    as ``configuration.acces_token = ...`` would otherwise be ignored).
    """


class ApiKeyError(OpenApiException, KeyError):
    """A key that does not exist (kept for openapi-generator compatibility).

    Raised by ``Configuration.api_key[name]`` for a security scheme with no key.
    """

    def __str__(self) -> str:  # KeyError quotes its message; this one is a sentence
        return str(self.args[0]) if self.args else ""


class ApiConnectionError(OpenApiException):
    """The request could not be completed: refused, reset, DNS or TLS failure, dropped body.

    The transport's exception is chained as ``__cause__`` (with the request's headers
    redacted). ``retryable`` tells the retry policy whether another attempt may help.
    """

    retryable: bool = True


class ApiTimeoutError(ApiConnectionError, TimeoutError):
    """The call took longer than its timeout (connect, read or total)."""


#: Response headers that carry the server's id for a request, in the order they are tried.
REQUEST_ID_HEADERS = ("x-request-id", "request-id")

#: The most characters of an error body ``str(e)`` quotes when it is not the spec's shape.
BODY_EXCERPT_CHARS = 200


def request_id_from(headers: Mapping[str, str] | None) -> str | None:
    """The server's request id in ``headers`` (see :data:`REQUEST_ID_HEADERS`), if any."""
    if not headers:
        return None
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


class ApiException(OpenApiException):
    """The server answered with an error status.

    Attributes:
        status: the HTTP status code.
        reason: the HTTP reason phrase.
        headers: the response headers.
        body: the response body as text (``None`` if there was none).
        data: the parsed error model (the spec's ``ErrorData``), or ``None`` when the body is
            not one.
        retry_after: seconds the server asked to wait (``Retry-After``), if it did.
        request_id: the server's id for the request (``x-request-id``), if it sent one.

    ``str(e)`` is ``(status) reason: detail [request id ...]``, where the detail is the
    error model's message or, for a body of another shape, a short excerpt of the body.
    """

    status: int | None
    body: str | bytes | None

    def __init__(
        self,
        status: int | None = None,
        reason: str | None = None,
        http_resp: object = None,
        *,
        body: str | bytes | None = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        retry_after: float | None = None,
        request_id: str | None = None,
    ) -> None:
        self.status = status
        self.retry_after = retry_after
        self.reason = reason
        self.body = body
        self.data = data
        self.headers = headers
        # openapi-generator passed its transport response here and read status, reason,
        # body (``data``) and headers (``getheaders()``) from it.
        if http_resp is not None:
            self.status = getattr(http_resp, "status", status)
            self.reason = getattr(http_resp, "reason", reason)
            getheaders = getattr(http_resp, "getheaders", None)
            self.headers = (
                getheaders() if callable(getheaders) else getattr(http_resp, "headers", headers)
            )
            raw = getattr(http_resp, "data", None)
            if body is None and isinstance(raw, bytes):
                self.body = raw.decode("utf-8", errors="replace") if raw else None
        self.request_id = request_id if request_id is not None else request_id_from(self.headers)
        super().__init__(self._message())

    def _message(self) -> str:
        text = f"({self.status})"
        if self.reason:
            text += f" {self.reason}"
        detail = _error_message(self.data) or _excerpt(self.body)
        if detail:
            text += f": {detail}"
        if self.request_id:
            text += f" [request id {self.request_id}]"
        return text

    def __str__(self) -> str:
        return self._message()


def _error_message(data: Any) -> str | None:
    """``data.error.message`` when the parsed error model has one."""
    error = getattr(data, "error", None)
    message = getattr(error, "message", None)
    return message if isinstance(message, str) and message else None


def _excerpt(body: str | bytes | None) -> str | None:
    """The start of an error body on one line, so ``str(e)`` keeps a detail of any shape."""
    if not body:
        return None
    if isinstance(body, bytes):
        body = body[: BODY_EXCERPT_CHARS * 4].decode("utf-8", errors="replace")
    text = " ".join(body.split())
    if len(text) > BODY_EXCERPT_CHARS:
        text = text[: BODY_EXCERPT_CHARS - 3] + "..."
    return text or None


class MalformedResponseException(ApiException):
    """A success status whose body is not what the spec promises.

    Raised for bodies that are empty, not JSON, not UTF-8, truncated, of the wrong content
    type or of the wrong shape (numbers written as strings, ``NaN``). It is an
    :class:`ApiException` with the success ``status``; ``body`` keeps the raw bytes.
    """

    body: bytes

    def __init__(
        self,
        message: str,
        *,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        content_type: str | None,
    ) -> None:
        self.problem = message
        self.content_type = content_type
        super().__init__(status=status, body=body, headers=headers)

    def _message(self) -> str:
        if self.request_id:
            return f"{self.problem} [request id {self.request_id}]"
        return self.problem

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments: pickle (e.g. across processes) rebuilds from the fields.
        return (
            _rebuild_malformed,
            (type(self), self.problem, self.status, self.headers, self.body, self.content_type),
        )


def _rebuild_malformed(
    cls: type[MalformedResponseException],
    problem: str,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    content_type: str | None,
) -> MalformedResponseException:
    return cls(problem, status=status, headers=headers, body=body, content_type=content_type)


#: The seed's name for :class:`MalformedResponseException`.
MalformedResponseError = MalformedResponseException


class RedirectLoopError(ApiConnectionError):
    """The server kept redirecting (10 redirects were followed); not retried."""

    retryable = False


class InsecureTransportError(ApiValueError):
    """Credentials would be sent in clear text: plain ``http://`` to a host not on loopback.

    ``Configuration(allow_insecure_http=True)`` allows it explicitly.
    """


class ClientStateError(OpenApiException, RuntimeError):
    """The client cannot be used here: it is closed, or bound to another event loop."""


class InvalidVectorsError(OpenApiException, ValueError):
    """Embedding vectors that do not form one finite vector per input, in input order."""


class BadRequestException(ApiException):
    """400: the request was invalid."""


class UnauthorizedException(ApiException):
    """401: the API key is missing or invalid."""


class ForbiddenException(ApiException):
    """403: the key may not do this."""


class NotFoundException(ApiException):
    """404: no such resource (for embeddings: often an unknown model)."""


class ConflictException(ApiException):
    """409: the request conflicts with the resource's state."""


class UnprocessableEntityException(ApiException):
    """422: the request was well-formed but could not be processed."""


class RateLimitException(ApiException):
    """429: too many requests; see the ``Retry-After`` header."""


class ServiceException(ApiException):
    """5xx: the server failed."""


class BadGatewayException(ServiceException):
    """502: an upstream server failed."""


class ServiceUnavailableException(ServiceException):
    """503: the service is overloaded (the spec's "Overloaded")."""


class GatewayTimeoutException(ServiceException):
    """504: the request timed out upstream (the spec's "Timeout")."""


#: The exception class of each status that has its own (others: ApiException / ServiceException).
EXCEPTIONS_BY_STATUS: dict[int, type[ApiException]] = {
    400: BadRequestException,
    401: UnauthorizedException,
    403: ForbiddenException,
    404: NotFoundException,
    409: ConflictException,
    422: UnprocessableEntityException,
    429: RateLimitException,
    502: BadGatewayException,
    503: ServiceUnavailableException,
    504: GatewayTimeoutException,
}


def exception_class_for_status(status: int) -> type[ApiException]:
    """The exception class raised for an error ``status``."""
    cls = EXCEPTIONS_BY_STATUS.get(status)
    if cls is not None:
        return cls
    return ServiceException if 500 <= status <= 599 else ApiException
