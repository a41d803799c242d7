"""The local Together-compatible server (aiohttp's web server), in-process or standalone.

``async with MockServer() as server:`` serves on a free loopback port; ``server.url`` is the
base URL to give ``Configuration(host=...)``. Routes, request validation and error shapes
come from ``openapi.yaml``; faults are injected as :mod:`together.mock.faults` describes.
``GET /_mock/stats`` returns request counts by path and status.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from together.mock.errors import error_response
from together.mock.faults import FAULT_HEADER, FaultOptions, FaultPlan
from together.mock.operations import OPERATIONS
from together.mock.options import MockOptions
from together.mock.spec import ApiDescription, Route, load_api

__all__ = ["MockOptions", "MockServer", "create_app"]

logger = logging.getLogger("together.mock")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


_API = web.AppKey("api", ApiDescription)
_OPTIONS = web.AppKey("options", MockOptions)
_PLAN = web.AppKey("plan", FaultPlan)
_STATS = web.AppKey("stats", dict)  # path -> Counter of statuses


# ------------------------------------------------------------------------ middleware


@web.middleware
async def _bookkeeping(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every answer gets an ``x-request-id``; every request is counted in the stats."""
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
    outcome = "exception"
    try:
        response = await handler(request)
        outcome = str(response.status)
        if not response.prepared:
            response.headers["x-request-id"] = request_id
        return response
    except web.HTTPException as exc:
        outcome = str(exc.status)
        raise
    finally:
        # An injected fault is counted as itself, even when the client gave up on it.
        outcome = request.get("fault_outcome", outcome)
        if not request.path.startswith("/_mock/"):
            request.app[_STATS][request.path][outcome] += 1


@web.middleware
async def _errors_in_spec_shape(request: web.Request, handler: Handler) -> web.StreamResponse:
    """aiohttp's own errors (404, 405, 413) and any crash answer in the spec's error shape."""
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return error_response(404, f"Unknown path {request.path}", code="not_found")
    except web.HTTPMethodNotAllowed as exc:
        allowed = ", ".join(sorted(exc.allowed_methods))
        return error_response(
            405,
            f"Method {request.method} is not allowed on {request.path}",
            headers={"Allow": allowed},
        )
    except web.HTTPRequestEntityTooLarge:
        limit = request.app[_OPTIONS].max_body_bytes
        return error_response(
            400, f"Request body larger than {limit} bytes", code="request_too_large"
        )
    except web.HTTPException:
        raise
    except asyncio.CancelledError:
        raise
    except Exception:  # a bug in the server must still answer in the spec's shape
        logger.exception("mock server error on %s %s", request.method, request.path)
        return error_response(500, "Internal error in the mock server", type_="server_error")


# ------------------------------------------------------------------------ handlers


def _operation_handler(route: Route) -> Handler:
    if route.operation_id not in OPERATIONS:
        raise ValueError(f"the mock server does not implement operation {route.operation_id!r}")
    operate = OPERATIONS[route.operation_id]

    async def handle(request: web.Request) -> web.StreamResponse:
        options = request.app[_OPTIONS]
        try:
            fault = request.app[_PLAN].next_fault(request.headers.get(FAULT_HEADER))
        except ValueError as exc:
            return error_response(400, f"{FAULT_HEADER}: {exc}", param=FAULT_HEADER)
        if options.faults.latency_ms:
            await asyncio.sleep(options.faults.latency_ms / 1000)
        if fault == "drop":
            request["fault_outcome"] = "drop"
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=499)  # never reaches the client
        if fault == "stall":
            request["fault_outcome"] = "stall"
            await asyncio.sleep(options.faults.stall_seconds)
        elif isinstance(fault, int):
            return _fault_response(fault, options.faults)

        denied = _check_bearer(request, route, options)
        if denied is not None:
            return denied
        body, problem = await _read_json(request, route)
        if problem is not None:
            return problem
        response = await operate(body, options, request.app[_API].known_models)
        if fault == "truncate":
            request["fault_outcome"] = "truncate"
            return await _truncated(request, response)
        return response

    return handle


