"""The generator's intermediate representation (IR) of an OpenAPI document.

The IR holds what code is emitted from, and nothing of YAML: every ``$ref`` is resolved
to a schema name, every inline object, enum-less union or array item that needs a class has
been given one, and each fact carries the JSON pointer it came from so later stages can
still point at the spec when they refuse something. It is language-neutral: Python names
are chosen when code is emitted (see ``codegen.views``).

It is built to express all of Together's public specs (``../shared/specs``): unions with
discriminators, open enums, nullability, maps, every parameter location, several media
types per body or response, status ranges and ``default`` responses.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

#: A JSON value as it stands in the spec (defaults, enum values, examples).
JsonValue: TypeAlias = object
#: A scalar allowed in ``enum`` / ``const``.
JsonScalar: TypeAlias = str | int | float | bool | None

# --------------------------------------------------------------------------------------
# Types: the shape of a value. Named schemas are referred to with ``Ref``.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Constraints:
    """Validation keywords that narrow a primitive or an array."""

    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    exclusive_maximum: float | None = None
    multiple_of: float | None = None
    min_items: int | None = None
    max_items: int | None = None

    def is_empty(self) -> bool:
        return self == Constraints()


PrimitiveKind: TypeAlias = Literal["string", "integer", "number", "boolean"]


@dataclass(frozen=True)
class Primitive:
    """A string, integer, number or boolean, with its ``format`` (date-time, binary, ...)."""

    kind: PrimitiveKind
    format: str | None = None
    constraints: Constraints = field(default_factory=Constraints)


@dataclass(frozen=True)
class Null:
    """The JSON ``null`` (from ``type: "null"``)."""


@dataclass(frozen=True)
class AnyValue:
    """Any JSON value (a schema without a type, or ``{}``)."""


@dataclass(frozen=True)
class LiteralValues:
    """An inline ``enum`` or ``const``: exactly one of these values."""

    values: tuple[JsonScalar, ...]


@dataclass(frozen=True)
class OpenEnum:
    """Any string, of which some values are known (``anyOf: [{enum: [...]}, {type: string}]``)."""

    known: tuple[str, ...]


@dataclass(frozen=True)
class ArrayOf:
    items: TypeRef
    constraints: Constraints = field(default_factory=Constraints)


@dataclass(frozen=True)
class MapOf:
    """An object used as a dictionary (``additionalProperties`` without ``properties``)."""

    values: TypeRef


@dataclass(frozen=True)
class Ref:
    """A named schema, by its name in ``ApiSpec.schemas``."""

    name: str


@dataclass(frozen=True)
class Discriminator:
    property_name: str
    #: Value of the discriminating property -> schema name.
    mapping: tuple[tuple[str, str], ...] = ()


UnionKind: TypeAlias = Literal["oneOf", "anyOf"]


@dataclass(frozen=True)
class UnionOf:
    variants: tuple[TypeRef, ...]
    kind: UnionKind
    discriminator: Discriminator | None = None


@dataclass(frozen=True)
class Nullable:
    """``inner`` or ``null`` (3.0 ``nullable: true``, 3.1 ``type: [X, "null"]``)."""

    inner: TypeRef


TypeRef: TypeAlias = (
    Primitive
    | Null
    | AnyValue
    | LiteralValues
    | OpenEnum
    | ArrayOf
    | MapOf
    | Ref
    | UnionOf
    | Nullable
)

# --------------------------------------------------------------------------------------
# Named schemas: each becomes a class (or an alias) in the generated package.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Default:
    """A property's default value (wrapped so that a default of ``null`` is distinguishable)."""

    value: JsonValue


@dataclass(frozen=True)
class Property:
    name: str  # as on the wire
    type: TypeRef
    required: bool
    pointer: str
    description: str | None = None
    default: Default | None = None
    read_only: bool = False
    write_only: bool = False
    deprecated: bool = False
    example: JsonValue = None


@dataclass(frozen=True)
class Usage:
    """Where a schema is reachable from: request bodies/parameters, responses, or both."""

    in_request: bool = False
    in_response: bool = False


@dataclass(frozen=True)
class ObjectSchema:
    name: str
    pointer: str
    properties: tuple[Property, ...]
    #: Type of properties not listed; ``None`` when the spec forbids them
    #: (``additionalProperties: false``).
    additional_properties: TypeRef | None = field(default_factory=AnyValue)
    description: str | None = None
    usage: Usage = field(default_factory=Usage)
    example: JsonValue = None
    #: ``oneOf``/``anyOf`` of ``required`` lists beside the properties: which groups of
    #: properties must be present (exactly one group for oneOf, at least one for anyOf).
    required_alternatives: tuple[tuple[str, ...], ...] = ()
    alternatives_kind: UnionKind | None = None


@dataclass(frozen=True)
class EnumSchema:
    name: str
    pointer: str
    values: tuple[JsonScalar, ...]
    description: str | None = None
    usage: Usage = field(default_factory=Usage)


