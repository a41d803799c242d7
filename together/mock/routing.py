"""Routes from the spec: every operation of the document gets one, derived at start.

Paths are registered with literal segments before parameters (``/deployments/secrets``
before ``/deployments/{id}``), so a fixed path is never read as an id. Each route runs the
same pipeline (:func:`together.mock.pipeline.operation_handler`); the operations with real
semantics are found in :func:`together.mock.semantics.handlers_for` by "METHOD /path", the rest
answer from their response schema.
"""

from __future__ import annotations

from aiohttp import web

from together.mock.pipeline import operation_handler, with_faults
from together.mock.semantics import extra_routes, handlers_for
from together.mock.spec import ApiDescription

__all__ = ["add_spec_routes"]


def _specificity(path: str) -> list[int]:
    return [1 if segment.startswith("{") else 0 for segment in path.strip("/").split("/")]


def add_spec_routes(app: web.Application, api: ApiDescription) -> int:
    """Register every operation of ``api`` (and the SDK's extra routes); the route count."""
    by_path: dict[str, list[str]] = {}
    for operation in api.operations:
        by_path.setdefault(operation.path, []).append(operation.method)
    operations = {operation.key: operation for operation in api.operations}
    handlers = handlers_for(api)
    count = 0
    for path in sorted(by_path, key=_specificity):
        resource = app.router.add_resource(api.base_path + path)
        for method in by_path[path]:
            operation = operations[f"{method} {path}"]
            resource.add_route(method, operation_handler(operation, handlers.get(operation.key)))
            count += 1
    for method, path, handler in extra_routes(api):
        app.router.add_route(method, path, with_faults(handler))
    return count
