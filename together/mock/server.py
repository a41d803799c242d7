"""The local Together-compatible server (aiohttp's web server), in-process or standalone.

``async with MockServer() as server:`` serves on a free loopback port; ``server.url`` is the
base URL to give ``Configuration(host=...)``. Every operation of the spec has a route
(:mod:`together.mock.routing`); faults are injected as :mod:`together.mock.faults`
describes. ``GET /_mock/stats`` returns request counts by path and status;
``GET /_mock/concurrency`` the requests in flight now and at the peak.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from types import TracebackType
from typing import Self

from aiohttp import web

from together.mock.context import STATE, ServerState
from together.mock.errors import error_response
from together.mock.faults import FaultPlan
from together.mock.options import MockOptions
from together.mock.pipeline import PLAN, Handler
from together.mock.request_keys import FAULT_OUTCOME, REQUEST_ID
from together.mock.routing import add_spec_routes
from together.mock.spec import load_api
from together.mock.synthesis import Synthesizer

__all__ = ["MockOptions", "MockServer", "create_app"]

logger = logging.getLogger("together.mock")

_STATS = web.AppKey("stats", dict)  # path -> Counter of statuses
_FLIGHT = web.AppKey("flight", dict)  # "now" and "peak": requests in flight
_ROUTES = web.AppKey("routes", int)


# ------------------------------------------------------------------------ middleware


@web.middleware
async def _bookkeeping(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every answer gets an ``x-request-id``; every request is counted in the stats and in
    the requests in flight."""
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
    request[REQUEST_ID] = request_id
    outcome = "exception"
    mock_route = request.path.startswith("/_mock/")
    flight = request.app[_FLIGHT]
    if not mock_route:
        flight["now"] += 1
        flight["peak"] = max(flight["peak"], flight["now"])
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
        outcome = request.get(FAULT_OUTCOME, outcome)
        if not mock_route:
            flight["now"] -= 1
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
        limit = request.app[STATE].options.max_body_bytes
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


# ------------------------------------------------------------------------ /_mock/


async def _stats(request: web.Request) -> web.Response:
    stats = request.app[_STATS]
    by_path = {path: dict(sorted(counts.items())) for path, counts in sorted(stats.items())}
    total = sum(sum(counts.values()) for counts in stats.values())
    return web.json_response({"total": total, "requests": by_path})


async def _concurrency(request: web.Request) -> web.Response:
    flight = request.app[_FLIGHT]
    return web.json_response({"in_flight": flight["now"], "peak": flight["peak"]})


async def _blob(request: web.Request) -> web.Response:
    """Where a 3xx answer's ``Location`` points: a few deterministic bytes."""
    name = request.match_info["name"]
    return web.Response(body=f"together-mock blob {name}\n".encode(), content_type="text/plain")


async def _reset_stats(request: web.Request) -> web.Response:
    request.app[_STATS].clear()
    request.app[_FLIGHT]["peak"] = request.app[_FLIGHT]["now"]
    return web.json_response({"total": 0, "requests": {}})


# ------------------------------------------------------------------------ app and server


def create_app(options: MockOptions | None = None) -> web.Application:
    """The aiohttp application: spec routes under the spec server's base path, plus /_mock/."""
    options = options or MockOptions()
    api = load_api(options.spec_path)
    app = web.Application(
        middlewares=[_bookkeeping, _errors_in_spec_shape], client_max_size=options.max_body_bytes
    )
    app[STATE] = ServerState(api=api, options=options, synthesizer=Synthesizer(api))
    app[PLAN] = FaultPlan(options.faults)
    app[_STATS] = defaultdict(Counter)
    app[_FLIGHT] = {"now": 0, "peak": 0}
    app.router.add_get("/_mock/stats", _stats)
    app.router.add_get("/_mock/concurrency", _concurrency)
    app.router.add_post("/_mock/reset", _reset_stats)
    app.router.add_get("/_mock/blobs/{name}", _blob)
    app[_ROUTES] = add_spec_routes(app, api)
    return app


class MockServer:
    """The server on a loopback port, as an async context manager.

    ``port=0`` picks a free port; :attr:`url` is the base URL (``http://127.0.0.1:PORT/v1``).
    ``spec`` serves another OpenAPI document than ``openapi.yaml`` (a path).
    """

    def __init__(
        self,
        options: MockOptions | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        spec: str | Path | None = None,
    ) -> None:
        self.options = options or MockOptions()
        if spec is not None:
            self.options.spec_path = Path(spec)
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
        return self.root_url + self.app[STATE].api.base_path

    @property
    def faults(self) -> FaultPlan:
        return self.app[PLAN]

    @property
    def route_count(self) -> int:
        """How many operations of the spec have a route."""
        return self.app[_ROUTES]

    @property
    def peak_in_flight(self) -> int:
        """The most requests the server has held at once (since start or ``/_mock/reset``)."""
        return int(self.app[_FLIGHT]["peak"])

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
