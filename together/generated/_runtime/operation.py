"""What a generated API method declares about its operation, and how a request is built.

Hand-written runtime (not generated). Each generated API module holds one
:class:`Operation` per endpoint, built once at import from the spec's facts (method, path,
parameters, body, responses per status, security). Generated methods hand their arguments
to :meth:`ApiClient.call_api <.api_client.ApiClient.call_api>`, which uses
the :class:`Operation` to build the request and decode the answer, so serialization, error
mapping and decoding exist once, here and in ``response_decoding``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import PydanticSerializationError, to_json

from together.generated._runtime.exceptions import ApiTypeError, ApiValueError
from together.generated._runtime.model_base import fields_written_plainly

if TYPE_CHECKING:
    from together.generated._runtime.multipart import MultipartBody

__all__ = ["REDIRECT_TARGET", "BodySpec", "Operation", "Param", "ResponseSpec", "SecurityScheme"]

T = TypeVar("T")

ParamLocation = Literal["path", "query", "header", "cookie"]


@dataclass(frozen=True, slots=True)
class Param:
    """A path, query, header or cookie parameter.

    ``adapter`` validates the caller's value (built once, at import). ``explode`` follows
    the spec's ``form`` style: a list becomes ``?a=1&a=2`` when true, ``?a=1,2`` when false.
    """

    name: str
    location: ParamLocation
    adapter: TypeAdapter[Any]
    explode: bool = True


@dataclass(frozen=True, slots=True)
class BodySpec:
    """The request body: its content type and the model (or type) it must validate as."""

    content_type: str
    adapter: TypeAdapter[Any]
    model: type[BaseModel] | None = None
    required: bool = True
    #: For ``multipart/form-data``: the (wire) names of the properties that are files
    #: (``format: binary``), sent as file parts; every other property is a text part.
    file_fields: tuple[str, ...] = ()
    #: Whether ``content_type`` is ``multipart/form-data`` (worked out once, not per call).
    is_multipart: bool = field(init=False, repr=False, compare=False)
    #: ``model`` when its instances with every field set may be written without pydantic's
    #: ``by_alias`` and ``exclude_unset`` (``model_base.fields_written_plainly``), and the
    #: names of those fields; decided on the first body written (``plainly_decided``).
    plain_model: type[BaseModel] | None = field(default=None, init=False, repr=False, compare=False)
    plain_fields: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)
    plainly_decided: bool = field(default=False, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        kind = self.content_type.split(";", 1)[0].strip().lower()
        object.__setattr__(self, "is_multipart", kind == "multipart/form-data")

    def decide_plain_writing(self) -> None:
        """Decide once whether ``model``'s bodies may be written plainly (see
        ``plain_model``): not for multipart bodies, nor for a model that does not qualify."""
        fields = None
        if self.model is not None and not self.is_multipart:
            fields = fields_written_plainly(self.model)
        if fields is not None:
            object.__setattr__(self, "plain_fields", fields)
            object.__setattr__(self, "plain_model", self.model)
        object.__setattr__(self, "plainly_decided", True)


@dataclass(frozen=True, slots=True)
class ResponseSpec:
    """How to read the body of one response status.

    ``kind`` is ``json`` (decoded with ``decode``), ``text``, ``bytes``, ``empty`` or
    ``event-stream`` (Server-Sent Events; ``decode`` turns one event's data into a chunk).
    ``decode`` turns the raw bytes into the declared type in one pass.
    """

    kind: Literal["json", "text", "bytes", "empty", "event-stream"]
    decode: Callable[[bytes], Any] | None = None
    type_name: str | None = None
    #: The pydantic model ``decode`` validates into, when it is one: ``decode_success``
    #: calls its validator itself (``decode``'s frame fewer per call; still looked up on
    #: each call, since ``model_rebuild()`` replaces it).
    model: type[BaseModel] | None = None

    @classmethod
    def json(cls, type_: Any) -> ResponseSpec:
        """A JSON body of ``type_`` (a generated model, or any type pydantic validates).

        Decoded strictly: where the spec says ``number`` a JSON number is required (not
        ``"0.5"``), and ``NaN``/``Infinity`` are refused by the models' ``allow_inf_nan``.
        """
        return cls("json", _decoder(type_), getattr(type_, "__name__", str(type_)), _model(type_))

    @classmethod
    def event_stream(cls, chunk_type: Any) -> ResponseSpec:
        """A ``text/event-stream`` body whose every event's data is a JSON ``chunk_type``
        (decoded as strictly as :meth:`json`)."""
        return cls(
            "event-stream", _decoder(chunk_type), getattr(chunk_type, "__name__", str(chunk_type))
        )


#: How the answer a declared redirect leads to is read: its bytes, as they are.
REDIRECT_TARGET = ResponseSpec("bytes")


def _model(type_: Any) -> type[BaseModel] | None:
    return type_ if isinstance(type_, type) and issubclass(type_, BaseModel) else None


def _decoder(type_: Any) -> Callable[[bytes], Any]:
    model = _model(type_)
    if model is not None:

        def decode(body: bytes) -> Any:
            # What ``model_validate_json(body, strict=True)`` does, without its Python
            # wrapper (about 1 µs a call on the hot path, bench/README.md). The validator is
            # looked up on each call: ``model_rebuild()`` replaces it.
            return model.__pydantic_validator__.validate_json(body, strict=True)

        return decode
    return functools.partial(TypeAdapter(type_).validate_json, strict=True)


@dataclass(frozen=True, slots=True)
class SecurityScheme:
    """One way the operation may be authorized (the first one configured is used)."""

    name: str
    kind: Literal["bearer", "basic", "apiKey"]
    location: Literal["header", "query", "cookie"] = "header"
    parameter_name: str = "Authorization"


#: The text of each HTTP status, the key of ``Operation.responses``: looked up, since
#: ``str()`` of an int is a measurable part of a small call (bench/README.md).
STATUS_KEYS = {status: str(status) for status in range(100, 600)}

#: One tuple per distinct security requirement (see ``Operation.__post_init__``).
_SCHEMES: dict[tuple[SecurityScheme, ...], tuple[SecurityScheme, ...]] = {}


@dataclass(frozen=True, slots=True)
class Operation(Generic[T]):
    """The facts of one operation. ``T`` is the type a successful call returns."""

    operation_id: str
    method: str
    path: str
    params: tuple[Param, ...] = ()
    body: BodySpec | None = None
    #: Per status: ``"200"``, ``"4XX"`` or ``"default"``.
    responses: Mapping[str, ResponseSpec] = field(default_factory=dict)
    accept: str | None = "application/json"
    security: tuple[SecurityScheme, ...] = ()
    #: Whether a failed attempt may be sent again: the method is idempotent, or the spec
    #: marks the operation ``x-retry-safe: true``.
    retry_safe: bool = False
    #: Per status, how a streamed answer reads (``ResponseSpec.event_stream``); empty when
    #: the operation cannot stream.
    stream_responses: Mapping[str, ResponseSpec] = field(default_factory=dict)
    #: The JSON body property that asks for a streamed answer (e.g. ``"stream"``): the
    #: runtime sets it for ``call_api_stream`` and refuses it in ``call_api``.
    stream_flag: str | None = None
    #: Whether a parameter goes into a header or a cookie (worked out once): a client keeps
    #: the request headers of an operation without any (``ApiClient._build``).
    has_header_params: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "has_header_params",
            any(param.location in ("header", "cookie") for param in self.params),
        )
        # Operations with the same schemes share one tuple: a client remembers the
        # credential it chose for the last tuple it saw, by identity (Credentials.apply).
        if type(self.security) is tuple:
            object.__setattr__(self, "security", _SCHEMES.setdefault(self.security, self.security))

    def response_spec(self, status: int) -> ResponseSpec | None:
        """The spec's answer for ``status``: exact, then range (``4XX``), then ``default``."""
        key = STATUS_KEYS.get(status) or str(status)
        spec = self.responses.get(key)
        if spec is None:
            spec = self.responses.get(f"{key[0]}XX")
        if spec is None:
            spec = self.responses.get("default")
        return spec

    def success_spec(self, status: int) -> ResponseSpec | None:
        """How to read a 2xx answer: the spec's for ``status`` or ``2XX``, else the one
        success answer the spec declares (a server answering 201 for 200 is still
        understood), else ``default``; ``None`` when there is none."""
        key = STATUS_KEYS.get(status) or str(status)
        spec = self.responses.get(key) or self.responses.get(f"{key[0]}XX")
        if spec is not None:
            return spec
        declared = [spec for key, spec in self.responses.items() if key.startswith("2")]
        if len(declared) == 1:
            return declared[0]
        default = self.responses.get("default")
        if default is None and not declared and self.redirects_to_the_result:
            return REDIRECT_TARGET
        return default

    @property
    def redirects_to_the_result(self) -> bool:
        """Whether the spec's only answer besides errors is a redirect (``307`` "to the
        file"): the result is then what the redirect leads to, read as bytes, since
        nothing declares its type (:data:`REDIRECT_TARGET`)."""
        return any(key.startswith("3") for key in self.responses) and not any(
            key.startswith("2") or key == "default" for key in self.responses
        )

    def stream_spec(self, status: int) -> ResponseSpec | None:
        """How to read a streamed 2xx answer: exact status, ``2XX``, else the one declared."""
        key = STATUS_KEYS.get(status) or str(status)
        spec = self.stream_responses.get(key) or self.stream_responses.get(f"{key[0]}XX")
        if spec is None and len(self.stream_responses) == 1:
            spec = next(iter(self.stream_responses.values()))
        return spec

    # -------------------------------------------------------------- request building

    def build_path(self, values: Mapping[str, Any]) -> str:
        path = self.path
        for param in self.params:
            if param.location == "path":
                value = _validated(param, values.get(param.name), self.operation_id)
                path = path.replace("{" + param.name + "}", quote(_to_text(value), safe=""))
        return path

    def build_query(self, values: Mapping[str, Any]) -> list[tuple[str, str]]:
        query: list[tuple[str, str]] = []
        for param in self.params:
            if param.location != "query" or values.get(param.name) is None:
                continue
            value = _validated(param, values[param.name], self.operation_id)
            if isinstance(value, (list, tuple)):
                items = [_to_text(v) for v in value]
                if param.explode:
                    query.extend((param.name, item) for item in items)
                else:
                    query.append((param.name, ",".join(items)))
            else:
                query.append((param.name, _to_text(value)))
        return query

    def build_headers(self, values: Mapping[str, Any]) -> dict[str, str]:
        headers: dict[str, str] = {}
        cookies: list[str] = []
        for param in self.params:
            if param.location in ("header", "cookie") and values.get(param.name) is not None:
                value = _validated(param, values[param.name], self.operation_id)
                text = (
                    ",".join(map(_to_text, value))
                    if isinstance(value, (list, tuple))
                    else _to_text(value)
                )
                if param.location == "header":
                    headers[param.name] = text
                else:
                    cookies.append(f"{param.name}={text}")
        if cookies:
            headers["Cookie"] = "; ".join(cookies)
        return headers

    def encode_body(self, value: Any, *, stream: bool = False) -> bytes | MultipartBody | None:
        """The request body, validated first; ``None`` when there is none.

        JSON bodies become bytes; ``multipart/form-data`` bodies a :class:`MultipartBody`
        that streams its files. ``stream`` says whether the call asks for a streamed answer:
        then :attr:`stream_flag` is set to true in the sent copy; otherwise a body asking for
        a stream is refused (the plain call could not read the answer).
        """
        body = self.body
        if (
            body is not None
            and type(value) is body.plain_model
            and self.stream_flag is None
            and value.__pydantic_fields_set__ == body.plain_fields
        ):
            # Every field set, no extras, no aliases, plain JSON (decided once per model):
            # by_alias and exclude_unset change nothing, and cost pydantic-core a copy of
            # the model's dict per call (about 800 instructions, bench/README.md).
            try:
                return body.adapter.serializer.to_json(value)
            except PydanticSerializationError as exc:
                raise self._unwritable(exc) from None
        if body is None:
            if value is not None:
                raise ApiTypeError(f"{self.operation_id}() takes no request body")
            return None
        if value is None:
            if body.required:
                raise ApiValueError(f"{self.operation_id}() requires a request body")
            return None
        if body.model is not None and isinstance(value, body.model):
            model: Any = value
        elif body.model is not None and not isinstance(value, Mapping):
            raise ApiTypeError(
                f"{self.operation_id}() takes a {body.model.__name__} or a dict for its body, "
                f"not {type(value).__name__}"
            )
        else:
            try:
                model = body.adapter.validate_python(value)
            except ValidationError as exc:
                raise ApiValueError(
                    f"invalid request body for {self.operation_id}(): {exc}"
                ) from exc
        if not body.plainly_decided:
            body.decide_plain_writing()
        if body.is_multipart:
            # Imported here: only uploads need it (see bench/README.md "Calls and imports").
            from together.generated._runtime.multipart import encode_multipart

            return encode_multipart(
                body.adapter, model, body.file_fields, operation_id=self.operation_id
            )
        try:
            if self.stream_flag is not None:
                return self._encode_with_stream_flag(body, model, stream)
            # One pass from the model to JSON bytes; unset optional fields are not sent.
            # The serializer itself: TypeAdapter.dump_json's Python wrapper cost a third of
            # the call (bench/README.md).
            # (``warnings`` is left at its default, True: each keyword costs pydantic-core
            # about 400 instructions to parse.)
            return body.adapter.serializer.to_json(model, by_alias=True, exclude_unset=True)
        except PydanticSerializationError as exc:  # e.g. a lone surrogate in a text
            raise self._unwritable(exc) from None  # the chained error would quote the text

    def _unwritable(self, exc: PydanticSerializationError) -> ApiValueError:
        return ApiValueError(
            f"the request body of {self.operation_id}() cannot be written as JSON: "
            f"{_first_line(str(exc))}"
        )

    def _encode_with_stream_flag(self, body: BodySpec, model: Any, stream: bool) -> bytes:
        """JSON bytes with :attr:`stream_flag` set for a stream call, refused otherwise.

        Works on a dumped copy, so the caller's model or dict is never changed.
        """
        flag = self.stream_flag
        assert flag is not None
        fields = body.adapter.dump_python(model, mode="json", by_alias=True, exclude_unset=True)
        if not isinstance(fields, dict):
            return body.adapter.dump_json(model, by_alias=True, exclude_unset=True)
        if stream:
            fields[flag] = True
        elif fields.get(flag) is True:
            raise ApiValueError(
                f"{self.operation_id}() cannot read a streamed answer: the body sets "
                f"{flag!r} to true; call {self.operation_id}_stream() instead"
            )
        return to_json(fields)


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else text


def _validated(param: Param, value: Any, operation_id: str) -> Any:
    if value is None:
        raise ApiValueError(f"{operation_id}() requires the parameter {param.name!r}")
    try:
        return param.adapter.validate_python(value)
    except ValidationError as exc:
        raise ApiValueError(
            f"invalid parameter {param.name!r} for {operation_id}(): {exc}"
        ) from exc


def _to_text(value: Any) -> str:
    """A parameter value as the text that goes into a URL or header."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)
