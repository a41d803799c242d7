"""Schema lowering, rule by rule: small inline specs through ``load_spec`` and ``lower``.

Each test pins one rule of ``codegen/lower/schemas.py`` (or of the loader) with expected IR
values written out here, from the OpenAPI / JSON Schema texts: OAS 3.0 ``nullable``, 3.1
``type: [..., "null"]``, JSON Schema's ``required`` naming undescribed properties, 3.0's
boolean ``exclusiveMinimum``, and every keyword the generator refuses.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from codegen import ir
from codegen.errors import Refusals, SpecError, SpecErrors
from codegen.lower import lower
from codegen.read.loader import SpecDocument, load_spec

STRING = ir.Primitive("string")
INTEGER = ir.Primitive("integer")
NUMBER = ir.Primitive("number")


def lower_spec(
    tmp_path: Path,
    schemas: dict[str, Any],
    *,
    version: str = "3.1.0",
    paths: dict[str, Any] | None = None,
) -> ir.ApiSpec:
    """The IR of a document with these component schemas (JSON is YAML, so it loads as is)."""
    document = {
        "openapi": version,
        "info": {"title": "T", "version": "1"},
        "paths": paths or {},
        "components": {"schemas": schemas},
    }
    path = tmp_path / "spec.yaml"
    path.write_text(json.dumps(document), encoding="utf-8")
    return lower(load_spec(path))


def refusal(tmp_path: Path, schemas: dict[str, Any], **kwargs: Any) -> SpecError:
    with pytest.raises(SpecError) as caught:
        lower_spec(tmp_path, schemas, **kwargs)
    return caught.value


def prop(spec: ir.ApiSpec, schema: str, name: str) -> ir.Property:
    found = spec.schema(schema)
    assert isinstance(found, ir.ObjectSchema), found
    (match,) = [p for p in found.properties if p.name == name]
    return match


def obj(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


# ------------------------------------------------------------------------- nullability


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_nullable_true_makes_a_property_nullable(tmp_path: Path, version: str) -> None:
    spec = lower_spec(
        tmp_path,
        {"Thing": obj(a={"type": "string", "nullable": True}, b={"type": "string"})},
        version=version,
    )
    assert prop(spec, "Thing", "a").type == ir.Nullable(STRING)
    assert prop(spec, "Thing", "b").type == STRING


def test_nullable_false_changes_nothing(tmp_path: Path) -> None:
    spec = lower_spec(tmp_path, {"Thing": obj(a={"type": "integer", "nullable": False})})
    assert prop(spec, "Thing", "a").type == INTEGER


def test_type_list_with_null_is_nullable(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Thing": obj(
                a={"type": ["string", "null"]},
                b={"type": ["string", "integer"]},
                c={"type": ["null"]},
                d={"type": ["integer", "string", "null"]},
            )
        },
    )
    assert prop(spec, "Thing", "a").type == ir.Nullable(STRING)
    assert prop(spec, "Thing", "b").type == ir.UnionOf((STRING, INTEGER), "anyOf")
    assert prop(spec, "Thing", "c").type == ir.Null()
    assert prop(spec, "Thing", "d").type == ir.Nullable(ir.UnionOf((INTEGER, STRING), "anyOf"))


def test_nullable_is_not_doubled(tmp_path: Path) -> None:
    spec = lower_spec(tmp_path, {"Thing": obj(a={"type": ["string", "null"], "nullable": True})})
    assert prop(spec, "Thing", "a").type == ir.Nullable(STRING)


def test_enum_with_null_is_nullable(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path, {"Thing": obj(a={"enum": ["x", None, "y"]}, b={"enum": [None]}, c={"enum": [1]})}
    )
    assert prop(spec, "Thing", "a").type == ir.Nullable(ir.LiteralValues(("x", "y")))
    assert prop(spec, "Thing", "b").type == ir.Null()
    assert prop(spec, "Thing", "c").type == ir.LiteralValues((1,))


@pytest.mark.parametrize(
    "component",
    [
        {"type": "object", "nullable": True, "properties": {"x": {"type": "string"}}},
        {"type": ["object", "null"], "properties": {"x": {"type": "string"}}},
    ],
    ids=["oas30-nullable", "oas31-type-null"],
)
def test_a_nullable_component_is_nullable_where_it_is_referenced(
    tmp_path: Path, component: dict[str, Any]
) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Holder": obj(
                direct={"$ref": "#/components/schemas/Part"},
                listed={"type": "array", "items": {"$ref": "#/components/schemas/Part"}},
            ),
            "Part": component,
        },
    )
    assert prop(spec, "Holder", "direct").type == ir.Nullable(ir.Ref("Part"))
    assert prop(spec, "Holder", "listed").type == ir.ArrayOf(ir.Nullable(ir.Ref("Part")))
    part = spec.schema("Part")
    assert isinstance(part, ir.ObjectSchema)
    assert [p.name for p in part.properties] == ["x"]


def test_a_component_that_is_not_nullable_is_not_made_nullable(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Holder": obj(
                plain={"$ref": "#/components/schemas/Part"},
                marked={"$ref": "#/components/schemas/Part", "nullable": True},
            ),
            "Part": obj(x={"type": "string"}),
        },
    )
    assert prop(spec, "Holder", "plain").type == ir.Ref("Part")
    assert prop(spec, "Holder", "marked").type == ir.Nullable(ir.Ref("Part"))


def test_a_nullable_enum_component_is_nullable_where_it_is_referenced(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Holder": obj(colour={"$ref": "#/components/schemas/Colour"}),
            "Colour": {"type": "string", "enum": ["red", "blue"], "nullable": True},
        },
    )
    assert prop(spec, "Holder", "colour").type == ir.Nullable(ir.Ref("Colour"))
    colour = spec.schema("Colour")
    assert isinstance(colour, ir.EnumSchema)
    assert colour.values == ("red", "blue")


def test_a_nullable_primitive_component_is_an_alias_of_a_nullable_type(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Holder": obj(name={"$ref": "#/components/schemas/Name"}),
            "Name": {"type": "string", "nullable": True, "description": "a name"},
        },
    )
    name = spec.schema("Name")
    assert isinstance(name, ir.AliasSchema)
    assert name.type == ir.Nullable(STRING)
    assert name.description == "a name"
    assert prop(spec, "Holder", "name").type == ir.Nullable(ir.Ref("Name"))


def test_all_of_with_a_nullable_part_is_nullable(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Holder": obj(
                part={"allOf": [{"$ref": "#/components/schemas/Part"}, {"nullable": True}]},
                plain={"allOf": [{"$ref": "#/components/schemas/Part"}, {"description": "d"}]},
            ),
            "Part": obj(x={"type": "string"}),
        },
    )
    assert prop(spec, "Holder", "part").type == ir.Nullable(ir.Ref("Part"))
    assert prop(spec, "Holder", "plain").type == ir.Ref("Part")


def test_one_of_with_a_null_variant_is_a_nullable_union(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Thing": obj(
                a={"oneOf": [{"type": "string"}, {"type": "null"}]},
                b={"anyOf": [{"type": "string"}, {"type": "integer", "nullable": True}]},
            )
        },
    )
    assert prop(spec, "Thing", "a").type == ir.Nullable(STRING)
    assert prop(spec, "Thing", "b").type == ir.Nullable(ir.Ref("ThingB"))
    union = spec.schema("ThingB")
    assert isinstance(union, ir.UnionSchema)
    assert union.union == ir.UnionOf((STRING, INTEGER), "anyOf")


# ------------------------------------------------------------------- required properties


def test_required_only_properties_are_kept_as_any_value(tmp_path: Path) -> None:
    # JSON Schema: "required" may name properties that "properties" does not describe;
    # they must be present, with any value.
    spec = lower_spec(
        tmp_path,
        {
            "Thing": {
                "type": "object",
                "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
                "required": ["a", "c"],
            }
        },
    )
    thing = spec.schema("Thing")
    assert isinstance(thing, ir.ObjectSchema)
    assert [(p.name, p.type, p.required) for p in thing.properties] == [
        ("a", STRING, True),
        ("b", INTEGER, False),
        ("c", ir.AnyValue(), True),
    ]
    assert prop(spec, "Thing", "c").pointer == "/components/schemas/Thing/properties/c"


def test_required_properties_merge_through_all_of(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Base": {
                "type": "object",
                "properties": {"id": {"type": "string"}},
                "required": ["id"],
            },
            "Thing": {
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {
                        "type": "object",
                        "properties": {"n": {"type": "integer"}},
                        "required": ["n"],
                    },
                ],
                "properties": {"extra": {"type": "boolean"}},
            },
        },
    )
    thing = spec.schema("Thing")
    assert isinstance(thing, ir.ObjectSchema)
    assert [(p.name, p.type, p.required) for p in thing.properties] == [
        ("id", STRING, True),
        ("n", INTEGER, True),
        ("extra", ir.Primitive("boolean"), False),
    ]


def test_required_beside_a_single_all_of_part_makes_those_properties_required(
    tmp_path: Path,
) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Base": obj(id={"type": "string"}, note={"type": "string"}),
            "Thing": {"allOf": [{"$ref": "#/components/schemas/Base"}], "required": ["note"]},
        },
    )
    thing = spec.schema("Thing")
    assert isinstance(thing, ir.ObjectSchema)
    assert [(p.name, p.type, p.required) for p in thing.properties] == [
        ("id", STRING, False),
        ("note", STRING, True),
    ]
    assert prop(spec, "Base", "note").required is False  # Base itself is unchanged


@pytest.mark.parametrize(
    ("schema", "pointer", "message"),
    [
        (
            {"type": "object", "properties": {"a": {}}, "required": ["a", 5]},
            "/components/schemas/Thing/required/1",
            "expected a property name (a string), found 5",
        ),
        (
            {"type": "object", "properties": {"a": {}}, "required": "a"},
            "/components/schemas/Thing/required",
            "expected a list, found str",
        ),
        (
            {"type": "object", "properties": {"a": {}}, "required": [["a"]]},
            "/components/schemas/Thing/required/0",
            "expected a property name (a string), found ['a']",
        ),
        (
            {"allOf": [{"type": "object", "properties": {"a": {}}, "required": [None]}]},
            "/components/schemas/Thing/allOf/0/required/0",
            "expected a property name (a string), found None",
        ),
        (
            {"allOf": [obj(a={}), obj(b={})], "required": [True]},
            "/components/schemas/Thing/required/0",
            "expected a property name (a string), found True",
        ),
    ],
)
def test_a_required_entry_that_is_not_a_name_is_refused_with_its_pointer(
    tmp_path: Path, schema: dict[str, Any], pointer: str, message: str
) -> None:
    error = refusal(tmp_path, {"Thing": schema})
    assert (error.pointer, error.keyword, error.message) == (pointer, "required", message)


def test_alternative_required_lists_that_are_not_lists_of_names_are_refused(
    tmp_path: Path,
) -> None:
    # Not the "oneOf: [{required: [a]}, {required: [b]}]" rule: a union beside properties.
    for names in (5, [5]):
        schema = {**obj(a={}, b={}), "oneOf": [{"required": ["a"]}, {"required": names}]}
        error = refusal(tmp_path, {"Thing": schema})
        assert (error.pointer, error.keyword) == ("/components/schemas/Thing/oneOf", "oneOf")


def test_property_annotations_are_carried(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Thing": obj(
                a={
                    "type": "string",
                    "description": "the a",
                    "default": "z",
                    "readOnly": True,
                    "deprecated": True,
                    "example": "ex",
                },
                b={"type": "string", "writeOnly": True, "default": None},
                c={"type": "string"},
            )
        },
    )
    a, b, c = (prop(spec, "Thing", n) for n in "abc")
    assert (a.description, a.default, a.read_only, a.write_only, a.deprecated, a.example) == (
        "the a",
        ir.Default("z"),
        True,
        False,
        True,
        "ex",
    )
    assert (b.default, b.read_only, b.write_only, b.deprecated) == (
        ir.Default(None),
        False,
        True,
        False,
    )
    assert (c.description, c.default, c.example) == (None, None, None)


# -------------------------------------------------------------------------- constraints


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        # OpenAPI 3.0: exclusiveMinimum/Maximum are booleans that make minimum/maximum
        # exclusive.
        (
            {"type": "integer", "minimum": 5, "exclusiveMinimum": True},
            ir.Constraints(exclusive_minimum=5),
        ),
        (
            {"type": "integer", "minimum": 5, "exclusiveMinimum": False},
            ir.Constraints(minimum=5),
        ),
        (
            {"type": "number", "maximum": 1.5, "exclusiveMaximum": True},
            ir.Constraints(exclusive_maximum=1.5),
        ),
        (
            {"type": "number", "maximum": 1.5, "exclusiveMaximum": False},
            ir.Constraints(maximum=1.5),
        ),
        (
            {
                "type": "number",
                "minimum": 0,
                "exclusiveMinimum": True,
                "maximum": 1,
                "exclusiveMaximum": False,
            },
            ir.Constraints(exclusive_minimum=0, maximum=1),
        ),
        # A boolean without its bound says nothing.
        ({"type": "integer", "exclusiveMinimum": True}, ir.Constraints()),
        # OpenAPI 3.1 (JSON Schema 2020-12): the exclusive bound is the number itself.
        ({"type": "integer", "exclusiveMinimum": 3}, ir.Constraints(exclusive_minimum=3)),
        (
            {"type": "number", "minimum": 1, "exclusiveMaximum": 9.5},
            ir.Constraints(minimum=1, exclusive_maximum=9.5),
        ),
    ],
)
def test_exclusive_bounds(tmp_path: Path, schema: dict[str, Any], expected: object) -> None:
    spec = lower_spec(tmp_path, {"Thing": obj(a=schema)}, version="3.0.3")
    type_ = prop(spec, "Thing", "a").type
    assert isinstance(type_, ir.Primitive)
    assert type_.constraints == expected


def test_every_constraint_keyword_is_carried(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Thing": obj(
                s={"type": "string", "minLength": 1, "maxLength": 9, "pattern": "^a"},
                n={"type": "number", "minimum": -1, "maximum": 2, "multipleOf": 0.5},
                a={"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 4},
            )
        },
    )
    assert prop(spec, "Thing", "s").type == ir.Primitive(
        "string", None, ir.Constraints(min_length=1, max_length=9, pattern="^a")
    )
    assert prop(spec, "Thing", "n").type == ir.Primitive(
        "number", None, ir.Constraints(minimum=-1, maximum=2, multiple_of=0.5)
    )
    assert prop(spec, "Thing", "a").type == ir.ArrayOf(
        STRING, ir.Constraints(min_items=1, max_items=4)
    )


@pytest.mark.parametrize(
    ("schema", "keyword", "expected"),
    [
        ({"type": "integer", "minimum": "5"}, "minimum", "a number"),
        ({"type": "integer", "maximum": True}, "maximum", "a number"),
        ({"type": "string", "maxLength": None}, "maxLength", "a number"),
        ({"type": "string", "minLength": "1"}, "minLength", "a number"),
        ({"type": "array", "maxItems": [3]}, "maxItems", "a number"),
        ({"type": "number", "multipleOf": False}, "multipleOf", "a number"),
        ({"type": "number", "exclusiveMaximum": "1"}, "exclusiveMaximum", "a number"),
        # The bad bound is named even where OpenAPI 3.0's boolean makes it exclusive.
        ({"type": "integer", "minimum": "5", "exclusiveMinimum": True}, "minimum", "a number"),
        ({"type": "string", "pattern": 5}, "pattern", "a string"),
    ],
)
def test_a_constraint_of_the_wrong_kind_is_refused_naming_the_spec_keyword(
    tmp_path: Path, schema: dict[str, Any], keyword: str, expected: str
) -> None:
    error = refusal(tmp_path, {"Thing": obj(a=schema)})
    assert error.pointer == f"/components/schemas/Thing/properties/a/{keyword}"
    assert error.keyword == keyword
    assert f"expected {expected}" in error.message


def test_format_is_carried(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {"Thing": obj(t={"type": "string", "format": "date-time"}, f={"type": "string"})},
    )
    assert prop(spec, "Thing", "t").type == ir.Primitive("string", "date-time")
    assert prop(spec, "Thing", "f").type == STRING


# --------------------------------------------------------------------- refused keywords

# JSON Schema keywords that change what a value may be and that the generator does not
# model (JSON Schema 2020-12 applicators and validation, plus draft-04..07 forms that
# OpenAPI 3.0 documents use). Written out here, not imported from codegen.
REFUSED = {
    "not": {"type": "string"},
    "if": {"type": "string"},
    "then": {"type": "string"},
    "else": {"type": "string"},
    "patternProperties": {"^x-": {"type": "string"}},
    "prefixItems": [{"type": "string"}],
    "contains": {"type": "string"},
    "minContains": 1,
    "maxContains": 2,
    "dependentSchemas": {"a": {"required": ["b"]}},
    "dependentRequired": {"a": ["b"]},
    "dependencies": {"a": ["b"]},
    "unevaluatedProperties": False,
    "unevaluatedItems": False,
    "propertyNames": {"pattern": "^[a-z]+$"},
    "$defs": {"X": {"type": "string"}},
    "definitions": {"X": {"type": "string"}},
    "$dynamicRef": "#meta",
    "$recursiveRef": "#",
}


def test_nineteen_keywords_are_refused() -> None:
    assert len(REFUSED) == 19


@pytest.mark.parametrize(("keyword", "value"), sorted(REFUSED.items()))
def test_a_refused_keyword_stops_generation_with_its_pointer(
    tmp_path: Path, keyword: str, value: object
) -> None:
    error = refusal(tmp_path, {"Thing": obj(a={"type": "object", keyword: value})})
    pointer = f"/components/schemas/Thing/properties/a/{keyword}"
    assert (error.pointer, error.keyword) == (pointer, keyword)
    assert error.message == "this schema keyword is not supported"
    assert str(error) == f"spec.yaml#{pointer}: '{keyword}': this schema keyword is not supported"


@pytest.mark.parametrize(
    ("schemas", "pointer"),
    [
        # Wherever a schema stands: a component, array items, map values, union variants,
        # allOf parts, nested objects.
        ({"Thing": {"contains": {}}}, "/components/schemas/Thing/contains"),
        (
            {"Thing": {"type": "array", "items": {"contains": {}}}},
            "/components/schemas/Thing/items/contains",
        ),
        (
            {"Thing": {"type": "object", "additionalProperties": {"contains": {}}}},
            "/components/schemas/Thing/additionalProperties/contains",
        ),
        (
            {"Thing": obj(a={"type": "string"}) | {"additionalProperties": {"contains": {}}}},
            "/components/schemas/Thing/additionalProperties/contains",
        ),
        (
            {"Thing": {"oneOf": [{"type": "string"}, {"type": "array", "contains": {}}]}},
            "/components/schemas/Thing/oneOf/1/contains",
        ),
        (
            {"Thing": {"allOf": [{"type": "array", "contains": {}}]}},
            "/components/schemas/Thing/allOf/0/contains",
        ),
        (
            {"Thing": obj(a=obj(b={"type": "array", "contains": {}}))},
            "/components/schemas/Thing/properties/a/properties/b/contains",
        ),
        (
            {"Thing": {"type": "string", "enum": ["a"], "not": {"const": "b"}}},
            "/components/schemas/Thing/not",
        ),
    ],
)
def test_refused_wherever_a_schema_stands(
    tmp_path: Path, schemas: dict[str, Any], pointer: str
) -> None:
    error = refusal(tmp_path, schemas)
    assert error.pointer == pointer


def test_refused_in_parameter_and_body_schemas(tmp_path: Path) -> None:
    paths = {
        "/things": {
            "post": {
                "operationId": "makeThing",
                "parameters": [
                    {"name": "q", "in": "query", "schema": {"type": "array", "contains": {}}}
                ],
                "responses": {"200": {"description": "ok"}},
            }
        }
    }
    error = refusal(tmp_path, {}, paths=paths)
    assert error.pointer == "/paths/~1things/post/parameters/0/schema/contains"
    paths["/things"]["post"]["parameters"] = []
    paths["/things"]["post"]["requestBody"] = {
        "content": {"application/json": {"schema": {"propertyNames": {"maxLength": 3}}}}
    }
    error = refusal(tmp_path, {}, paths=paths)
    assert error.pointer == (
        "/paths/~1things/post/requestBody/content/application~1json/schema/propertyNames"
    )


def test_unknown_keywords_are_warnings_and_x_keywords_are_silent(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path, {"Thing": obj(a={"type": "string", "x-vendor": 1, "mystery": 2, "title": "A"})}
    )
    assert spec.warnings == (
        "spec.yaml#/components/schemas/Thing/properties/a/mystery: unknown keyword 'mystery' ignored",
    )
    assert prop(spec, "Thing", "a").type == STRING


def test_annotation_keywords_are_neither_refused_nor_warned(tmp_path: Path) -> None:
    annotations = {
        "title": "t",
        "description": "d",
        "default": "x",
        "example": "x",
        "examples": ["x"],
        "deprecated": False,
        "readOnly": False,
        "writeOnly": False,
        "externalDocs": {"url": "https://example.invalid"},
        "xml": {"name": "a"},
        "$comment": "c",
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:x",
        "contentMediaType": "text/plain",
        "contentEncoding": "base64",
    }
    spec = lower_spec(
        tmp_path,
        {
            "Thing": obj(
                a={"type": "string", **annotations},
                b={
                    "type": "array",
                    "items": {"type": "string"},
                    "uniqueItems": True,
                },
                c={"type": "object", "minProperties": 1, "maxProperties": 3},
            )
        },
    )
    assert spec.warnings == ()
    assert prop(spec, "Thing", "a").type == STRING


def test_keywords_beside_ref_that_change_the_shape_are_refused(tmp_path: Path) -> None:
    error = refusal(
        tmp_path,
        {
            "Holder": obj(p={"$ref": "#/components/schemas/Part", "properties": {}}),
            "Part": obj(x={"type": "string"}),
        },
    )
    assert (error.pointer, error.keyword) == (
        "/components/schemas/Holder/properties/p",
        "properties",
    )
    # ... while a restated type or format, or a description, is fine.
    spec = lower_spec(
        tmp_path,
        {
            "Holder": obj(
                p={"$ref": "#/components/schemas/Part", "type": "object", "description": "d"}
            ),
            "Part": obj(x={"type": "string"}),
        },
    )
    assert prop(spec, "Holder", "p").type == ir.Ref("Part")


# ------------------------------------------------------------ x-retry-safe (docs/reliability.md)


def _operation(tmp_path: Path, method: str, extra: dict[str, Any]) -> ir.Operation:
    paths = {
        "/things": {
            method: {
                "operationId": "thing",
                "responses": {"200": {"description": "ok"}},
                **extra,
            }
        }
    }
    (operation,) = lower_spec(tmp_path, {}, paths=paths).operations
    return operation


@pytest.mark.parametrize(
    ("method", "extra", "retry_safe"),
    [
        # Idempotent methods (RFC 9110 9.2.2) are retry-safe unless the spec says otherwise.
        ("get", {}, True),
        ("put", {}, True),
        ("delete", {}, True),
        ("head", {}, True),
        ("options", {}, True),
        ("trace", {}, True),
        ("get", {"x-retry-safe": False}, False),
        # POST and PATCH only when marked.
        ("post", {}, False),
        ("patch", {}, False),
        ("post", {"x-retry-safe": True}, True),
        ("post", {"x-retry-safe": False}, False),
    ],
)
def test_retry_safe_follows_the_method_and_the_extension(
    tmp_path: Path, method: str, extra: dict[str, Any], retry_safe: bool
) -> None:
    assert _operation(tmp_path, method, extra).retry_safe is retry_safe


@pytest.mark.parametrize("value", ["true", 1, None])
def test_a_retry_safe_extension_that_is_not_a_boolean_is_refused(
    tmp_path: Path, value: object
) -> None:
    with pytest.raises(SpecError) as caught:
        _operation(tmp_path, "post", {"x-retry-safe": value})
    assert (caught.value.pointer, caught.value.keyword) == (
        "/paths/~1things/post/x-retry-safe",
        "x-retry-safe",
    )


# ------------------------------------------------------------------------ unions (oneOf/anyOf)


def test_a_union_of_shapes_is_a_named_union(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Thing": obj(
                value={
                    "oneOf": [
                        {"type": "string"},
                        obj(n={"type": "integer"}),
                        obj(m={"type": "integer"}),
                        {"type": "string"},  # a repeated variant counts once
                    ],
                    "description": "one of these",
                }
            )
        },
    )
    assert prop(spec, "Thing", "value").type == ir.Ref("ThingValue")
    union = spec.schema("ThingValue")
    assert isinstance(union, ir.UnionSchema)
    assert union.pointer == "/components/schemas/Thing/properties/value"
    assert union.description == "one of these"
    # Inline variants are named after the union: <Hint>OneOf, <Hint>OneOf1, ...
    assert union.union == ir.UnionOf(
        (STRING, ir.Ref("ThingValueOneOf1"), ir.Ref("ThingValueOneOf2")), "oneOf"
    )
    first = spec.schema("ThingValueOneOf1")
    assert isinstance(first, ir.ObjectSchema)
    assert first.pointer == "/components/schemas/Thing/properties/value/oneOf/1"
    assert [p.name for p in first.properties] == ["n"]


def test_an_any_of_component_keeps_its_name_and_kind(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {"Value": {"anyOf": [obj(a={"type": "string"}), {"type": "integer"}]}},
    )
    union = spec.schema("Value")
    assert isinstance(union, ir.UnionSchema)
    assert union.union == ir.UnionOf((ir.Ref("ValueAnyOf"), INTEGER), "anyOf")


@pytest.mark.parametrize(
    ("variants", "expected"),
    [
        # one shape left: no union at all
        ([{"type": "string"}], STRING),
        ([{"type": "string"}, {"type": "string"}], STRING),
        # an "open enum": known strings, or any string
        (
            [{"type": "string", "enum": ["a", "b"]}, {"type": "string"}],
            ir.OpenEnum(("a", "b")),
        ),
        (
            [{"type": "string"}, {"enum": ["x"]}, {"enum": ["y", "x"]}],
            ir.OpenEnum(("x", "y")),
        ),
        ([{"const": "c"}, {"type": "string"}], ir.OpenEnum(("c",))),
        # not an open enum: the enum is not of strings, or there is no plain string
        (
            [{"enum": [1, 2]}, {"type": "string"}],
            ir.UnionOf((ir.LiteralValues((1, 2)), STRING), "anyOf"),
        ),
        (
            [{"enum": ["a"]}, {"enum": ["b"]}],
            ir.UnionOf((ir.LiteralValues(("a",)), ir.LiteralValues(("b",))), "anyOf"),
        ),
        (
            [{"type": "string", "format": "date"}, {"type": "string"}],
            ir.UnionOf((ir.Primitive("string", "date"), STRING), "anyOf"),
        ),
    ],
)
def test_unions_that_reduce_to_one_type(
    tmp_path: Path, variants: list[dict[str, Any]], expected: object
) -> None:
    spec = lower_spec(tmp_path, {"Thing": obj(a={"anyOf": variants})})
    found = prop(spec, "Thing", "a").type
    if isinstance(expected, ir.UnionOf):
        assert found == ir.Ref("ThingA")
        union = spec.schema("ThingA")
        assert isinstance(union, ir.UnionSchema)
        assert union.union == expected
    else:
        assert found == expected


def test_an_open_enum_nested_in_a_union_keeps_its_known_values(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Thing": obj(
                a={
                    "anyOf": [
                        {"anyOf": [{"enum": ["x"]}, {"type": "string"}]},
                        {"enum": ["y"]},
                        {"type": "string"},
                    ]
                }
            )
        },
    )
    assert prop(spec, "Thing", "a").type == ir.OpenEnum(("x", "y"))


def test_required_alternatives_beside_properties(tmp_path: Path) -> None:
    # oneOf/anyOf of bare "required" lists: which properties must be present, not shapes.
    spec = lower_spec(
        tmp_path,
        {
            "Either": {
                "type": "object",
                "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                "oneOf": [{"required": ["a"]}, {"required": ["b"], "description": "or b"}],
            },
            "Any": {
                "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                "anyOf": [{"required": ["a", "b"]}, {"required": ["b"]}],
            },
        },
    )
    either = spec.schema("Either")
    assert isinstance(either, ir.ObjectSchema)
    assert (either.required_alternatives, either.alternatives_kind) == ((("a",), ("b",)), "oneOf")
    assert [p.name for p in either.properties] == ["a", "b"]
    any_ = spec.schema("Any")
    assert isinstance(any_, ir.ObjectSchema)
    assert (any_.required_alternatives, any_.alternatives_kind) == (
        (("a", "b"), ("b",)),
        "anyOf",
    )


@pytest.mark.parametrize(
    ("schema", "pointer", "keyword", "message"),
    [
        (
            {"properties": {"a": {}}, "oneOf": [{"type": "object"}]},
            "/components/schemas/Thing/oneOf",
            "oneOf",
            "'oneOf' beside 'properties' or 'items' is not supported",
        ),
        (
            {"type": "array", "items": {}, "anyOf": [{"required": ["a"]}]},
            "/components/schemas/Thing/anyOf",
            "anyOf",
            "'anyOf' beside 'properties' or 'items' is not supported",
        ),
        (
            {"properties": {"a": {}}, "oneOf": []},
            "/components/schemas/Thing/oneOf",
            "oneOf",
            "'oneOf' beside 'properties' or 'items' is not supported",
        ),
        (
            {"oneOf": []},
            "/components/schemas/Thing/oneOf",
            "oneOf",
            "'oneOf' needs at least one schema",
        ),
        (
            {"anyOf": {"type": "string"}},
            "/components/schemas/Thing/anyOf",
            "anyOf",
            "expected a list, found dict",
        ),
    ],
)
def test_unions_the_generator_refuses(
    tmp_path: Path, schema: dict[str, Any], pointer: str, keyword: str, message: str
) -> None:
    error = refusal(tmp_path, {"Thing": schema})
    assert (error.pointer, error.keyword, error.message) == (pointer, keyword, message)


# ----------------------------------------------------------------------------- discriminator

PETS = {
    "Cat": obj(kind={"type": "string"}, meows={"type": "boolean"}),
    "Dog": obj(kind={"type": "string"}, barks={"type": "boolean"}),
}


def test_a_discriminator_maps_values_to_component_names(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            **PETS,
            "Pet": {
                "oneOf": [
                    {"$ref": "#/components/schemas/Cat"},
                    {"$ref": "#/components/schemas/Dog"},
                ],
                "discriminator": {
                    "propertyName": "kind",
                    "mapping": {
                        "cat": "#/components/schemas/Cat",
                        "dog": "#/components/schemas/Dog",
                    },
                },
            },
        },
    )
    pet = spec.schema("Pet")
    assert isinstance(pet, ir.UnionSchema)
    assert pet.union == ir.UnionOf(
        (ir.Ref("Cat"), ir.Ref("Dog")),
        "oneOf",
        ir.Discriminator("kind", (("cat", "Cat"), ("dog", "Dog"))),
    )


def test_a_discriminator_without_mapping(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            **PETS,
            "Pet": {
                "anyOf": [
                    {"$ref": "#/components/schemas/Cat"},
                    {"$ref": "#/components/schemas/Dog"},
                ],
                "discriminator": {"propertyName": "kind"},
            },
        },
    )
    pet = spec.schema("Pet")
    assert isinstance(pet, ir.UnionSchema)
    # OpenAPI: without a mapping, a variant's tag value is its schema name (implicit mapping).
    assert pet.union.discriminator == ir.Discriminator("kind", (("Cat", "Cat"), ("Dog", "Dog")))


def _pet_union(*variants: str, **discriminator: Any) -> dict[str, Any]:
    return {
        "oneOf": [{"$ref": f"#/components/schemas/{v}"} for v in variants],
        "discriminator": {"propertyName": "kind", **discriminator},
    }


def test_a_discriminator_value_comes_from_the_mapping_a_const_an_enum_or_the_name(
    tmp_path: Path,
) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Cat": obj(kind={"const": "cat"}),  # mapped below: its const is not a second tag
            # The discriminating property after another one.
            "Dog": obj(size={"type": "integer"}, kind={"type": "string", "enum": ["dog", "hound"]}),
            "Eel": obj(kind={"$ref": "#/components/schemas/EelKind"}),
            "EelKind": {"type": "string", "enum": ["eel"]},
            "Fox": obj(name={"const": "fox"}),  # another property: the schema name
            "Pet": _pet_union(
                "Cat", "Dog", "Eel", "Fox", mapping={"c": "#/components/schemas/Cat"}
            ),
        },
    )
    pet = spec.schema("Pet")
    assert isinstance(pet, ir.UnionSchema)
    assert pet.union.discriminator == ir.Discriminator(
        "kind",
        (("Fox", "Fox"), ("c", "Cat"), ("dog", "Dog"), ("eel", "Eel"), ("hound", "Dog")),
    )


@pytest.mark.parametrize(
    ("schemas", "pointer", "keyword", "message"),
    [
        (
            {
                **PETS,
                "Pet": {
                    "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"type": "string"}],
                    "discriminator": {"propertyName": "kind"},
                },
            },
            "/components/schemas/Pet/discriminator",
            "discriminator",
            "every variant must be an object schema, not Primitive(",
        ),
        (
            {"Cat": {"type": "string"}, "Dog": PETS["Dog"], "Pet": _pet_union("Cat", "Dog")},
            "/components/schemas/Pet/discriminator",
            "discriminator",
            "every variant must be an object schema, not Ref(name='Cat')",
        ),
        (
            {
                **PETS,
                "Other": obj(kind={"type": "string"}),
                "Pet": _pet_union("Cat", "Dog", mapping={"o": "#/components/schemas/Other"}),
            },
            "/components/schemas/Pet/discriminator/mapping/o",
            "mapping",
            "'Other' is not one of the variants",
        ),
        (
            {
                "Cat": obj(kind={"const": "pet"}),
                "Dog": obj(kind={"const": "pet"}),
                "Pet": _pet_union("Cat", "Dog"),
            },
            "/components/schemas/Pet/discriminator",
            "discriminator",
            "kind='pet' stands for both 'Cat' and 'Dog': the variants cannot be told apart",
        ),
        (
            # The mapping gives "Dog" to Cat; Dog's implicit value is its name "Dog".
            {**PETS, "Pet": _pet_union("Cat", "Dog", mapping={"Dog": "#/components/schemas/Cat"})},
            "/components/schemas/Pet/discriminator",
            "discriminator",
            "kind='Dog' stands for both 'Cat' and 'Dog': the variants cannot be told apart",
        ),
    ],
)
def test_discriminator_tables_that_cannot_tell_variants_apart_are_refused(
    tmp_path: Path, schemas: dict[str, Any], pointer: str, keyword: str, message: str
) -> None:
    error = refusal(tmp_path, schemas)
    assert (error.pointer, error.keyword) == (pointer, keyword)
    assert error.message.startswith(message)


@pytest.mark.parametrize(
    ("discriminator", "pointer", "keyword", "message"),
    [
        (
            {
                "propertyName": "kind",
                "mapping": {"cat": "#/components/schemas/Cat/properties/kind"},
            },
            "/components/schemas/Pet/discriminator/mapping/cat",
            "mapping",
            "must name a component schema",
        ),
        (
            {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cow"}},
            "/components/schemas/Pet/discriminator/mapping/cat",
            "$ref",
            "reference '#/components/schemas/Cow' does not resolve",
        ),
        (
            {"propertyName": 3},
            "/components/schemas/Pet/discriminator/propertyName",
            "propertyName",
            "expected a string, found 3",
        ),
        (
            {"mapping": {}},
            "/components/schemas/Pet/discriminator/propertyName",
            "propertyName",
            "expected a string, found None",
        ),
        (
            {"propertyName": "kind", "mapping": ["cat"]},
            "/components/schemas/Pet/discriminator/mapping",
            "mapping",
            "expected a mapping, found list",
        ),
        (
            "kind",
            "/components/schemas/Pet/discriminator",
            "discriminator",
            "expected a mapping, found str",
        ),
    ],
)
def test_discriminators_the_generator_refuses(
    tmp_path: Path, discriminator: object, pointer: str, keyword: str, message: str
) -> None:
    pet = {
        "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        "discriminator": discriminator,
    }
    error = refusal(tmp_path, {**PETS, "Pet": pet})
    assert (error.pointer, error.keyword, error.message) == (pointer, keyword, message)


# --------------------------------------------------------------------------------- allOf


def test_all_of_merges_properties_required_and_description(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Named": {
                "type": "object",
                "description": "has a name",
                "properties": {"name": {"type": "string"}},
                "required": ["name"],
            },
            "Aged": {
                "allOf": [
                    {"type": "object", "properties": {"age": {"type": "integer"}}},
                    {"required": ["age"], "properties": {"born": {"type": "string"}}},
                ]
            },
            "Person": {
                "allOf": [
                    {"$ref": "#/components/schemas/Named"},
                    {"$ref": "#/components/schemas/Aged"},
                    {"description": "annotations only"},
                    {"properties": {"name": {"type": "string", "maxLength": 5}}},
                ],
                "required": ["born"],
            },
        },
    )
    person = spec.schema("Person")
    assert isinstance(person, ir.ObjectSchema)
    assert person.pointer == "/components/schemas/Person"
    assert person.description == "has a name"  # the first part's, the node having none
    assert [(p.name, p.type, p.required) for p in person.properties] == [
        # a later part's property replaces an earlier one of the same name
        ("name", ir.Primitive("string", None, ir.Constraints(max_length=5)), True),
        ("age", INTEGER, True),
        ("born", STRING, True),
    ]


def test_all_of_keeps_the_nodes_own_description(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "A": {"type": "object", "description": "a", "properties": {"x": {"type": "string"}}},
            "B": {
                "description": "b",
                "allOf": [{"$ref": "#/components/schemas/A"}],
                "properties": {"y": {"type": "string"}},
            },
            "C": {
                "allOf": [
                    {"type": "object", "properties": {"x": {"type": "string"}}},
                    {"type": "object", "properties": {"y": {"type": "string"}}},
                ]
            },
        },
    )
    b, c = spec.schema("B"), spec.schema("C")
    assert isinstance(b, ir.ObjectSchema) and isinstance(c, ir.ObjectSchema)
    assert b.description == "b"
    assert [p.name for p in b.properties] == ["x", "y"]
    assert [p.required for p in b.properties] == [False, False]
    assert c.description is None


def test_all_of_with_one_shaped_part_is_that_part(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Holder": obj(
                a={"allOf": [{"type": "string"}]},
                b={"allOf": [{"$ref": "#/components/schemas/Part"}, {"readOnly": True}]},
            ),
            "Part": obj(x={"type": "string"}),
        },
    )
    assert prop(spec, "Holder", "a").type == STRING
    assert prop(spec, "Holder", "b").type == ir.Ref("Part")


@pytest.mark.parametrize(
    ("parts", "pointer"),
    [
        ([{"type": "object"}, {"type": "string"}], "/components/schemas/Thing/allOf/1"),
        (
            [{"type": "object"}, {"oneOf": [{"type": "string"}]}],
            "/components/schemas/Thing/allOf/1",
        ),
        ([{"type": "object"}, {"items": {}}], "/components/schemas/Thing/allOf/1"),
        ([{"enum": ["a"]}, {"type": "object"}], "/components/schemas/Thing/allOf/0"),
        ([{"type": "object"}, {"$ref": "#/components/schemas/S"}], "/components/schemas/S"),
    ],
)
def test_all_of_over_non_objects_is_refused(
    tmp_path: Path, parts: list[dict[str, Any]], pointer: str
) -> None:
    error = refusal(tmp_path, {"Thing": {"allOf": parts}, "S": {"type": "string"}})
    assert (error.pointer, error.keyword, error.message) == (
        pointer,
        "allOf",
        "'allOf' is supported over object schemas only",
    )


def test_a_nullable_all_of_part_beside_two_objects(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Thing": obj(
                a={
                    "allOf": [
                        obj(x={"type": "string"}),
                        obj(y={"type": "string"}),
                        {"nullable": True},
                    ]
                }
            )
        },
    )
    assert prop(spec, "Thing", "a").type == ir.Nullable(ir.Ref("ThingA"))
    merged = spec.schema("ThingA")
    assert isinstance(merged, ir.ObjectSchema)
    assert [p.name for p in merged.properties] == ["x", "y"]


# ------------------------------------------------------------------------------- the loader


def load_text(tmp_path: Path, text: str, name: str = "doc.yaml") -> SpecDocument:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_spec(path)


MINIMAL = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\n"


def test_a_spec_that_cannot_be_read_is_refused_naming_the_file(tmp_path: Path) -> None:
    for path in (tmp_path / "absent.yaml", tmp_path):
        with pytest.raises(SpecError) as caught:
            load_spec(path)
        assert (caught.value.pointer, caught.value.keyword) == ("/", "openapi")
        assert caught.value.message.startswith("cannot read the spec: ")
        assert str(caught.value).startswith(f"{path.name}#/: 'openapi': cannot read the spec: ")


def test_the_loader_keeps_json_types_and_names_the_document(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        MINIMAL + "x-date: 2024-01-02\nx-codes: {200: ok, true: yes}\nx-list: [1, 2.5, null]\n",
    )
    assert doc.root["x-date"] == "2024-01-02"  # not a datetime.date
    # Keys are strings as written (OpenAPI: YAML keys are scalar strings of the Failsafe
    # schema), values keep their JSON types.
    assert doc.root["x-codes"] == {"200": "ok", "true": True}
    assert doc.root["x-list"] == [1, 2.5, None]
    assert doc.source_name == "doc.yaml"
    # sha256 of the bytes: the generated files name it
    assert doc.sha256 == hashlib.sha256((tmp_path / "doc.yaml").read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("text", "pointer", "keyword", "message"),
    [
        ("a: [1, 2", "/", "yaml", "not valid YAML"),
        ("- a list", "/", "openapi", "the document is not a mapping"),
        ("just text", "/", "openapi", "the document is not a mapping"),
        (
            "openapi: 2.0\ninfo: {}\npaths: {}",
            "/openapi",
            "openapi",
            "OpenAPI 3.0 or 3.1 is required, found 2.0",
        ),
        (
            "openapi: 3.2.0\ninfo: {}\npaths: {}",
            "/openapi",
            "openapi",
            "OpenAPI 3.0 or 3.1 is required, found '3.2.0'",
        ),
        (
            "info: {}\npaths: {}",
            "/openapi",
            "openapi",
            "OpenAPI 3.0 or 3.1 is required, found None",
        ),
        (
            "openapi: 3.1.0\ninfo: {}\npaths: []",
            "/paths",
            "paths",
            "the document has no 'paths' mapping",
        ),
        (
            "openapi: 3.1.0\npaths: {}",
            "/info",
            "info",
            "the document has no 'info' mapping",
        ),
        (
            "openapi: 3.1.0\ninfo: {}\npaths: {}\ninfo: {}",
            "/",
            "yaml",
            "not valid YAML: duplicate key 'info'\n  in \"<byte string>\", line 4, column 1",
        ),
    ],
)
def test_documents_the_loader_refuses(
    tmp_path: Path, text: str, pointer: str, keyword: str, message: str
) -> None:
    with pytest.raises(SpecError) as caught:
        load_text(tmp_path, text)
    error = caught.value
    assert (error.pointer, error.keyword, error.source) == (pointer, keyword, "doc.yaml")
    assert error.message.startswith(message)


def test_mapping_keys_are_the_text_as_written(tmp_path: Path) -> None:
    # OpenAPI 3.x, "Format": keys used in YAML maps MUST be limited to a scalar string, as
    # defined by the YAML Failsafe schema: a property named "off" or "null" keeps its name.
    doc = load_text(
        tmp_path,
        MINIMAL + "x-keys: {off: 1, On: 2, null: 3, ~: 4, 1.0: 5, 0x1A: 6, 1e3: 7, 007: 8}\n",
    )
    assert list(doc.root["x-keys"].items()) == [
        ("off", 1),
        ("On", 2),
        ("null", 3),
        ("~", 4),
        ("1.0", 5),
        ("0x1A", 6),
        ("1e3", 7),
        ("007", 8),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # A key that is a list or a mapping has no JSON form.
        (
            "x-k: {? [1, 2] : x}",
            'not valid YAML: a mapping key must be a scalar string\n  in "<byte string>", '
            "line 4, column 9",  # where the key starts
        ),
        (
            "x-k:\n  ? {a: 1}\n  : x",
            'not valid YAML: a mapping key must be a scalar string\n  in "<byte string>", '
            "line 5, column 5",
        ),
        # A list that contains itself has no JSON form either (and would never end).
        ("x-loop: &a [1, *a]", "not valid YAML: found unconstructable recursive node"),
        ("x-loop: &a {a: *a}", "not valid YAML: found unconstructable recursive node"),
    ],
)
def test_yaml_that_has_no_json_form_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SpecError) as caught:
        load_text(tmp_path, MINIMAL + text + "\n")
    assert (caught.value.pointer, caught.value.keyword) == ("/", "yaml")
    assert caught.value.message.startswith(message)


def test_references_resolve_with_escaped_tokens(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        MINIMAL + "x-defs:\n  a/b: {value: 1}\n  c~d: {value: 2}\n  list: [{value: 3}]\n",
    )
    assert doc.resolve("#/x-defs/a~1b", "/here") == ("/x-defs/a~1b", {"value": 1})
    assert doc.resolve("#/x-defs/c~0d", "/here") == ("/x-defs/c~0d", {"value": 2})
    assert doc.resolve("#/x-defs", "/here")[1]["a/b"] == {"value": 1}


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("other.yaml#/x", "only local references ('#/...') are supported: 'other.yaml#/x'"),
        ("#x", "only local references ('#/...') are supported: '#x'"),
        (7, "only local references ('#/...') are supported: 7"),
        ("#/x-defs/missing", "reference '#/x-defs/missing' does not resolve"),
        ("#/x-defs/leaf/deeper", "reference '#/x-defs/leaf/deeper' does not resolve"),
    ],
)
def test_references_that_do_not_resolve(tmp_path: Path, ref: object, message: str) -> None:
    doc = load_text(tmp_path, MINIMAL + "x-defs: {leaf: 1}\n")
    with pytest.raises(SpecError) as caught:
        doc.resolve(ref, "/somewhere/$ref")
    error = caught.value
    assert (error.pointer, error.keyword, error.message) == ("/somewhere/$ref", "$ref", message)


def test_deref_follows_chains_and_stops_on_cycles(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        MINIMAL
        + "x-r:\n"
        + "  a: {$ref: '#/x-r/b'}\n  b: {$ref: '#/x-r/c'}\n  c: {in: query}\n"
        + "  loop1: {$ref: '#/x-r/loop2'}\n  loop2: {$ref: '#/x-r/loop1'}\n"
        + "  scalar: {$ref: '#/x-r/n'}\n  n: 5\n",
    )
    assert doc.deref({"$ref": "#/x-r/a"}, "/p") == ("/x-r/c", {"in": "query"})
    assert doc.deref({"in": "path"}, "/p") == ("/p", {"in": "path"})
    with pytest.raises(SpecError) as cycle:
        doc.deref({"$ref": "#/x-r/loop1"}, "/p")
    assert (cycle.value.keyword, cycle.value.message) == ("$ref", "circular reference")
    assert cycle.value.pointer == "/x-r/loop1"  # where the chain comes back
    with pytest.raises(SpecError) as scalar:
        doc.deref({"$ref": "#/x-r/scalar"}, "/p")
    assert (scalar.value.pointer, scalar.value.keyword, scalar.value.message) == (
        "/x-r/n",
        "n",
        "expected a mapping, found int",
    )


def test_checked_access_names_the_last_token(tmp_path: Path) -> None:
    doc = load_text(tmp_path, MINIMAL)
    assert doc.mapping({"a": 1}, "/x") == {"a": 1}
    assert doc.sequence([1], "/x") == [1]
    assert doc.string("s", "/x") == "s"
    for call, found in (
        (lambda: doc.mapping([1], "/a/props"), "expected a mapping, found list"),
        (lambda: doc.sequence("x", "/a/props"), "expected a list, found str"),
        (lambda: doc.string(None, "/a/props"), "expected a string, found None"),
    ):
        with pytest.raises(SpecError) as caught:
            call()
        assert (caught.value.pointer, caught.value.keyword, caught.value.message) == (
            "/a/props",
            "props",
            found,
        )
    with pytest.raises(SpecError) as root:
        doc.mapping(1, "")
    assert (root.value.pointer, root.value.keyword) == ("/", "")
    assert str(root.value) == "doc.yaml#/: '': expected a mapping, found int"


def test_all_of_beside_shape_keywords(tmp_path: Path) -> None:
    # One shaped part, but the node has its own oneOf/anyOf/items: merged, not the part alone.
    a = obj(x={"type": "string"})
    for kind in ("oneOf", "anyOf"):
        spec = lower_spec(
            tmp_path,
            {
                "A": a,
                "Thing": {
                    "allOf": [{"$ref": "#/components/schemas/A"}],
                    kind: [{"required": ["x"]}],
                },
            },
        )
        thing = spec.schema("Thing")
        assert isinstance(thing, ir.ObjectSchema), kind
        assert [p.name for p in thing.properties] == ["x"]
    siblings: list[dict[str, Any]] = [
        {"oneOf": [{"type": "string"}]},
        {"anyOf": [{}]},
        {"items": {}},
    ]
    for sibling in siblings:
        error = refusal(tmp_path, {"Thing": {"allOf": [{"type": "string"}], **sibling}})
        assert (error.pointer, error.keyword) == ("/components/schemas/Thing/allOf/0", "allOf")


def test_required_alternatives_beside_all_of(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "A": obj(x={"type": "string"}, y={"type": "string"}),
            "Thing": {
                "allOf": [{"$ref": "#/components/schemas/A"}],
                "oneOf": [{"required": ["x"]}, {"required": ["y"]}],
            },
        },
    )
    thing = spec.schema("Thing")
    assert isinstance(thing, ir.ObjectSchema)
    assert thing.required_alternatives == (("x",), ("y",))


def test_a_union_of_shapes_beside_all_of_is_refused_not_dropped(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        lower_spec(
            tmp_path,
            {
                "A": obj(x={"type": "string"}),
                "Thing": {
                    "allOf": [{"$ref": "#/components/schemas/A"}],
                    "anyOf": [obj(y={"type": "string"}), obj(z={"type": "integer"})],
                },
            },
        )
    assert caught.value.pointer.endswith("/components/schemas/Thing/anyOf")
    assert caught.value.keyword == "anyOf"


def test_inline_classes_under_all_of_and_alternatives_are_named_after_the_property(
    tmp_path: Path,
) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Thing": obj(
                a={"allOf": [obj(x={"type": "string"})]},
                b={"properties": {"y": {"type": "string"}}, "oneOf": [{"required": ["y"]}]},
            )
        },
    )
    assert prop(spec, "Thing", "a").type == ir.Ref("ThingA")
    assert prop(spec, "Thing", "b").type == ir.Ref("ThingB")
    b = spec.schema("ThingB")
    assert isinstance(b, ir.ObjectSchema)
    assert b.pointer == "/components/schemas/Thing/properties/b"
    assert b.required_alternatives == (("y",),)


def test_annotation_only_all_of_parts_add_nothing_to_the_merged_class(tmp_path: Path) -> None:
    # Annotation parts (a description, nullable) describe this use of the schema; the merged
    # class takes its description from the node or the first shaped part only.
    spec = lower_spec(
        tmp_path,
        {
            "Thing": obj(
                a={
                    "allOf": [
                        {"description": "an annotation"},
                        {"nullable": True, "description": "another"},
                        obj(x={"type": "string"}),
                        obj(y={"type": "string"}),
                    ]
                }
            )
        },
    )
    merged = spec.schema("ThingA")
    assert isinstance(merged, ir.ObjectSchema)
    assert merged.description is None
    assert [p.name for p in merged.properties] == ["x", "y"]
    assert prop(spec, "Thing", "a").type == ir.Nullable(ir.Ref("ThingA"))


@pytest.mark.parametrize(
    ("thing", "pointer", "keyword", "message"),
    [
        (
            {"allOf": {"type": "object"}},
            "/components/schemas/Thing/allOf",
            "allOf",
            "expected a list, found dict",
        ),
        (
            {"allOf": [obj(x={}), {"allOf": "not a list"}]},
            "/components/schemas/Thing/allOf/1/allOf",
            "allOf",
            "expected a list, found str",
        ),
        (
            {"allOf": [obj(x={}), {"type": "object", "properties": ["y"]}]},
            "/components/schemas/Thing/allOf/1/properties",
            "properties",
            "expected a mapping, found list",
        ),
        (
            {"allOf": [obj(x={})], "properties": ["y"]},
            "/components/schemas/Thing/properties",
            "properties",
            "expected a mapping, found list",
        ),
        (
            {"allOf": [obj(x={}), {"anyOf": [{}]}]},
            "/components/schemas/Thing/allOf/1",
            "allOf",
            "'allOf' is supported over object schemas only",
        ),
        (
            {"allOf": [obj(x={}), {"const": 1}]},
            "/components/schemas/Thing/allOf/1",
            "allOf",
            "'allOf' is supported over object schemas only",
        ),
    ],
)
def test_all_of_parts_the_generator_refuses(
    tmp_path: Path, thing: dict[str, Any], pointer: str, keyword: str, message: str
) -> None:
    error = refusal(tmp_path, {"Thing": thing})
    assert (error.pointer, error.keyword, error.message) == (pointer, keyword, message)


# ------------------------------------------------------------------- objects, maps and names


def test_additional_properties(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Open": obj(x={"type": "string"}),
            "Closed": obj(x={"type": "string"}) | {"additionalProperties": False},
            "Typed": obj(x={"type": "string"}) | {"additionalProperties": {"type": "integer"}},
            "Thing": obj(
                any_map={"type": "object"},
                open_map={"type": "object", "additionalProperties": True},
                empty={"type": "object", "additionalProperties": False},
                ints={"additionalProperties": {"type": "integer"}},
                objects={"type": "object", "additionalProperties": obj(n={"type": "number"})},
            ),
        },
    )
    additional = {
        name: schema.additional_properties
        for name in ("Open", "Closed", "Typed")
        if isinstance(schema := spec.schema(name), ir.ObjectSchema)
    }
    assert additional == {"Open": ir.AnyValue(), "Closed": None, "Typed": INTEGER}
    assert prop(spec, "Thing", "any_map").type == ir.MapOf(ir.AnyValue())
    assert prop(spec, "Thing", "open_map").type == ir.MapOf(ir.AnyValue())
    assert prop(spec, "Thing", "empty").type == ir.MapOf(ir.Null())
    assert prop(spec, "Thing", "ints").type == ir.MapOf(INTEGER)
    # an inline class for map values is named <Hint>Value
    assert prop(spec, "Thing", "objects").type == ir.MapOf(ir.Ref("ThingObjectsValue"))
    value = spec.schema("ThingObjectsValue")
    assert isinstance(value, ir.ObjectSchema)
    assert value.pointer == "/components/schemas/Thing/properties/objects/additionalProperties"


def test_typed_additional_properties_of_a_class_get_their_own_name(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {"Thing": obj(x={"type": "string"}) | {"additionalProperties": obj(y={"type": "string"})}},
    )
    thing = spec.schema("Thing")
    assert isinstance(thing, ir.ObjectSchema)
    assert thing.additional_properties == ir.Ref("ThingValue")


def test_boolean_schemas_and_empty_schemas_are_any_value(tmp_path: Path) -> None:
    spec = lower_spec(tmp_path, {"Thing": obj(a=True, b={}, c={"description": "anything"})})
    a, b, c = (prop(spec, "Thing", n) for n in "abc")
    assert (a.type, a.description, a.default) == (ir.AnyValue(), None, None)
    assert (b.type, c.type, c.description) == (ir.AnyValue(), ir.AnyValue(), "anything")


@pytest.mark.parametrize(
    ("thing", "pointer", "keyword", "message"),
    [
        (
            {"type": "object", "properties": ["a"]},
            "/components/schemas/Thing/properties",
            "properties",
            "expected a mapping, found list",
        ),
        (
            {"type": "object", "properties": {"a": {}}, "required": "a"},
            "/components/schemas/Thing/required",
            "required",
            "expected a list, found str",
        ),
        (
            {"type": "object", "properties": {"a": 5}},
            "/components/schemas/Thing/properties/a",
            "a",
            "expected a mapping, found int",
        ),
    ],
)
def test_objects_the_generator_refuses(
    tmp_path: Path, thing: dict[str, Any], pointer: str, keyword: str, message: str
) -> None:
    error = refusal(tmp_path, {"Thing": thing})
    assert (error.pointer, error.keyword, error.message) == (pointer, keyword, message)


def test_inline_class_names_avoid_names_already_taken(tmp_path: Path) -> None:
    # Thing comes first: its inline "a" must not take ThingA, a component lowered later.
    spec = lower_spec(
        tmp_path,
        {
            "Thing": obj(a=obj(x={"type": "string"}), A=obj(y={"type": "string"})),
            "ThingA": obj(z={"type": "string"}),
        },
    )
    assert prop(spec, "Thing", "a").type == ir.Ref("ThingA2")
    assert prop(spec, "Thing", "A").type == ir.Ref("ThingA3")
    assert [p.name for p in _object_schema(spec, "ThingA").properties] == ["z"]
    assert [p.name for p in _object_schema(spec, "ThingA2").properties] == ["x"]
    assert [p.name for p in _object_schema(spec, "ThingA3").properties] == ["y"]


def test_two_inline_classes_with_one_hint(tmp_path: Path) -> None:
    spec = lower_spec(tmp_path, {"Thing": obj(a=obj(x={"type": "string"}), A=obj(y={}))})
    assert prop(spec, "Thing", "a").type == ir.Ref("ThingA")
    assert prop(spec, "Thing", "A").type == ir.Ref("ThingA2")


def _object_schema(spec: ir.ApiSpec, name: str) -> ir.ObjectSchema:
    found = spec.schema(name)
    assert isinstance(found, ir.ObjectSchema)
    return found


def test_ref_beside_restating_keywords_and_refs_into_schemas(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Holder": obj(
                f={"$ref": "#/components/schemas/Stamp", "format": "date-time"},
                # a reference to a schema that is not a component: its type, inline
                inner={"$ref": "#/components/schemas/Part/properties/x"},
                listed={"$ref": "#/components/schemas/Part/properties/tags"},
            ),
            "Stamp": {"type": "string", "format": "date-time"},
            "Part": obj(x={"type": "integer", "minimum": 1}, tags={"type": "array", "items": {}}),
        },
    )
    assert prop(spec, "Holder", "f").type == ir.Ref("Stamp")
    assert prop(spec, "Holder", "inner").type == ir.Primitive(
        "integer", None, ir.Constraints(minimum=1)
    )
    assert prop(spec, "Holder", "listed").type == ir.ArrayOf(ir.AnyValue())
    error = refusal(
        tmp_path,
        {"Holder": obj(p={"$ref": "#/components/schemas/Stamp", "enum": ["x"]}), "Stamp": {}},
    )
    assert (error.pointer, error.keyword, error.message) == (
        "/components/schemas/Holder/properties/p",
        "enum",
        "keywords beside '$ref' that change the shape are not supported",
    )


@pytest.mark.parametrize("home_first", [True, False])
def test_an_object_reached_by_refs_into_a_schema_is_one_class(
    tmp_path: Path, home_first: bool
) -> None:
    """A "$ref" to an inline object of another schema reaches the same schema each time: one
    class, named where it is first met, whichever of its home and its references comes first
    (it was a new class per reference: AX, AZ and BY for one object)."""
    target = {"$ref": "#/components/schemas/B/properties/y"}
    home = {"B": obj(y=obj(n={"type": "integer"}))}
    referrer = {"A": obj(x=target, z=target | {"nullable": True})}
    spec = lower_spec(tmp_path, {**home, **referrer} if home_first else {**referrer, **home})
    name = "BY" if home_first else "AX"
    assert prop(spec, "B", "y").type == ir.Ref(name)
    assert prop(spec, "A", "x").type == ir.Ref(name)
    assert prop(spec, "A", "z").type == ir.Nullable(ir.Ref(name))
    classes = [s.name for s in spec.schemas]
    assert sorted(classes) == sorted(["A", "B", name])
    assert [p.name for p in _object_schema(spec, name).properties] == ["n"]


def test_deref_names_the_reference_that_does_not_resolve(tmp_path: Path) -> None:
    doc = load_text(tmp_path, MINIMAL + "x-r:\n  a: {$ref: '#/x-r/gone'}\n")
    with pytest.raises(SpecError) as caught:
        doc.deref({"$ref": "#/x-r/a"}, "/p")
    assert (caught.value.pointer, caught.value.message) == (
        "/x-r/a/$ref",
        "reference '#/x-r/gone' does not resolve",
    )
    with pytest.raises(SpecError) as first:
        doc.deref({"$ref": "#/nowhere"}, "/p")
    assert first.value.pointer == "/p/$ref"


# --------------------------------------------------------------------- arrays, formats, enums


def test_arrays_formats_and_examples(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Thing": obj(
                bare={"type": "array"},
                objects={"type": "array", "items": obj(n={"type": "integer"})},
                odd_format={"type": "string", "format": 5},
            )
            | {"example": {"bare": []}},
        },
    )
    assert prop(spec, "Thing", "bare").type == ir.ArrayOf(ir.AnyValue())
    assert prop(spec, "Thing", "objects").type == ir.ArrayOf(ir.Ref("ThingObjectsInner"))
    assert prop(spec, "Thing", "odd_format").type == STRING  # a format that is not a string
    assert _object_schema(spec, "Thing").example == {"bare": []}
    error = refusal(tmp_path, {"Thing": obj(a={"type": "array", "items": {}, "minItems": "1"})})
    assert (error.pointer, error.keyword) == (
        "/components/schemas/Thing/properties/a/minItems",
        "minItems",
    )


@pytest.mark.parametrize(
    ("schema", "pointer", "keyword", "message"),
    [
        ({"type": "strange"}, "/type", "type", "unknown type 'strange'"),
        ({"type": ["string", 5]}, "/type", "type", "unknown type 5"),
        ({"enum": "red"}, "/enum", "enum", "expected a list, found str"),
        ({"enum": []}, "/enum", "enum", "an enum needs at least one value"),
    ],
)
def test_types_and_enums_the_generator_refuses(
    tmp_path: Path, schema: dict[str, Any], pointer: str, keyword: str, message: str
) -> None:
    error = refusal(tmp_path, {"Thing": obj(a=schema)})
    assert (error.pointer, error.keyword, error.message) == (
        "/components/schemas/Thing/properties/a" + pointer,
        keyword,
        message,
    )


@pytest.mark.parametrize("values", ["red", []])
def test_a_component_enum_that_is_not_a_list_of_values_is_refused(
    tmp_path: Path, values: object
) -> None:
    error = refusal(tmp_path, {"Colour": {"enum": values}})
    assert (error.pointer, error.keyword) == ("/components/schemas/Colour/enum", "enum")


# ------------------------------------------------- additionalProperties and allOf


@pytest.mark.parametrize(
    ("extra", "expected"),
    [(False, None), ({"type": "string"}, STRING), (True, ir.AnyValue())],
)
def test_additional_properties_beside_all_of_apply_to_the_merged_object(
    tmp_path: Path, extra: Any, expected: ir.TypeRef | None
) -> None:
    """Beside one part or several, it is kept on the merged class: dropped, an object that
    must have no other keys would accept any, and typed extra values would be untyped."""
    base = obj(id={"type": "string"})
    for parts in (
        [{"$ref": "#/components/schemas/Base"}],
        [{"$ref": "#/components/schemas/Base"}, obj(note={"type": "string"})],
    ):
        spec = lower_spec(
            tmp_path,
            {"Base": base, "Thing": {"allOf": parts, "additionalProperties": extra}},
        )
        thing = spec.schema("Thing")
        assert isinstance(thing, ir.ObjectSchema)
        assert thing.additional_properties == expected
        assert [p.name for p in thing.properties] == ["id", "note"][: len(parts)]
        base_schema = spec.schema("Base")
        assert isinstance(base_schema, ir.ObjectSchema)
        assert base_schema.additional_properties == ir.AnyValue()  # Base is unchanged


@pytest.mark.parametrize(
    ("parts", "pointer"),
    [
        (
            [obj(a={}) | {"additionalProperties": False}, obj(b={})],
            "/components/schemas/Thing/allOf/0/additionalProperties",
        ),
        (
            [obj(a={}), {"$ref": "#/components/schemas/Closed"}],
            "/components/schemas/Closed/additionalProperties",
        ),
        (
            [obj(a={}), {"allOf": [obj(b={})], "additionalProperties": {"type": "string"}}],
            "/components/schemas/Thing/allOf/1/additionalProperties",
        ),
    ],
)
def test_additional_properties_inside_an_all_of_part_is_refused_not_dropped(
    tmp_path: Path, parts: list[dict[str, Any]], pointer: str
) -> None:
    closed = obj(c={}) | {"additionalProperties": False}
    error = refusal(tmp_path, {"Thing": {"allOf": parts}, "Closed": closed})
    assert (error.pointer, error.keyword) == (pointer, "additionalProperties")
    assert error.message == (
        "'additionalProperties' inside an 'allOf' part is not supported; "
        "declare it beside 'allOf', where it applies to the merged object"
    )


# ------------------------------------------------------------------- component schemas


def test_a_component_enum_of_null_alone_is_refused(tmp_path: Path) -> None:
    # null is taken out of an enum (references to it become nullable): nothing would be left.
    error = refusal(tmp_path, {"Nothing": {"enum": [None]}})
    assert (error.pointer, error.keyword, error.message) == (
        "/components/schemas/Nothing/enum",
        "enum",
        "an enum needs at least one non-null value",
    )


def test_a_component_enum_keeps_its_pointer_and_description(tmp_path: Path) -> None:
    spec = lower_spec(tmp_path, {"Colour": {"enum": ["red", "blue"], "description": "a colour"}})
    colour = spec.schema("Colour")
    assert isinstance(colour, ir.EnumSchema)
    assert (colour.values, colour.pointer, colour.description) == (
        ("red", "blue"),
        "/components/schemas/Colour",
        "a colour",
    )


def test_a_component_enum_with_null_among_its_values_is_nullable_where_referenced(
    tmp_path: Path,
) -> None:
    # OAS 3.1: null among the enum's values (without "nullable" or a "null" type).
    spec = lower_spec(
        tmp_path,
        {
            "Holder": obj(colour={"$ref": "#/components/schemas/Colour"}),
            "Colour": {"enum": ["red", None, "blue"]},
        },
    )
    assert prop(spec, "Holder", "colour").type == ir.Nullable(ir.Ref("Colour"))
    colour = spec.schema("Colour")
    assert isinstance(colour, ir.EnumSchema)
    assert colour.values == ("red", "blue")


def test_an_enum_component_beside_ref_is_refused(tmp_path: Path) -> None:
    error = refusal(
        tmp_path,
        {
            "Colour": {"enum": ["red"]},
            "Red": {"$ref": "#/components/schemas/Colour", "enum": ["red"]},
        },
    )
    assert (error.pointer, error.keyword, error.message) == (
        "/components/schemas/Red",
        "enum",
        "keywords beside '$ref' that change the shape are not supported",
    )


def test_component_aliases_keep_their_pointer(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {"Name": {"type": "string", "description": "a name"}, "Anything": True},
    )
    name = spec.schema("Name")
    assert isinstance(name, ir.AliasSchema)
    assert (name.type, name.pointer, name.description) == (
        STRING,
        "/components/schemas/Name",
        "a name",
    )
    anything = spec.schema("Anything")  # the boolean schema true: any value
    assert isinstance(anything, ir.AliasSchema)
    assert (anything.type, anything.pointer, anything.description) == (
        ir.AnyValue(),
        "/components/schemas/Anything",
        None,
    )


# --------------------------------------------------------------- the type a schema implies


def test_a_schema_without_type_takes_the_type_its_keywords_imply(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Thing": obj(
                described={"properties": {"x": {"type": "string"}}},
                listed={"items": {"type": "integer"}},
                typed_values={"additionalProperties": {"type": "integer"}},
            )
        },
    )
    assert prop(spec, "Thing", "described").type == ir.Ref("ThingDescribed")
    assert [p.name for p in _object_schema(spec, "ThingDescribed").properties] == ["x"]
    assert prop(spec, "Thing", "listed").type == ir.ArrayOf(INTEGER)
    assert prop(spec, "Thing", "typed_values").type == ir.MapOf(INTEGER)


def test_a_nullable_object_by_type_list_is_named_after_its_property(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {"Thing": obj(a={"type": ["object", "null"], "properties": {"x": {"type": "string"}}})},
    )
    assert prop(spec, "Thing", "a").type == ir.Nullable(ir.Ref("ThingA"))
    assert [p.name for p in _object_schema(spec, "ThingA").properties] == ["x"]


# ----------------------------------------------- alternative required lists, carried whole


def test_required_alternatives_keep_the_rest_of_the_object(tmp_path: Path) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Either": {
                "type": "object",
                "description": "a or b",
                "properties": {"a": {"type": "string"}, "n": {"type": "integer"}},
                "required": ["n"],
                "additionalProperties": False,
                # "b" is named by a group, not described: any value (as for "required").
                "oneOf": [{"required": ["a"]}, {"required": ["b"]}],
            },
        },
    )
    either = _object_schema(spec, "Either")
    assert [(p.name, p.type, p.required) for p in either.properties] == [
        ("a", STRING, False),
        ("n", INTEGER, True),
        ("b", ir.AnyValue(), False),
    ]
    assert (either.description, either.additional_properties) == ("a or b", None)
    assert either.required_alternatives == (("a",), ("b",))


def test_required_alternatives_beside_properties_that_are_not_a_mapping_are_refused(
    tmp_path: Path,
) -> None:
    error = refusal(tmp_path, {"Thing": {"properties": ["a"], "oneOf": [{"required": ["a"]}]}})
    assert (error.pointer, error.keyword, error.message) == (
        "/components/schemas/Thing/properties",
        "properties",
        "expected a mapping, found list",
    )


def test_required_alternatives_beside_an_inline_all_of_name_the_class_after_the_property(
    tmp_path: Path,
) -> None:
    spec = lower_spec(
        tmp_path,
        {
            "Thing": obj(
                c={"allOf": [obj(x={"type": "string"})], "anyOf": [{"required": ["x"]}]},
            )
        },
    )
    assert prop(spec, "Thing", "c").type == ir.Ref("ThingC")
    c = _object_schema(spec, "ThingC")
    assert [p.name for p in c.properties] == ["x"]
    assert (c.required_alternatives, c.alternatives_kind) == ((("x",),), "anyOf")


def test_a_union_of_shapes_beside_all_of_is_refused_with_the_reason(tmp_path: Path) -> None:
    error = refusal(
        tmp_path,
        {"Thing": {"allOf": [obj(x={})], "oneOf": [obj(y={}), obj(z={})]}},
    )
    assert (error.pointer, error.keyword, error.message) == (
        "/components/schemas/Thing/oneOf",
        "oneOf",
        "'oneOf' beside 'allOf' is supported only as alternative 'required' lists",
    )


# ------------------------------------------------------------------ circular references


@pytest.mark.parametrize(
    ("schemas", "pointer", "message"),
    [
        ({"A": {"$ref": "#/components/schemas/A"}}, "/components/schemas/A", "A -> A"),
        (
            {"A": {"$ref": "#/components/schemas/A", "nullable": True}},
            "/components/schemas/A",
            "A -> A",
        ),
        ({"A": {"allOf": [{"$ref": "#/components/schemas/A"}]}}, "/components/schemas/A", "A -> A"),
        ({"A": {"oneOf": [{"$ref": "#/components/schemas/A"}]}}, "/components/schemas/A", "A -> A"),
        (
            {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}},
            "/components/schemas/A",
            "A -> B -> A",
        ),
        (
            {
                "Start": {"$ref": "#/components/schemas/A"},
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"anyOf": [{"$ref": "#/components/schemas/C"}], "nullable": True},
                "C": {"$ref": "#/components/schemas/A"},
            },
            "/components/schemas/A",
            "A -> B -> C -> A",
        ),
    ],
)
def test_components_that_only_refer_to_each_other_are_refused(
    tmp_path: Path, schemas: dict[str, Any], pointer: str, message: str
) -> None:
    # No value is described: evaluating A means evaluating B, which means evaluating A...
    # Dropped, references to A would name a class that does not exist.
    error = refusal(tmp_path, schemas)
    assert (error.pointer, error.keyword, error.message) == (
        pointer,
        "$ref",
        f"circular reference: {message}",
    )


def test_each_component_of_a_reference_cycle_is_refused_with_keep_going(tmp_path: Path) -> None:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"$ref": "#/components/schemas/A"},
                "Fine": {"type": "string"},
            }
        },
    }
    path = tmp_path / "spec.yaml"
    path.write_text(json.dumps(document), encoding="utf-8")
    refusals = Refusals(keep_going=True)
    lower(load_spec(path), refusals)
    with pytest.raises(SpecErrors) as caught:
        refusals.raise_if_any()
    assert [(e.pointer, e.message) for e in caught.value.errors] == [
        ("/components/schemas/A", "circular reference: A -> B -> A"),
        ("/components/schemas/B", "circular reference: B -> A -> B"),
    ]


def test_a_recursive_component_through_a_class_is_lowered(tmp_path: Path) -> None:
    # The usual recursion: through an object, which has a name to refer to.
    spec = lower_spec(
        tmp_path,
        {
            "Node": obj(children={"type": "array", "items": {"$ref": "#/components/schemas/Node"}}),
            "Alias": {"$ref": "#/components/schemas/Node"},
        },
    )
    assert prop(spec, "Node", "children").type == ir.ArrayOf(ir.Ref("Node"))
    alias = spec.schema("Alias")
    assert isinstance(alias, ir.AliasSchema)
    assert alias.type == ir.Ref("Node")


@pytest.mark.parametrize(
    ("node", "pointer"),
    [
        (
            {"$ref": "#/components/schemas/Part/properties/q"},
            "/components/schemas/Part/properties/q/$ref",
        ),
        (
            {"type": "array", "items": {"$ref": "#/components/schemas/Part/properties/q"}},
            "/components/schemas/Part/properties/q/items/$ref",
        ),
    ],
)
def test_a_reference_cycle_through_a_schema_that_is_not_a_component_is_refused(
    tmp_path: Path, node: dict[str, Any], pointer: str
) -> None:
    # An inline schema has no class name to refer to: lowering it would never end.
    error = refusal(tmp_path, {"Part": obj(q=node)})
    assert (error.pointer, error.keyword, error.message) == (
        pointer,
        "$ref",
        "circular reference through /components/schemas/Part/properties/q, which is not a "
        "component schema (only a component has a class name that can refer to itself)",
    )


@pytest.mark.parametrize("where", ["component", "property"])
def test_a_type_listed_twice_is_refused(tmp_path: Path, where: str) -> None:
    # JSON Schema validation, "type": the elements of the array MUST be unique.
    schema = {"type": ["object", "null", "object"], "properties": {"x": {}}}
    schemas = {"Thing": schema} if where == "component" else {"Thing": obj(a=schema)}
    error = refusal(tmp_path, schemas)
    prefix = "/components/schemas/Thing" + ("/properties/a" if where == "property" else "")
    assert (error.pointer, error.keyword, error.message) == (
        prefix + "/type",
        "type",
        "'object' is listed twice",
    )


def test_a_schema_that_is_not_a_component_may_be_referenced_twice(tmp_path: Path) -> None:
    # Two references to one inline schema, one after the other, are no cycle.
    ref = {"$ref": "#/components/schemas/Part/properties/x"}
    spec = lower_spec(
        tmp_path,
        {
            "Holder": obj(a=ref, b={"type": "array", "items": ref}),
            "Part": obj(x={"type": "integer"}),
        },
    )
    assert prop(spec, "Holder", "a").type == INTEGER
    assert prop(spec, "Holder", "b").type == ir.ArrayOf(INTEGER)


# ------------------------------------------- enum and const beside allOf, oneOf, anyOf

AB = {"type": "string", "enum": ["a", "b"]}


def test_an_enum_beside_parts_that_restate_it_is_the_enum(tmp_path: Path) -> None:
    # As Together's spec writes DeploymentResponseItem.status: the enum beside
    # allOf: [{$ref: DeploymentStatus}], an enum of the same values.
    spec = lower_spec(
        tmp_path,
        {
            "AB": AB,
            "Thing": obj(
                every={"enum": ["a", "b"], "allOf": [{"$ref": "#/components/schemas/AB"}]},
                some={"enum": ["b"], "anyOf": [{"$ref": "#/components/schemas/AB"}]},
                one={"const": "a", "oneOf": [{"enum": ["a", "z"]}]},
                both={"enum": ["a"], "allOf": [{"$ref": "#/components/schemas/AB"}, AB]},
            ),
        },
    )
    assert prop(spec, "Thing", "every").type == ir.LiteralValues(("a", "b"))
    assert prop(spec, "Thing", "some").type == ir.LiteralValues(("b",))
    assert prop(spec, "Thing", "one").type == ir.LiteralValues(("a",))
    assert prop(spec, "Thing", "both").type == ir.LiteralValues(("a",))


def test_an_enum_component_beside_parts_that_restate_it_is_an_enum_class(tmp_path: Path) -> None:
    """As a property (above), a component: the parts restate the values, so the component
    is the enum class it would be without them (it was a list of literal values)."""
    spec = lower_spec(
        tmp_path,
        {
            "AB": AB,
            "Narrow": {"enum": ["b"], "allOf": [{"$ref": "#/components/schemas/AB"}]},
            "Either": {"type": "string", "enum": ["a", None], "anyOf": [{"enum": ["a", None]}]},
            "Thing": obj(
                n={"$ref": "#/components/schemas/Narrow"},
                e={"$ref": "#/components/schemas/Either"},
            ),
        },
    )
    narrow, either = spec.schema("Narrow"), spec.schema("Either")
    assert isinstance(narrow, ir.EnumSchema) and narrow.values == ("b",)
    assert isinstance(either, ir.EnumSchema) and either.values == ("a",)
    assert prop(spec, "Thing", "n").type == ir.Ref("Narrow")
    assert prop(spec, "Thing", "e").type == ir.Nullable(ir.Ref("Either"))


@pytest.mark.parametrize(
    ("where", "schema", "keyword", "kind"),
    [
        # JSON Schema: a value must match the enum AND the parts; lowered as the enum alone,
        # the parts' own restriction would be dropped.
        (
            "property",
            {"enum": ["a"], "allOf": [{"type": "string", "maxLength": 0}]},
            "enum",
            "allOf",
        ),
        (
            "property",
            {"enum": ["a", "z"], "allOf": [{"$ref": "#/components/schemas/AB"}]},
            "enum",
            "allOf",
        ),
        (
            "property",
            {"enum": ["a"], "allOf": [{"$ref": "#/components/schemas/AB"}, {"enum": ["b"]}]},
            "enum",
            "allOf",
        ),
        # oneOf over two schemas that both admit "a": "a" matches two, so it is invalid.
        ("property", {"enum": ["a"], "oneOf": [AB, AB]}, "enum", "oneOf"),
        ("property", {"enum": ["a"], "anyOf": []}, "enum", "anyOf"),
        ("property", {"const": 1, "anyOf": [{"type": "integer", "minimum": 2}]}, "const", "anyOf"),
        (
            "component",
            {"enum": ["a"], "oneOf": [{"type": "string", "pattern": "^b"}]},
            "enum",
            "oneOf",
        ),
        (
            "component",
            {"enum": ["a"], "anyOf": [{"type": "string", "maxLength": 0}]},
            "enum",
            "anyOf",
        ),
        (
            "component",
            {"enum": ["a"], "allOf": [{"type": "string", "maxLength": 0}]},
            "enum",
            "allOf",
        ),
    ],
)
def test_an_enum_beside_parts_that_restrict_it_further_is_refused(
    tmp_path: Path, where: str, schema: dict[str, Any], keyword: str, kind: str
) -> None:
    schemas = {"AB": AB, "Thing": schema if where == "component" else obj(p=schema)}
    error = refusal(tmp_path, schemas)
    prefix = "/components/schemas/Thing" + ("/properties/p" if where == "property" else "")
    assert (error.pointer, error.keyword, error.message) == (
        f"{prefix}/{kind}",
        kind,
        f"'{keyword}' beside '{kind}' is supported only where '{kind}' restates it: a single "
        "enum (or, for 'allOf', enums) with each value",
    )


def test_an_enum_beside_parts_that_are_not_a_list_is_refused_with_its_pointer(
    tmp_path: Path,
) -> None:
    error = refusal(
        tmp_path, {"AB": AB, "Thing": {"enum": ["a"], "allOf": {"$ref": "#/components/schemas/AB"}}}
    )
    assert (error.pointer, error.keyword, error.message) == (
        "/components/schemas/Thing/allOf",
        "allOf",
        "expected a list, found dict",
    )


def test_an_enum_beside_a_part_that_is_not_a_schema_is_refused_at_that_part(
    tmp_path: Path,
) -> None:
    error = refusal(
        tmp_path,
        {"AB": AB, "Thing": {"enum": ["a"], "allOf": [{"$ref": "#/components/schemas/AB"}, 5]}},
    )
    assert (error.pointer, error.message) == (
        "/components/schemas/Thing/allOf/1",
        "expected a mapping, found int",
    )
