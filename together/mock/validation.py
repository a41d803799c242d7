"""Request checks: bearer token, path and query parameters, and bodies against the spec.

A failure answers in the spec's error shape: 401 for the token, 400 for everything else,
with ``param`` naming the parameter or top-level field at fault.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from aiohttp import web
from jsonschema.exceptions import ValidationError

from together.mock.context import Upload
from together.mock.errors import error_response
from together.mock.options import MockOptions
from together.mock.spec import ApiDescription, Operation

__all__ = ["Parsed", "check_bearer", "first_error", "parse_body", "parse_parameters"]

_JSON = "application/json"
_FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


class Parsed:
    """A body as the handler will see it."""

    def __init__(self, body: Any = None, form: Mapping[str, str | Upload] | None = None) -> None:
        self.body = body
        self.form: Mapping[str, str | Upload] = form or {}


def check_bearer(
    request: web.Request, operation: Operation, options: MockOptions
) -> web.Response | None:
    if not operation.needs_bearer:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return error_response(
            401,
            "Missing or malformed bearer token in the Authorization header",
            code="invalid_api_key",
        )
    if options.api_key is not None and token.strip() != options.api_key:
        return error_response(401, "Invalid API key provided.", code="invalid_api_key")
    return None


def parse_parameters(
    request: web.Request, operation: Operation, api: ApiDescription
) -> tuple[dict[str, str], dict[str, str]] | web.Response:
    """Path and query parameters, checked against their schemas (values coerced first)."""
    path: dict[str, str] = {}
    query: dict[str, str] = {}
    for parameter in operation.parameters:
        if parameter.location == "path":
            raw = request.match_info.get(parameter.name)
        elif parameter.location == "query":
            raw = request.query.get(parameter.name)
        else:
            continue
        if raw is None:
            if parameter.required:
                return error_response(
                    400,
                    f"{parameter.name}: required {parameter.location} parameter is missing",
                    param=parameter.name,
                )
            continue
        value = coerce(raw, parameter.schema, api)
        error = next(api.schema_validator(parameter.schema).iter_errors(value), None)
        if error is not None:
            return error_response(400, f"{parameter.name}: {error.message}", param=parameter.name)
        (path if parameter.location == "path" else query)[parameter.name] = raw
    return path, query


def coerce(raw: str, schema: Mapping[str, Any], api: ApiDescription) -> Any:
    """A text value (query, path, form field) as the type its schema asks for, if it reads so."""
    schema = api.resolve(schema)
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []):
        branch_type = api.resolve(branch).get("type")
        if isinstance(branch_type, str):
            kinds.append(branch_type)
    if "string" in kinds:
        return raw
    for kind in kinds:
        try:
            if kind == "integer":
                return int(raw)
            if kind == "number":
                return float(raw)
        except ValueError:
            continue
        if kind == "boolean" and raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        if kind in ("array", "object"):
            try:
                return json.loads(raw)
            except ValueError:
                continue
    return raw


async def parse_body(
    request: web.Request, operation: Operation, api: ApiDescription
) -> Parsed | web.Response:
    """The body, read as the spec's content type for this operation and validated."""
    if not operation.bodies:
        return Parsed()
    takes_json = _JSON in operation.bodies
    form_type = next((t for t in operation.bodies if t in _FORMS), None)
    sent = request.content_type
    if form_type is not None and (sent in _FORMS or not takes_json):
        if sent not in _FORMS:
            if not request.can_read_body and not operation.body_required:
                return Parsed()
            # aiohttp reads a missing or empty Content-Type as application/octet-stream.
            return error_response(400, f"Expected a {form_type} body, got {sent}")
        return await _parse_form(request, operation, api, form_type)
    raw = await request.read()
    media = operation.bodies.get(_JSON) or next(iter(operation.bodies.values()))
    if not raw:
        if operation.body_required:
            return error_response(400, "A JSON request body is required")
        if not api.resolve(media.schema).get("required"):
            return Parsed()
        # The spec calls the body optional but its schema requires fields (chat
        # completions does): no body reads as {}, so the answer names the first missing one.
        raw = b"{}"
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return error_response(400, f"Request body is not valid JSON: {exc}")
    problem = _first_error(api, media.pointer, body)
    return problem if problem is not None else Parsed(body=body)


