"""The view of an enum of strings or of integers: a ``StrEnum`` or an ``IntEnum``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self, Unpack

from codegen import ir
from codegen.errors import SpecError
from codegen.naming import snake_case
from codegen.views.model_base import ModelNames, ModelView
from codegen.views.python_types import Imports, TypeRenderer, enum_base


@dataclass(kw_only=True)
class EnumModelView(ModelView):
    kind = "enum"
    enum_base: str = "str"
    enum_class: str = "StrEnum"
    enum_members: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def accepts(cls, schema: ir.Schema) -> bool:
        # Values of mixed types (or floats, booleans) make no Python Enum: an alias takes them.
        return isinstance(schema, ir.EnumSchema) and bool(enum_base(schema))

    @classmethod
    def build(
        cls,
        schema: ir.Schema,
        types: TypeRenderer,
        imports: Imports,
        mixin: str | None,
        **names: Unpack[ModelNames],
    ) -> Self:
        assert isinstance(schema, ir.EnumSchema)
        base = enum_base(schema)
        # StrEnum: a member is its value as a string too (str(), f-strings, JSON).
        view = cls(**names, enum_base=base, enum_class="StrEnum" if base == "str" else "IntEnum")
        imports.add("enum", view.enum_class)
        view.enum_members = [(enum_member_name(v), repr(v)) for v in schema.values]
        members = [member for member, _ in view.enum_members]
        if len(set(members)) != len(members):
            raise SpecError(
                schema.pointer,
                "enum",
                f"enum values give clashing member names: {members}",
                source=types.spec.source_name,
            )
        return view


def enum_member_name(value: object) -> str:
    """``guinea-pig`` -> ``GUINEA_PIG``; ``1`` -> ``VALUE_1`` (as openapi-generator names them)."""
    text = snake_case(str(value)).upper() or "EMPTY"
    return "VALUE_" + text if text[0].isdigit() else text
