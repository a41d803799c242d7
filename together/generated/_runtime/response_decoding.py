"""Turning an HTTP answer into the declared result, or into the right typed exception.

Hand-written runtime (not generated). Success bodies are decoded from the raw bytes in one
pass (pydantic's ``model_validate_json``, strict); anything that does not match the spec
raises :class:`MalformedResponseException`, never a bare ``KeyError``, ``JSONDecodeError``,
``UnicodeDecodeError`` or pydantic error. Error statuses become the :class:`ApiException`
subclass for the status.

A call may ask for another result than the spec's (:func:`result_spec`): the raw bytes, a
pydantic model of the caller's choice, or a parser callable; the checks of the answer
(status, empty body, JSON content type) stay the same.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from together.generated._runtime.exceptions import (
    ApiException,
    ApiTypeError,
    MalformedResponseException,
    exception_class_for_status,
)
from together.generated._runtime.operation import STATUS_KEYS, Operation, ResponseSpec
from together.generated._runtime.retry import parse_retry_after

__all__ = ["decode_success", "error_for_status", "is_json_content_type", "result_spec"]

#: What a call's ``decode=`` may be: ``bytes`` (the raw body), a pydantic model class, or a
#: callable turning the body's bytes into the result.
ResultDecoder = type[BaseModel] | Callable[[bytes], Any]


def result_spec(decode: ResultDecoder) -> ResponseSpec:
    """How to read a success answer for a call's ``decode=`` (see :data:`ResultDecoder`)."""
    try:
        return _cached_result_spec(decode)
    except TypeError:  # an unhashable callable (say, a dataclass instance): build it each time
        return _build_result_spec(decode)


def _build_result_spec(decode: ResultDecoder) -> ResponseSpec:
    if decode is bytes:
        return ResponseSpec("bytes", type_name="bytes")
    if isinstance(decode, type) and issubclass(decode, BaseModel):
        return ResponseSpec.json(decode)
    if not callable(decode):
        raise ApiTypeError(
            f"decode= takes bytes, a pydantic model class or a callable, not {decode!r}"
        )
    return ResponseSpec("json", decode, _decoder_name(decode))


def _decoder_name(decode: Callable[..., Any]) -> str:
    """What a parser is called in error messages: ``rows_from_json``, not ``partial``."""
    while isinstance(decode, functools.partial):
        decode = decode.func
    name = getattr(decode, "__name__", None)
    return name if isinstance(name, str) else type(decode).__qualname__


_cached_result_spec = functools.lru_cache(maxsize=256)(_build_result_spec)


def is_json_content_type(content_type: str | None) -> bool:
    """Whether a Content-Type value names JSON (``application/json`` or ``*/*+json``)."""
    if not content_type:
        return False
    is_json = _JSON_MEDIA.get(content_type)
    return _is_json_media(content_type) if is_json is None else is_json


#: Whether a Content-Type value names JSON, by the header's text: a server sends the same
#: value on every answer, and splitting and lower-casing it was a measurable part of a small
#: call. Read with ``.get`` (a call of :func:`_is_json_media` costs more than the lookup);
#: a type that is not JSON is remembered too (``False``: a server answering text keeps
#: answering text); bounded, so a server varying it (a boundary, a charset) costs only the
#: parse.
_JSON_MEDIA: dict[str, bool] = {}
_JSON_MEDIA_KEPT = 64


def _is_json_media(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    is_json = media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )
    if len(_JSON_MEDIA) >= _JSON_MEDIA_KEPT:
        _JSON_MEDIA.clear()
    _JSON_MEDIA[content_type] = is_json
    return is_json


