"""Answers in the spec's error shape (``ErrorData``)."""

from __future__ import annotations

import json

from aiohttp import web

__all__ = ["error_response"]


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
