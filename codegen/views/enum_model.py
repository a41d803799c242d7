"""The view of an enum of strings or of integers: a ``StrEnum`` or an ``IntEnum``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self, Unpack

from codegen import ir
from codegen.errors import join_pointer
from codegen.naming import first_free, snake_case
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
        view.enum_members = [
            (member, repr(value))
            for member, value in zip(enum_member_names(schema), schema.values, strict=True)
        ]
        for value, (member, _) in zip(schema.values, view.enum_members, strict=True):
            wanted = enum_member_name(value)
            if member != wanted:
                types.warnings.append(
                    f"{types.spec.source_name}#{join_pointer(schema.pointer, 'enum')}: "
                    f"enum value {value!r} is member {member!r}: {wanted!r} is another "
                    "value's member"
                )
        return view


def enum_member_names(schema: ir.EnumSchema) -> list[str]:
    """Each value's member name, unique within the enum.

    Values whose names convert to one member (``a-b`` and ``a_b``, ``1`` and ``_1``) cannot
    share it: the first in the spec's order keeps it, the others get ``_2``, ``_3``... (a
    number no other value's member has).
    """
    wanted = [enum_member_name(value) for value in schema.values]
    taken = set(wanted)
    names: list[str] = []
    for name in wanted:
        if name in names:
            name = first_free(name, taken)
            taken.add(name)
        names.append(name)
    return names


def enum_member_name(value: object) -> str:
    """``guinea-pig`` -> ``GUINEA_PIG``; ``1`` -> ``VALUE_1`` (as openapi-generator names them)."""
    text = snake_case(str(value)).upper() or "EMPTY"
    return "VALUE_" + text if text[0].isdigit() else text
