"""What a body or an answer is, by media type: JSON, an event stream, text or bytes.

Language-neutral facts read off the IR, shared by the views: which media of a response a
plain call reads, whether it can be streamed and what one streamed chunk is, whether a
request body is JSON or a multipart form and which of its properties are files, and which
operations are not HTTP request/response at all (a ``101`` upgrade).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

from codegen import ir

MediaKind: TypeAlias = Literal["json", "event-stream", "text", "binary", "multipart", "form"]


def media_kind(content_type: str) -> MediaKind:
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        return "json"
    if media == "text/event-stream":
        return "event-stream"
    if media == "multipart/form-data":
        return "multipart"
    if media == "application/x-www-form-urlencoded":
        return "form"
    if media.startswith("text/"):
        return "text"
    return "binary"


def first_of(contents: tuple[ir.MediaType, ...], kind: MediaKind) -> ir.MediaType | None:
    for media in contents:
        if media_kind(media.content_type) == kind:
            return media
    return None


@dataclass(frozen=True)
class PlainAnswer:
    """How a plain (not streamed) call reads one success status."""

    kind: Literal["json", "text", "binary", "empty"]
    #: The JSON type (``kind == "json"``), else ``None``.
    type: ir.TypeRef | None = None


def plain_answer(response: ir.Response) -> PlainAnswer | None:
    """JSON first, then bytes, then text; ``None`` when the only content is an event stream."""
    if not response.contents:
        return PlainAnswer("empty")
    json = first_of(response.contents, "json")
    if json is not None:
        return PlainAnswer("json", json.type) if json.type is not None else PlainAnswer("binary")
    if first_of(response.contents, "binary") is not None:
        return PlainAnswer("binary")
    if first_of(response.contents, "text") is not None:
        return PlainAnswer("text")
    return None


def plain_content_types(response: ir.Response) -> list[str]:
    """What a plain call accepts for ``response`` (everything but the event stream)."""
    return [
        m.content_type for m in response.contents if media_kind(m.content_type) != "event-stream"
    ]


def stream_chunk(response: ir.Response, schemas: dict[str, ir.Schema]) -> ir.TypeRef | None:
    """The type of one streamed chunk of ``response``, or ``None`` when it does not stream.

    Together writes a stream's schema as a ``oneOf`` of events ``{data: <Chunk>}`` and a
    sentinel ``{data: enum ['[DONE]']}``: a chunk is then the ``data`` of an event (the
    union of them when there are several), the sentinel ends the stream. A schema of any
    other shape is the chunk's type itself.
    """
    media = first_of(response.contents, "event-stream")
    if media is None:
        return None
    if media.type is None:
        return ir.AnyValue()
    events = _event_variants(media.type, schemas)
    if events is None:
        return media.type
    chunks: list[ir.TypeRef] = []
    for data in events:
        if isinstance(data, ir.LiteralValues):
            continue  # the sentinel
        if data not in chunks:
            chunks.append(data)
    if not chunks:
        return media.type
    return chunks[0] if len(chunks) == 1 else ir.UnionOf(tuple(chunks), "oneOf")


def _event_variants(type_: ir.TypeRef, schemas: dict[str, ir.Schema]) -> list[ir.TypeRef] | None:
    """The ``data`` types of a union of ``{data: X}`` objects, or ``None`` if not that shape."""
    if isinstance(type_, ir.Ref) and isinstance(schemas[type_.name], ir.UnionSchema):
        schema = schemas[type_.name]
        assert isinstance(schema, ir.UnionSchema)
        variants = schema.union.variants
    elif isinstance(type_, ir.UnionOf):
        variants = type_.variants
    else:
        return None
    result = []
    for variant in variants:
        target = schemas.get(variant.name) if isinstance(variant, ir.Ref) else None
        if not isinstance(target, ir.ObjectSchema):
            return None
        data = [p for p in target.properties if p.name == "data"]
        if len(target.properties) != 1 or not data or not data[0].required:
            return None
        result.append(data[0].type)
    return result


def is_binary(type_: ir.TypeRef, schemas: dict[str, ir.Schema]) -> bool:
    """Whether a property's value may be a file (``format: binary``, also in a union/array)."""
    if isinstance(type_, ir.Primitive):
        return type_.kind == "string" and type_.format == "binary"
    if isinstance(type_, ir.Nullable):
        return is_binary(type_.inner, schemas)
    if isinstance(type_, ir.ArrayOf):
        return is_binary(type_.items, schemas)
    if isinstance(type_, ir.UnionOf):
        return any(is_binary(v, schemas) for v in type_.variants)
    if isinstance(type_, ir.Ref):
        schema = schemas[type_.name]
        if isinstance(schema, ir.AliasSchema):
            return is_binary(schema.type, schemas)
        if isinstance(schema, ir.UnionSchema):
            return is_binary(schema.union, schemas)
    return False


def skip_reason(op: ir.Operation) -> str | None:
    """Why ``op`` is not a generated method, or ``None``: it is not HTTP request/response.

    An operation whose only answers besides errors are ``101 Switching Protocols`` is a
    WebSocket (or other protocol) upgrade: the conversation after it is not described by
    the spec, so there is nothing to call.
    """
    informational = [r for r in op.responses if r.status.startswith("1")]
    success = [r for r in op.responses if r.is_success]
    if informational and not success:
        statuses = ", ".join(r.status for r in informational)
        return (
            f"answers {statuses} (a protocol upgrade such as a WebSocket), "
            "not HTTP request/response"
        )
    return None
