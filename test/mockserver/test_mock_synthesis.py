"""Values synthesized from schemas (docs/mock-server.md, "Answers"): the spec's example where
it validates, else required properties always and optional ones when the result still
validates, ``const`` and ``enum``, formats, bounds, one branch of a ``oneOf``/``anyOf`` with
its discriminator value; every value valid; the same seed, the same value."""

from __future__ import annotations

import base64
import random
import re
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from together.mock.spec import SPEC_URI, ApiDescription, load_api
from together.mock.synthesis import Synthesizer

COMPONENTS = """
openapi: 3.1.0
info: {title: synthesis, version: "1"}
paths: {}
components:
  schemas:
    Cat:
      type: object
      required: [kind, meows]
      properties: {kind: {type: string}, meows: {type: boolean}}
    Dog:
      type: object
      required: [kind, barks]
      properties: {kind: {type: string}, barks: {type: integer, minimum: 1, maximum: 1}}
    Pet:
      oneOf: [{$ref: "#/components/schemas/Cat"}, {$ref: "#/components/schemas/Dog"}]
      discriminator:
        propertyName: kind
        mapping: {cat: "#/components/schemas/Cat", dog: "#/components/schemas/Dog"}
    Named:
      type: object
      required: [name]
      properties: {name: {type: string}}
    Aged:
      allOf:
        - $ref: "#/components/schemas/Named"
        - type: object
          required: [age]
          properties: {age: {type: integer, minimum: 3, maximum: 3}}
    Square:
      type: object
      required: [type]
      properties: {type: {type: string, enum: [square]}}
    Circle:
      type: object
      required: [type]
      properties: {type: {type: string, enum: [circle]}}
    Free:
      type: object
      required: [type]
      properties: {type: {type: string}}
    Fixed:
      type: object
      required: [type]
      properties: {type: {const: Fixed}}
    Shape:
      oneOf: [{$ref: "#/components/schemas/Square"}, {$ref: "#/components/schemas/Circle"}]
      discriminator: {propertyName: type}
    Listed:
      type: object
      required: [type]
      properties: {type: {type: string, enum: [other, Listed]}}
    Pinned:
      type: object
      required: [type]
      properties: {type: {const: pinned}}
    TriangleKind: {type: string, enum: [triangle]}
    Triangle:
      type: object
      required: [type]
      properties: {type: {$ref: "#/components/schemas/TriangleKind"}}
"""

REF = "urn:together:openapi#/components/schemas/"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> ApiDescription:
    path: Path = tmp_path_factory.mktemp("synthesis") / "components.yaml"
    path.write_text(COMPONENTS, encoding="utf-8")
    return load_api(path)


def make(api: ApiDescription, schema: Any, seed: int = 0) -> Any:
    value = Synthesizer(api).value(schema, random.Random(seed))
    assert api.schema_validator(schema, formats=True).is_valid(value), value
    return value


def many(api: ApiDescription, schema: Any, count: int = 40) -> list[Any]:
    return [make(api, schema, seed) for seed in range(count)]


# ---------------------------------------------------------------------------- scalars


def test_const_and_examples(api: ApiDescription) -> None:
    assert make(api, {"const": 7}) == 7
    assert make(api, {"const": None}) is None
    assert make(api, {"type": "string", "example": "from the spec"}) == "from the spec"
    assert make(api, {"type": "integer", "example": 12}) == 12
    assert make(api, {"type": "array", "example": ["a"]}) == ["a"]
    assert make(api, {"type": "object", "example": {"k": 1}}) == {"k": 1}
    # An example that does not validate is not used.
    assert make(api, {"type": "integer", "minimum": 5, "maximum": 5, "example": 1}) == 5
    assert make(api, {"type": "integer", "minimum": 4, "maximum": 4, "example": None}) == 4


def test_enums_choose_among_the_values_never_null(api: Any) -> None:
    schema = {"enum": ["a", "b", "c", None]}
    assert set(many(api, schema)) == {"a", "b", "c"}
    assert make(api, {"type": ["string", "null"], "enum": [None, "only"]}) == "only"


