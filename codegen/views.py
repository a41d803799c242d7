"""What each generated file says, computed from the IR, so that templates only print.

Every decision about Python code (names, annotations, defaults, imports) and about the docs
pages is taken here; ``codegen/templates`` lays the results out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from codegen import ir
from codegen.errors import SpecError
from codegen.naming import (
    RESERVED_FIELD_NAMES,
    module_name,
    pascal_case,
    python_identifier,
    snake_case,
)
from codegen.python_types import Imports, TypeRenderer, class_name

JSON_TYPES = ("application/json",)


# ------------------------------------------------------------------------- models


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


@dataclass
class ModelView:
    kind: str  # object | enum | union | alias
    name: str
    module: str
    schema_name: str
    description: str
    imports: list[str]
    fields: list[FieldView] = field(default_factory=list)
    forbid_extra: bool = False
    enum_base: str = "str"
    enum_members: list[tuple[str, str]] = field(default_factory=list)
    union_annotation: str = ""
    union_members: list[str] = field(default_factory=list)
    alias_annotation: str = ""
    #: Base classes of an object model: a hand-written mixin, if any, then ApiModel.
    bases: list[str] = field(default_factory=lambda: ["ApiModel"])
    #: "module:Class" of that mixin, for the docs page.
    mixin: str | None = None
    #: The docs page's example: JSON text from the spec's examples, or constructor arguments.
    example_json: str = ""
    example_args: str = ""


@dataclass
class ParamView:
    name: str
    wire_name: str
    location: str
    annotation: str
    required: bool
    description: str
    adapter_type: str
    explode: bool
    type_text: str


@dataclass
class BodyView:
    name: str
    annotation: str
    model: str | None
    adapter_type: str
    content_type: str
    required: bool
    type_text: str


@dataclass
class ResponseView:
    status: str
    description: str
    #: Python expression of the ResponseSpec.
    spec_expr: str
    type_text: str
    #: The exception a call raises on this status ("-" for success).
    raises: str


@dataclass
class OperationView:
    name: str
    constant: str
    operation_id: str
    method: str
    path: str
    summary: str
    description: str
    deprecated: bool
    params: list[ParamView]
    body: BodyView | None
    responses: list[ResponseView]
    return_annotation: str
    return_text: str
    accept: str | None
    retry_safe: bool
    security: list[tuple[str, str, str, str]]
    security_names: list[str]
    #: Arguments in signature order: required first.
    signature: list[str]
    signature_names: list[str]
    call_params: list[tuple[str, str]]
    # For the docs page's example.
    example_imports: list[str]
    example_setup: list[str]
    example_call: str


@dataclass
class ApiView:
    name: str
    module: str
    tag: str
    description: str
    operations: list[OperationView]
    imports: list[str]


@dataclass
class PackageView:
    package: str
    runtime: str
    title: str
    version: str
    description: str
    default_host: str
    apis: list[ApiView]
    models: list[ModelView]
    security_schemes: list[ir.SecurityScheme]


def build_package_view(
    spec: ir.ApiSpec,
    package: str,
    runtime: str,
    raises_for: Callable[[int], str],
    mixins: dict[str, str] | None = None,
) -> PackageView:
    """The views of every file; ``raises_for`` names the runtime's exception for a status."""
    types = TypeRenderer(spec, package, runtime)
    _check_no_cycles(spec)
    _check_unique_class_names(spec)
    mixins = mixins or {}
    unknown = sorted(set(mixins) - {s.name for s in spec.schemas})
    if unknown:
        raise SpecError(
            "/components/schemas", "mixins", f"mixins name schemas the spec lacks: {unknown}"
        )
    models = [_model_view(schema, types, mixins.get(schema.name)) for schema in spec.schemas]
    apis = [_api_view(tag, spec, types, raises_for) for tag in spec.tags]
    return PackageView(
        package=package,
        runtime=runtime,
        title=spec.title,
        version=spec.version,
        description=spec.description or "",
        default_host=spec.servers[0].url.rstrip("/") if spec.servers else "http://localhost",
        apis=apis,
        models=models,
        security_schemes=list(spec.security_schemes),
    )


