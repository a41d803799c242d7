"""Every error this package raises, and the mapping from HTTP status to exception class.

Hand-written runtime (not generated). All errors derive from :class:`OpenApiException`;
HTTP errors derive from :class:`ApiException` and carry the status, reason, headers, raw
body and, when the body is the spec's error document, its parsed model in ``data``.
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
    "ConflictException",
    "ForbiddenException",
    "GatewayTimeoutException",
    "MalformedResponseError",
    "NotFoundException",
    "OpenApiException",
    "RateLimitException",
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
    """An attribute that does not exist (kept for openapi-generator compatibility)."""


class ApiKeyError(OpenApiException, KeyError):
    """A key that does not exist (kept for openapi-generator compatibility)."""


class ApiConnectionError(OpenApiException):
    """The request could not be completed: refused, reset, DNS or TLS failure, dropped body.

    The transport's exception is chained as ``__cause__``.
    """


class ApiTimeoutError(ApiConnectionError, TimeoutError):
    """The call took longer than its timeout (connect, read or total)."""


class MalformedResponseError(OpenApiException):
    """A success status whose body is not what the spec promises.

    Raised for bodies that are empty, not JSON, truncated, of the wrong content type or of
    the wrong shape. ``body`` keeps the raw bytes for inspection.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        content_type: str | None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers
        self.body = body
        self.content_type = content_type


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
    """

    def __init__(
        self,
        status: int | None = None,
        reason: str | None = None,
        http_resp: object = None,
        *,
        body: str | None = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.retry_after = retry_after
        self.reason = reason
        self.body = body
        self.data = data
        self.headers = headers
        # openapi-generator accepted the transport response here; keep the attributes it read.
        if http_resp is not None:
            self.status = getattr(http_resp, "status", status)
            self.reason = getattr(http_resp, "reason", reason)
            self.headers = getattr(http_resp, "headers", headers)
        super().__init__(self._message())

    def _message(self) -> str:
        text = f"({self.status})"
        if self.reason:
            text += f" {self.reason}"
        detail = _error_message(self.data)
        if detail:
            text += f": {detail}"
        return text

    def __str__(self) -> str:
        return self._message()


def _error_message(data: Any) -> str | None:
    """``data.error.message`` when the parsed error model has one."""
    error = getattr(data, "error", None)
    message = getattr(error, "message", None)
    return message if isinstance(message, str) and message else None


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