@pytest.mark.parametrize(
    ("schema", "low", "high"),
    [
        ({"type": "integer", "minimum": 5, "maximum": 7}, 5, 7),
        ({"type": "integer", "exclusiveMinimum": 5, "exclusiveMaximum": 8}, 6, 7),
        ({"type": "integer", "minimum": -3, "maximum": -1}, -3, -1),
        ({"type": "integer"}, 0, 100),
        ({"type": "integer", "minimum": 50}, 50, 150),
        ({"type": "integer", "maximum": 10}, 0, 10),
        ({"type": "number", "minimum": 0.5, "maximum": 0.75}, 0.5, 0.75),
        ({"type": "number", "exclusiveMinimum": 1, "exclusiveMaximum": 2}, 1.000001, 1.999999),
        ({"type": "number"}, 0, 100),
    ],
)
def test_numbers_fall_within_their_bounds_and_vary(
    api: Any, schema: dict[str, Any], low: float, high: float
) -> None:
    values = many(api, schema)
    assert all(low <= v <= high for v in values), values
    assert len(set(values)) > 1
    kind = int if schema["type"] == "integer" else float
    assert all(type(v) is kind for v in values)


def test_integers_without_room_take_the_minimum(api: Any) -> None:
    assert make(api, {"type": "integer", "minimum": 9, "maximum": 9}) == 9
    assert make(api, {"type": "integer", "minimum": 2.5, "maximum": 3.5}) == 3


def test_multiple_of_is_respected(api: Any) -> None:
    values = many(api, {"type": "integer", "minimum": 1, "maximum": 100, "multipleOf": 7})
    assert all(v % 7 == 0 and 7 <= v <= 105 for v in values)
    numbers = many(api, {"type": "number", "minimum": 0, "maximum": 1, "multipleOf": 0.25})
    assert all(v in (0, 0.25, 0.5, 0.75, 1.0) for v in numbers), numbers


@pytest.mark.parametrize("name", ["created", "updated", "expires_at", "finished_at"])
def test_time_fields_are_unix_times_within_a_day_of_2026_04_28(api: Any, name: str) -> None:
    schema = {"type": "object", "required": [name], "properties": {name: {"type": "integer"}}}
    stamps = [value[name] for value in many(api, schema)]
    assert all(1_777_334_400 <= s < 1_777_334_400 + 86_400 for s in stamps), stamps
    assert len(set(stamps)) > 1


def test_other_integers_are_small(api: Any) -> None:
    schema = {"type": "object", "required": ["count"], "properties": {"count": {"type": "integer"}}}
    assert all(0 <= v["count"] <= 100 for v in many(api, schema))
    bounded = {
        "type": "object",
        "required": ["created"],
        "properties": {"created": {"type": "integer", "maximum": 5}},
    }
    assert all(0 <= v["created"] <= 5 for v in many(api, bounded))


def test_booleans_and_nulls(api: Any) -> None:
    assert set(many(api, {"type": "boolean"})) == {True, False}
    assert make(api, {"type": "null"}) is None
    assert make(api, {"type": ["null", "integer"], "minimum": 1, "maximum": 1}) == 1
    assert make(api, {"type": ["null"]}) is None


def test_date_time_values(api: Any) -> None:
    values = many(api, {"type": "string", "format": "date-time"})
    start = datetime.fromisoformat("2026-04-28T00:00:00+00:00")
    for value in values:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value), value
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        assert 0 <= (moment - start).total_seconds() < 86_400
    assert len(set(values)) > 1
    assert len({v[11:13] for v in values}) > 1 and len({v[14:16] for v in values}) > 1
    assert len({v[17:19] for v in values}) > 1


def test_other_formats(api: Any) -> None:
    assert make(api, {"type": "string", "format": "date"}) == "2026-04-28"
    uris = many(api, {"type": "string", "format": "uri"})
    assert all(re.fullmatch(r"http://127\.0\.0\.1/mock/[0-9a-f]{8}", u) for u in uris)
    assert len(set(uris)) > 1
    assert re.fullmatch(r"http://127\.0\.0\.1/mock/[0-9a-f]{8}", make(api, {"format": "url"}))
    ids = many(api, {"type": "string", "format": "uuid"})
    assert all(uuid.UUID(i).version == 4 and str(uuid.UUID(i)) == i for i in ids)
    assert len(set(ids)) == len(ids)
    raw = [base64.b64decode(b, validate=True) for b in many(api, {"format": "byte"})]
    assert all(len(r) == 6 for r in raw) and len(set(raw)) > 1
    assert make(api, {"type": "string", "format": "email"}) == "someone@example.com"


