"""How IR types and descriptions read in the generated Markdown pages."""

from __future__ import annotations

from codegen import ir
from codegen.views.python_types import Imports, TypeRenderer


def doc_type(type_: ir.TypeRef, types: TypeRenderer) -> str:
    """A type as the docs show it, with Markdown links to model pages."""
    if isinstance(type_, ir.Ref):
        schema = types.schema(type_.name)
        name = types.class_of(schema.name)
        return f"[**{name}**]({name}.md)"
    if isinstance(type_, ir.ArrayOf):
        return f"List[{doc_type(type_.items, types)}]"
    if isinstance(type_, ir.MapOf):
        return f"Dict[str, {doc_type(type_.values, types)}]"
    if isinstance(type_, ir.Nullable):
        return f"{doc_type(type_.inner, types)}, nullable"
    if isinstance(type_, ir.UnionOf):
        return " or ".join(doc_type(v, types) for v in type_.variants)
    if isinstance(type_, ir.OpenEnum):
        return "str (known values: " + ", ".join(f"`{v}`" for v in type_.known) + ")"
    if isinstance(type_, ir.LiteralValues):
        return " or ".join(f"`{v!r}`" for v in type_.values)
    scratch = Imports()
    return f"**{types.annotation(type_, scratch)}**"


def one_paragraph(text: str | None) -> str:
    return " ".join((text or "").split())
