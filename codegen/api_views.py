"""Views of the API files and pages: operations, parameters, bodies, answers, examples.

One small view per part of an operation: :func:`_param_view`, :func:`_body_view` (a JSON
or a multipart body), :func:`_answer_view` (one status: JSON, text, bytes or empty),
:func:`_stream_view` (the event stream, if the operation streams) and
:func:`_operation_view`, which puts them together and decides which methods exist:
``op()`` (and its ``_with_http_info``/``_without_preload_content`` forms) unless the only
success is a stream, ``op_stream()`` when it streams, ``op_to_file()`` when it answers
bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from codegen import ir
from codegen.doc_text import doc_type, one_paragraph
from codegen.errors import Refusals, SpecError
from codegen.lower import RETRY_SAFE
from codegen.media import (
    first_of,
    is_binary,
    media_kind,
    plain_answer,
    plain_content_types,
    stream_chunk,
)
from codegen.model_views import example_object
from codegen.naming import pascal_case, python_identifier, snake_case
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
    #: Multipart: wire names of the properties sent as file parts.
    file_fields: list[str] = field(default_factory=list)
    #: JSON: the boolean property that asks for a streamed answer ("stream"), if any.
    stream_flag: str | None = None


@dataclass
class ResponseView:
    status: str
    description: str
    #: Python expression of the ResponseSpec; "" for a status only streamed.
    spec_expr: str
    type_text: str
    #: The exception a call raises on this status ("-" for success).
    raises: str


@dataclass
class StreamView:
    #: Status -> Python expression of its ``ResponseSpec.event_stream(...)``.
    specs: list[tuple[str, str]]
    #: The type of one chunk (annotation, and as the docs show it).
    chunk_annotation: str
    chunk_text: str


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
    #: Whether ``op()`` and its two other forms exist (not for a stream-only operation).
    has_plain: bool
    return_annotation: str
    return_text: str
    stream: StreamView | None
    #: Whether ``op_to_file()`` exists (a success answers bytes).
    download: bool
    #: Whether ``op()`` and ``op_with_http_info()`` take ``_decode=`` (a success answers
    #: JSON): the caller's result type instead of the spec's, typed by overloads.
    decodable: bool
    #: What a ``_decode=`` call may also give: ``" | None"`` when a success has no body.
    decoded_suffix: str
    #: The declaration's old public name, still importable (``[tool.codegen]
    #: legacy_operation_aliases``), or ``None``.
    legacy_alias: str | None
    accept: str | None
    retry_safe: bool
    #: Why it is retried (or not), for the docs page.
    retry_reason: str
    security: list[tuple[str, str, str, str]]
    security_names: list[str]
    #: Arguments in signature order: required first.
    signature: list[str]
    #: ``op_to_file``'s: ``destination`` after the arguments without a default.
    download_signature: list[str]
    signature_names: list[str]
    call_params: list[tuple[str, str]]
    # For the docs page's example.
    example_imports: list[str]
    example_setup: list[str]
    example_call: str

    @property
    def method_names(self) -> list[str]:
        names = []
        if self.has_plain:
            names += [self.name, f"{self.name}_with_http_info"]
        names.append(f"{self.name}_without_preload_content")
        if self.stream is not None:
            names.append(f"{self.name}_stream")
        if self.download:
            names.append(f"{self.name}_to_file")
        return names


@dataclass
class ApiView:
    name: str
    module: str
    tag: str
    description: str
    operations: list[OperationView]
    imports: list[str]

    @property
    def decodes(self) -> bool:
        """Whether a method takes ``_decode=`` (the module declares its type variables)."""
        return any(op.decodable for op in self.operations)


def api_class_name(tag: str) -> str:
    return pascal_case(tag) + "Api"


def api_module_name(tag: str) -> str:
    return snake_case(api_class_name(tag))


def api_view(
    tag: ir.Tag,
    spec: ir.ApiSpec,
    types: TypeRenderer,
    raises_for: Callable[[int], str],
    refusals: Refusals,
    legacy_aliases: frozenset[str] = frozenset(),
) -> ApiView:
    imports = Imports()
    name = api_class_name(tag.name)
    imports.add(f"{types.runtime}.operation", "Operation")
    imports.add(f"{types.runtime}.operation", "ResponseSpec")
    imports.add(f"{types.runtime}.operation", "SecurityScheme")
    operations: list[OperationView] = []
    methods: dict[str, str] = {}
    for op in tag.operations:
        with refusals.guard():
            view = _operation_view(op, spec, types, imports, raises_for)
            if op.operation_id in legacy_aliases:
                view.legacy_alias = view.constant.removeprefix("_")
            for method in view.method_names:
                if method in methods:
                    raise SpecError(
                        op.pointer,
                        "operationId",
                        f"operationId {op.operation_id!r} gives the method {method!r} of "
                        f"{name}, as does the operation at {methods[method]}",
                        source=spec.source_name,
                    )
                methods[method] = op.pointer
            operations.append(view)
    return ApiView(
        name=name,
        module=api_module_name(tag.name),
        tag=tag.name,
        description=one_paragraph(tag.description) or f"Operations tagged {tag.name}.",
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
    if op.parameters or op.request_body:
        imports.add("pydantic", "TypeAdapter")
    params = [_param_view(param, types, imports) for param in op.parameters]
    body = _body_view(op, types, imports)
    responses = [_answer_view(response, types, imports, raises_for) for response in op.responses]
    stream = _stream_view(op, types, imports)
    if stream is not None and body is not None:
        body.stream_flag = _stream_flag(op, types)
    success = [r for r in op.responses if r.is_success]
    answers = [a for a in (plain_answer(r) for r in success) if a is not None]
    has_plain = bool(answers) or not success
    return_types = [_answer_annotation(a, types, imports) for a in answers]
    return_texts = [_answer_text(a, types) for a in answers]
    download = any(a.kind == "binary" for a in answers)
    if download:
        imports.add(f"{types.runtime}.download", "Destination")
    decodable = any(a.kind == "json" for a in answers)
    if decodable:
        imports.add("collections.abc", "Callable")
        for typing_name in ("Any", "TypeVar", "overload"):
            imports.add("typing", typing_name)
        imports.add("pydantic", "BaseModel")
    accept = [t for r in op.responses for t in plain_content_types(r)]
    if not has_plain:
        accept = [m.content_type for r in op.responses if not r.is_success for m in r.contents]

    required = [p for p in params if p.required]
    optional = [p for p in params if not p.required]
    signature = [f"{p.name}: {p.annotation}" for p in required]
    if body is not None:
        signature.append(f"{body.name}: {body.annotation}" + ("" if body.required else " = None"))
    signature += [f"{p.name}: {p.annotation} | None = None" for p in optional]
    names = [p.name for p in params] + ([body.name] if body else [])
    if len(set(names)) != len(names):
        raise SpecError(
            op.pointer,
            "parameters",
            "two parameters have the same Python name",
            source=spec.source_name,
        )
    return OperationView(
        name=name,
        # Private to the generated module: a caller asks for another result with
        # ``_decode=``, never by reusing or editing the declaration.
        constant="_" + name.upper() + "_OPERATION",
        operation_id=op.operation_id,
        method=op.method.upper(),
        path=op.path,
        summary=op.summary or "",
        description=op.description or "",
        deprecated=op.deprecated,
        params=params,
        body=body,
        responses=responses,
        has_plain=has_plain,
        return_annotation=" | ".join(dict.fromkeys(return_types)) or "None",
        return_text=" | ".join(dict.fromkeys(return_texts)) or "None",
        stream=stream,
        download=download,
        decodable=decodable,
        # The runtime answers None for a success without a body, whatever ``_decode`` asks.
        decoded_suffix=" | None" if any(a.kind == "empty" for a in answers) else "",
        legacy_alias=None,
        accept=", ".join(dict.fromkeys(accept)) or None,
        retry_safe=op.retry_safe,
        retry_reason=_retry_reason(op),
        security=_security(op, spec),
        security_names=list(op.security),
        signature=signature,
        download_signature=_with_destination(signature),
        signature_names=[arg.split(":", 1)[0] for arg in signature],
        call_params=[(p.wire_name, p.name) for p in params],
        **_operation_example(op, params, body, types),
    )


def _with_destination(signature: list[str]) -> list[str]:
    position = len([arg for arg in signature if "=" not in arg])
    return [*signature[:position], "destination: Destination", *signature[position:]]


def _security(op: ir.Operation, spec: ir.ApiSpec) -> list[tuple[str, str, str, str]]:
    schemes = {s.name: s for s in spec.security_schemes}
    security: list[tuple[str, str, str, str]] = []
    for scheme_name in op.security:
        scheme = schemes[scheme_name]
        kind = (scheme.scheme or "bearer") if scheme.kind == "http" else "apiKey"
        location = scheme.location or "header"
        security.append((scheme.name, kind, location, scheme.parameter_name or "Authorization"))
    return security


# ------------------------------------------------------------------------ parameters


#: The serialization each location supports: the default style, and only that one.
_STYLES = {"path": "simple", "query": "form", "header": "simple", "cookie": "form"}


def _param_view(param: ir.Parameter, types: TypeRenderer, imports: Imports) -> ParamView:
    _check_serializable(param, types)
    annotation = types.annotation(param.type, imports)
    return ParamView(
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


def _check_serializable(param: ir.Parameter, types: TypeRenderer) -> None:
    """Refuse what the runtime would put on the wire wrongly: other styles, objects, and
    arrays in a path."""
    style = param.style or _STYLES[param.location]
    if style != _STYLES[param.location]:
        raise SpecError(
            param.pointer,
            "style",
            f"style {style!r} for a {param.location} parameter is not supported "
            f"(only {_STYLES[param.location]!r})",
            source=types.spec.source_name,
        )
    shape = _resolved(param.type, types)
    if isinstance(shape, (ir.MapOf, ir.ObjectSchema)):
        raise SpecError(
            param.pointer,
            "schema",
            "object-valued parameters are not supported",
            source=types.spec.source_name,
        )
    if isinstance(shape, ir.ArrayOf) and param.location == "path":
        raise SpecError(
            param.pointer,
            "schema",
            "array-valued path parameters are not supported",
            source=types.spec.source_name,
        )


def _resolved(type_: ir.TypeRef, types: TypeRenderer) -> ir.TypeRef | ir.Schema:
    """The shape behind nullability and aliases (an object schema stays a schema)."""
    while True:
        if isinstance(type_, ir.Nullable):
            type_ = type_.inner
        elif isinstance(type_, ir.Ref):
            schema = types.schema(type_.name)
            if not isinstance(schema, ir.AliasSchema):
                return schema
            type_ = schema.type
        else:
            return type_


# ------------------------------------------------------------------------ request body


def _body_view(op: ir.Operation, types: TypeRenderer, imports: Imports) -> BodyView | None:
    """A JSON body if the spec offers one, else a multipart form; anything else is refused."""
    body = op.request_body
    if body is None:
        return None
    imports.add(f"{types.runtime}.operation", "BodySpec")
    media = first_of(body.contents, "json") or first_of(body.contents, "multipart")
    if media is None or media.type is None:
        raise SpecError(
            body.pointer,
            "content",
            f"request bodies of type {', '.join(c.content_type for c in body.contents)} "
            "are not supported by the Python emitter (JSON and multipart/form-data only)",
            source=types.spec.source_name,
        )
    multipart = media_kind(media.content_type) == "multipart"
    schema = types.schema(media.type.name) if isinstance(media.type, ir.Ref) else None
    if multipart and not isinstance(schema, ir.ObjectSchema):
        raise SpecError(
            body.pointer,
            "content",
            "a multipart/form-data body must be an object schema (its properties are the parts)",
            source=types.spec.source_name,
        )
    annotation = types.annotation(media.type, imports)
    model = model_schema = None
    if isinstance(schema, ir.ObjectSchema):
        model, model_schema = annotation, schema.name
        imports.add("collections.abc", "Mapping")
        imports.add("typing", "Any")
        param_annotation = f"{annotation} | Mapping[str, Any]"
    else:
        param_annotation = annotation
    file_fields = []
    if multipart and isinstance(schema, ir.ObjectSchema):
        file_fields = [p.name for p in schema.properties if is_binary(p.type, types.schemas)]
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
        file_fields=file_fields,
    )


def _stream_flag(op: ir.Operation, types: TypeRenderer) -> str | None:
    """The JSON body's boolean ``stream`` property, which asks for the event stream."""
    media = first_of(op.request_body.contents, "json") if op.request_body else None
    if media is None or not isinstance(media.type, ir.Ref):
        return None
    schema = types.schema(media.type.name)
    if not isinstance(schema, ir.ObjectSchema):
        return None
    for prop in schema.properties:
        inner = prop.type.inner if isinstance(prop.type, ir.Nullable) else prop.type
        if prop.name == "stream" and inner == ir.Primitive("boolean"):
            return prop.name
    return None


