"""What the server knows from the spec: operations, their parameters, bodies and answers.

Loaded once at start, from ``openapi.yaml`` or any OpenAPI 3.1 document (``--spec``). Schemas
are JSON Schema 2020-12 and validated with jsonschema against the spec's own text, so the
server's rules are the spec's. Two leftovers of OpenAPI 3.0 that Together's published spec
still uses are read as their authors meant them (see :func:`normalize`): ``nullable: true``
allows ``null``, ``properties`` without ``type`` means an object, and every ``$ref`` is
made absolute so any sub-schema validates on its own.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

__all__ = [
    "SPEC_URI",
    "ApiDescription",
    "Media",
    "Operation",
    "Parameter",
    "default_spec_path",
    "load_api",
    "normalize",
]

#: The URI the spec is registered under; every ``$ref`` is rewritten to start with it.
SPEC_URI = "urn:together:openapi"
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


#: jsonschema's format checks, with date-time and uri checked without optional packages
#: (jsonschema skips them unless rfc3339-validator / rfc3987 are installed; clients such as
#: schemathesis do check them).
FORMATS = FormatChecker()
for _name, _check in Draft202012Validator.FORMAT_CHECKER.checkers.items():
    FORMATS.checkers[_name] = _check


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
        return False
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value))


#: The one format a form's text parts are held to: ``binary`` names a file part (checked
#: apart), so a text part never is one. Together's transcription ``file`` is a ``oneOf``
#: of a binary and a uri string: a URL sent as text must match one branch, not both.
TEXT_PARTS = FormatChecker(formats=())


@TEXT_PARTS.checks("binary")
def _is_file_part(value: object) -> bool:
    return False


def default_spec_path() -> Path:
    """``openapi.yaml``: shipped in the wheel beside this module, or the repository's."""
    shipped = importlib.resources.files("together.mock").joinpath("openapi.yaml")
    if shipped.is_file():
        return Path(str(shipped))
    return Path(__file__).resolve().parents[2] / "openapi.yaml"


_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 10x


class _SpecLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """YAML without implicit timestamps: ``example: 2024-01-15T14:30:00Z`` stays the string
    a JSON answer must carry, not a ``datetime``."""


_SpecLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def normalize(node: Any) -> Any:
    """The spec with ``nullable: true`` as a JSON Schema null branch, OpenAPI 3.0's boolean
    ``exclusiveMinimum``/``exclusiveMaximum`` as numbers, and absolute ``$ref``\\ s."""
    if isinstance(node, list):
        return [normalize(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: normalize(value) for key, value in node.items()}
    if "type" not in out and isinstance(out.get("properties"), dict) and "$ref" not in out:
        # "properties" without "type" (ExecuteRequest) describes an object; JSON Schema
        # would let an array or a number through.
        out["type"] = "object"
    for exclusive, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        flag = out.get(exclusive)
        if isinstance(flag, bool):
            # OpenAPI 3.0's flag on the bound beside it; JSON Schema (and the validator)
            # would read true as the number 1.
            del out[exclusive]
            if flag and bound in out:
                out[exclusive] = out.pop(bound)
    for key in ("oneOf", "anyOf"):
        kinds = [branch.get("type") for branch in out.get(key, []) if isinstance(branch, dict)]
        if isinstance(out.get("type"), str) and any(k and k != out["type"] for k in kinds):
            # A type beside branches of other types (Together's `train_on_inputs`: `type:
            # boolean` beside `oneOf: [boolean, "auto"]`, `default: auto`) would refuse
            # every value of those branches: the branches say what the authors meant.
            del out["type"]
    ref = out.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        out["$ref"] = SPEC_URI + ref
    branches = node.get("allOf")  # the branches as written, before they are normalized
    if isinstance(branches, list) and any(_only_nullable(b) for b in branches):
        # allOf: [{$ref: X}, {nullable: true}] means "X or null".
        rest = {k: v for k, v in out.items() if k != "allOf"}
        kept = [normalize(b) for b in branches if not _only_nullable(b)]
        return {**rest, "anyOf": [{"allOf": kept}, {"type": "null"}]}
    if out.get("nullable") is True:
        del out["nullable"]
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        elif not (isinstance(kind, list) and "null" in kind):
            return {"anyOf": [out, {"type": "null"}]}
    elif out.get("nullable") is False:
        del out["nullable"]
    return out


def _only_nullable(branch: Any) -> bool:
    return isinstance(branch, dict) and branch.get("nullable") is True and "type" not in branch


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class Media:
    """One content type of a body or an answer: its schema and examples."""

    content_type: str
    pointer: str  # JSON pointer of the schema in the normalized document ("" if none)
    schema: Mapping[str, Any]
    examples: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # "path", "query", "header", "cookie"
    required: bool
    schema: Mapping[str, Any]


@dataclass(frozen=True)
class Operation:
    """One HTTP operation of the spec."""

    method: str  # upper case
    path: str  # the spec's path, without the server's base path
    #: ``operationId``, or "METHOD /path" for operations without one.
    name: str
    needs_bearer: bool
    parameters: tuple[Parameter, ...]
    #: Request bodies by content type; empty when the operation takes none.
    bodies: Mapping[str, Media]
    body_required: bool
    #: Answers by status ("200", "4XX", "default") and content type.
    responses: Mapping[str, Mapping[str, Media]]

    @property
    def key(self) -> str:
        """``"POST /embeddings"``: how semantic handlers name the operation they serve."""
        return f"{self.method} {self.path}"

    @property
    def success_status(self) -> str:
        """The answer a successful call gets: the lowest 2xx (else 3xx, else 1xx) declared."""
        for prefix in ("2", "3", "1"):
            statuses = sorted(s for s in self.responses if s.startswith(prefix) and s.isdigit())
            if statuses:
                return statuses[0]
        return "200"


@dataclass
class ApiDescription:
    """The spec as the server uses it."""

    document: Mapping[str, Any]
    base_path: str
    operations: tuple[Operation, ...]
    registry: Registry[Any] = field(repr=False)
    _validators: dict[str, Draft202012Validator] = field(default_factory=dict, repr=False)
    _models: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def validator(
        self, pointer: str, *, formats: bool = False, form: bool = False
    ) -> Draft202012Validator:
        """A (cached) validator of the schema at ``pointer`` in the normalized document.

        ``formats`` also checks ``format`` (date-time, uri, uuid...): answers are held to it,
        requests are not (a real server parses leniently). ``form`` validates the text parts
        of a form, which are never ``binary`` (:data:`TEXT_PARTS`).
        """
        key = f"{formats}:{form}:{pointer}"
        found = self._validators.get(key)
        if found is None:
            # The schema itself as the root, its top-level $ref chain followed: a $ref
            # resolved on every validation costs more than the validation of a small body.
            schema = self.resolve(self.at(pointer))
            found = self.schema_validator(schema, formats=formats, form=form)
            self._validators[key] = found
        return found

    def schema_validator(
        self, schema: Mapping[str, Any], *, formats: bool = False, form: bool = False
    ) -> Draft202012Validator:
        """A validator of any sub-schema (its ``$ref``\\ s are absolute, so it stands alone)."""
        checker = FORMATS if formats else TEXT_PARTS if form else None
        return Draft202012Validator(schema, registry=self.registry, format_checker=checker)

    def errors(
        self, pointer: str, instance: Any, *, form: bool = False
    ) -> Iterator[ValidationError]:
        """What is wrong with a request body (``form``: the fields of a form)."""
        yield from self.validator(pointer, form=form).iter_errors(instance)

    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        """``schema`` with its top-level ``$ref`` chain followed."""
        seen = 0
        while isinstance(schema.get("$ref"), str) and seen < 64:
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            target = self.at(schema["$ref"].removeprefix(SPEC_URI).lstrip("#"))
            schema = {**target, **siblings} if siblings else target
            seen += 1
        return schema

    def at(self, pointer: str) -> Mapping[str, Any]:
        node: Any = self.document
        for token in pointer.split("/")[1:] if pointer else []:
            node = node[token.replace("~1", "/").replace("~0", "~")]
        return node if isinstance(node, Mapping) else {}

    def models_by_operation(self, key: str) -> tuple[str, ...]:
        """The model names one operation's body lists (computed once per operation)."""
        found = self._models.get(key)
        if found is None:
            found = self._models[key] = self._models_of(key)
        return found

    def _models_of(self, key: str) -> tuple[str, ...]:
        for operation in self.operations:
            if operation.key == key:
                models: list[str] = []
                for media in operation.bodies.values():
                    model = self.resolve(media.schema).get("properties", {}).get("model", {})
                    models += _enum_values(self.resolve(model), self)
                return tuple(dict.fromkeys(models))
        return ()


def load_api(spec_path: Path | None = None) -> ApiDescription:
    """Read and normalize the spec at ``spec_path`` (default: :func:`default_spec_path`)."""
    path = (spec_path or default_spec_path()).resolve()
    return _load(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _load(spec_file: Path, mtime_ns: int) -> ApiDescription:
    """Parsed once per file version: servers in one test run share the (read-only) spec."""
    text = spec_file.read_text(encoding="utf-8")
    document = normalize(yaml.load(text, Loader=_SpecLoader))
    registry: Registry[Any] = Registry().with_resource(
        SPEC_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    servers = document.get("servers") or [{"url": "/"}]
    base_path = urlsplit(servers[0]["url"]).path.rstrip("/")
    global_security = document.get("security", [])
    schemes = document.get("components", {}).get("securitySchemes", {})
    api = ApiDescription(document=document, base_path=base_path, operations=(), registry=registry)

    operations = []
    for path, item in document["paths"].items():
        shared_parameters = item.get("parameters", [])
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            where = f"/paths/{_escape(path)}/{method}"
            security = operation.get("security", global_security)
            needs_bearer = any(
                schemes.get(name, {}).get("scheme", "").lower() == "bearer"
                for requirement in security
                for name in requirement
            )
            body, body_at = _located(
                operation.get("requestBody") or {}, f"{where}/requestBody", api
            )
            operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    name=operation.get("operationId") or f"{method.upper()} {path}",
                    needs_bearer=needs_bearer,
                    parameters=_parameters(
                        api, [*shared_parameters, *operation.get("parameters", [])]
                    ),
                    bodies=_media(body.get("content", {}), f"{body_at}/content"),
                    body_required=bool(body.get("required", False)),
                    responses={
                        str(status): _media(*_content(answer, f"{where}/responses/{status}", api))
                        for status, answer in operation.get("responses", {}).items()
                    },
                )
            )
    api.operations = tuple(operations)
    return api


def _located(node: Any, where: str, api: ApiDescription) -> tuple[Mapping[str, Any], str]:
    """``node`` with its ``$ref`` chain followed, and the JSON pointer of where it ends."""
    seen = 0
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and seen < 64:
        where = node["$ref"].removeprefix(SPEC_URI).lstrip("#")
        node = api.at(where)
        seen += 1
    return (node if isinstance(node, Mapping) else {}), where


def _content(answer: Any, where: str, api: ApiDescription) -> tuple[Mapping[str, Any], str]:
    resolved, at = _located(answer, where, api)
    return resolved.get("content", {}), f"{at}/content"


def _parameters(api: ApiDescription, raw: list[Any]) -> tuple[Parameter, ...]:
    found: dict[tuple[str, str], Parameter] = {}
    for entry in raw:
        parameter = api.resolve(entry)
        key = (parameter["name"], parameter.get("in", "query"))
        found[key] = Parameter(
            name=parameter["name"],
            location=parameter.get("in", "query"),
            required=bool(parameter.get("required", False)) or key[1] == "path",
            schema=parameter.get("schema", {}),
        )
    return tuple(found.values())


def _media(content: Mapping[str, Any], where: str) -> dict[str, Media]:
    media = {}
    for content_type, entry in content.items():
        examples: list[Any] = []
        if "example" in entry:
            examples.append(entry["example"])
        for example in (entry.get("examples") or {}).values():
            if isinstance(example, Mapping) and "value" in example:
                examples.append(example["value"])
        schema = entry.get("schema")
        media[content_type] = Media(
            content_type=content_type,
            pointer=f"{where}/{_escape(content_type)}/schema" if schema is not None else "",
            schema=schema or {},
            examples=tuple(examples),
        )
    return media


def _enum_values(schema: Mapping[str, Any], api: ApiDescription) -> list[str]:
    """Enum values anywhere in a schema's anyOf/oneOf branches (an "open enum" lists some)."""
    values = [v for v in schema.get("enum", []) if isinstance(v, str)]
    for key in ("anyOf", "oneOf"):
        for branch in schema.get(key, []):
            values += _enum_values(api.resolve(branch), api)
    return values
