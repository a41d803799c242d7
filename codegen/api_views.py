"""Views of the API files and pages: operations, parameters, bodies, responses, examples."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from codegen import ir
from codegen.doc_text import doc_type, one_paragraph
from codegen.errors import Refusals, SpecError
from codegen.lower import RETRY_SAFE
from codegen.model_views import example_object
from codegen.naming import (
    pascal_case,
    python_identifier,
    snake_case,
)
from codegen.python_types import Imports, TypeRenderer


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
    #: The schema the model is generated from.
    model_schema: str | None
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
    #: Why it is retried (or not), for the docs page.
    retry_reason: str
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


def api_view(
    tag: ir.Tag,
    spec: ir.ApiSpec,
    types: TypeRenderer,
    raises_for: Callable[[int], str],
    refusals: Refusals,
) -> ApiView:
    imports = Imports()
    name = api_class_name(tag.name)
    imports.add(f"{types.runtime}.operation", "Operation")
    imports.add(f"{types.runtime}.operation", "ResponseSpec")
    imports.add(f"{types.runtime}.operation", "SecurityScheme")
    operations: list[OperationView] = []
    pointers: dict[str, str] = {}
    for op in tag.operations:
        with refusals.guard():
            view = _operation_view(op, spec, types, imports, raises_for)
            if view.name in pointers:
                raise SpecError(
                    op.pointer,
                    "operationId",
                    f"operationId {op.operation_id!r} gives the method name {view.name!r}, "
                    f"as does the operation at {pointers[view.name]}",
                    source=spec.source_name,
                )
            pointers[view.name] = op.pointer
            operations.append(view)
    return ApiView(
        name=name,
        module=api_module_name(tag.name),
        tag=tag.name,
        description=one_paragraph(tag.description) or f"Operations tagged {tag.name}.",
        operations=operations,
        imports=imports.lines(),
    )


def api_class_name(tag: str) -> str:
    return pascal_case(tag) + "Api"


def api_module_name(tag: str) -> str:
    return snake_case(api_class_name(tag))


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
                description=one_paragraph(param.description),
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
        retry_reason=_retry_reason(op),
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
    if body is not None and body.model is not None and body.model_schema is not None:
        media = _json_media(op.request_body.contents) if op.request_body else None
        example = media.example if media is not None else None
        if not isinstance(example, dict):
            schema = types.schema(body.model_schema)
            example = example_object(schema) if isinstance(schema, ir.ObjectSchema) else {}
        module = types.module_of(body.model_schema)
        imports.append(f"from {types.package}.models.{module} import {body.model}")
        fields = ", ".join(f"{python_identifier(k)}={v!r}" for k, v in example.items())
        setup.append(f"{body.name} = {types.package}.{body.model}({fields})")
        args.append(f"{body.name}={body.name}")
    for response in op.responses:
        media = _json_media(response.contents) if response.is_success else None
        if media is not None and isinstance(media.type, ir.Ref):
            name, module = types.class_of(media.type.name), types.module_of(media.type.name)
            imports.append(f"from {types.package}.models.{module} import {name}")
    return {
        "example_imports": sorted(set(imports)),
        "example_setup": setup,
        "example_call": ", ".join(args),
    }


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
    model = model_schema = None
    if isinstance(media.type, ir.Ref) and isinstance(
        types.schema(media.type.name), ir.ObjectSchema
    ):
        model, model_schema = annotation, media.type.name
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
        model_schema=model_schema,
        adapter_type=annotation,
        content_type=media.content_type,
        required=body.required,
        type_text=doc_type(media.type, types),
    )


def _retry_reason(op: ir.Operation) -> str:
    explicit = RETRY_SAFE in op.extensions
    if op.retry_safe:
        return f"the spec marks it `{RETRY_SAFE}: true`" if explicit else "its method is idempotent"
    if explicit:
        return f"the spec marks it `{RETRY_SAFE}: false`"
    return f"its method is not idempotent and the spec does not mark it `{RETRY_SAFE}`"


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
        description=one_paragraph(response.description),
        spec_expr=expr,
        type_text=text,
        raises=_raises(response.status, raises_for),
    )
