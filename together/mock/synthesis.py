"""Values that conform to a schema, built deterministically from it (answer synthesis).

For an operation without real semantics, the server's answer is the spec's own example where
it gives one and it validates, else a value built from the schema: required properties
always (optional ones too when the result still validates), ``const`` and ``enum`` values,
``format`` (date-time, date, uri, uuid, byte...), bounds (numbers to six decimal places),
and one branch of a ``oneOf`` / ``anyOf`` (the discriminator's value set to match it).
Every value is checked against its schema before it is used; the random choices come from
a generator seeded by the request, so the same request and ``--seed`` always get the same
answer.
"""

from __future__ import annotations

import base64
import copy
import math
import random
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from together.mock.spec import ApiDescription

__all__ = ["Synthesizer"]

_MAX_DEPTH = 12
#: 2026-04-28T00:00:00Z: synthesized timestamps fall within a day after it.
_EPOCH = 1_777_334_400
#: What a property without a schema holds: text.
_TEXT: Mapping[str, Any] = {"type": "string"}


class Synthesizer:
    """Builds schema-valid values for one spec."""

    def __init__(self, api: ApiDescription) -> None:
        self.api = api

    def value(self, schema: Mapping[str, Any], rng: random.Random) -> Any:
        """A value valid against ``schema``: rich first (the schemas' examples, optional
        properties, an item in each array, enum values at random), else minimal (required
        properties only, no examples, the first enum value, arrays as short as allowed); the
        last one made if neither validates. A fresh value on every call (nothing in it is
        shared with the spec or an earlier answer)."""
        validator = self.api.schema_validator(schema, formats=True)
        for rich in (True, False):
            candidate = _Builder(self.api, rng, rich).build(schema, 0, "")
            if validator.is_valid(candidate):
                break
        # The spec's own objects (examples, consts, enum values) may sit inside it: a copy,
        # so a handler that fills in its answer never changes them for later answers.
        return copy.deepcopy(candidate)

    def example_or_value(
        self, examples: tuple[Any, ...], pointer: str, schema: Mapping[str, Any], rng: random.Random
    ) -> Any:
        """The first of the spec's ``examples`` valid at ``pointer``, else :meth:`value`;
        either way a value of the caller's own, which it may change."""
        if pointer:
            validator = self.api.validator(pointer, formats=True)
            for example in examples:
                if validator.is_valid(example):
                    return copy.deepcopy(example)
        return self.value(schema, rng)


