"""Lowering schemas: JSON Schema nodes of the spec to IR types and named schemas.

Every schema node is checked as it is read: a keyword that would change what a value may
be and that the IR cannot express stops generation with a ``SpecError`` naming its JSON
pointer. Inline objects and unions that need a class are named after where they stand, as
openapi-generator names them (``<Parent><Property>``, ``<Parent><Property>Inner`` for array
items).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from codegen import ir
from codegen.errors import Refusals, join_pointer
from codegen.naming import pascal_case
from codegen.read.loader import SpecDocument

_STRUCTURAL = {
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "oneOf",
    "anyOf",
    "allOf",
    "discriminator",
    "nullable",
    "format",
    "$ref",
}
_CONSTRAINT_KEYWORDS = {
    "minLength": "min_length",
    "maxLength": "max_length",
    "pattern": "pattern",
    "minimum": "minimum",
    "maximum": "maximum",
    "exclusiveMinimum": "exclusive_minimum",
    "exclusiveMaximum": "exclusive_maximum",
    "multipleOf": "multiple_of",
    "minItems": "min_items",
    "maxItems": "max_items",
}
# Keywords that describe a value but do not change its shape. uniqueItems and
# min/maxProperties are checked by the server; the client does not enforce them.
_ANNOTATIONS = {
    "title",
    "description",
    "default",
    "example",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "externalDocs",
    "xml",
    "$comment",
    "$schema",
    "$id",
    "contentMediaType",
    "contentEncoding",
    "uniqueItems",
    "minProperties",
    "maxProperties",
}
# JSON Schema keywords that change what a value may be, and that the generator does not
# model. They stop generation; unknown keywords of other vocabularies are annotations (JSON
# Schema ignores them) and are reported as warnings.
_UNSUPPORTED_KEYWORDS = {
    "not",
    "if",
    "then",
    "else",
    "patternProperties",
    "prefixItems",
    "contains",
    "minContains",
    "maxContains",
    "dependentSchemas",
    "dependentRequired",
    "dependencies",
    "unevaluatedProperties",
    "unevaluatedItems",
    "propertyNames",
    "$defs",
    "definitions",
    "$dynamicRef",
    "$recursiveRef",
}
_PRIMITIVES: dict[str, ir.PrimitiveKind] = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
}


class SchemaLowering:
    """Turns schema nodes into IR types, registering the named schemas it meets."""

    def __init__(self, doc: SpecDocument, refusals: Refusals | None = None) -> None:
        self.doc = doc
        self.refusals = refusals or Refusals()
        self.schemas: dict[str, ir.Schema] = {}
        # Component schema pointer -> its name; filled before anything is lowered so that
        # references (including recursive ones) resolve to names.
        self.component_names: dict[str, str] = {}
        self.warnings: list[str] = []
        # Components that are nullable as a whole: every reference to them may be null.
        self.nullable_components: set[str] = set()
        # Pointers of the schemas reached by a "$ref" that is not to a component, while they
        # are lowered: one met again is a cycle that no class name can break.
        self._following: list[str] = []
        # The type lowered at each pointer. A "$ref" to a schema that is not a component
        # reaches it a second time (and its home lowering may come first or second): it must
        # get the class made the first time, not a new class per reference.
        self._lowered: dict[str, ir.TypeRef] = {}

    def lower_components(self, schemas: Mapping[str, Any]) -> None:
        """Every ``components.schemas`` entry, by its own name."""
        for name, node in schemas.items():
            self.component_names[join_pointer("/components/schemas", name)] = name
            if isinstance(node, Mapping) and _is_nullable(node):
                self.nullable_components.add(name)
        for name, node in schemas.items():
            ptr = join_pointer("/components/schemas", name)
            with self.refusals.guard() as guard:
                self._lower_component(name, node, ptr)
            if guard.refused and name not in self.schemas:
                # Kept going past a refusal: references to it still resolve; the refusal
                # stops generation before anything is written.
                self.schemas[name] = ir.AliasSchema(name=name, pointer=ptr, type=ir.AnyValue())
        for name in schemas:
            with self.refusals.guard():
                self._refuse_alias_cycle(name)

    def _refuse_alias_cycle(self, name: str) -> None:
        """Components that are only references to each other (A is B, B is A) describe no
        value: JSON Schema's evaluation of them would never end."""
        chain = [name]
        while (target := _alias_target(self.schemas.get(chain[-1]))) is not None:
            if target == name:
                raise self.doc.error(
                    self.schemas[name].pointer,
                    "$ref",
                    "circular reference: " + " -> ".join([*chain, name]),
                )
            if target in chain:
                return  # a cycle further on, refused at its own components
            chain.append(target)

    def _lower_component(self, name: str, node: object, ptr: str) -> None:
        if isinstance(node, Mapping) and "enum" in node and "$ref" not in node:
            self._check_keywords(node, ptr)
            values = tuple(self.doc.sequence(node["enum"], join_pointer(ptr, "enum")))
            # Parts beside the enum that restate it leave it an enum class, as without them;
            # any other parts are refused (their restriction would be dropped).
            self._check_enum_siblings(node, ptr, values, "enum")
            # null among the values: the enum of the others, and every reference to it is
            # nullable (see _is_nullable).
            values = tuple(v for v in values if v is not None)
            if not values:
                raise self.doc.error(
                    join_pointer(ptr, "enum"), "enum", "an enum needs at least one non-null value"
                )
            self._add(
                ir.EnumSchema(
                    name=name, pointer=ptr, values=values, description=node.get("description")
                )
            )
            return
        type_ = self.type_of(node, ptr, name)
        if type_ in (ir.Ref(name), ir.Nullable(ir.Ref(name))):
            # An object or union registered under this name (references to a nullable one
            # carry the Nullable), or else a schema that is only a reference to itself.
            if name not in self.schemas:
                raise self.doc.error(ptr, "$ref", f"circular reference: {name} -> {name}")
            return
        description = node.get("description") if isinstance(node, Mapping) else None
        self._add(ir.AliasSchema(name=name, pointer=ptr, type=type_, description=description))

    def _add(self, schema: ir.Schema) -> None:
        if schema.name in self.schemas:
            raise self.doc.error(
                schema.pointer, "schemas", f"two schemas are named {schema.name!r}"
            )
        self.schemas[schema.name] = schema

    def type_of(self, node: object, ptr: str, hint: str) -> ir.TypeRef:
        """The IR type of the schema ``node``; ``hint`` names a class it may need (the first
        time the schema at ``ptr`` is lowered: a class is named where it is first met)."""
        if node is True:
            return ir.AnyValue()
        known = self._lowered.get(ptr)
        if known is not None:
            return known
        node = self.doc.mapping(node, ptr)
        if "$ref" in node:
            type_ = self._ref_type(node, ptr, hint)
        else:
            self._check_keywords(node, ptr)
            type_ = self._type_without_nullable(node, ptr, hint)
            if node.get("nullable") is True and not isinstance(type_, ir.Nullable):
                type_ = ir.Nullable(type_)
        self._lowered[ptr] = type_
        return type_

    def _ref_type(self, node: Mapping[str, Any], ptr: str, hint: str) -> ir.TypeRef:
        # A sibling "type" (or "format") restates what the target says; anything else beside
        # $ref would change the shape and is refused.
        structural = (set(node) & _STRUCTURAL) - {"$ref", "nullable", "type", "format"}
        if structural:
            raise self.doc.error(
                ptr,
                sorted(structural)[0],
                "keywords beside '$ref' that change the shape are not supported",
            )
        target_ptr, target = self.doc.resolve(node["$ref"], join_pointer(ptr, "$ref"))
        name = self.component_names.get(target_ptr)
        type_: ir.TypeRef
        if name is not None:
            type_ = ir.Ref(name)
        elif target_ptr in self._following:
            raise self.doc.error(
                join_pointer(ptr, "$ref"),
                "$ref",
                f"circular reference through {target_ptr}, which is not a component schema "
                "(only a component has a class name that can refer to itself)",
            )
        else:
            self._following.append(target_ptr)
            try:
                type_ = self.type_of(target, target_ptr, hint)
            finally:
                self._following.pop()
        if node.get("nullable") is True or name in self.nullable_components:
            return ir.Nullable(type_)
        return type_

    def _check_keywords(self, node: Mapping[str, Any], ptr: str) -> None:
        for key in node:
            if key in _UNSUPPORTED_KEYWORDS:
                raise self.doc.error(
                    join_pointer(ptr, key), key, "this schema keyword is not supported"
                )
            known = key in _STRUCTURAL or key in _CONSTRAINT_KEYWORDS or key in _ANNOTATIONS
            if not known and not key.startswith("x-"):
                where = f"{self.doc.source_name}#{join_pointer(ptr, key)}"
                self.warnings.append(f"{where}: unknown keyword {key!r} ignored")

    def _type_without_nullable(self, node: Mapping[str, Any], ptr: str, hint: str) -> ir.TypeRef:
        if "const" in node:
            self._check_enum_siblings(node, ptr, (node["const"],), "const")
            return ir.LiteralValues((node["const"],))
        if "enum" in node:
            values = tuple(self.doc.sequence(node["enum"], join_pointer(ptr, "enum")))
            if not values:
                raise self.doc.error(
                    join_pointer(ptr, "enum"), "enum", "an enum needs at least one value"
                )
            self._check_enum_siblings(node, ptr, values, "enum")
            if None in values:
                rest = tuple(v for v in values if v is not None)
                return ir.Nullable(ir.LiteralValues(rest)) if rest else ir.Null()
            return ir.LiteralValues(values)
        if "allOf" in node:
            return self._all_of(node, ptr, hint)
        for kind in ("oneOf", "anyOf"):
            if kind in node:
                return self._union(node, ptr, hint, kind)

        declared = node.get("type")
        if isinstance(declared, list):
            duplicated = [t for i, t in enumerate(declared) if t in declared[:i]]
            if duplicated:
                # JSON Schema: the elements of a "type" array MUST be unique.
                raise self.doc.error(
                    join_pointer(ptr, "type"), "type", f"{duplicated[0]!r} is listed twice"
                )
            names = [t for t in declared if t != "null"]
            inner = [self._single_type(node, ptr, hint, t) for t in names]
            type_: ir.TypeRef
            if not inner:
                type_ = ir.Null()
            elif len(inner) == 1:
                type_ = inner[0]
            else:
                type_ = ir.UnionOf(tuple(inner), "anyOf")
            return ir.Nullable(type_) if "null" in declared and inner else type_
        if declared is None:
            if "properties" in node or "additionalProperties" in node:
                declared = "object"
            elif "items" in node:
                declared = "array"
            else:
                return ir.AnyValue()
        return self._single_type(node, ptr, hint, declared)

    def _check_enum_siblings(
        self, node: Mapping[str, Any], ptr: str, values: tuple[Any, ...], keyword: str
    ) -> None:
        """``enum`` (or ``const``) beside ``allOf``/``oneOf``/``anyOf``: a value must also
        match them, yet the values alone are lowered. That holds only where they restate the
        values: every ``allOf`` part, or the one ``oneOf``/``anyOf`` schema, an enum with each
        of them. Anything else would be dropped, so it is refused."""
        for kind in ("allOf", "oneOf", "anyOf"):
            if kind not in node:
                continue
            parts_ptr = join_pointer(ptr, kind)
            parts = self.doc.sequence(node[kind], parts_ptr)
            admitted = [
                self.doc.deref(part, join_pointer(parts_ptr, i))[1].get("enum")
                for i, part in enumerate(parts)
            ]
            restated = all(isinstance(a, list) and all(v in a for v in values) for a in admitted)
            if not restated or (kind != "allOf" and len(parts) != 1):
                raise self.doc.error(
                    parts_ptr,
                    kind,
                    f"'{keyword}' beside '{kind}' is supported only where '{kind}' restates "
                    "it: a single enum (or, for 'allOf', enums) with each value",
                )

    def _single_type(
        self, node: Mapping[str, Any], ptr: str, hint: str, declared: object
    ) -> ir.TypeRef:
        if declared == "null":
            return ir.Null()
        if declared == "object":
            return self._object(node, ptr, hint)
        if declared == "array":
            items = node.get("items", {})
            return ir.ArrayOf(
                self.type_of(items, join_pointer(ptr, "items"), hint + "Inner"),
                self._constraints(node, ptr),
            )
        if isinstance(declared, str) and declared in _PRIMITIVES:
            fmt = node.get("format")
            return ir.Primitive(
                _PRIMITIVES[declared],
                fmt if isinstance(fmt, str) else None,
                self._constraints(node, ptr),
            )
        raise self.doc.error(join_pointer(ptr, "type"), "type", f"unknown type {declared!r}")

    def _constraints(self, node: Mapping[str, Any], ptr: str) -> ir.Constraints:
        values: dict[str, Any] = {}
        for keyword, attr in _CONSTRAINT_KEYWORDS.items():
            if keyword in node:
                values[attr] = self._constraint_value(node[keyword], keyword, ptr)
        # OpenAPI 3.0 writes exclusiveMinimum/Maximum as booleans beside minimum/maximum.
        for bound, exclusive in (
            ("minimum", "exclusive_minimum"),
            ("maximum", "exclusive_maximum"),
        ):
            if isinstance(values.get(exclusive), bool):
                flag = values.pop(exclusive)
                if flag and bound in values:
                    values[exclusive] = values.pop(bound)
        return ir.Constraints(**values)

    def _required(self, node: Mapping[str, Any], ptr: str) -> list[str]:
        """``required``: a list of property names, each checked (a name is a string)."""
        required_ptr = join_pointer(ptr, "required")
        names = self.doc.sequence(node.get("required", []), required_ptr)
        for i, name in enumerate(names):
            if not isinstance(name, str):
                raise self.doc.error(
                    join_pointer(required_ptr, i),
                    "required",
                    f"expected a property name (a string), found {name!r}",
                )
        return names

    def _constraint_value(self, value: object, keyword: str, ptr: str) -> object:
        """A constraint keyword's value, checked: a number, a string for ``pattern``, and
        for ``exclusiveMinimum``/``exclusiveMaximum`` also OpenAPI 3.0's boolean. A wrong
        one is refused with the keyword as the spec spells it and its own pointer."""
        ptr = join_pointer(ptr, keyword)
        if keyword == "pattern":
            if not isinstance(value, str):
                raise self.doc.error(ptr, keyword, f"expected a string, found {value!r}")
        elif isinstance(value, bool):
            if not keyword.startswith("exclusive"):
                raise self.doc.error(ptr, keyword, f"expected a number, found {value!r}")
        elif not isinstance(value, (int, float)):
            raise self.doc.error(ptr, keyword, f"expected a number, found {value!r}")
        return value

    def _object(self, node: Mapping[str, Any], ptr: str, hint: str) -> ir.TypeRef:
        properties_node = self.doc.mapping(
            node.get("properties", {}), join_pointer(ptr, "properties")
        )
        extra_node = node.get("additionalProperties", True)
        extra_ptr = join_pointer(ptr, "additionalProperties")
        if not properties_node:
            if extra_node is False:
                return ir.MapOf(ir.Null())  # an object that must be empty
            values = (
                ir.AnyValue()
                if extra_node is True
                else self.type_of(extra_node, extra_ptr, hint + "Value")
            )
            return ir.MapOf(values)
        name = self._class_name(hint, ptr)
        required = self._required(node, ptr)
        # JSON Schema lets "required" name properties it does not describe: any value.
        required_only = [r for r in required if r not in properties_node]
        properties_node = {**properties_node, **{r: {} for r in required_only}}
        properties = []
        for prop_name, prop_node in properties_node.items():
            prop_ptr = join_pointer(ptr, "properties", prop_name)
            prop_type = self.type_of(prop_node, prop_ptr, name + pascal_case(prop_name))
            prop_map = prop_node if isinstance(prop_node, Mapping) else {}
            properties.append(
                ir.Property(
                    name=prop_name,
                    type=prop_type,
                    required=prop_name in required,
                    pointer=prop_ptr,
                    description=prop_map.get("description"),
                    default=ir.Default(prop_map["default"]) if "default" in prop_map else None,
                    read_only=bool(prop_map.get("readOnly", False)),
                    write_only=bool(prop_map.get("writeOnly", False)),
                    deprecated=bool(prop_map.get("deprecated", False)),
                    example=prop_map.get("example"),
                )
            )
        additional: ir.TypeRef | None
        if extra_node is False:
            additional = None
        elif extra_node is True:
            additional = ir.AnyValue()
        else:
            additional = self.type_of(extra_node, extra_ptr, name + "Value")
        self._add(
            ir.ObjectSchema(
                name=name,
                pointer=ptr,
                properties=tuple(properties),
                additional_properties=additional,
                description=node.get("description"),
                example=node.get("example"),
            )
        )
        return ir.Ref(name)

    def _class_name(self, hint: str, ptr: str) -> str:
        """The name for a class defined at ``ptr``: the component's own name, or a free one."""
        own = self.component_names.get(ptr)
        if own is not None:
            return own
        name, n = hint, 1
        while name in self.schemas or name in self.component_names.values():
            n += 1
            name = f"{hint}{n}"
        return name

    def _union(
        self, node: Mapping[str, Any], ptr: str, hint: str, kind: ir.UnionKind
    ) -> ir.TypeRef:
        alternatives = _required_alternatives(node.get(kind))
        if alternatives is not None and "properties" in node:
            # oneOf: [{required: [a]}, {required: [b]}] beside properties: a rule over which
            # properties must be present, not a union of shapes.
            rest = {k: v for k, v in node.items() if k != kind}
            described = self.doc.mapping(node["properties"], join_pointer(ptr, "properties"))
            # A group may name a property it does not describe: any value.
            rest["properties"] = {
                **described,
                **{p: {} for group in alternatives for p in group if p not in described},
            }
            type_ = self._object(rest, ptr, hint)
            assert isinstance(type_, ir.Ref)
            schema = self.schemas[type_.name]
            assert isinstance(schema, ir.ObjectSchema)
            self.schemas[type_.name] = dataclasses.replace(
                schema, required_alternatives=alternatives, alternatives_kind=kind
            )
            return type_
        if "properties" in node or "items" in node:
            raise self.doc.error(
                join_pointer(ptr, kind),
                kind,
                f"'{kind}' beside 'properties' or 'items' is not supported",
            )
        variants_ptr = join_pointer(ptr, kind)
        raw_variants = self.doc.sequence(node[kind], variants_ptr)
        if not raw_variants:
            raise self.doc.error(variants_ptr, kind, f"'{kind}' needs at least one schema")
        suffix = "OneOf" if kind == "oneOf" else "AnyOf"
        variants: list[ir.TypeRef] = []
        nullable = False
        for i, raw in enumerate(raw_variants):
            variant = self.type_of(
                raw, join_pointer(variants_ptr, i), f"{hint}{suffix}{i if i else ''}"
            )
            if isinstance(variant, ir.Nullable):
                nullable, variant = True, variant.inner
            if isinstance(variant, ir.Null):
                nullable = True
            elif variant not in variants:
                variants.append(variant)
        simplified = _simplify_union(variants)
        result: ir.TypeRef
        if simplified is not None:
            result = simplified
        else:
            discriminator = self._discriminator(node, ptr)
            union = ir.UnionOf(tuple(variants), kind, discriminator)
            name = self._class_name(hint, ptr)
            self._add(
                ir.UnionSchema(
                    name=name, pointer=ptr, union=union, description=node.get("description")
                )
            )
            result = ir.Ref(name)
        return ir.Nullable(result) if nullable else result

    def _discriminator(self, node: Mapping[str, Any], ptr: str) -> ir.Discriminator | None:
        if "discriminator" not in node:
            return None
        disc_ptr = join_pointer(ptr, "discriminator")
        disc = self.doc.mapping(node["discriminator"], disc_ptr)
        prop = self.doc.string(disc.get("propertyName"), join_pointer(disc_ptr, "propertyName"))
        mapping = []
        for value, ref in self.doc.mapping(
            disc.get("mapping", {}), join_pointer(disc_ptr, "mapping")
        ).items():
            target_ptr, _ = self.doc.resolve(ref, join_pointer(disc_ptr, "mapping", value))
            name = self.component_names.get(target_ptr)
            if name is None:
                raise self.doc.error(
                    join_pointer(disc_ptr, "mapping", value),
                    "mapping",
                    "must name a component schema",
                )
            mapping.append((value, name))
        return ir.Discriminator(prop, tuple(mapping))

    def _all_of(self, node: Mapping[str, Any], ptr: str, hint: str) -> ir.TypeRef:
        parts_ptr = join_pointer(ptr, "allOf")
        parts = self.doc.sequence(node["allOf"], parts_ptr)
        # Parts without structure only annotate, e.g. allOf: [{$ref: X}, {nullable: true}].
        nullable = any(
            isinstance(p, Mapping)
            and not (set(p) & _STRUCTURAL - {"nullable"})
            and p.get("nullable") is True
            for p in parts
        )
        shaped = [
            (i, p)
            for i, p in enumerate(parts)
            if not (isinstance(p, Mapping) and not (set(p) & _STRUCTURAL - {"nullable"}))
        ]
        # A sibling that shapes the object (``required: [b]`` beside ``allOf: [{$ref: Base}]``)
        # makes a new object: the part alone would drop it.
        siblings = set(node) & {
            "properties",
            "required",
            "additionalProperties",
            "oneOf",
            "anyOf",
            "items",
            "enum",
            "const",
        }
        type_: ir.TypeRef
        if len(shaped) == 1 and not siblings:
            i, part = shaped[0]
            type_ = self.type_of(part, join_pointer(parts_ptr, i), hint)
        else:
            type_ = self._merged_object(node, ptr, hint)
        return ir.Nullable(type_) if nullable and not isinstance(type_, ir.Nullable) else type_

    def _merged_object(self, node: Mapping[str, Any], ptr: str, hint: str) -> ir.TypeRef:
        """The object ``allOf`` merges; a ``oneOf``/``anyOf`` beside it may only say which of
        its properties must be present (anything else would be dropped, so it is refused)."""
        merged = self._merge_objects(node, ptr)
        for kind in ("oneOf", "anyOf"):
            if kind not in node:
                continue
            if _required_alternatives(node[kind]) is None:
                raise self.doc.error(
                    join_pointer(ptr, kind),
                    kind,
                    f"'{kind}' beside 'allOf' is supported only as alternative 'required' lists",
                )
            union_kind: ir.UnionKind = "oneOf" if kind == "oneOf" else "anyOf"
            return self._union({**merged, kind: node[kind]}, ptr, hint, union_kind)
        return self._object(merged, ptr, hint)

    def _merge_objects(self, node: Mapping[str, Any], ptr: str) -> dict[str, Any]:
        """One object schema with the properties of every ``allOf`` part and of ``node``."""
        properties: dict[str, Any] = {}
        required: list[str] = []
        description = node.get("description")
        for i, part in enumerate(
            self.doc.sequence(node.get("allOf", []), join_pointer(ptr, "allOf"))
        ):
            part_ptr = join_pointer(ptr, "allOf", i)
            part_ptr, part = self.doc.deref(part, part_ptr)
            if not (set(part) & _STRUCTURAL - {"nullable"}):
                continue  # annotations only
            if "allOf" in part:
                part = self._merge_objects(part, part_ptr)
            if {"oneOf", "anyOf", "enum", "items", "const"} & set(part) or part.get(
                "type", "object"
            ) != "object":
                raise self.doc.error(
                    part_ptr, "allOf", "'allOf' is supported over object schemas only"
                )
            if part.get("additionalProperties", True) is not True:
                # JSON Schema applies it to that part's own properties only, so it would
                # refuse the other parts' properties: no merged class can say that.
                raise self.doc.error(
                    join_pointer(part_ptr, "additionalProperties"),
                    "additionalProperties",
                    "'additionalProperties' inside an 'allOf' part is not supported; "
                    "declare it beside 'allOf', where it applies to the merged object",
                )
            properties.update(
                self.doc.mapping(part.get("properties", {}), join_pointer(part_ptr, "properties"))
            )
            required.extend(r for r in self._required(part, part_ptr) if r not in required)
            description = description or part.get("description")
        properties.update(
            self.doc.mapping(node.get("properties", {}), join_pointer(ptr, "properties"))
        )
        required.extend(r for r in self._required(node, ptr) if r not in required)
        merged: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
        if description:
            merged["description"] = description
        if "additionalProperties" in node:
            merged["additionalProperties"] = node["additionalProperties"]
        return merged


