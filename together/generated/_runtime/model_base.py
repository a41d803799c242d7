"""What every generated model shares: pydantic settings and openapi-generator's helpers.

Hand-written runtime (not generated). Generated models subclass :class:`ApiModel` (objects)
or :class:`OneOfModel` (the wrapper class of a ``oneOf``/``anyOf``), so each generated
class holds only its fields.
"""

from __future__ import annotations

import pprint
from typing import Any, ClassVar, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, RootModel
from pydantic_core import core_schema

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
    before the value is validated.

    When every alternative is plain JSON (strings, numbers, booleans, null, literals of
    those, and lists and string-keyed dicts of them), the value is written as what it is
    rather than by trying each alternative's serializer in turn: the same JSON, about
    1,800 instructions fewer per field in a small request (bench/README.md).
    """

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        inner = handler(source)
        schema = core_schema.no_info_before_validator_function(unwrap_one_of, inner)
        if _plain_json(inner):
            schema["serialization"] = core_schema.simple_ser_schema("any")
        return schema


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
