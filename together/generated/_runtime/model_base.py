"""What every generated model shares: pydantic settings and openapi-generator's helpers.

Hand-written runtime (not generated). Generated models subclass :class:`ApiModel` (objects)
or :class:`OneOfModel` (the wrapper class of a ``oneOf``/``anyOf``), so each generated
class holds only its fields.
"""

from __future__ import annotations

import pprint
from collections.abc import Callable
from typing import Any, ClassVar, Generic, Self, TypeVar, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    RootModel,
    ValidationError,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticOmit, core_schema

__all__ = ["ONE_OF_VALUE", "ApiModel", "OneOfModel", "OneOfValue", "unwrap_one_of"]


class ApiModel(BaseModel):
    """Base of generated object models.

    Fields are validated on construction and on assignment, so an invalid request is
    refused before anything is sent. ``to_dict``/``to_json`` leave out fields that were never
    set, so a request carries only what the caller gave.
    """

    model_config = ConfigDict(
        populate_by_name=True,
        validate_assignment=True,
        protected_namespaces=(),
        # Responses may carry fields newer than the spec: keep them (``model_extra``).
        # Request-only models forbid unknown fields so a misspelt argument is an error.
        extra="allow",
        # JSON has no NaN or Infinity: a float field refuses them, in a request (nothing is
        # sent) and in an answer (MalformedResponseError), whatever the parser let through.
        allow_inf_nan=False,
    )

    def to_dict(self) -> dict[str, Any]:
        """The model as a dict keyed by the spec's property names."""
        return self.model_dump(by_alias=True, exclude_unset=True)

    def to_json(self) -> str:
        """The model as JSON text."""
        return self.model_dump_json(by_alias=True, exclude_unset=True)

    def to_str(self) -> str:
        """A readable, multi-line form of ``to_dict()``."""
        return pprint.pformat(self.to_dict())

    @classmethod
    def from_dict(cls, obj: dict[str, Any] | None) -> Self | None:
        """Validate a dict into the model (``None`` gives ``None``)."""
        if obj is None:
            return None
        return cls.model_validate(obj)

    @classmethod
    def from_json(cls, json_str: str | bytes) -> Self:
        """Parse and validate JSON text into the model, in one pass."""
        return cls.model_validate_json(json_str)


T = TypeVar("T")


class OneOfModel(RootModel[T], Generic[T]):
    """Wrapper of a value that is one of several shapes (openapi-generator's oneOf class).

    Fields typed with a union accept the plain value, so the wrapper is never required:
    ``EmbeddingsRequest(input="text")`` and
    ``EmbeddingsRequest(input=EmbeddingsRequestInput("text"))`` are the same request.
    """

    model_config = ConfigDict(allow_inf_nan=False)

    one_of_schemas: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "actual_instance" in kwargs:
            if args:
                raise TypeError("give the value positionally or as actual_instance, not both")
            args = (kwargs.pop("actual_instance"),)
        if kwargs:
            if args:
                raise TypeError(f"unexpected keyword arguments: {sorted(kwargs)}")
            # pydantic validates an object for a root model by calling __init__(**object)
            # (from_dict, from_json, a field of this type): the keywords are the value.
            args = (kwargs,)
        if len(args) != 1:
            raise TypeError(f"{type(self).__name__} takes exactly one value")
        super().__init__(unwrap_one_of(args[0]))

    @property
    def actual_instance(self) -> T:
        """The wrapped value."""
        return self.root

    def to_dict(self) -> Any:
        return self.model_dump(by_alias=True, exclude_unset=True)

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, exclude_unset=True)

    def to_str(self) -> str:
        return pprint.pformat(self.to_dict())

    @classmethod
    def from_dict(cls, obj: Any) -> Self:
        return cls.model_validate(obj)

    @classmethod
    def from_json(cls, json_str: str | bytes) -> Self:
        return cls.model_validate_json(json_str)


def unwrap_one_of(value: Any) -> Any:
    """The plain value inside a :class:`OneOfModel` (anything else is returned as is).

    Used as a ``BeforeValidator`` on union-typed fields (through :data:`ONE_OF_VALUE`).
    """
    return value.root if isinstance(value, OneOfModel) else value