def _required_alternatives(variants: object) -> tuple[tuple[str, ...], ...] | None:
    """The property groups of ``oneOf: [{required: [...]}, ...]``, or ``None`` if not that form."""
    if not isinstance(variants, list) or not variants:
        return None
    groups = []
    for variant in variants:
        if not isinstance(variant, Mapping) or set(variant) - _ANNOTATIONS != {"required"}:
            return None
        names = variant["required"]
        if not isinstance(names, list) or not all(isinstance(r, str) for r in names):
            return None  # not property names: lowered (and refused) as a schema
        groups.append(tuple(names))
    return tuple(groups)


def _alias_target(schema: ir.Schema | None) -> str | None:
    """The component an alias schema only refers to (``A: {$ref: B}``), if it is one."""
    if not isinstance(schema, ir.AliasSchema):
        return None
    type_ = schema.type.inner if isinstance(schema.type, ir.Nullable) else schema.type
    return type_.name if isinstance(type_, ir.Ref) else None


def _is_nullable(node: Mapping[str, Any]) -> bool:
    declared = node.get("type")
    enum = node.get("enum")
    return (
        node.get("nullable") is True
        or (isinstance(declared, list) and "null" in declared)
        or (isinstance(enum, list) and None in enum)
    )


def _simplify_union(variants: list[ir.TypeRef]) -> ir.TypeRef | None:
    """The single type a union reduces to, or ``None`` when it stays a union."""
    if len(variants) == 1:
        return variants[0]
    # anyOf [enum of strings, string]: any string, some of them known ("open enum").
    plain_string = ir.Primitive("string")
    if plain_string in variants and all(
        v == plain_string
        or isinstance(v, ir.OpenEnum)
        or (isinstance(v, ir.LiteralValues) and all(isinstance(x, str) for x in v.values))
        for v in variants
    ):
        known: list[str] = []
        for v in variants:
            values = (
                v.values
                if isinstance(v, ir.LiteralValues)
                else v.known
                if isinstance(v, ir.OpenEnum)
                else ()
            )
            known.extend(str(x) for x in values if x not in known)
        return ir.OpenEnum(tuple(known))
    return None