class _Builder:
    def __init__(self, api: ApiDescription, rng: random.Random, rich: bool) -> None:
        self.api = api
        self.rng = rng
        self.rich = rich

    def build(self, schema: Mapping[str, Any], depth: int, name: str) -> Any:
        schema = self.api.resolve(schema)
        if "const" in schema:
            return schema["const"]
        example = schema.get("example")
        if self.rich and _plain(example) and self._valid(schema, example):
            return example
        enum = [v for v in schema.get("enum", []) if v is not None]
        if enum:
            return enum[0] if not self.rich else self.rng.choice(enum)
        if "allOf" in schema:
            return self.build(self._merged(schema), depth, name)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                return self._one_of(schema, key, depth, name)
        kind = schema.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"]
            kind = kinds[0] if kinds else "null"
        if kind is None:
            kind = "object" if "properties" in schema else "string"
        return getattr(self, "_" + kind)(schema, depth, name)

    def _valid(self, schema: Mapping[str, Any], value: Any) -> bool:
        return self.api.schema_validator(schema, formats=True).is_valid(value)

    def _merged(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """allOf's branches as one schema: properties and required lists joined."""
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        properties: dict[str, Any] = dict(merged.get("properties", {}))
        required: list[str] = list(merged.get("required", []))
        for raw in schema["allOf"]:
            branch = self.api.resolve(raw)
            if "allOf" in branch:
                branch = self._merged(branch)
            for key, value in branch.items():
                if key == "properties":
                    for prop, sub in value.items():
                        properties[prop] = (
                            {"allOf": [properties[prop], sub]} if prop in properties else sub
                        )
                elif key == "required":
                    required += [r for r in value if r not in required]
                else:
                    merged.setdefault(key, value)
        if properties:
            merged["properties"] = properties
        if required:
            merged["required"] = required
        return merged

    def _one_of(self, schema: Mapping[str, Any], key: str, depth: int, name: str) -> Any:
        whole = self.api.schema_validator(schema)
        rest = {k: v for k, v in schema.items() if k not in (key, "discriminator")}
        mapping = {
            target: value
            for value, target in (schema.get("discriminator", {}).get("mapping") or {}).items()
        }
        prop = schema.get("discriminator", {}).get("propertyName")
        candidate: Any = None
        for branch in schema[key]:
            combined = {**rest, "allOf": [branch]} if rest else branch
            candidate = self.build(combined, depth + 1, name)
            ref = branch.get("$ref", "") if isinstance(branch, Mapping) else ""
            if prop and isinstance(candidate, dict):
                for target, value in mapping.items():
                    if ref.endswith(target.lstrip(".")) or ref == target:
                        candidate[prop] = value
            if whole.is_valid(candidate):
                return candidate
        return candidate

    def _object(self, schema: Mapping[str, Any], depth: int, name: str) -> Any:
        properties: Mapping[str, Any] = schema.get("properties", {})
        required: list[str] = list(schema.get("required", []))
        names = list(properties) if self.rich and depth < _MAX_DEPTH // 2 else []
        names = list(dict.fromkeys([*required, *names]))
        out: dict[str, Any] = {}
        for prop in names:
            sub = properties.get(prop)
            out[prop] = self.build(_unnamed(schema) if sub is None else sub, depth + 1, prop)
        minimum = int(schema.get("minProperties", 0))
        while len(out) < minimum:
            out[f"key{len(out)}"] = self.build(_unnamed(schema), depth + 1, "value")
        return out

    def _array(self, schema: Mapping[str, Any], depth: int, name: str) -> Any:
        low = int(schema.get("minItems", 0))
        count = max(low, 1 if self.rich and depth < _MAX_DEPTH else 0)
        if not low and self._unsatisfiable_discriminator(schema.get("items", {})):
            count = 0
        count = min(count, int(schema.get("maxItems", count)))
        items = schema.get("items", {})
        prefix = schema.get("prefixItems", [])
        out = [self.build(sub, depth + 1, name) for sub in prefix[:count]]
        out += [self.build(items, depth + 1, name) for _ in range(count - len(out))]
        return out

    def _unsatisfiable_discriminator(self, items: Mapping[str, Any]) -> bool:
        """Items whose oneOf discriminator has no mapping, so its values must be schema names,
        while no branch allows its own name there (Together's image answers): no item can
        satisfy both, so the array is left empty."""
        items = self.api.resolve(items)
        discriminator = items.get("discriminator") or {}
        branches = items.get("oneOf") or items.get("anyOf") or []
        if not discriminator or discriminator.get("mapping") or not branches:
            return False
        prop = discriminator.get("propertyName", "")
        for branch in branches:
            name = str(branch.get("$ref", "")).rsplit("/", 1)[-1]
            allowed = self.api.resolve(self.api.resolve(branch).get("properties", {}).get(prop, {}))
            if "enum" in allowed and name not in allowed["enum"]:
                continue
            if "const" in allowed and allowed["const"] != name:
                continue
            return False
        return True

    def _string(self, schema: Mapping[str, Any], depth: int, name: str) -> Any:
        fmt = schema.get("format")
        rng = self.rng
        if fmt == "date-time":
            moment = datetime.fromtimestamp(_EPOCH + rng.randrange(86_400), UTC)
            return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        if fmt == "date":
            return "2026-04-28"
        if fmt in ("uri", "url"):
            return f"http://127.0.0.1/mock/{rng.getrandbits(32):08x}"
        if fmt == "uuid":
            return str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if fmt == "byte":
            return base64.b64encode(rng.randbytes(6)).decode()
        if fmt == "email":
            return "someone@example.com"
        stem = (name or "text").strip("_") or "text"
        text = f"{stem}-{rng.getrandbits(32):08x}"
        low = int(schema.get("minLength", 0))
        high = int(schema.get("maxLength", max(low, len(text))))
        if len(text) < low:
            text += "x" * (low - len(text))
        return text[:high]

    def _integer(self, schema: Mapping[str, Any], depth: int, name: str) -> Any:
        return int(self._bounded(schema, integer=True, name=name))

    def _number(self, schema: Mapping[str, Any], depth: int, name: str) -> Any:
        return self._bounded(schema, integer=False, name=name)

    def _bounded(self, schema: Mapping[str, Any], *, integer: bool, name: str) -> float:
        low = schema.get("minimum")
        high = schema.get("maximum")
        # Exclusive bounds: the next integer past them, or a millionth inside them.
        above = schema.get("exclusiveMinimum")
        if isinstance(above, int | float):
            low = math.floor(above) + 1 if integer else above + 1e-6
        below = schema.get("exclusiveMaximum")
        if isinstance(below, int | float):
            high = math.ceil(below) - 1 if integer else below - 1e-6
        if low is None and high is None and integer and _is_time(name):
            return float(_EPOCH + self.rng.randrange(86_400))
        low = 0 if low is None else low
        high = low + 100 if high is None else high
        if integer:
            first, last = math.ceil(low), math.floor(high)
            # No integer between the bounds: the lowest above them (the schema is unsatisfiable).
            value: float = self.rng.randint(first, last) if last >= first else first
        else:
            value = round(low + (high - low) * self.rng.random(), 6)
        step = schema.get("multipleOf")
        if step:
            value = -(-value // step) * step
            if integer:
                value = int(value)
        return value

    def _boolean(self, schema: Mapping[str, Any], depth: int, name: str) -> Any:
        return self.rng.random() < 0.5

    def _null(self, schema: Mapping[str, Any], depth: int, name: str) -> Any:
        return None


def _unnamed(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """The schema of an object's property that ``properties`` does not name."""
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, Mapping) else _TEXT


def _is_time(name: str) -> bool:
    return name in ("created", "updated") or name.endswith("_at")


def _plain(value: Any) -> bool:
    """A schema-level example worth reusing (not a datetime or other YAML object)."""
    return isinstance(value, str | int | float | bool | list | dict)