@dataclass(frozen=True)
class UnionSchema:
    """A named ``oneOf``/``anyOf``: a value that is one of several shapes."""

    name: str
    pointer: str
    union: UnionOf
    description: str | None = None
    usage: Usage = field(default_factory=Usage)


@dataclass(frozen=True)
class AliasSchema:
    """A named schema that is not an object, enum or union (e.g. an array of strings)."""

    name: str
    pointer: str
    type: TypeRef
    description: str | None = None
    usage: Usage = field(default_factory=Usage)


Schema: TypeAlias = ObjectSchema | EnumSchema | UnionSchema | AliasSchema

# --------------------------------------------------------------------------------------
# Operations
# --------------------------------------------------------------------------------------

ParameterLocation: TypeAlias = Literal["path", "query", "header", "cookie"]


@dataclass(frozen=True)
class Parameter:
    name: str
    location: ParameterLocation
    type: TypeRef
    required: bool
    pointer: str
    description: str | None = None
    default: Default | None = None
    style: str | None = None
    explode: bool | None = None
    deprecated: bool = False


@dataclass(frozen=True)
class MediaType:
    content_type: str
    #: ``None`` when the spec gives no schema (e.g. a binary download).
    type: TypeRef | None
    example: JsonValue = None


@dataclass(frozen=True)
class RequestBody:
    required: bool
    contents: tuple[MediaType, ...]
    pointer: str
    description: str | None = None


@dataclass(frozen=True)
class Header:
    name: str
    type: TypeRef
    description: str | None = None


@dataclass(frozen=True)
class Response:
    #: ``"200"``, a range such as ``"4XX"``, or ``"default"``.
    status: str
    description: str
    contents: tuple[MediaType, ...]
    headers: tuple[Header, ...] = ()

    @property
    def is_success(self) -> bool:
        return self.status.startswith("2")


HttpMethod: TypeAlias = Literal["get", "put", "post", "delete", "options", "head", "patch", "trace"]


@dataclass(frozen=True)
class SecurityScheme:
    name: str
    #: ``http`` (bearer/basic) or ``apiKey``.
    kind: Literal["http", "apiKey"]
    #: For ``http``: the scheme, lower case (``bearer``, ``basic``).
    scheme: str | None = None
    #: For ``apiKey``: where the key goes, and under what name.
    location: Literal["header", "query", "cookie"] | None = None
    parameter_name: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: HttpMethod
    path: str
    tag: str
    pointer: str
    summary: str | None
    description: str | None
    parameters: tuple[Parameter, ...]
    request_body: RequestBody | None
    responses: tuple[Response, ...]
    #: Names of the security schemes any one of which authorizes the call
    #: (empty: no authorization).
    security: tuple[str, ...]
    deprecated: bool = False
    #: A failed attempt may be sent again: the method is idempotent (RFC 9110), or the spec
    #: says so with ``x-retry-safe: true`` (e.g. a POST that only computes, like embeddings).
    retry_safe: bool = False
    #: The operation's ``x-`` keywords, as written.
    extensions: Mapping[str, JsonValue] = field(default_factory=dict)


@dataclass(frozen=True)
class Tag:
    name: str
    description: str | None
    operations: tuple[Operation, ...]


@dataclass(frozen=True)
class Server:
    url: str
    description: str | None = None


@dataclass(frozen=True)
class ApiSpec:
    title: str
    version: str
    description: str | None
    servers: tuple[Server, ...]
    security_schemes: tuple[SecurityScheme, ...]
    tags: tuple[Tag, ...]
    #: All named schemas, sorted by name.
    schemas: tuple[Schema, ...]
    #: File name of the spec and the SHA-256 of its bytes (generated files name both).
    source_name: str
    source_sha256: str
    #: Things the generator ignored and says so (e.g. unknown schema keywords).
    warnings: tuple[str, ...] = ()
    #: The overlay applied before lowering (file name and SHA-256), or "".
    overlay_name: str = ""
    overlay_sha256: str = ""

    def schema(self, name: str) -> Schema:
        for schema in self.schemas:
            if schema.name == name:
                return schema
        raise KeyError(name)

    @property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(op for tag in self.tags for op in tag.operations)


def referenced_names(type_: TypeRef) -> Iterator[str]:
    """The names of the schemas ``type_`` refers to directly."""
    if isinstance(type_, Ref):
        yield type_.name
    elif isinstance(type_, ArrayOf):
        yield from referenced_names(type_.items)
    elif isinstance(type_, MapOf):
        yield from referenced_names(type_.values)
    elif isinstance(type_, Nullable):
        yield from referenced_names(type_.inner)
    elif isinstance(type_, UnionOf):
        for variant in type_.variants:
            yield from referenced_names(variant)


def schema_types(schema: Schema) -> Iterator[TypeRef]:
    """The types a schema is built from."""
    if isinstance(schema, ObjectSchema):
        for prop in schema.properties:
            yield prop.type
        if schema.additional_properties is not None:
            yield schema.additional_properties
    elif isinstance(schema, UnionSchema):
        yield schema.union
    elif isinstance(schema, AliasSchema):
        yield schema.type