class OneOfValue:
    """What a field typed with a ``oneOf``/``anyOf`` component is annotated with
    (``Annotated[str | list[str], ONE_OF_VALUE]``): the field takes the plain value, or the
    component's :class:`OneOfModel` wrapper, which is unwrapped (:func:`unwrap_one_of`)
    before its value is validated.

    When every alternative is plain JSON (strings, numbers, booleans, null, literals of
    those, and lists and string-keyed dicts of them), the value is written as what it is
    rather than by trying each alternative's serializer in turn: the same JSON, about
    1,800 instructions fewer per field in a small request (bench/README.md). Such a union
    also tries the plain value first and unwraps a wrapper only when no alternative took
    it (:func:`_with_unwrapping_last`): a plain value then costs no call into Python, about
    1,500 instructions fewer per field (a before-validator calls :func:`unwrap_one_of`,
    and its ``isinstance`` calls ``ABCMeta.__instancecheck__``, for every value).
    """

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        inner = handler(source)
        if not _plain_json(inner):
            return core_schema.no_info_before_validator_function(unwrap_one_of, inner)
        if inner["type"] == "union" and _no_choice_takes_a_wrapper(inner):
            return _with_unwrapping_last(cast(core_schema.UnionSchema, inner))
        schema = core_schema.no_info_before_validator_function(unwrap_one_of, inner)
        schema["serialization"] = core_schema.simple_ser_schema("any")
        return schema


#: The label of the last choice of a plain union (:func:`_with_unwrapping_last`): where a
#: wrapper's value failed, an error's location reads ``input.OneOfModel.str``.
UNWRAPPED_LABEL = "OneOfModel"


def _with_unwrapping_last(union: core_schema.UnionSchema) -> core_schema.UnionSchema:
    """``union`` with one more, last choice: a :class:`OneOfModel`'s value, validated as
    ``union``.

    pydantic-core tries the choices in order and returns the first exact match, so a plain
    value never reaches the last one (a value taken only in lax mode, a tuple for a list,
    does, and the best lax match wins as before). For anything but a wrapper the last choice
    fails with no error of its own (:func:`_unwrap_or_fail_silently`), so a bad value's
    errors are the plain union's, unchanged. A wrapper reaches it because no other choice
    takes one (:func:`_no_choice_takes_a_wrapper`). The choice has no JSON schema
    (:func:`_omit_from_json_schema`): the field's JSON schema is the plain union's.
    """
    unwrapped = core_schema.chain_schema(
        [core_schema.no_info_plain_validator_function(_unwrap_or_fail_silently), union],
        metadata={"pydantic_js_functions": [_omit_from_json_schema]},
    )
    return {
        **union,
        "choices": [*union["choices"], (unwrapped, UNWRAPPED_LABEL)],
        "serialization": core_schema.simple_ser_schema("any"),
    }


def _unwrap_or_fail_silently(value: Any) -> Any:
    """A wrapper's value; for anything else a failure that adds no error to the union's
    (pydantic-core reports a union's errors choice by choice, and this one has none)."""
    if isinstance(value, OneOfModel):
        return value.root
    raise ValidationError.from_exception_data(UNWRAPPED_LABEL, [])


