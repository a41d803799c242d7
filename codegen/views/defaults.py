"""A property's ``default`` as Python source that type-checks against its annotation.

A spec's default is a JSON value written beside a schema, and not always of the schema's
type: ``default: "0.2"`` on a number, ``default: none`` on an object. A default is coerced
when the conversion is exact (the string ``"20"`` is the integer 20), and otherwise refused
with its pointer -- except a default on an object, which no literal can stand for: it is
left to the server, with a warning (a request leaves unset fields out, so the server
applies its own default either way).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from codegen import ir
from codegen.views.enum_model import enum_member_names
from codegen.views.python_types import Imports, TypeRenderer, enum_base

_JSON_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")


class NotAValue(Exception):
    """The default is not a value of the type, and cannot be converted exactly."""


class ObjectDefault(Exception):
    """A default on an object (model) type: left to the server."""


@dataclass(frozen=True)
class PythonDefault:
    #: Python source of the value.
    source: str
    #: Whether it must be built per instance (``default_factory=lambda: ...``).
    factory: bool = False


def python_default(
    type_: ir.TypeRef, value: object, types: TypeRenderer, imports: Imports
) -> PythonDefault:
    """The default ``value`` as Python source for a field of ``type_``.

    Raises ``NotAValue`` (refuse) or ``ObjectDefault`` (warn, no default).
    """
    if value is None:
        return PythonDefault("None")
    if isinstance(type_, ir.Nullable):
        return python_default(type_.inner, value, types, imports)
    if isinstance(type_, ir.AnyValue):
        return PythonDefault(repr(value), factory=isinstance(value, (list, dict)))
    if isinstance(type_, ir.Primitive):
        return PythonDefault(repr(_primitive(type_, value)))
    if isinstance(type_, ir.LiteralValues):
        if value in type_.values and type(value) in {type(v) for v in type_.values}:
            return PythonDefault(repr(value))
        raise NotAValue(f"{value!r} is not one of {list(type_.values)}")
    if isinstance(type_, ir.OpenEnum):
        if isinstance(value, str):
            return PythonDefault(repr(value))
        raise NotAValue(f"{value!r} is not a string")
    if isinstance(type_, ir.ArrayOf):
        if not isinstance(value, list):
            raise NotAValue(f"{value!r} is not a list")
        items = [python_default(type_.items, v, types, imports) for v in value]
        return PythonDefault("[" + ", ".join(i.source for i in items) + "]", factory=True)
    if isinstance(type_, ir.MapOf):
        if not isinstance(value, dict):
            raise NotAValue(f"{value!r} is not a mapping")
        entries = [
            f"{k!r}: {python_default(type_.values, v, types, imports).source}"
            for k, v in value.items()
        ]
        return PythonDefault("{" + ", ".join(entries) + "}", factory=True)
    if isinstance(type_, ir.UnionOf):
        for variant in type_.variants:
            try:
                return python_default(variant, value, types, imports)
            except (NotAValue, ObjectDefault):
                continue
        raise NotAValue(f"{value!r} is none of the union's types")
    if isinstance(type_, ir.Null):
        raise NotAValue(f"{value!r} is not null")
    return _named(type_, value, types, imports)


def _named(type_: ir.Ref, value: object, types: TypeRenderer, imports: Imports) -> PythonDefault:
    schema = types.schema(type_.name)
    if isinstance(schema, ir.AliasSchema):
        return python_default(schema.type, value, types, imports)
    if isinstance(schema, ir.UnionSchema):
        return python_default(schema.union, value, types, imports)
    if isinstance(schema, ir.EnumSchema):
        if not enum_base(schema):
            return python_default(ir.LiteralValues(schema.values), value, types, imports)
        for member, member_value in zip(enum_member_names(schema), schema.values, strict=True):
            if member_value == value and type(member_value) is type(value):
                name = types.class_of(schema.name)
                imports.add(types.model_module(schema.name), name)
                return PythonDefault(f"{name}.{member}")
        raise NotAValue(f"{value!r} is not one of {list(schema.values)}")
    raise ObjectDefault(f"{value!r} stands for a {types.class_of(schema.name)}")


def _primitive(type_: ir.Primitive, value: object) -> object:
    kind = type_.kind
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise NotAValue(f"{value!r} is not a boolean")
    if kind == "string":
        if isinstance(value, str) and type_.format not in ("date-time", "date", "binary"):
            return value
        raise NotAValue(f"{value!r} is not a plain string")
    if isinstance(value, bool):
        raise NotAValue(f"{value!r} is not a {kind}")
    number: Decimal
    if isinstance(value, (int, float)):
        number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    elif isinstance(value, str) and _JSON_NUMBER.fullmatch(value):
        try:
            number = Decimal(value)
        except InvalidOperation as exc:  # pragma: no cover - the pattern already checked
            raise NotAValue(f"{value!r} is not a number") from exc
    else:
        raise NotAValue(f"{value!r} is not a {kind}")
    if kind == "integer":
        if number != number.to_integral_value():
            raise NotAValue(f"{value!r} is not an integer")
        return int(number)
    result = float(number)
    if Decimal(repr(result)) != number:
        raise NotAValue(f"{value!r} has no exact float")
    return result
