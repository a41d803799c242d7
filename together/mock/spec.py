"""What the server knows from ``openapi.yaml``: routes, request schemas, auth, models.

Loaded once at start. Request bodies are validated with jsonschema against the spec's own
schemas (OpenAPI 3.1 schemas are JSON Schema 2020-12), so the server's rules are the spec's.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

__all__ = ["ApiDescription", "Route", "default_spec_path", "load_api"]

_SPEC_URI = "urn:together:openapi"
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def default_spec_path() -> Path:
    """``openapi.yaml``: shipped in the wheel beside this module, or the repository's."""
    shipped = importlib.resources.files("together.mock").joinpath("openapi.yaml")
    if shipped.is_file():
        return Path(str(shipped))
    return Path(__file__).resolve().parents[2] / "openapi.yaml"


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # the spec's path, without the server's base path
    operation_id: str
    needs_bearer: bool
    body_validator: Draft202012Validator | None
    body_required: bool

    def body_errors(self, body: Any) -> Iterator[ValidationError]:
        if self.body_validator is not None:
            yield from self.body_validator.iter_errors(body)


@dataclass(frozen=True)
class ApiDescription:
    base_path: str
    routes: tuple[Route, ...]
    #: Model names the spec lists for request bodies' ``model`` property.
    known_models: tuple[str, ...]

    def route(self, method: str, path: str) -> Route | None:
        for route in self.routes:
            if route.method == method and route.path == path:
                return route
        return None

    def methods_for(self, path: str) -> list[str]:
        return [route.method for route in self.routes if route.path == path]


def load_api(spec_path: Path | None = None) -> ApiDescription:
    document = yaml.safe_load((spec_path or default_spec_path()).read_text(encoding="utf-8"))
    registry = Registry().with_resource(
        _SPEC_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    servers = document.get("servers") or [{"url": "/"}]
    base_path = urlsplit(servers[0]["url"]).path.rstrip("/")
    global_security = document.get("security", [])
    schemes = document.get("components", {}).get("securitySchemes", {})

    routes = []
    models: list[str] = []
    for path, item in document["paths"].items():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            security = operation.get("security", global_security)
            needs_bearer = any(
                schemes.get(name, {}).get("scheme", "").lower() == "bearer"
                for requirement in security
                for name in requirement
            )
            validator, required = None, False
            body = operation.get("requestBody")
            if body is not None:
                required = bool(body.get("required", False))
                schema = body["content"]["application/json"]["schema"]
                pointer = schema.get("$ref", "")
                validator = Draft202012Validator({"$ref": _SPEC_URI + pointer}, registry=registry)
                models += _enum_values(
                    _resolve(document, pointer).get("properties", {}).get("model", {})
                )
            routes.append(
                Route(
                    method=method.upper(),
                    path=path,
                    operation_id=operation["operationId"],
                    needs_bearer=needs_bearer,
                    body_validator=validator,
                    body_required=required,
                )
            )
    return ApiDescription(
        base_path=base_path, routes=tuple(routes), known_models=tuple(dict.fromkeys(models))
    )


def _resolve(document: Mapping[str, Any], pointer: str) -> Mapping[str, Any]:
    node: Any = document
    for token in pointer.lstrip("#/").split("/") if pointer else []:
        node = node[token]
    return node if isinstance(node, Mapping) else {}


def _enum_values(schema: Mapping[str, Any]) -> list[str]:
    """Enum values anywhere in a schema's anyOf/oneOf branches (an "open enum" lists some)."""
    values = [v for v in schema.get("enum", []) if isinstance(v, str)]
    for key in ("anyOf", "oneOf"):
        for branch in schema.get(key, []):
            values += _enum_values(branch)
    return values