# ------------------------------------------------------------------------ answers


def _answer_view(
    response: ir.Response,
    types: TypeRenderer,
    imports: Imports,
    raises_for: Callable[[int], str],
) -> ResponseView:
    answer = plain_answer(response)
    if answer is None:
        expr, text = "", "a stream (see the `_stream` method)"
    elif answer.kind == "json" and answer.type is not None:
        expr = f"ResponseSpec.json({types.annotation(answer.type, imports)})"
        text = doc_type(answer.type, types)
    elif answer.kind == "empty":
        expr, text = 'ResponseSpec("empty")', "None"
    else:
        kind = "text" if answer.kind == "text" else "bytes"
        expr, text = f'ResponseSpec("{kind}")', "str" if kind == "text" else "bytes"
    return ResponseView(
        status=response.status,
        description=one_paragraph(response.description),
        spec_expr=expr,
        type_text=text,
        raises=_raises(response.status, raises_for),
    )


def _answer_annotation(answer: Any, types: TypeRenderer, imports: Imports) -> str:
    if answer.kind == "json" and answer.type is not None:
        return types.annotation(answer.type, imports)
    return {"text": "str", "binary": "bytes"}.get(answer.kind, "None")


def _answer_text(answer: Any, types: TypeRenderer) -> str:
    if answer.kind == "json" and answer.type is not None:
        return doc_type(answer.type, types)
    return {"text": "str", "binary": "bytes"}.get(answer.kind, "None")


