"""The view of a request body: one kind per media type the emitter sends.

A JSON body (:class:`JsonBodyView`) is preferred when the spec offers one; else a
``multipart/form-data`` form (:class:`MultipartBodyView`), whose file properties are sent as
file parts. Anything else is refused with its pointer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Self

from codegen import ir
from codegen.errors import SpecError
from codegen.naming import python_identifier, snake_case
from codegen.views.doc_text import doc_type
from codegen.views.media import MediaKind, first_of, is_binary
from codegen.views.python_types import Imports, TypeRenderer


@dataclass
class BodyView:
    #: The media type this kind of body is sent as.
    media_kind: ClassVar[MediaKind]
    name: str
    #: The JSON pointer of the request body (for warnings about it).
    pointer: str
    annotation: str
    model: str | None
    #: The schema the model is generated from.
    model_schema: str | None
    adapter_type: str
    content_type: str
    required: bool
    type_text: str
    #: Multipart: wire names of the properties sent as file parts.
    file_fields: list[str] = field(default_factory=list)
    #: JSON: the boolean property that asks for a streamed answer ("stream"), if any.
    stream_flag: str | None = None

    @classmethod
    def build(
        cls, body: ir.RequestBody, media: ir.MediaType, types: TypeRenderer, imports: Imports
    ) -> Self:
        assert media.type is not None
        schema = types.schema(media.type.name) if isinstance(media.type, ir.Ref) else None
        cls._check(body, schema, types)
        annotation = types.annotation(media.type, imports)
        model = model_schema = None
        if isinstance(schema, ir.ObjectSchema):
            model, model_schema = annotation, schema.name
            imports.add("collections.abc", "Mapping")
            imports.add("typing", "Any")
            param_annotation = f"{annotation} | Mapping[str, Any]"
        else:
            param_annotation = annotation
        return cls(
            name=python_identifier(snake_case(model) if model else "body"),
            pointer=body.pointer,
            annotation=param_annotation if body.required else f"{param_annotation} | None",
            model=model,
            model_schema=model_schema,
            adapter_type=annotation,
            content_type=media.content_type,
            required=body.required,
            type_text=doc_type(media.type, types),
            file_fields=cls._file_fields(schema, types),
        )

    @classmethod
    def _check(cls, body: ir.RequestBody, schema: ir.Schema | None, types: TypeRenderer) -> None:
        """Refuse a body this kind cannot send."""

    @classmethod
    def _file_fields(cls, schema: ir.Schema | None, types: TypeRenderer) -> list[str]:
        return []

    def find_stream_flag(self, types: TypeRenderer) -> str | None:
        """The body's boolean property that asks for the event stream, if any."""
        return None


class JsonBodyView(BodyView):
    media_kind = "json"

    def find_stream_flag(self, types: TypeRenderer) -> str | None:
        if self.model_schema is None:
            return None
        schema = types.schema(self.model_schema)
        assert isinstance(schema, ir.ObjectSchema)
        for prop in schema.properties:
            inner = prop.type.inner if isinstance(prop.type, ir.Nullable) else prop.type
            if prop.name == "stream" and inner == ir.Primitive("boolean"):
                return prop.name
        return None


class MultipartBodyView(BodyView):
    media_kind = "multipart"

    @classmethod
    def _check(cls, body: ir.RequestBody, schema: ir.Schema | None, types: TypeRenderer) -> None:
        if not isinstance(schema, ir.ObjectSchema):
            raise SpecError(
                body.pointer,
                "content",
                "a multipart/form-data body must be an object schema (its properties are the "
                "parts)",
                source=types.spec.source_name,
            )

    @classmethod
    def _file_fields(cls, schema: ir.Schema | None, types: TypeRenderer) -> list[str]:
        assert isinstance(schema, ir.ObjectSchema)
        return [p.name for p in schema.properties if is_binary(p.type, types.schemas)]


#: The kinds, in order of preference.
BODY_KINDS: tuple[type[BodyView], ...] = (JsonBodyView, MultipartBodyView)


def body_view(op: ir.Operation, types: TypeRenderer, imports: Imports) -> BodyView | None:
    body = op.request_body
    if body is None:
        return None
    imports.add(f"{types.runtime}.operation", "BodySpec")
    for kind in BODY_KINDS:
        media = first_of(body.contents, kind.media_kind)
        if media is not None and media.type is not None:
            return kind.build(body, media, types, imports)
        if media is not None:
            break
    raise SpecError(
        body.pointer,
        "content",
        f"request bodies of type {', '.join(c.content_type for c in body.contents)} "
        "are not supported by the Python emitter (JSON and multipart/form-data only)",
        source=types.spec.source_name,
    )