def test_strings_are_named_after_their_field_and_fit_their_lengths(api: Any) -> None:
    schema = {
        "type": "object",
        "required": ["_title_", "__", "long", "short"],
        "properties": {
            "_title_": {"type": "string"},
            "__": {"type": "string"},
            "long": {"type": "string", "minLength": 30},
            "short": {"type": "string", "maxLength": 4},
        },
    }
    value = make(api, schema)
    assert re.fullmatch(r"title-[0-9a-f]{8}", value["_title_"])
    assert re.fullmatch(r"text-[0-9a-f]{8}", value["__"])
    assert re.fullmatch(r"long-[0-9a-f]{8}x{17}", value["long"])
    assert value["short"] == "shor"
    assert re.fullmatch(r"text-[0-9a-f]{8}", make(api, {"type": "string"}))
    assert re.fullmatch(r"text-[0-9a-f]{8}", make(api, {}))  # no type: a string


# ---------------------------------------------------------------------------- structures


def test_objects_have_required_and_optional_properties(api: Any) -> None:
    schema = {
        "type": "object",
        "required": ["a"],
        "properties": {"a": {"const": 1}, "b": {"const": 2}},
    }
    assert make(api, schema) == {"a": 1, "b": 2}
    # Optional properties are left out when they would make the value invalid.
    assert make(api, {**schema, "maxProperties": 1}) == {"a": 1}
    assert make(api, {"properties": {"x": {"const": "y"}}}) == {"x": "y"}  # no type: an object


def test_required_names_without_a_schema_use_additional_properties(api: Any) -> None:
    schema = {"type": "object", "required": ["free", "typed"], "additionalProperties": {"const": 5}}
    assert make(api, schema) == {"free": 5, "typed": 5}
    loose = make(api, {"type": "object", "required": ["free"]})
    assert re.fullmatch(r"free-[0-9a-f]{8}", loose["free"])


def test_min_properties_are_filled(api: Any) -> None:
    value = make(api, {"type": "object", "minProperties": 2, "additionalProperties": {"const": 0}})
    assert value == {"key0": 0, "key1": 0}
    value = make(api, {"type": "object", "minProperties": 1})
    assert list(value) == ["key0"] and re.fullmatch(r"value-[0-9a-f]{8}", value["key0"])


def test_arrays(api: Any) -> None:
    assert make(api, {"type": "array", "items": {"const": 1}}) == [1]
    assert make(api, {"type": "array", "items": {"const": 1}, "minItems": 3}) == [1, 1, 1]
    assert make(api, {"type": "array", "items": {"const": 1}, "maxItems": 0}) == []
    value = make(
        api, {"type": "array", "prefixItems": [{"const": "a"}, {"const": "b"}], "minItems": 2}
    )
    assert value == ["a", "b"]
    assert make(
        api,
        {"type": "array", "prefixItems": [{"const": "a"}], "items": {"const": 0}, "minItems": 3},
    ) == ["a", 0, 0]


def test_all_of_branches_are_merged(api: Any) -> None:
    assert make(api, {"$ref": REF + "Aged"}) == {
        "name": make(api, {"$ref": REF + "Named"})["name"],
        "age": 3,
    }
    schema = {
        "allOf": [
            {"type": "object", "properties": {"n": {"type": "integer", "minimum": 2}}},
            {"type": "object", "required": ["n"], "properties": {"n": {"maximum": 2}}},
            {"allOf": [{"type": "object", "required": ["m"], "properties": {"m": {"const": 0}}}]},
        ],
        "required": ["n"],
    }
    assert make(api, schema) == {"n": 2, "m": 0}


def test_one_of_takes_a_branch_with_its_discriminator_value(api: Any) -> None:
    pets = many(api, {"$ref": REF + "Pet"}, count=5)
    assert all(p["kind"] == "cat" and isinstance(p["meows"], bool) for p in pets)
    shaped = make(api, {"$ref": REF + "Shape"})
    assert shaped == {"type": "square"}


def test_one_of_skips_a_branch_that_would_match_twice(api: Any) -> None:
    schema = {"oneOf": [{"type": "integer"}, {"type": "number"}, {"type": "string"}]}
    # An integer is a number too (two branches match): the number branch's value is taken.
    value = make(api, schema)
    assert isinstance(value, float) and not value.is_integer()
    assert make(api, {"anyOf": [{"const": 1}, {"const": 2}]}) == 1
    assert make(api, {"anyOf": [{"const": 1}], "title": "t"}) == 1