def _model_view(schema: ir.Schema, types: TypeRenderer, mixin: str | None) -> ModelView:
    imports = Imports()
    name = class_name(schema.name)
    view = ModelView(
        kind="",
        name=name,
        module=module_name(name),
        schema_name=schema.name,
        description=_one_paragraph(schema.description) or name,
        imports=[],
    )
    if isinstance(schema, ir.ObjectSchema):
        if schema.required_alternatives:
            raise SpecError(
                schema.pointer,
                schema.alternatives_kind or "oneOf",
                "required-property alternatives are not supported by the Python emitter yet",
                source=types.spec.source_name,
            )
        view.kind = "object"
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
        view.fields = [_field_view(prop, types, imports) for prop in schema.properties]
        if any(f.assignment.startswith(" = Field(") for f in view.fields):
            imports.add("pydantic", "Field")
        example = schema.example if isinstance(schema.example, dict) else None
        if example is None and all(p.example is not None for p in schema.properties if p.required):
            example = (
                _example_object(schema) if any(p.required for p in schema.properties) else None
            )
        if example is not None:
            view.example_json = json.dumps(example, sort_keys=True)
        else:
            view.example_args = ", ".join(f"{f.name}=..." for f in view.fields if f.required)
    elif isinstance(schema, ir.EnumSchema):
        view.kind = "enum"
        imports.add("enum", "Enum")
        kinds = {type(v) for v in schema.values}
        if kinds <= {str}:
            view.enum_base = "str"
        elif kinds <= {int}:
            view.enum_base = "int"
        else:
            raise SpecError(
                schema.pointer, "enum", "enum values must be all strings or all integers"
            )
        view.enum_members = [(_enum_member_name(v), repr(v)) for v in schema.values]
        names = [member for member, _ in view.enum_members]
        if len(set(names)) != len(names):
            raise SpecError(
                schema.pointer,
                "enum",
                f"enum values give clashing member names: {names}",
                source=types.spec.source_name,
            )
    elif isinstance(schema, ir.UnionSchema):
        view.kind = "union"
        imports.add(f"{types.runtime}.model_base", "OneOfModel")
        imports.add("typing", "ClassVar")
        view.union_annotation = types.union_annotation(schema.union, imports)
        scratch = Imports()
        view.union_members = [types.annotation(v, scratch) for v in schema.union.variants]
    else:
        view.kind = "alias"
        imports.add("typing", "TypeAlias")
        view.alias_annotation = types.annotation(schema.type, imports)
    # A model never imports itself.
    imports.names.get(types.model_module(schema.name), set()).discard(name)
    view.imports = [line for line in imports.lines() if not line.endswith(" import ")]
    return view


def _field_view(prop: ir.Property, types: TypeRenderer, imports: Imports) -> FieldView:
    name = python_identifier(prop.name, reserved=RESERVED_FIELD_NAMES)
    annotation = types.annotation(prop.type, imports)
    nullable = isinstance(prop.type, (ir.Nullable, ir.Null, ir.AnyValue))
    if not prop.required and not nullable:
        annotation += " | None"
    args = []
    if not prop.required:
        default = prop.default.value if prop.default is not None else None
        if isinstance(default, (list, dict)):
            args.append(f"default_factory=lambda: {default!r}")
        else:
            args.append(f"default={default!r}")
    if name != prop.name:
        args.append(f"alias={prop.name!r}")
    if prop.description:
        args.append(f"description={_one_paragraph(prop.description)!r}")
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
        description=_one_paragraph(prop.description),
        required=prop.required,
        notes=" ".join(notes),
    )


