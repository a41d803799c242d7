"""What every spec route does, in order: fault, latency, token, parameters, body, handler.

Faults come first (a real outage does not read your request); then the bearer token (401),
path and query parameters and the body against the spec (400); then the operation's
semantic handler, or its synthesized answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web

from together.mock.answers import synthesized_answer
from together.mock.context import STATE, Call
from together.mock.errors import error_response, in_operation_shape
from together.mock.faults import FAULT_HEADER, LATENCY_HEADER, FaultOptions, FaultPlan
from together.mock.request_keys import FAULT_OUTCOME, REQUEST_ID
from together.mock.spec import Operation
from together.mock.validation import check_bearer, parse_body, parse_parameters

__all__ = ["PLAN", "Handler", "Semantic", "injected_fault", "operation_handler", "with_faults"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Semantic = Callable[[Call], Awaitable[web.StreamResponse]]

PLAN = web.AppKey("plan", FaultPlan)


def operation_handler(operation: Operation, semantic: Semantic | None) -> Handler:
    answer = semantic or synthesized_answer

    async def handle(request: web.Request) -> web.StreamResponse:
        response = await answer_request(request)
        if response.status >= 400 and isinstance(response, web.Response):
            return in_operation_shape(response, operation, request.app[STATE].api)
        return response

    async def answer_request(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE]
        options = state.options
        fault = await injected_fault(request)
        if isinstance(fault, web.StreamResponse):
            return fault

        denied = check_bearer(request, operation, options)
        if denied is not None:
            return denied
        parameters = parse_parameters(request, operation, state.api)
        if isinstance(parameters, web.Response):
            return parameters
        try:
            parsed = await parse_body(request, operation, state.api)
        except web.HTTPRequestEntityTooLarge:
            limit = options.max_body_bytes
            return error_response(
                400, f"Request body larger than {limit} bytes", code="request_too_large"
            )
        if isinstance(parsed, web.Response):
            return parsed
        streaming = isinstance(parsed.body, dict) and parsed.body.get("stream") is True
        if fault == "error-event" and not streaming:
            request[FAULT_OUTCOME] = "error-event"
            return fault_response(500, options.faults)
        call = Call(
            request=request,
            operation=operation,
            state=state,
            body=parsed.body,
            form=parsed.form,
            path_params=parameters[0],
            query=parameters[1],
            fault=fault,
        )
        response = await answer(call)
        if fault == "truncate" and not response.prepared:
            request[FAULT_OUTCOME] = "truncate"
            return await truncated(request, response)
        return response

    return handle


async def injected_fault(request: web.Request) -> web.StreamResponse | int | str | None:
    """This request's fault, after its latency: the answer itself for a status or a drop
    (a stall has waited when this returns), else the fault a handler acts on later
    (``truncate``, ``error-event``) or ``None``."""
    options = request.app[STATE].options
    try:
        fault = request.app[PLAN].next_fault(request.headers.get(FAULT_HEADER))
    except ValueError as exc:
        return error_response(400, f"{FAULT_HEADER}: {exc}", param=FAULT_HEADER)
    delay = options.faults.latency_ms
    extra = request.headers.get(LATENCY_HEADER)
    if extra is not None:
        try:
            delay += max(0.0, float(extra))
        except ValueError:
            return error_response(
                400, f"{LATENCY_HEADER}: not a number: {extra!r}", param=LATENCY_HEADER
            )
    if delay:
        await asyncio.sleep(delay / 1000)
    if fault == "drop":
        request[FAULT_OUTCOME] = "drop"
        assert request.transport is not None
        request.transport.close()
        return web.Response(status=499)  # never reaches the client
    if fault == "stall":
        request[FAULT_OUTCOME] = "stall"
        await asyncio.sleep(options.faults.stall_seconds)
        return None
    if isinstance(fault, int):
        return fault_response(fault, options.faults)
    return fault


def with_faults(handler: Handler) -> Handler:
    """``handler`` (a route the spec does not describe) with the same fault injection."""

    async def handle(request: web.Request) -> web.StreamResponse:
        fault = await injected_fault(request)
        if isinstance(fault, web.StreamResponse):
            return fault
        if fault == "error-event":
            request[FAULT_OUTCOME] = "error-event"
            return fault_response(500, request.app[STATE].options.faults)
        response = await handler(request)
        if fault == "truncate" and not response.prepared:
            request[FAULT_OUTCOME] = "truncate"
            return await truncated(request, response)
        return response

    return handle


def fault_response(status: int, faults: FaultOptions) -> web.Response:
    headers = {}
    if faults.retry_after is not None and status in (429, 503):
        headers["Retry-After"] = format(faults.retry_after, "g")
    kinds = {
        429: ("rate_limit_error", "Rate limit exceeded (injected)"),
        503: ("server_error", "Overloaded (injected)"),
    }
    type_, message = kinds.get(
        status,
        ("server_error" if status >= 500 else "invalid_request_error", f"Injected fault {status}"),
    )
    return error_response(status, message, type_=type_, headers=headers)


async def truncated(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    """The answer with its full Content-Length but only half its bytes, then a closed socket.

    Its status and headers are kept (a redirect's ``Location``, the ``x-request-id``); an
    answer without a body (a 302, a 204) has nothing to cut and is sent whole, then closed."""
    assert isinstance(response, web.Response)
    body = b"" if response.body is None else bytes(response.body)  # type: ignore[arg-type]
    stream = web.StreamResponse(status=response.status, headers=response.headers)
    stream.headers["x-request-id"] = request[REQUEST_ID]
    stream.content_length = len(body)
    stream.force_close()
    await stream.prepare(request)
    await stream.write(body[: len(body) // 2])
    assert request.transport is not None
    request.transport.close()
    return stream