def test_discriminated_items_no_branch_can_satisfy_give_an_empty_array(api: Any) -> None:
    # Items whose discriminator has no mapping and whose branches are named after
    # components that cannot hold their own names.
    items = {
        "oneOf": [
            {"$ref": REF + "Square"},
            {"$ref": REF + "Circle"},
        ],
        "discriminator": {"propertyName": "type"},
    }
    assert make(api, {"type": "array", "items": items}) == []
    assert make(api, {"type": "array", "items": items, "minItems": 0}) == []
    # With a mapping, or a branch that accepts its name, or no discriminator: one item.
    mapped = {
        **items,
        "discriminator": {"propertyName": "type", "mapping": {"square": REF + "Square"}},
    }
    assert len(make(api, {"type": "array", "items": mapped})) == 1
    assert len(make(api, {"type": "array", "items": {"oneOf": items["oneOf"]}})) == 1
    for name in ("Free", "Fixed"):
        own = {
            "oneOf": [{"$ref": REF + "Square"}, {"$ref": REF + name}],
            "discriminator": {"propertyName": "type"},
        }
        assert len(make(api, {"type": "array", "items": own})) == 1, name


def test_deep_structures_stop_growing(api: Any) -> None:
    node: dict[str, Any] = {"type": "object", "properties": {}}
    schema = node
    for _ in range(20):
        child: dict[str, Any] = {"type": "object", "properties": {}}
        node["properties"]["child"] = child
        node = child
    value = make(api, schema)
    depth = 0
    while "child" in value:
        value, depth = value["child"], depth + 1
    assert depth == 6  # optional properties stop at half the depth limit


def test_the_same_seed_gives_the_same_value(api: Any) -> None:
    schema = {"$ref": REF + "Aged"}
    assert make(api, schema, 3) == make(api, schema, 3)
    assert make(api, schema, 3) != make(api, schema, 4)


def test_example_or_value_takes_the_first_valid_example(tmp_path: Path) -> None:
    path = tmp_path / "examples.yaml"
    path.write_text(
        COMPONENTS.replace("paths: {}", "paths: {}\nx-schema: {type: integer, minimum: 3}"),
        encoding="utf-8",
    )
    api = load_api(path)
    synthesizer = Synthesizer(api)
    schema = {"type": "integer", "minimum": 3}
    rng = random.Random(0)
    assert synthesizer.example_or_value((1, 4, 5), "/x-schema", schema, rng) == 4
    made = synthesizer.example_or_value((1,), "/x-schema", schema, rng)
    assert isinstance(made, int) and made >= 3
    # Without a pointer there is nothing to check examples against: a value is made.
    assert synthesizer.example_or_value((1,), "", {"const": 9}, rng) == 9


def test_all_of_keeps_the_schemas_own_properties_and_joins_every_required_list(
    api: Any,
) -> None:
    seven = {"type": "integer", "minimum": 7, "maximum": 7}
    schema = {
        "type": "object",
        "properties": {"own": {"type": "integer", "minimum": 5, "maximum": 5}},
        "required": ["own", "x"],
        "additionalProperties": seven,
        "allOf": [{"required": ["y"]}, {"required": ["z", "y"]}],
    }
    # x, y and z have no schema but additionalProperties: they are there only as required.
    assert make(api, schema) == {"own": 5, "x": 7, "y": 7, "z": 7}


def test_one_of_keeps_the_constraints_beside_it(api: Any) -> None:
    schema = {
        "type": "object",
        "required": ["b"],
        "properties": {"b": {"const": 1}},
        "oneOf": [{"type": "object", "required": ["a"], "properties": {"a": {"const": 2}}}],
    }
    assert make(api, schema) == {"a": 2, "b": 1}


def test_a_discriminator_mapping_with_an_inline_branch(api: Any) -> None:
    schema = {
        "oneOf": [
            {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}},
        ],
        "discriminator": {"propertyName": "kind", "mapping": {"cat": REF + "Cat"}},
    }
    assert isinstance(make(api, schema)["kind"], str)


def test_arrays_without_items_and_named_prefix_items(api: Any) -> None:
    assert isinstance(make(api, {"type": "array"}), list)
    value = make(
        api,
        {
            "type": "object",
            "required": ["pair"],
            "properties": {
                "pair": {
                    "type": "array",
                    "prefixItems": [
                        {"type": "string"},
                        {"type": "integer", "minimum": 3, "maximum": 3},
                    ],
                    "minItems": 2,
                }
            },
        },
    )
    assert value["pair"][0].startswith("pair-") and value["pair"][1] == 3