def decode_success(
    operation: Operation[Any],
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    content_type: str | None,
    result: ResponseSpec | None = None,
) -> Any:
    """The decoded body of a 2xx answer, as the spec declares it for ``status`` (or as
    ``result`` asks, for a call that chose its own result type)."""
    # The spec's answer for this very status, else success_spec's rules: a frame fewer for
    # the common answer.
    spec = operation.responses.get(STATUS_KEYS.get(status, "")) or operation.success_spec(status)
    if result is not None and result.kind == "bytes":
        return body  # the caller asked for the raw answer, whatever the spec says
    if spec is None:
        if not operation.responses:
            return None  # an operation that declares nothing promises nothing
        raise _malformed(
            operation, status, headers, body, content_type, "is not one the spec declares"
        )
    kind = spec.kind
    if kind == "empty":
        return None
    if kind == "bytes":
        return (
            body
            if result is None
            else _custom(result, operation, status, headers, body, content_type)
        )
    if kind == "text":
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            problem = f"is not valid UTF-8 text (byte {exc.start})"
            raise _malformed(operation, status, headers, body, content_type, problem) from None
        return (
            text
            if result is None
            else _custom(result, operation, status, headers, body, content_type)
        )
    if result is not None:
        spec = result
    if not body:
        raise _malformed(operation, status, headers, body, content_type, "has an empty body")
    if not (
        content_type
        and (
            _JSON_MEDIA.get(content_type)
            # parsed unless remembered (then as not JSON)
            or (content_type not in _JSON_MEDIA and _is_json_media(content_type))
        )
    ):
        problem = f"has content type {content_type!r}, expected JSON"
        raise _malformed(operation, status, headers, body, content_type, problem)
    assert spec.decode is not None
    model = spec.model
    try:
        if model is not None:  # what spec.decode does, without its frame
            return model.__pydantic_validator__.validate_json(body, strict=True)
        return spec.decode(body)
    except ValidationError as exc:
        # pydantic reports unparsable JSON as a validation error of type json_invalid.
        if any(error["type"] == "json_invalid" for error in exc.errors(include_url=False)):
            problem = f"is not valid JSON ({_summary(exc)})"
        else:
            problem = f"is not a valid {spec.type_name}: {_summary(exc)}"
        raise _malformed(operation, status, headers, body, content_type, problem) from exc
    except ApiException:  # a parser of the caller's that already judged the answer
        raise
    except (ValueError, TypeError, LookupError, ArithmeticError) as exc:  # a decoder of its own
        problem = f"could not be read as {spec.type_name}: {exc}"
        raise _malformed(operation, status, headers, body, content_type, problem) from exc


def _malformed(
    operation: Operation[Any],
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    content_type: str | None,
    problem: str,
) -> MalformedResponseException:
    return MalformedResponseException(
        f"{operation.operation_id}: HTTP {status} answer {problem}",
        status=status,
        headers=headers,
        body=body,
        content_type=content_type,
    )


def _custom(
    spec: ResponseSpec,
    operation: Operation[Any],
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    content_type: str | None,
) -> Any:
    """A caller's parser applied to a text or binary answer."""
    assert spec.decode is not None
    try:
        return spec.decode(body)
    except ApiException:  # a parser of the caller's that already judged the answer
        raise
    except (ValueError, TypeError, LookupError, ArithmeticError) as exc:
        problem = f"could not be read as {spec.type_name}: {exc}"
        raise _malformed(operation, status, headers, body, content_type, problem) from exc


def error_for_status(
    operation: Operation[Any],
    status: int,
    reason: str | None,
    headers: Mapping[str, str],
    body: bytes,
    content_type: str | None,
) -> ApiException:
    """The exception for an error status, with the parsed error model when there is one."""
    data = None
    spec: ResponseSpec | None = operation.response_spec(status)
    if spec is not None and spec.kind == "json" and spec.decode is not None and body:
        try:
            data = spec.decode(body)
        except (ValidationError, ValueError, UnicodeDecodeError):
            data = None  # not the spec's error document; the raw body is still kept
    text = body.decode("utf-8", errors="replace") if body else None
    return exception_class_for_status(status)(
        status=status,
        reason=reason,
        body=text,
        data=data,
        headers=headers,
        retry_after=parse_retry_after(headers),
    )


def _summary(exc: ValidationError) -> str:
    """Where and what, for the first few errors, without echoing the (possibly huge) input."""
    parts = []
    for error in exc.errors(include_input=False, include_url=False)[:3]:
        location = ".".join(str(p) for p in error["loc"]) or "body"
        parts.append(f"{location}: {error['msg']}")
    more = exc.error_count() - len(parts)
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)
