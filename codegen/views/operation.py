"""The view of one operation: its parts put together, and which methods it gets.

``op()`` (and its ``_with_http_info``/``_without_preload_content`` forms) exists unless the
only success is a stream; ``op_stream()`` when it streams; ``op_to_file()`` when it answers
bytes; ``_decode=`` on ``op()`` and ``op_with_http_info()`` when it answers JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from codegen import ir
from codegen.errors import SpecError
from codegen.lower import RETRY_SAFE
from codegen.naming import first_free, method_name
from codegen.views.answers import (
    REDIRECT_TARGET_ANSWER,
    ResponseView,
    StreamedAnswer,
    StreamView,
    answer_of,
    response_view,
    stream_view,
)
from codegen.views.bodies import BodyView, body_view
from codegen.views.examples import operation_example
from codegen.views.media import plain_content_types
from codegen.views.params import ParamView, param_view
from codegen.views.python_types import Imports, TypeRenderer


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


def operation_view(
    op: ir.Operation,
    spec: ir.ApiSpec,
    types: TypeRenderer,
    imports: Imports,
    raises_for: Callable[[int], str],
) -> OperationView:
    name = method_name(op.operation_id)
    if op.parameters:
        imports.add(f"{types.runtime}.operation", "Param")
    if op.parameters or op.request_body:
        imports.add("pydantic", "TypeAdapter")
    params = [param_view(param, types, imports) for param in op.parameters]
    body = body_view(op, types, imports)
    _rename_method_arguments(op, params, body, types)
    responses = [response_view(r, types, imports, raises_for) for r in op.responses]
    stream = stream_view(op, types, imports)
    if stream is not None and body is not None:
        body.stream_flag = body.find_stream_flag(types)
    success = [r for r in op.responses if r.is_success]
    answers = [a for a in map(answer_of, success) if not isinstance(a, StreamedAnswer)]
    if not success and redirects_to_the_result(op):
        # The runtime follows the redirect and reads what it leads to as bytes
        # (``Operation.redirects_to_the_result``): a download, with ``_to_file``.
        answers = [REDIRECT_TARGET_ANSWER]
    has_plain = bool(answers) or not success
    kinds = {answer.kind for answer in answers}
    _import_forms(kinds, types, imports)
    signature = _signature(op, spec, params, body)
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
        return_annotation=_joined(a.annotation(types, imports) for a in answers),
        return_text=_joined(a.text(types) for a in answers),
        stream=stream,
        download="binary" in kinds,
        decodable="json" in kinds,
        # The runtime answers None for a success without a body, whatever ``_decode`` asks.
        decoded_suffix=" | None" if "empty" in kinds else "",
        legacy_alias=None,
        accept=_accept(op, has_plain),
        retry_safe=op.retry_safe,
        retry_reason=_retry_reason(op),
        security=_security(op, spec),
        security_names=list(op.security),
        signature=signature,
        download_signature=_with_destination(signature),
        signature_names=[arg.split(":", 1)[0] for arg in signature],
        call_params=[(p.wire_name, p.name) for p in params],
        **operation_example(op, params, body, types),
    )


def redirects_to_the_result(op: ir.Operation) -> bool:
    """Whether the operation's only answer besides errors is a redirect (a ``307`` "to the
    file"): nothing declares the result's type, so it is the bytes the redirect leads to."""
    statuses = [r.status for r in op.responses]
    return any(s.startswith("3") for s in statuses) and not any(
        s.startswith("2") or s == "default" for s in statuses
    )


def _joined(types: Iterable[str]) -> str:
    """The union of the answers' types, each once ("None" when there is none)."""
    return " | ".join(dict.fromkeys(types)) or "None"


def _import_forms(kinds: set[str], types: TypeRenderer, imports: Imports) -> None:
    """What the methods a kind of answer brings need: ``_to_file``, ``_decode``."""
    if "binary" in kinds:
        imports.add(f"{types.runtime}.download", "Destination")
    if "json" in kinds:
        imports.add("collections.abc", "Callable")
        for typing_name in ("Any", "TypeVar", "overload"):
            imports.add("typing", typing_name)
        imports.add("pydantic", "BaseModel")


def _accept(op: ir.Operation, has_plain: bool) -> str | None:
    """The Accept header: what the plain forms read (for a stream-only operation, what its
    errors are written in)."""
    if has_plain:
        accept = [t for r in op.responses for t in plain_content_types(r)]
    else:
        accept = [m.content_type for r in op.responses if not r.is_success for m in r.contents]
    return ", ".join(dict.fromkeys(accept)) or None


def _signature(
    op: ir.Operation, spec: ir.ApiSpec, params: list[ParamView], body: BodyView | None
) -> list[str]:
    """The arguments: required parameters, the body, then optional parameters."""
    required = [p for p in params if p.required]
    optional = [p for p in params if not p.required]
    signature = [f"{p.name}: {p.annotation}" for p in required]
    if body is not None:
        signature.append(f"{body.name}: {body.annotation}" + ("" if body.required else " = None"))
    signature += [f"{p.name}: {_or_none(p.annotation)} = None" for p in optional]
    names = [p.name for p in params] + ([body.name] if body else [])
    if len(set(names)) != len(names):
        raise SpecError(
            op.pointer,
            "parameters",
            "two parameters have the same Python name",
            source=spec.source_name,
        )
    return signature


#: The arguments every generated method has of its own (``api.py.j2``): ``self``,
#: ``op_to_file()``'s ``destination`` and the ``_``-prefixed call options. A parameter may not
#: take one of these names.
METHOD_ARGUMENTS = frozenset(
    {
        "self",
        "destination",
        "_request_timeout",
        "_headers",
        "_retries",
        "_deadline",
        "_retry_policy",
        "_decode",
    }
)


def _rename_method_arguments(
    op: ir.Operation, params: list[ParamView], body: BodyView | None, types: TypeRenderer
) -> None:
    """Give a parameter or the body named like one of the method's own arguments another
    name: the name with ``_`` appended (``self_``), numbered (``self_2``...) if that is taken
    too, the wire name unchanged; each renaming is a warning with the pointer of what was
    renamed. (A body is named after its model: schema ``Self_`` would be ``self``.)"""
    taken = {p.name for p in params} | ({body.name} if body else set()) | METHOD_ARGUMENTS

    def rename(name: str, pointer: str, what: str) -> str:
        candidate = first_free(name + "_", taken, sep="")
        types.warnings.append(
            f"{types.spec.source_name}#{pointer}: {what} is argument {candidate!r}: "
            f"{name!r} is an argument every method has"
        )
        taken.add(candidate)
        return candidate

    for param, view in zip(op.parameters, params, strict=True):
        if view.name in METHOD_ARGUMENTS:
            view.name = rename(view.name, param.pointer, f"parameter {param.name!r}")
    if body is not None and body.name in METHOD_ARGUMENTS:
        body.name = rename(body.name, body.pointer, "the request body")


def _or_none(annotation: str) -> str:
    """The annotation of an optional argument: ``None`` allowed, once."""
    return annotation if annotation.endswith(" | None") else f"{annotation} | None"


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


def _retry_reason(op: ir.Operation) -> str:
    explicit = RETRY_SAFE in op.extensions
    if op.retry_safe:
        return f"the spec marks it `{RETRY_SAFE}: true`" if explicit else "its method is idempotent"
    if explicit:
        return f"the spec marks it `{RETRY_SAFE}: false`"
    return f"its method is not idempotent and the spec does not mark it `{RETRY_SAFE}`"