def test_an_empty_array_that_must_stay_empty_keeps_the_rich_value(api: Any) -> None:
    schema = {
        "type": "object",
        "required": ["none"],
        "properties": {
            "none": {"type": "array", "items": {"type": "integer"}, "maxItems": 0},
            "note": {"type": "string"},
        },
    }
    value = make(api, schema)
    assert value["none"] == [] and value["note"].startswith("note-")


def test_when_the_rich_value_fails_the_minimal_one_has_required_fields_and_empty_arrays(
    api: Any,
) -> None:
    schema = {
        "type": "object",
        "required": ["list"],
        "maxProperties": 1,  # the optional "extra" makes the rich value invalid
        "properties": {
            "list": {"type": "array", "items": {"type": "integer"}},
            "extra": {"type": "string"},
        },
    }
    assert make(api, schema) == {"list": []}


def test_a_short_string_is_padded_to_its_min_length_exactly(api: Any) -> None:
    assert len(make(api, {"type": "string", "minLength": 40})) == 40
    # A longer maxLength allows more, but the padding still stops at minLength.
    assert re.fullmatch(r"text-[0-9a-f]{8}x{27}", make(api, {"minLength": 40, "maxLength": 64}))


def test_integers_between_fractional_bounds(api: Any) -> None:
    assert set(many(api, {"type": "integer", "minimum": 2.5, "maximum": 4.5})) == {3, 4}


def test_an_example_that_fails_its_format_is_not_used_and_the_rest_stays_rich(api: Any) -> None:
    schema = {
        "type": "object",
        "required": ["when"],
        "properties": {
            "when": {"type": "string", "format": "date-time", "example": "2024-01-15 14:30"},
            "note": {"const": "kept"},
        },
    }
    value = make(api, schema)
    assert value["when"] != "2024-01-15 14:30" and value["when"].startswith("2026-04-28T")
    assert value["note"] == "kept"  # the optional property is there: the rich value was used


def test_an_optional_property_of_an_unknown_format_is_left_out(api: Any) -> None:
    # ipv4 is a format the synthesizer does not make: the optional field would fail it.
    schema = {
        "type": "object",
        "required": ["a"],
        "properties": {"a": {"const": 1}, "address": {"type": "string", "format": "ipv4"}},
    }
    assert make(api, schema) == {"a": 1}


def test_an_unsatisfiable_schema_still_gets_a_value_of_its_type(api: Any) -> None:
    # No value of this synthesizer is an IPv4 address: the last attempt is answered.
    value = Synthesizer(api).value({"type": "string", "format": "ipv4"}, random.Random(0))
    assert re.fullmatch(r"text-[0-9a-f]{8}", value)


def test_branches_of_a_one_of_count_as_a_level_of_depth(api: Any) -> None:
    node: dict[str, Any] = {"type": "object", "properties": {}}
    schema = node
    for _ in range(20):
        child: dict[str, Any] = {"type": "object", "properties": {}}
        node["properties"]["child"] = {"oneOf": [child]}
        node = child
    value = make(api, schema)
    depth = 0
    while "child" in value:
        value, depth = value["child"], depth + 1
    # Each level is two deep (the property, then the oneOf branch): optional properties
    # stop at half the depth limit of 12, after three levels.
    assert depth == 3


def test_nested_arrays_stop_growing_at_the_depth_limit(api: Any) -> None:
    schema: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": 1}
    for _ in range(20):
        schema = {"type": "array", "items": schema}
    value = make(api, schema)
    depth = 0
    while value and isinstance(value, list):
        value, depth = value[0], depth + 1
    assert value == [] and depth == 12  # arrays hold an item down to depth 12, then none


def test_discriminated_items_given_by_ref_or_as_any_of_are_checked_the_same(api: Any) -> None:
    assert make(api, {"type": "array", "items": {"$ref": REF + "Shape"}}) == []
    square_or_circle = [{"$ref": REF + "Square"}, {"$ref": REF + "Circle"}]
    any_of = {"anyOf": square_or_circle, "discriminator": {"propertyName": "type"}}
    assert make(api, {"type": "array", "items": any_of}) == []


