"""The view of an operation's path, query and header parameters."""

from __future__ import annotations

from dataclasses import dataclass

from codegen import ir
from codegen.errors import SpecError
from codegen.naming import python_identifier
from codegen.views.doc_text import doc_type, one_paragraph
from codegen.views.python_types import Imports, TypeRenderer


@dataclass
class ParamView:
    name: str
    wire_name: str
    location: str
    annotation: str
    required: bool
    description: str
    adapter_type: str
    explode: bool
    type_text: str


#: The serialization each location supports: the default style, and only that one.
_STYLES = {"path": "simple", "query": "form", "header": "simple", "cookie": "form"}


def param_view(param: ir.Parameter, types: TypeRenderer, imports: Imports) -> ParamView:
    _check_serializable(param, types)
    annotation = types.annotation(param.type, imports)
    return ParamView(
        name=python_identifier(param.name),
        wire_name=param.name,
        location=param.location,
        annotation=annotation,
        required=param.required,
        description=one_paragraph(param.description),
        adapter_type=annotation,
        explode=param.explode if param.explode is not None else True,
        type_text=doc_type(param.type, types),
    )


def _check_serializable(param: ir.Parameter, types: TypeRenderer) -> None:
    """Refuse what the runtime would put on the wire wrongly: other styles, objects, and
    arrays in a path."""
    style = param.style or _STYLES[param.location]
    if style != _STYLES[param.location]:
        raise SpecError(
            param.pointer,
            "style",
            f"style {style!r} for a {param.location} parameter is not supported "
            f"(only {_STYLES[param.location]!r})",
            source=types.spec.source_name,
        )
    shape = _resolved(param.type, types)
    if isinstance(shape, (ir.MapOf, ir.ObjectSchema)):
        raise SpecError(
            param.pointer,
            "schema",
            "object-valued parameters are not supported",
            source=types.spec.source_name,
        )
    if isinstance(shape, ir.ArrayOf) and param.location == "path":
        raise SpecError(
            param.pointer,
            "schema",
            "array-valued path parameters are not supported",
            source=types.spec.source_name,
        )


def _resolved(type_: ir.TypeRef, types: TypeRenderer) -> ir.TypeRef | ir.Schema:
    """The shape behind nullability and aliases (an object schema stays a schema)."""
    while True:
        if isinstance(type_, ir.Nullable):
            type_ = type_.inner
        elif isinstance(type_, ir.Ref):
            schema = types.schema(type_.name)
            if not isinstance(schema, ir.AliasSchema):
                return schema
            type_ = schema.type
        else:
            return type_