async def _parse_form(
    request: web.Request, operation: Operation, api: ApiDescription, form_type: str
) -> Parsed | web.Response:
    try:
        fields = await request.post()
    except web.HTTPException:
        raise
    except Exception as exc:  # aiohttp's parser raises several kinds on malformed input
        return error_response(400, f"Malformed {request.content_type} body: {exc}")
    media = operation.bodies[form_type]
    properties = api.resolve(media.schema).get("properties", {})
    form: dict[str, str | Upload] = {}
    instance: dict[str, Any] = {}
    uploads: set[str] = set()
    for name in fields:
        value = fields[name]
        if isinstance(value, str):
            form[name] = value
            instance[name] = coerce(value, properties.get(name, {}), api)
        elif isinstance(value, (bytes, bytearray)):
            form[name] = value.decode("utf-8", "replace")
            instance[name] = form[name]
        else:
            data = value.file.read()
            form[name] = Upload(value.filename, value.content_type, data)
            instance[name] = data.decode("latin-1")  # a "binary" string in the schema's terms
            uploads.add(name)
    # A file part is a binary string whatever it holds; its schema (e.g. oneOf binary or
    # uri) cannot tell bytes from text, so only its presence is checked.
    problem = _first_error(api, media.pointer, instance, skip=uploads, form=True)
    return problem if problem is not None else Parsed(body=instance, form=form)


def _first_error(
    api: ApiDescription,
    pointer: str,
    body: Any,
    skip: set[str] = frozenset(),  # type: ignore[assignment]
    form: bool = False,
) -> web.Response | None:
    if not pointer:
        return None
    errors_found = api.errors(pointer, body, form=form)
    return first_error(
        e for e in errors_found if not (e.path and e.path[0] in skip) and not _fits_several(e)
    )


def _fits_several(error: ValidationError) -> bool:
    """A ``oneOf`` the value fits more than one branch of (its error has no branch errors).
    Taken: specs write ``oneOf`` for "one of these shapes" with open objects that overlap
    (Together's cosine scheduler arguments fit its linear ones too), and a real server takes
    such a value."""
    return error.validator == "oneOf" and not error.context


def first_error(errors: Iterable[ValidationError]) -> web.Response | None:
    """The 400 for the shallowest of ``errors`` (none: ``None``), in the words every
    request check uses: the field, and what is wrong with its value."""
    found = sorted(errors, key=lambda e: (len(e.path), list(map(str, e.path))))
    if not found:
        return None
    param = _param_of(found[0])
    return error_response(400, _message(found[0], param), param=param)


def _message(error: ValidationError, param: str | None) -> str:
    """What a person reads: the field, and the value in JSON (not Python's repr).

    A missing field reads as the spec's own example says: ``input: field required``.
    """
    where = ".".join(str(p) for p in error.path) or "body"
    got = json.dumps(error.instance, default=str)
    got = got if len(got) <= 80 else got[:77] + "..."
    if error.validator == "required":
        return f"{param}: field required"
    if error.validator == "type":
        expected = error.validator_value
        kinds = " or ".join(expected) if isinstance(expected, list) else str(expected)
        return f"{where}: expected {kinds}, got {got}"
    if error.validator == "enum":
        return f"{where}: expected one of {json.dumps(error.validator_value)}, got {got}"
    if error.validator == "format" and error.validator_value == "binary":
        return f"{where}: expected a file part, got {got}"
    if error.validator in ("anyOf", "oneOf"):
        return f"{where}: {got} is not a valid value"
    rule = json.dumps(error.validator_value, default=str)
    return f"{where}: {got} does not satisfy {error.validator} {rule}"


def _param_of(error: ValidationError) -> str | None:
    """The top-level field an error is about (for ``required``: the missing one)."""
    if error.path:
        return str(error.path[0])
    if error.validator == "required":
        # jsonschema checks "required" on objects only: the first name the object lacks.
        names: list[str] = error.validator_value  # type: ignore[assignment]
        present: dict[str, Any] = error.instance  # type: ignore[assignment]
        return next(name for name in names if name not in present)
    return None