def test_a_discriminator_property_given_by_ref_is_read_through_it(api: Any) -> None:
    # Triangle's "type" is a $ref to an enum of "triangle" only: never "Triangle".
    items = {"oneOf": [{"$ref": REF + "Triangle"}], "discriminator": {"propertyName": "type"}}
    assert make(api, {"type": "array", "items": items}) == []


def test_a_branch_whose_enum_holds_its_own_name_gets_an_item(api: Any) -> None:
    items = {
        "oneOf": [{"$ref": REF + "Square"}, {"$ref": REF + "Listed"}],
        "discriminator": {"propertyName": "type"},
    }
    assert len(make(api, {"type": "array", "items": items})) == 1


def test_a_branch_whose_const_is_another_name_cannot_hold_its_own(api: Any) -> None:
    pinned = {"oneOf": [{"$ref": REF + "Pinned"}], "discriminator": {"propertyName": "type"}}
    assert make(api, {"type": "array", "items": pinned}) == []
    then_free = {
        "oneOf": [{"$ref": REF + "Pinned"}, {"$ref": REF + "Free"}],
        "discriminator": {"propertyName": "type"},
    }
    assert len(make(api, {"type": "array", "items": then_free})) == 1


def test_an_inline_branch_without_properties_can_hold_any_discriminator_value(api: Any) -> None:
    items = {
        "oneOf": [{"$ref": REF + "Square"}, {"type": "object"}],
        "discriminator": {"propertyName": "type"},
    }
    assert len(make(api, {"type": "array", "items": items})) == 1


def test_fields_keep_their_names_through_all_of_one_of_and_array_items(api: Any) -> None:
    schema = {
        "type": "object",
        "required": ["title", "label", "tags", "_MAX_"],
        "properties": {
            "title": {"allOf": [{"type": "string"}]},
            "label": {"oneOf": [{"type": "string"}]},
            "tags": {"type": "array", "items": {"type": "string"}},
            "_MAX_": {"type": "string"},
        },
    }
    value = make(api, schema)
    assert re.fullmatch(r"title-[0-9a-f]{8}", value["title"]), value
    assert re.fullmatch(r"label-[0-9a-f]{8}", value["label"]), value
    assert re.fullmatch(r"tags-[0-9a-f]{8}", value["tags"][0]), value
    assert re.fullmatch(r"MAX-[0-9a-f]{8}", value["_MAX_"]), value  # only "_" is trimmed


def test_the_minimal_value_takes_the_first_enum_value_and_no_examples(api: Any) -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "required": ["kind", "name"],
        "maxProperties": 2,  # the optional "extra" makes the rich value invalid
        "properties": {
            "kind": {"enum": ["first", "second", "third"]},
            "name": {"type": "string", "example": "from-the-spec"},
            "extra": {"type": "string"},
        },
    }
    for value in many(api, schema, count=10):
        assert value["kind"] == "first" and set(value) == {"kind", "name"}
        assert re.fullmatch(r"name-[0-9a-f]{8}", value["name"]), value
    single = {**schema, "properties": {**schema["properties"], "kind": {"enum": ["only"]}}}
    assert make(api, single)["kind"] == "only"


def test_an_example_is_not_used_when_only_null_would_validate(api: Any) -> None:
    schema = {
        "type": "object",
        "required": ["n"],
        "properties": {
            "n": {"type": ["integer", "null"], "minimum": 5, "maximum": 5, "example": 1},
            "note": {"const": "kept"},
        },
    }
    assert make(api, schema) == {"n": 5, "note": "kept"}


def test_an_object_without_properties_is_empty(api: Any) -> None:
    assert make(api, {"type": "object"}) == {}
    assert make(api, {"type": "object", "additionalProperties": {"type": "integer"}}) == {}


def _chain(levels: int) -> dict[str, Any]:
    """An object whose optional "child" is the same again, ``levels`` deep."""
    node: dict[str, Any] = {"type": "object", "properties": {}}
    top = node
    for _ in range(levels):
        child: dict[str, Any] = {"type": "object", "properties": {}}
        node["properties"]["child"] = child
        node = child
    return top


def _levels(value: Any) -> int:
    depth = 0
    while "child" in value:
        value, depth = value["child"], depth + 1
    return depth


def test_filled_properties_and_prefix_items_are_one_level_deeper(api: Any) -> None:
    # The chain starts one level down (depth 1): optional children stop at depth 6.
    filled = make(api, {"type": "object", "minProperties": 1, "additionalProperties": _chain(20)})
    assert _levels(filled["key0"]) == 5
    prefixed = make(api, {"type": "array", "prefixItems": [_chain(20)], "minItems": 1})
    assert _levels(prefixed[0]) == 5


