"""Answers in the spec's error shape (``ErrorData``, or what an operation declares)."""

from __future__ import annotations

import json

from aiohttp import web

from together.mock.spec import ApiDescription, Operation

__all__ = ["error_response", "in_operation_shape"]


def error_response(
    status: int,
    message: str,
    *,
    type_: str = "invalid_request_error",
    param: str | None = None,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """An answer in the spec's ``ErrorData`` shape."""
    body = {"error": {"message": message, "type": type_, "param": param, "code": code}}
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        content_type="application/json",
        headers=headers,
    )


def in_operation_shape(
    response: web.Response, operation: Operation, api: ApiDescription
) -> web.Response:
    """``response`` (an ``ErrorData`` answer) reshaped when the operation declares another
    error shape for that status: most of Together's spec uses ``ErrorData``, but e.g. the
    batches operations answer ``{"error": "message"}``. A status the operation does not
    declare keeps ``ErrorData``."""
    declared = operation.responses.get(str(response.status), {}).get("application/json")
    if declared is None or not declared.pointer:
        return response
    assert isinstance(response.body, bytes)  # made by error_response
    validator = api.validator(declared.pointer)
    body = json.loads(response.body)
    if validator.is_valid(body):
        return response
    message = body["error"]["message"]
    for candidate in (
        {"error": message},
        {"message": message},
        {"error": message, "message": message},
    ):
        if validator.is_valid(candidate):
            response.body = json.dumps(candidate).encode()
            return response
    return response