def _enum_member_name(value: object) -> str:
    """``guinea-pig`` -> ``GUINEA_PIG``; ``1`` -> ``VALUE_1`` (as openapi-generator names them)."""
    text = snake_case(str(value)).upper() or "EMPTY"
    return "VALUE_" + text if text[0].isdigit() else text


# ------------------------------------------------------------------------- APIs


def _api_view(
    tag: ir.Tag, spec: ir.ApiSpec, types: TypeRenderer, raises_for: Callable[[int], str]
) -> ApiView:
    imports = Imports()
    name = pascal_case(tag.name) + "Api"
    imports.add(f"{types.runtime}.operation", "Operation")
    imports.add(f"{types.runtime}.operation", "ResponseSpec")
    imports.add(f"{types.runtime}.operation", "SecurityScheme")
    operations = [_operation_view(op, spec, types, imports, raises_for) for op in tag.operations]
    return ApiView(
        name=name,
        module=snake_case(name),
        tag=tag.name,
        description=_one_paragraph(tag.description) or f"Operations tagged {tag.name}.",
        operations=operations,
        imports=imports.lines(),
    )


def _operation_view(
    op: ir.Operation,
    spec: ir.ApiSpec,
    types: TypeRenderer,
    imports: Imports,
    raises_for: Callable[[int], str],
) -> OperationView:
    name = python_identifier(snake_case(op.operation_id))
    if op.parameters:
        imports.add(f"{types.runtime}.operation", "Param")
    if op.request_body:
        imports.add(f"{types.runtime}.operation", "BodySpec")
    params = []
    for param in op.parameters:
        annotation = types.annotation(param.type, imports)
        params.append(
            ParamView(
                name=python_identifier(param.name),
                wire_name=param.name,
                location=param.location,
                annotation=annotation,
                required=param.required,
                description=_one_paragraph(param.description),
                adapter_type=annotation,
                explode=param.explode if param.explode is not None else True,
                type_text=doc_type(param.type, types),
            )
        )
    body = _body_view(op, types, imports)
    responses = [
        _response_view(op, response, types, imports, spec, raises_for) for response in op.responses
    ]
    success = []
    for response in op.responses:
        if response.is_success:
            media = _json_media(response.contents)
            success.append(
                types.annotation(media.type, imports) if media and media.type else "None"
            )
    return_annotation = " | ".join(dict.fromkeys(success)) or "None"
    schemes = {s.name: s for s in spec.security_schemes}
    security: list[tuple[str, str, str, str]] = []
    for scheme_name in op.security:
        scheme = schemes[scheme_name]
        kind = (scheme.scheme or "bearer") if scheme.kind == "http" else "apiKey"
        location = scheme.location or "header"
        security.append((scheme.name, kind, location, scheme.parameter_name or "Authorization"))

    required = [p for p in params if p.required]
    optional = [p for p in params if not p.required]
    signature = [f"{p.name}: {p.annotation}" for p in required]
    if body is not None:
        signature.append(f"{body.name}: {body.annotation}" + ("" if body.required else " = None"))
    signature += [f"{p.name}: {p.annotation} | None = None" for p in optional]
    if len({p.name for p in params} | ({body.name} if body else set())) != len(params) + (
        1 if body else 0
    ):
        raise SpecError(
            op.pointer,
            "parameters",
            "two parameters have the same Python name",
            source=spec.source_name,
        )
    return OperationView(
        name=name,
        # Public: code beside the generated package may reuse an operation's facts (e.g.
        # together.bulk decodes embeddings straight into numpy through the same call path).
        constant=name.upper() + "_OPERATION",
        operation_id=op.operation_id,
        method=op.method.upper(),
        path=op.path,
        summary=op.summary or "",
        description=op.description or "",
        deprecated=op.deprecated,
        params=params,
        body=body,
        responses=responses,
        return_annotation=return_annotation,
        return_text=" | ".join(
            dict.fromkeys(
                doc_type(m.type, types) if m and m.type else "None"
                for m in (_json_media(r.contents) for r in op.responses if r.is_success)
            )
        )
        or "None",
        accept=", ".join(dict.fromkeys(c.content_type for r in op.responses for c in r.contents))
        or None,
        retry_safe=op.retry_safe,
        security=security,
        security_names=list(op.security),
        signature=signature,
        signature_names=[arg.split(":", 1)[0] for arg in signature],
        call_params=[(p.wire_name, p.name) for p in params],
        **_operation_example(op, params, body, types),
    )


