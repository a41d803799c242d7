"""The view of an object schema: a pydantic model with one field per property."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Self, Unpack

from codegen import ir
from codegen.errors import SpecError, join_pointer
from codegen.naming import ANNOTATION_NAMES, RESERVED_FIELD_NAMES, first_free, python_identifier
from codegen.views.defaults import NotAValue, ObjectDefault, PythonDefault, python_default
from codegen.views.doc_text import doc_type, one_paragraph
from codegen.views.media import first_of
from codegen.views.model_base import ModelNames, ModelView
from codegen.views.python_types import Imports, TypeRenderer


@dataclass
class FieldView:
    name: str
    wire_name: str
    annotation: str
    #: Python source of the ``= ...`` part, or "" for a required field.
    assignment: str
    type_text: str  # for docs
    description: str
    required: bool
    notes: str


@dataclass(kw_only=True)
class ObjectModelView(ModelView):
    kind = "object"
    fields: list[FieldView] = field(default_factory=list)
    forbid_extra: bool = False
    #: Base classes: a hand-written mixin, if any, then ApiModel.
    bases: list[str] = field(default_factory=lambda: ["ApiModel"])
    #: ``oneOf``/``anyOf`` of ``required`` lists: groups of (Python) field names of which
    #: exactly one (oneOf) or at least one (anyOf) must be set.
    required_alternatives: list[list[str]] = field(default_factory=list)
    alternatives_exactly_one: bool = True
    #: The docs page's example: JSON text from the spec's examples, or constructor arguments.
    example_json: str = ""
    example_args: str = ""

    @classmethod
    def accepts(cls, schema: ir.Schema) -> bool:
        return isinstance(schema, ir.ObjectSchema)

    @classmethod
    def build(
        cls,
        schema: ir.Schema,
        types: TypeRenderer,
        imports: Imports,
        mixin: str | None,
        **names: Unpack[ModelNames],
    ) -> Self:
        assert isinstance(schema, ir.ObjectSchema)
        view = cls(**names)
        imports.add(f"{types.runtime}.model_base", "ApiModel")
        if mixin is not None:
            module, _, mixin_class = mixin.partition(":")
            imports.add(module, mixin_class)
            view.bases = [mixin_class, "ApiModel"]
            view.mixin = mixin
        view.forbid_extra = schema.usage.in_request and not schema.usage.in_response
        if view.forbid_extra or schema.additional_properties is None:
            view.forbid_extra = True
            imports.add("pydantic", "ConfigDict")
        # The properties of a multipart body that are files take a file to upload.
        types.binary_as_file = schema.name in multipart_bodies(types.spec)
        try:
            fields = field_names(schema, types, warn=True)
            view.fields = [
                _field_view(prop, fields[prop.name], types, imports) for prop in schema.properties
            ]
        finally:
            types.binary_as_file = False
        if schema.required_alternatives:
            python_names = {f.wire_name: f.name for f in view.fields}
            view.required_alternatives = [
                [python_names[p] for p in group] for group in schema.required_alternatives
            ]
            view.alternatives_exactly_one = schema.alternatives_kind == "oneOf"
            imports.add("pydantic", "model_validator")
            imports.add("typing", "Self")
        if any(f.assignment.startswith(" = Field(") for f in view.fields):
            imports.add("pydantic", "Field")
        view._set_example(schema)
        return view

    def _set_example(self, schema: ir.ObjectSchema) -> None:
        example = schema.example if isinstance(schema.example, dict) else None
        if example is None and all(p.example is not None for p in schema.properties if p.required):
            example = example_object(schema) if any(p.required for p in schema.properties) else None
        if example is not None:
            self.example_json = json.dumps(example, sort_keys=True)
        else:
            self.example_args = ", ".join(f"{f.name}=..." for f in self.fields if f.required)


_LITERAL_TEXT = re.compile(r"'[^']*'|\"[^\"]*\"")


def model_field_names(schema: ir.ObjectSchema, types: TypeRenderer) -> dict[str, str]:
    """Wire name -> field name, as the model's class has them (for code that builds one).

    The renamings are not said again: the model's view warns about them.
    """
    previous = types.binary_as_file
    types.binary_as_file = schema.name in multipart_bodies(types.spec)
    try:
        return field_names(schema, types, warn=False)
    finally:
        types.binary_as_file = previous


def field_names(schema: ir.ObjectSchema, types: TypeRenderer, *, warn: bool) -> dict[str, str]:
    """Wire name -> field name, unique within the model.

    Properties whose names convert to one identifier (``a-b`` and ``a_b``, ``json`` made
    ``json_`` and ``json_``) cannot share it: a property whose wire name is the identifier
    keeps it, the others (in the spec's order) get ``_2``, ``_3``... and keep their wire
    name as the alias. Each renaming is a warning (``warn``) with the property's pointer.
    The annotations read depend on ``types.binary_as_file``, as the fields' do.
    """
    used = {
        word
        for p in schema.properties
        # Names, not the text of literal values (``Literal['list']``).
        for word in re.findall(r"\w+", _LITERAL_TEXT.sub("", types.annotation(p.type, Imports())))
    }
    reserved = RESERVED_FIELD_NAMES | (ANNOTATION_NAMES & used)
    wanted = {p.name: python_identifier(p.name, reserved=reserved) for p in schema.properties}
    # Identifiers a property asks for verbatim are taken first: their fields need no alias.
    taken = {name for wire, name in wanted.items() if wire == name}
    result: dict[str, str] = {}
    for prop in schema.properties:
        name = wanted[prop.name]
        if prop.name != name:
            candidate = first_free(name, taken)
            if warn and candidate != name:
                types.warnings.append(
                    f"{types.spec.source_name}#{prop.pointer}: property {prop.name!r} is "
                    f"field {candidate!r} (alias {prop.name!r}): {name!r} is another "
                    "property's field"
                )
            name = candidate
            taken.add(name)
        result[prop.name] = name
    return result


def _field_view(prop: ir.Property, name: str, types: TypeRenderer, imports: Imports) -> FieldView:
    annotation = types.annotation(prop.type, imports)
    nullable = isinstance(prop.type, (ir.Nullable, ir.Null, ir.AnyValue))
    if not prop.required and not nullable:
        annotation += " | None"
    args = []
    if not prop.required:
        default = _default(prop, types, imports)
        if default.factory:
            args.append(f"default_factory=lambda: {default.source}")
        else:
            args.append(f"default={default.source}")
    if name != prop.name:
        args.append(f"alias={prop.name!r}")
    if prop.description:
        args.append(f"description={one_paragraph(prop.description)!r}")
    if prop.deprecated:
        args.append("deprecated=True")
    assignment = f" = Field({', '.join(args)})" if args else ""
    notes = []
    if not prop.required:
        notes.append("[optional]")
    if prop.default is not None:
        notes.append(f"[default to {prop.default.value!r}]")
    if prop.read_only:
        notes.append("[readonly]")
    return FieldView(
        name=name,
        wire_name=prop.name,
        annotation=annotation,
        assignment=assignment,
        type_text=doc_type(prop.type, types),
        description=one_paragraph(prop.description),
        required=prop.required,
        notes=" ".join(notes),
    )


def multipart_bodies(spec: ir.ApiSpec) -> set[str]:
    """Names of the schemas sent as ``multipart/form-data`` bodies (and never as JSON)."""
    names = set()
    for op in spec.operations:
        body = op.request_body
        if body is None or first_of(body.contents, "json") is not None:
            continue
        media = first_of(body.contents, "multipart")
        if media is not None and isinstance(media.type, ir.Ref):
            names.add(media.type.name)
    return names


def _default(prop: ir.Property, types: TypeRenderer, imports: Imports) -> PythonDefault:
    """The optional property's default: the spec's, coerced exactly, else None."""
    if prop.default is None:
        return PythonDefault("None")
    try:
        return python_default(prop.type, prop.default.value, types, imports)
    except NotAValue as exc:
        raise SpecError(
            join_pointer(prop.pointer, "default"),
            "default",
            f"the default is not a value of the property's type: {exc}",
            source=types.spec.source_name,
        ) from exc
    except ObjectDefault as exc:
        types.warnings.append(
            f"{types.spec.source_name}#{join_pointer(prop.pointer, 'default')}: "
            f"default ignored, {exc}; the server applies its own"
        )
        return PythonDefault("None")


def example_object(schema: ir.ObjectSchema) -> dict[str, Any]:
    """Example values for the required properties: the spec's, else a placeholder."""
    return {
        prop.name: prop.example if prop.example is not None else placeholder(prop.type)
        for prop in schema.properties
        if prop.required
    }


def placeholder(type_: ir.TypeRef) -> Any:
    if isinstance(type_, ir.Primitive):
        return {"string": "string", "integer": 0, "number": 0.0, "boolean": False}[type_.kind]
    if isinstance(type_, ir.LiteralValues):
        return type_.values[0]
    if isinstance(type_, ir.OpenEnum):
        return type_.known[0] if type_.known else "string"
    if isinstance(type_, ir.ArrayOf):
        return []
    if isinstance(type_, ir.Nullable):
        return None
    return {}
