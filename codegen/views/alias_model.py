"""The view of any other schema: a ``TypeAlias`` (an array, a map, a primitive, a ``Literal``
of enum values that make no Python ``Enum``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self, Unpack

from codegen import ir
from codegen.views.model_base import ModelNames, ModelView
from codegen.views.python_types import Imports, TypeRenderer


@dataclass(kw_only=True)
class AliasModelView(ModelView):
    kind = "alias"
    alias_annotation: str = ""

    @classmethod
    def accepts(cls, schema: ir.Schema) -> bool:
        return True  # asked last: whatever no other kind takes

    @classmethod
    def build(
        cls,
        schema: ir.Schema,
        types: TypeRenderer,
        imports: Imports,
        mixin: str | None,
        **names: Unpack[ModelNames],
    ) -> Self:
        imports.add("typing", "TypeAlias")
        return cls(**names, alias_annotation=types.annotation(_aliased(schema), imports))


def _aliased(schema: ir.Schema) -> ir.TypeRef:
    if isinstance(schema, ir.EnumSchema):
        # Values of mixed types (or floats, booleans): a Literal of them.
        return ir.LiteralValues(schema.values)
    if isinstance(schema, ir.AliasSchema):
        return schema.type
    raise TypeError(f"no alias for {type(schema).__name__}")