def _operation_example(
    op: ir.Operation, params: list[ParamView], body: BodyView | None, types: TypeRenderer
) -> dict[str, Any]:
    """The imports, set-up lines and call of the docs page's example."""
    imports = []
    setup = []
    args = []
    for param in params:
        if param.required:
            setup.append(
                f"{param.name} = {_placeholder_for(param.adapter_type)!r}  # {param.type_text}"
            )
            args.append(f"{param.name}={param.name}")
    if body is not None and body.model is not None:
        media = _json_media(op.request_body.contents) if op.request_body else None
        example = media.example if media is not None else None
        if not isinstance(example, dict):
            schema = types.schema(body.model)
            example = _example_object(schema) if isinstance(schema, ir.ObjectSchema) else {}
        module = module_name(body.model)
        imports.append(f"from {types.package}.models.{module} import {body.model}")
        fields = ", ".join(f"{python_identifier(k)}={v!r}" for k, v in example.items())
        setup.append(f"{body.name} = {types.package}.{body.model}({fields})")
        args.append(f"{body.name}={body.name}")
    for response in op.responses:
        media = _json_media(response.contents) if response.is_success else None
        if media is not None and isinstance(media.type, ir.Ref):
            name = class_name(media.type.name)
            imports.append(f"from {types.package}.models.{module_name(name)} import {name}")
    return {
        "example_imports": sorted(set(imports)),
        "example_setup": setup,
        "example_call": ", ".join(args),
    }


def _example_object(schema: ir.ObjectSchema) -> dict[str, Any]:
    """Example values for the required properties: the spec's, else a placeholder."""
    return {
        prop.name: prop.example if prop.example is not None else _placeholder(prop.type)
        for prop in schema.properties
        if prop.required
    }


def _placeholder(type_: ir.TypeRef) -> Any:
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


def _placeholder_for(annotation: str) -> Any:
    return {"int": 0, "float": 0.0, "bool": False}.get(annotation, "string")


def _json_media(contents: tuple[ir.MediaType, ...]) -> ir.MediaType | None:
    for media in contents:
        if _is_json(media.content_type):
            return media
    return None


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def _body_view(op: ir.Operation, types: TypeRenderer, imports: Imports) -> BodyView | None:
    body = op.request_body
    if body is None:
        return None
    media = _json_media(body.contents)
    if media is None or media.type is None:
        raise SpecError(
            body.pointer,
            "content",
            f"request bodies of type {', '.join(c.content_type for c in body.contents)} "
            "are not supported by the Python emitter yet (JSON only)",
            source=types.spec.source_name,
        )
    annotation = types.annotation(media.type, imports)
    model = None
    if isinstance(media.type, ir.Ref) and isinstance(
        types.schema(media.type.name), ir.ObjectSchema
    ):
        model = annotation
        imports.add("collections.abc", "Mapping")
        imports.add("typing", "Any")
        param_annotation = f"{annotation} | Mapping[str, Any]"
    else:
        param_annotation = annotation
    base_name = snake_case(model) if model else "body"
    return BodyView(
        name=python_identifier(base_name),
        annotation=param_annotation if body.required else f"{param_annotation} | None",
        model=model,
        adapter_type=annotation,
        content_type=media.content_type,
        required=body.required,
        type_text=doc_type(media.type, types),
    )