def _fault_response(status: int, faults: FaultOptions) -> web.Response:
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


def _check_bearer(request: web.Request, route: Route, options: MockOptions) -> web.Response | None:
    if not route.needs_bearer:
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


async def _read_json(request: web.Request, route: Route) -> tuple[Any, web.Response | None]:
    raw = await request.read()
    if not raw:
        if route.body_required:
            return None, error_response(400, "A JSON request body is required")
        return None, None
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return None, error_response(400, f"Request body is not valid JSON: {exc}")
    errors = sorted(route.body_errors(body), key=lambda e: (len(e.path), list(map(str, e.path))))
    if errors:
        error = errors[0]
        param = _param_of(error)
        where = ".".join(str(p) for p in error.path) or param or "body"
        return None, error_response(400, f"{where}: {error.message}", param=param)
    return body, None


def _param_of(error: Any) -> str | None:
    """The top-level field an error is about (for ``required``: the missing one)."""
    if error.path:
        return str(error.path[0])
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in (error.instance or {})]
        return missing[0] if missing else None
    return None


async def _truncated(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    """The answer with its full Content-Length but only half its bytes, then a closed socket."""
    assert isinstance(response, web.Response) and response.body is not None
    body = bytes(response.body)  # type: ignore[arg-type]
    stream = web.StreamResponse(
        status=response.status, headers={"Content-Type": "application/json"}
    )
    stream.content_length = len(body)
    stream.force_close()
    await stream.prepare(request)
    await stream.write(body[: len(body) // 2])
    assert request.transport is not None
    request.transport.close()
    return stream


async def _stats(request: web.Request) -> web.Response:
    stats = request.app[_STATS]
    by_path = {path: dict(sorted(counts.items())) for path, counts in sorted(stats.items())}
    total = sum(sum(counts.values()) for counts in stats.values())
    return web.json_response({"total": total, "requests": by_path})


async def _reset_stats(request: web.Request) -> web.Response:
    request.app[_STATS].clear()
    return web.json_response({"total": 0, "requests": {}})


# ------------------------------------------------------------------------ app and server


def create_app(options: MockOptions | None = None) -> web.Application:
    """The aiohttp application: spec routes under the spec server's base path, plus /_mock/."""
    options = options or MockOptions()
    api = load_api(options.spec_path)
    app = web.Application(
        middlewares=[_bookkeeping, _errors_in_spec_shape], client_max_size=options.max_body_bytes
    )
    app[_API] = api
    app[_OPTIONS] = options
    app[_PLAN] = FaultPlan(options.faults)
    app[_STATS] = defaultdict(Counter)
    for route in api.routes:
        app.router.add_route(route.method, api.base_path + route.path, _operation_handler(route))
    app.router.add_get("/_mock/stats", _stats)
    app.router.add_post("/_mock/reset", _reset_stats)
    return app


class MockServer:
    """The server on a loopback port, as an async context manager.

    ``port=0`` picks a free port; :attr:`url` is the base URL (``http://127.0.0.1:PORT/v1``).
    """

    def __init__(
        self, options: MockOptions | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.options = options or MockOptions()
        self.host = host
        self.port = port
        self.app = create_app(self.options)
        self._runner: web.AppRunner | None = None

    @property
    def root_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        return self.root_url + self.app[_API].base_path

    @property
    def faults(self) -> FaultPlan:
        return self.app[_PLAN]

    def stats(self) -> dict[str, dict[str, int]]:
        return {path: dict(counts) for path, counts in self.app[_STATS].items()}

    async def start(self) -> None:
        # Stalled handlers are cancelled when their client goes away, and shutdown does not
        # wait long for them: a stall must never hold up the end of a test run.
        self._runner = web.AppRunner(
            self.app, handler_cancellation=True, shutdown_timeout=0.5, access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