def test_unbounded_integers_span_0_to_100(api: Any) -> None:
    values = many(api, {"type": "integer"}, count=600)
    assert min(values) == 0 and max(values) == 100


def test_bounds_at_zero_or_below_are_kept(api: Any) -> None:
    assert set(many(api, {"type": "integer", "maximum": 0}, count=5)) == {0}
    assert all(v == 0 for v in many(api, {"type": "number", "maximum": 0}, count=5))
    assert set(many(api, {"type": "integer", "minimum": -3, "maximum": -1.5})) == {-3, -2}


def test_numbers_have_at_most_six_decimal_places(api: Any) -> None:
    for value in many(api, {"type": "number", "minimum": 0, "maximum": 1}):
        assert round(value, 6) == value, value
    assert any(round(v, 5) != v for v in many(api, {"type": "number"}))


@pytest.mark.parametrize(
    ("low", "high", "made"), [(5, 4, 5), (2.2, 2.8, 3), (2.5, 2.5, 3), (5, 5.5, 5)]
)
def test_integers_between_bounds_without_an_integer_still_get_one(
    api: Any, low: float, high: float, made: int
) -> None:
    # No integer fits: the answer is wrong either way, but it is an answer, not a crash.
    schema = {"type": "integer", "minimum": low, "maximum": high}
    assert Synthesizer(api).value(schema, random.Random(0)) == made


def test_an_example_that_fails_the_format_at_its_pointer_is_not_answered(tmp_path: Path) -> None:
    path = tmp_path / "formats.yaml"
    path.write_text(
        COMPONENTS.replace("paths: {}", "paths: {}\nx-when: {type: string, format: date-time}"),
        encoding="utf-8",
    )
    api = load_api(path)
    schema = {"type": "string", "format": "date-time"}
    made = Synthesizer(api).example_or_value(
        ("2024-01-15 14:30", "2024-01-15T14:30:00Z"), "/x-when", schema, random.Random(0)
    )
    assert made == "2024-01-15T14:30:00Z"


def test_integers_between_fractional_exclusive_bounds(api: Any) -> None:
    schema = {"type": "integer", "exclusiveMinimum": 2.5, "exclusiveMaximum": 4.5}
    assert set(many(api, schema)) == {3, 4}


def test_openapi_3_0_exclusive_bounds_in_a_spec_are_kept(tmp_path: Path) -> None:
    # OpenAPI 3.0 writes an exclusive bound as a flag beside minimum/maximum; read as the
    # number 1, "above 5" let 5 through and "below 8" meant "below 1".
    path = tmp_path / "spec.yaml"
    path.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n"
        "  schemas:\n"
        "    Above: {type: integer, minimum: 5, exclusiveMinimum: true, maximum: 6}\n"
        "    Below: {type: integer, minimum: 7, maximum: 8, exclusiveMaximum: true}\n",
        encoding="utf-8",
    )
    api = load_api(path)
    above = {"$ref": SPEC_URI + "#/components/schemas/Above"}
    below = {"$ref": SPEC_URI + "#/components/schemas/Below"}
    assert set(many(api, above)) == {6}
    assert set(many(api, below)) == {7}
    assert not api.schema_validator(above).is_valid(5)
    assert not api.schema_validator(below).is_valid(8)


def test_date_times_are_utc_whatever_the_machines_time_zone(
    api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14: another day most of the time
    time.tzset()
    try:
        values = many(api, {"type": "string", "format": "date-time"})
    finally:
        monkeypatch.undo()
        time.tzset()
    assert all(v.startswith("2026-04-28T") and v.endswith("Z") for v in values), values


def test_numbers_between_close_exclusive_bounds(api: Any) -> None:
    schema = {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 0.000002}
    assert set(many(api, schema, count=10)) == {0.000001}


def test_integers_past_a_large_exclusive_bound(api: Any) -> None:
    # 10**12 + a millionth is 10**12 in floating point: the next integer is counted exactly.
    schema = {"type": "integer", "exclusiveMinimum": 10**12, "maximum": 10**12 + 1}
    assert set(many(api, schema, count=10)) == {10**12 + 1}
    schema = {"type": "integer", "minimum": 10**12 - 1, "exclusiveMaximum": 10**12}
    assert set(many(api, schema, count=10)) == {10**12 - 1}