def _raises(status: str, raises_for: Callable[[int], str]) -> str:
    if status.startswith("2"):
        return "-"
    if status.isdigit():
        return f"`{raises_for(int(status))}`"
    if status == "default":
        return "the `ApiException` subclass for the status"
    return f"the `ApiException` subclass for the status ({status})"


def _response_view(
    op: ir.Operation,
    response: ir.Response,
    types: TypeRenderer,
    imports: Imports,
    spec: ir.ApiSpec,
    raises_for: Callable[[int], str],
) -> ResponseView:
    if not response.contents:
        expr, text = 'ResponseSpec("empty")', "None"
    else:
        media = _json_media(response.contents)
        if media is not None and media.type is not None:
            expr = f"ResponseSpec.json({types.annotation(media.type, imports)})"
            text = doc_type(media.type, types)
        else:
            content_type = response.contents[0].content_type.split(";", 1)[0].strip().lower()
            if content_type == "text/event-stream":
                raise SpecError(
                    op.pointer,
                    "responses",
                    f"streaming responses ({content_type}) are not supported "
                    "by the Python emitter yet",
                    source=spec.source_name,
                )
            kind = "text" if content_type.startswith("text/") else "bytes"
            expr, text = f'ResponseSpec("{kind}")', "str" if kind == "text" else "bytes"
    return ResponseView(
        status=response.status,
        description=_one_paragraph(response.description),
        spec_expr=expr,
        type_text=text,
        raises=_raises(response.status, raises_for),
    )


# ------------------------------------------------------------------------- docs helpers


def doc_type(type_: ir.TypeRef, types: TypeRenderer) -> str:
    """A type as the docs show it, with Markdown links to model pages."""
    if isinstance(type_, ir.Ref):
        schema = types.schema(type_.name)
        name = class_name(schema.name)
        return f"[**{name}**]({name}.md)"
    if isinstance(type_, ir.ArrayOf):
        return f"List[{doc_type(type_.items, types)}]"
    if isinstance(type_, ir.MapOf):
        return f"Dict[str, {doc_type(type_.values, types)}]"
    if isinstance(type_, ir.Nullable):
        return f"{doc_type(type_.inner, types)}, nullable"
    if isinstance(type_, ir.UnionOf):
        return " or ".join(doc_type(v, types) for v in type_.variants)
    if isinstance(type_, ir.OpenEnum):
        return "str (known values: " + ", ".join(f"`{v}`" for v in type_.known) + ")"
    if isinstance(type_, ir.LiteralValues):
        return " or ".join(f"`{v!r}`" for v in type_.values)
    scratch = Imports()
    return f"**{types.annotation(type_, scratch)}**"


def _one_paragraph(text: str | None) -> str:
    return " ".join((text or "").split())


# ------------------------------------------------------------------------- checks


def _check_no_cycles(spec: ir.ApiSpec) -> None:
    """Models import each other; a reference cycle would need forward references."""
    by_name = {s.name: s for s in spec.schemas}
    state: dict[str, int] = {}

    def visit(name: str) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            schema = by_name[name]
            raise SpecError(
                schema.pointer,
                "$ref",
                f"recursive schema {name!r} is not supported by the Python emitter yet",
                source=spec.source_name,
            )
        state[name] = 1
        for type_ in ir.schema_types(by_name[name]):
            for inner in ir.referenced_names(type_):
                visit(inner)
        state[name] = 2

    for schema in spec.schemas:
        visit(schema.name)


def _check_unique_class_names(spec: ir.ApiSpec) -> None:
    seen: dict[str, str] = {}
    for schema in spec.schemas:
        module = module_name(class_name(schema.name))
        if module in seen:
            raise SpecError(
                schema.pointer,
                "schemas",
                f"schemas {seen[module]!r} and {schema.name!r} would share the module {module!r}",
                source=spec.source_name,
            )
        seen[module] = schema.name