def _omit_from_json_schema(schema: Any, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
    raise PydanticOmit


def _no_choice_takes_a_wrapper(union: core_schema.CoreSchema) -> bool:
    """Whether no choice of a plain union could take a :class:`OneOfModel` itself (so the
    wrapper always reaches the last choice and is unwrapped, as before).

    Of the plain JSON types only a list takes an arbitrary object: in lax mode pydantic
    reads any iterable as a list, and a model iterates as its ``(name, value)`` pairs. A
    pair is refused by every plain item type but another list (which takes the pair as a
    list of two), so a union with a list of lists keeps the before-validator.
    """
    return not _takes_a_wrapper(union)


def _takes_a_wrapper(schema: core_schema.CoreSchema) -> bool:
    kind = schema["type"]
    if kind == "list":
        items = schema.get("items_schema")
        return items is None or _takes_a_pair(items)
    return _any_alternative(schema, _takes_a_wrapper)


def _takes_a_pair(schema: core_schema.CoreSchema) -> bool:
    """Whether a plain schema could validate a two-item tuple: a list could."""
    return schema["type"] == "list" or _any_alternative(schema, _takes_a_pair)


def _any_alternative(
    schema: core_schema.CoreSchema, test: Callable[[core_schema.CoreSchema], bool]
) -> bool:
    """``test`` of a nullable's schema or of any choice of a union; False otherwise."""
    if schema["type"] == "nullable":
        return test(schema["schema"])
    if schema["type"] == "union":
        return any(test(c[0] if isinstance(c, tuple) else c) for c in schema["choices"])
    return False


#: The annotation of every field typed with a ``oneOf``/``anyOf`` component (see
#: :class:`OneOfValue`).
ONE_OF_VALUE = OneOfValue()

#: Core schema types whose values pydantic writes as JSON the same way whether it knows the
#: type or infers it from the value.
_PLAIN_JSON_TYPES = frozenset({"str", "int", "float", "bool", "none"})


def _plain_json(schema: core_schema.CoreSchema) -> bool:
    """Whether every value ``schema`` validates is plain JSON (see :class:`OneOfValue`);
    False for anything else, or anything with a serializer of its own."""
    if "serialization" in schema:
        return False
    kind = schema["type"]
    if kind in _PLAIN_JSON_TYPES:
        return True
    if kind == "literal":
        return all(type(v) in (str, int, bool) or v is None for v in schema["expected"])
    if kind == "union":
        return all(
            _plain_json(choice[0] if isinstance(choice, tuple) else choice)
            for choice in schema["choices"]
        )
    if kind in ("list", "nullable"):
        item = schema.get("items_schema") if kind == "list" else schema.get("schema")
        return item is not None and _plain_json(item)
    if kind == "dict":
        keys, values = schema.get("keys_schema"), schema.get("values_schema")
        return (
            keys is not None
            and keys["type"] == "str"
            and "serialization" not in keys
            and values is not None
            and _plain_json(values)
        )
    return False


#: The keys of a ``model-field`` core schema that change nothing in how the field is
#: written (anything else, an alias or an exclusion, may: see :func:`fields_written_plainly`).
_FIELD_KEYS_WRITTEN_ALIKE = frozenset({"type", "schema", "metadata", "validation_alias", "frozen"})
#: The same for the ``model`` and ``model-fields`` schemas around the fields.
_MODEL_KEYS_WRITTEN_ALIKE = frozenset(
    {"type", "cls", "schema", "custom_init", "root_model", "config", "ref", "metadata"}
)
_FIELDS_KEYS_WRITTEN_ALIKE = frozenset({"type", "fields", "model_name", "computed_fields"})


def fields_written_plainly(model: type[BaseModel]) -> frozenset[str] | None:
    """The names of ``model``'s fields when an instance with every one of them set writes
    the same JSON with or without pydantic's ``by_alias`` and ``exclude_unset``; else None.

    That holds when unknown fields are refused (no extras to write), every field is
    required (nothing unset to leave out) and written under its own name, and every
    field's values are plain JSON (:func:`_plain_json`; a nested model would be written
    with ``exclude_unset`` too), with no serializer of the model's or a field's own.
    Checking "every field set" per call is the caller's job (``__pydantic_fields_set__``).
    """
    if model.model_config.get("extra") != "forbid":
        return None
    schema: Any = model.__pydantic_core_schema__
    if schema.get("type") != "model" or not schema.keys() <= _MODEL_KEYS_WRITTEN_ALIKE:
        return None
    fields_schema = schema["schema"]
    if (
        fields_schema.get("type") != "model-fields"
        or not fields_schema.keys() <= _FIELDS_KEYS_WRITTEN_ALIKE
        or fields_schema.get("computed_fields")
    ):
        return None
    fields: dict[str, Any] = fields_schema["fields"]
    for field in fields.values():
        if not field.keys() <= _FIELD_KEYS_WRITTEN_ALIKE or not _written_as_it_is(field["schema"]):
            return None
    return frozenset(fields)


def _written_as_it_is(schema: core_schema.CoreSchema) -> bool:
    """Whether a required field's values are plain JSON with no serializer of their own:
    :func:`_plain_json`, or a union :class:`OneOfValue` writes by inference."""
    if schema.get("serialization") == {"type": "any"}:
        if schema["type"] == "union":
            return all(
                c[1] == UNWRAPPED_LABEL or _plain_json(c[0])
                if isinstance(c, tuple)
                else _plain_json(c)
                for c in schema["choices"]
            )
        if (
            schema["type"] == "function-before"
            and schema["function"].get("function") is unwrap_one_of
        ):
            return _plain_json(schema["schema"])
        return False
    return _plain_json(schema)
