"""From IR types to Python type annotations, and the imports each annotation needs."""

from __future__ import annotations

from dataclasses import dataclass, field

from codegen import ir
from codegen.naming import module_name, pascal_case


@dataclass
class Imports:
    """``from module import name`` lines a generated module needs, kept sorted."""

    names: dict[str, set[str]] = field(default_factory=dict)

    def add(self, module: str, name: str) -> None:
        self.names.setdefault(module, set()).add(name)

    def lines(self) -> list[str]:
        return [
            f"from {module} import {', '.join(sorted(names))}"
            for module, names in sorted(self.names.items())
        ]


def class_name(schema_name: str) -> str:
    """The Python class name a schema asks for (before collisions are resolved)."""
    name = pascal_case(schema_name) if not schema_name.isidentifier() else schema_name
    return name[0].upper() + name[1:]


def unique_class_names(
    schema_names: list[str], reserved: frozenset[str] = frozenset()
) -> tuple[dict[str, str], dict[str, str]]:
    """Schema name -> class name, unique as a class and as a module (case-insensitive files),
    and, for each schema not given the class it asks for, why (for its warning).

    ``RL.StartTrainingSessionRequest`` and ``RLStartTrainingSessionRequest`` both ask for
    the same class: in sorted schema-name order the first keeps it and the next one gets
    ``...2`` -- deterministic, and nothing is lost. A schema asking for a name in
    ``reserved`` (one the package exports from the runtime, an API class, a name the
    generated modules import) becomes ``<name>Model`` (numbered too if a schema has that name).
    """
    # Compared ignoring case: a model's docs page is <class>.md beside the API classes'
    # pages, on file systems that may ignore case.
    reserved_lower = {r.lower() for r in reserved}
    taken: dict[str, str] = {}  # module name -> the schema whose class has it
    result: dict[str, str] = {}
    reasons: dict[str, str] = {}

    # Schemas keeping their names come first: a schema named ``ConfigurationModel`` keeps
    # it, and ``Configuration`` (renamed) becomes ``ConfigurationModel2``.
    def renamed_last(schema_name: str) -> tuple[bool, str]:
        return class_name(schema_name).lower() in reserved_lower, schema_name

    for schema_name in sorted(schema_names, key=renamed_last):
        wanted = base = class_name(schema_name)
        if base.lower() in reserved_lower:
            reasons[schema_name] = f"{wanted!r} is a name the package already uses"
            base += "Model"
        candidate, n = base, 1
        while candidate.lower() in reserved_lower or module_name(candidate) in taken:
            if schema_name not in reasons:
                reasons[schema_name] = (
                    f"{wanted!r} is the class of schema {taken[module_name(candidate)]!r}"
                )
            n += 1
            candidate = f"{base}{n}"
        taken[module_name(candidate)] = schema_name
        result[schema_name] = candidate
    return result, reasons


def enum_base(schema: ir.EnumSchema) -> str:
    """``str`` or ``int`` when every value is one (a bool is not an int here), else "".

    Values of mixed types (or floats, booleans) make no Python ``Enum``: such a schema is
    emitted as a ``Literal`` alias.
    """
    kinds = {type(v) for v in schema.values}
    return "str" if kinds == {str} else "int" if kinds == {int} else ""


