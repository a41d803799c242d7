"""The views of an operation's answers: one kind per way a call reads a status.

A plain call reads a success as JSON (:class:`JsonAnswer`), text, bytes or nothing; a status
whose only content is an event stream has no plain answer (:class:`StreamedAnswer`) and is
read by the ``_stream`` form (:class:`StreamView`). Each kind knows the runtime's
``ResponseSpec`` for it, its Python annotation and how the docs name it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from codegen import ir
from codegen.views.doc_text import doc_type, one_paragraph
from codegen.views.media import plain_answer, stream_chunk
from codegen.views.python_types import Imports, TypeRenderer


class Answer:
    """How a plain call reads one status."""

    kind: ClassVar[str]

    def spec_expr(self, types: TypeRenderer, imports: Imports) -> str:
        """Python expression of its ``ResponseSpec`` ("" for a status only streamed)."""
        raise NotImplementedError

    def annotation(self, types: TypeRenderer, imports: Imports) -> str:
        raise NotImplementedError

    def text(self, types: TypeRenderer) -> str:
        """The result type, as the docs show it."""
        raise NotImplementedError


@dataclass(frozen=True)
class JsonAnswer(Answer):
    kind = "json"
    type: ir.TypeRef

    def spec_expr(self, types: TypeRenderer, imports: Imports) -> str:
        return f"ResponseSpec.json({types.annotation(self.type, imports)})"

    def annotation(self, types: TypeRenderer, imports: Imports) -> str:
        return types.annotation(self.type, imports)

    def text(self, types: TypeRenderer) -> str:
        return doc_type(self.type, types)


@dataclass(frozen=True)
class _FixedAnswer(Answer):
    """An answer whose result type does not depend on the spec: text, bytes, nothing."""

    spec: str
    python_type: str

    def spec_expr(self, types: TypeRenderer, imports: Imports) -> str:
        return self.spec

    def annotation(self, types: TypeRenderer, imports: Imports) -> str:
        return self.python_type

    def text(self, types: TypeRenderer) -> str:
        return self.python_type


class TextAnswer(_FixedAnswer):
    kind = "text"


class BinaryAnswer(_FixedAnswer):
    kind = "binary"


class EmptyAnswer(_FixedAnswer):
    kind = "empty"


class StreamedAnswer(Answer):
    """A status whose only content is an event stream: no plain answer."""

    kind = "stream"

    def spec_expr(self, types: TypeRenderer, imports: Imports) -> str:
        return ""

    def annotation(self, types: TypeRenderer, imports: Imports) -> str:
        raise TypeError("a streamed status has no plain result")

    def text(self, types: TypeRenderer) -> str:
        return "a stream (see the `_stream` method)"


_FIXED: dict[str, Answer] = {
    "text": TextAnswer('ResponseSpec("text")', "str"),
    "binary": BinaryAnswer('ResponseSpec("bytes")', "bytes"),
    "empty": EmptyAnswer('ResponseSpec("empty")', "None"),
}


#: The result of an operation whose only non-error answer is a redirect: the bytes it leads to.
REDIRECT_TARGET_ANSWER: Answer = _FIXED["binary"]


def answer_of(response: ir.Response) -> Answer:
    """The kind of answer a plain call reads for ``response``."""
    answer = plain_answer(response)
    if answer is None:
        return StreamedAnswer()
    if answer.kind == "json" and answer.type is not None:
        return JsonAnswer(answer.type)
    return _FIXED[answer.kind]


@dataclass
class ResponseView:
    status: str
    description: str
    #: Python expression of the ResponseSpec; "" for a status only streamed.
    spec_expr: str
    type_text: str
    #: The exception a call raises on this status ("-" for success).
    raises: str


def response_view(
    response: ir.Response,
    types: TypeRenderer,
    imports: Imports,
    raises_for: Callable[[int], str],
) -> ResponseView:
    answer = answer_of(response)
    return ResponseView(
        status=response.status,
        description=one_paragraph(response.description),
        spec_expr=answer.spec_expr(types, imports),
        type_text=answer.text(types),
        raises=_raises(response.status, raises_for),
    )


def _raises(status: str, raises_for: Callable[[int], str]) -> str:
    if status.startswith("2"):
        return "-"
    if status.isdigit():
        return f"`{raises_for(int(status))}`"
    if status == "default":
        return "the `ApiException` subclass for the status"
    return f"the `ApiException` subclass for the status ({status})"


@dataclass
class StreamView:
    #: Status -> Python expression of its ``ResponseSpec.event_stream(...)``.
    specs: list[tuple[str, str]]
    #: The type of one chunk (annotation, and as the docs show it).
    chunk_annotation: str
    chunk_text: str


def stream_view(op: ir.Operation, types: TypeRenderer, imports: Imports) -> StreamView | None:
    """The ``_stream`` form's view, if a success can be an event stream."""
    specs = []
    chunks: list[ir.TypeRef] = []
    for response in op.responses:
        if not response.is_success:
            continue
        chunk = stream_chunk(response, types.schemas)
        if chunk is None:
            continue
        specs.append(
            (response.status, f"ResponseSpec.event_stream({types.annotation(chunk, imports)})")
        )
        # One union of every kind of chunk, each once (a status's own union is flattened).
        variants: tuple[ir.TypeRef, ...] = (chunk,)
        if isinstance(chunk, ir.UnionOf) and chunk.discriminator is None:
            variants = chunk.variants
        chunks.extend(v for v in variants if v not in chunks)
    if not specs:
        return None
    imports.add(f"{types.runtime}.streaming", "AsyncStream")
    chunk_type = chunks[0] if len(chunks) == 1 else ir.UnionOf(tuple(chunks), "oneOf")
    return StreamView(
        specs=specs,
        chunk_annotation=types.annotation(chunk_type, imports),
        chunk_text=doc_type(chunk_type, types),
    )