def _stream_view(op: ir.Operation, types: TypeRenderer, imports: Imports) -> StreamView | None:
    specs = []
    chunks: list[ir.TypeRef] = []
    for response in op.responses:
        if not response.is_success:
            continue
        chunk = stream_chunk(response, types.schemas)
        if chunk is None:
            continue
        specs.append(
            (response.status, f"ResponseSpec.event_stream({types.annotation(chunk, imports)})")
        )
        if chunk not in chunks:
            chunks.append(chunk)
    if not specs:
        return None
    imports.add(f"{types.runtime}.streaming", "AsyncStream")
    chunk_type = chunks[0] if len(chunks) == 1 else ir.UnionOf(tuple(chunks), "oneOf")
    return StreamView(
        specs=specs,
        chunk_annotation=types.annotation(chunk_type, imports),
        chunk_text=doc_type(chunk_type, types),
    )


def _raises(status: str, raises_for: Callable[[int], str]) -> str:
    if status.startswith("2"):
        return "-"
    if status.isdigit():
        return f"`{raises_for(int(status))}`"
    if status == "default":
        return "the `ApiException` subclass for the status"
    return f"the `ApiException` subclass for the status ({status})"


def _retry_reason(op: ir.Operation) -> str:
    explicit = RETRY_SAFE in op.extensions
    if op.retry_safe:
        return f"the spec marks it `{RETRY_SAFE}: true`" if explicit else "its method is idempotent"
    if explicit:
        return f"the spec marks it `{RETRY_SAFE}: false`"
    return f"its method is not idempotent and the spec does not mark it `{RETRY_SAFE}`"


# ------------------------------------------------------------------------ docs example


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
        media = first_of(op.request_body.contents, "json") if op.request_body else None
        example = media.example if media is not None else None
        if not isinstance(example, dict):
            schema = types.schema(body.model_schema)
            example = example_object(schema) if isinstance(schema, ir.ObjectSchema) else {}
        module = types.module_of(body.model_schema)
        imports.append(f"from {types.package}.models.{module} import {body.model}")
        fields = ", ".join(f"{python_identifier(k)}={v!r}" for k, v in example.items())
        setup.append(f"{body.name} = {body.model}({fields})")
        args.append(f"{body.name}={body.name}")
    for response in op.responses:
        media = first_of(response.contents, "json") if response.is_success else None
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