class TypeRenderer:
    """Renders IR types as annotations for modules of ``package``."""

    def __init__(
        self,
        spec: ir.ApiSpec,
        package: str,
        runtime: str,
        reserved: frozenset[str] = frozenset(),
    ) -> None:
        self.spec = spec
        self.package = package
        self.runtime = runtime
        self._schemas = {s.name: s for s in spec.schemas}
        self._class_names, renamed = unique_class_names(list(self._schemas), reserved)
        #: What the emitter left out and says so (e.g. a default no literal can express).
        self.warnings: list[str] = [
            f"{spec.source_name}#{self._schemas[name].pointer}: schema {name!r} is class "
            f"{self._class_names[name]!r}: {reason}"
            for name, reason in sorted(renamed.items())
        ]
        #: While true, ``format: binary`` is a file to upload (a multipart body's property).
        self.binary_as_file = False

    @property
    def schemas(self) -> dict[str, ir.Schema]:
        return self._schemas

    def schema(self, name: str) -> ir.Schema:
        return self._schemas[name]

    def class_of(self, schema_name: str) -> str:
        """The Python class (or alias) name of a named schema."""
        return self._class_names[schema_name]

    def module_of(self, schema_name: str) -> str:
        """The module name, inside ``models``, of a named schema."""
        return module_name(self._class_names[schema_name])

    def model_module(self, schema_name: str) -> str:
        return f"{self.package}.models.{self.module_of(schema_name)}"

    def annotation(self, type_: ir.TypeRef, imports: Imports) -> str:
        if isinstance(type_, ir.Primitive):
            return self._primitive(type_, imports)
        if isinstance(type_, ir.Null):
            return "None"
        if isinstance(type_, ir.AnyValue):
            imports.add("typing", "Any")
            return "Any"
        if isinstance(type_, ir.LiteralValues):
            imports.add("typing", "Literal")
            return f"Literal[{', '.join(repr(v) for v in type_.values)}]"
        if isinstance(type_, ir.OpenEnum):
            return "str"  # the known values are documented, any string is accepted
        if isinstance(type_, ir.ArrayOf):
            inner = f"list[{self.annotation(type_.items, imports)}]"
            return self._constrained(inner, type_.constraints, imports)
        if isinstance(type_, ir.MapOf):
            return f"dict[str, {self.annotation(type_.values, imports)}]"
        if isinstance(type_, ir.Nullable):
            return f"{self.annotation(type_.inner, imports)} | None"
        if isinstance(type_, ir.UnionOf):
            return self.union_annotation(type_, imports)
        return self._ref(type_, imports)

    def _primitive(self, type_: ir.Primitive, imports: Imports) -> str:
        if type_.kind == "string":
            if type_.format == "date-time":
                imports.add("datetime", "datetime")
                base = "datetime"
            elif type_.format == "date":
                imports.add("datetime", "date")
                base = "date"
            elif type_.format == "binary" and self.binary_as_file:
                imports.add(f"{self.runtime}.multipart", "FileInput")
                base = "FileInput"
            elif type_.format == "binary":
                base = "bytes"
            else:
                base = "str"
        else:
            base = {"integer": "int", "number": "float", "boolean": "bool"}[type_.kind]
        return self._constrained(base, type_.constraints, imports)

    def _constrained(self, base: str, constraints: ir.Constraints, imports: Imports) -> str:
        if constraints.is_empty():
            return base
        imports.add("typing", "Annotated")
        imports.add("pydantic", "Field")
        return f"Annotated[{base}, Field({field_constraints(constraints)})]"

    def union_annotation(self, type_: ir.UnionOf, imports: Imports) -> str:
        members = " | ".join(self.annotation(v, imports) for v in type_.variants)
        disc = type_.discriminator
        if disc is None or not disc.mapping:
            return members
        imports.add("typing", "Annotated")
        if self._literal_tags_match(type_):
            # Every variant declares its values as a Literal: pydantic's own discriminator.
            imports.add("pydantic", "Field")
            return f"Annotated[{members}, Field(discriminator={disc.property_name!r})]"
        # Otherwise the mapping decides: each variant is tagged with its class name, and the
        # value of the property (in a dict or a model) picks the tag.
        imports.add("pydantic", "Discriminator")
        imports.add("pydantic", "Tag")
        tagged = " | ".join(
            f"Annotated[{self.annotation(v, imports)}, Tag({self._tag(v)!r})]"
            for v in type_.variants
        )
        table = ", ".join(f"{value!r}: {self.class_of(name)!r}" for value, name in disc.mapping)
        prop = disc.property_name
        pick = (
            f"lambda v: {{{table}}}.get("
            f"v.get({prop!r}) if isinstance(v, dict) else getattr(v, {prop!r}, None))"
        )
        return f"Annotated[{tagged}, Discriminator({pick})]"

    def _tag(self, variant: ir.TypeRef) -> str:
        assert isinstance(variant, ir.Ref)
        return self.class_of(variant.name)

    def _literal_tags_match(self, type_: ir.UnionOf) -> bool:
        """Whether each variant's property is a required Literal of exactly its mapped values."""
        assert type_.discriminator is not None
        prop = type_.discriminator.property_name
        for variant in type_.variants:
            schema = self._schemas.get(variant.name) if isinstance(variant, ir.Ref) else None
            if not isinstance(schema, ir.ObjectSchema):
                return False
            match = [p for p in schema.properties if p.name == prop]
            if (
                not match
                or not match[0].required
                or not isinstance(match[0].type, ir.LiteralValues)
            ):
                return False
            mapped = {v for v, name in type_.discriminator.mapping if name == schema.name}
            if {str(v) for v in match[0].type.values} != mapped:
                return False
        return True

    def _ref(self, type_: ir.Ref, imports: Imports) -> str:
        schema = self._schemas[type_.name]
        if isinstance(schema, ir.AliasSchema):
            return self.annotation(schema.type, imports)
        if isinstance(schema, ir.EnumSchema) and not enum_base(schema):
            return self.annotation(ir.LiteralValues(schema.values), imports)
        if isinstance(schema, ir.UnionSchema):
            # Fields take the plain value; the wrapper class is accepted and unwrapped.
            imports.add("typing", "Annotated")
            imports.add(f"{self.runtime}.model_base", "ONE_OF_VALUE")
            union = self.union_annotation(schema.union, imports)
            return f"Annotated[{union}, ONE_OF_VALUE]"
        name = self.class_of(schema.name)
        imports.add(self.model_module(schema.name), name)
        return name


def field_constraints(constraints: ir.Constraints) -> str:
    """``min_length=1, max_length=5`` for pydantic's ``Field``."""
    names = {
        "min_length": "min_length",
        "max_length": "max_length",
        "pattern": "pattern",
        "minimum": "ge",
        "maximum": "le",
        "exclusive_minimum": "gt",
        "exclusive_maximum": "lt",
        "multiple_of": "multiple_of",
        "min_items": "min_length",
        "max_items": "max_length",
    }
    parts = []
    for attr, keyword in names.items():
        value = getattr(constraints, attr)
        if value is not None:
            parts.append(f"{keyword}={value!r}")
    return ", ".join(parts)
