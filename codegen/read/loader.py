"""Loading an OpenAPI document: YAML parsing, the version check and ``$ref`` look-ups.

This is where the spec is read. The loader keeps the document as plain JSON-like data;
``codegen.lower`` walks it and checks each node as it turns it into the IR.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from codegen.errors import SpecError


class _SpecYamlLoader(yaml.SafeLoader):
    """YAML as JSON sees it: no timestamps (``2024-01-01`` stays a string)."""


# Drop the implicit timestamp resolver so dates in examples stay strings.
_SpecYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[str, Any]:
    # OpenAPI: keys of YAML maps MUST be scalar strings of the YAML Failsafe schema, so a key
    # is its text as written (200, off, null stay "200", "off", "null", as in JSON). Duplicate
    # keys are refused instead of silently keeping the last one.
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a scalar string", key_node.start_mark
            )
        key = loader.construct_scalar(key_node)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
    return result


_SpecYamlLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

SUPPORTED_VERSIONS = ("3.0.", "3.1.")


@dataclass(frozen=True)
class SpecDocument:
    """A loaded OpenAPI document."""

    root: Mapping[str, Any]
    source_name: str
    sha256: str
    #: The overlay applied to the published spec, if any: its file name and SHA-256.
    overlay_name: str = ""
    overlay_sha256: str = ""

    def error(self, pointer: str, keyword: str, message: str) -> SpecError:
        return SpecError(pointer, keyword, message, source=self.source_name)

    def resolve(self, ref: object, pointer: str) -> tuple[str, Any]:
        """Follow a local ``$ref``; return the target's pointer and node."""
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise self.error(
                pointer, "$ref", f"only local references ('#/...') are supported: {ref!r}"
            )
        node: Any = self.root
        for raw in ref[2:].split("/"):
            token = raw.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or token not in node:
                raise self.error(pointer, "$ref", f"reference {ref!r} does not resolve")
            node = node[token]
        return ref[1:], node

    # Checked access: a node of the wrong kind stops generation with its pointer.

    def deref(self, node: object, pointer: str) -> tuple[str, Mapping[str, Any]]:
        """Follow a chain of ``$ref`` (parameters, responses, request bodies) to a mapping."""
        seen = set()
        while isinstance(node, Mapping) and "$ref" in node:
            if pointer in seen:
                raise self.error(pointer, "$ref", "circular reference")
            seen.add(pointer)
            pointer, node = self.resolve(node["$ref"], pointer + "/$ref")
        return pointer, self.mapping(node, pointer)

    def mapping(self, node: object, pointer: str) -> Mapping[str, Any]:
        if not isinstance(node, Mapping):
            found = type(node).__name__
            raise self.error(pointer, _last_token(pointer), f"expected a mapping, found {found}")
        return node

    def sequence(self, node: object, pointer: str) -> list[Any]:
        if not isinstance(node, list):
            found = type(node).__name__
            raise self.error(pointer, _last_token(pointer), f"expected a list, found {found}")
        return node

    def string(self, node: object, pointer: str) -> str:
        if not isinstance(node, str):
            raise self.error(pointer, _last_token(pointer), f"expected a string, found {node!r}")
        return node


def _last_token(pointer: str) -> str:
    return pointer.rsplit("/", 1)[-1]


def load_spec(path: Path) -> SpecDocument:
    """Read and parse ``path``; check it is an OpenAPI 3.0/3.1 document with paths."""
    source = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError("", "openapi", f"cannot read the spec: {exc}", source=source) from exc
    try:
        root = yaml.load(raw, Loader=_SpecYamlLoader)
    except yaml.YAMLError as exc:
        raise SpecError("", "yaml", f"not valid YAML: {exc}", source=source) from exc
    if not isinstance(root, Mapping):
        raise SpecError("", "openapi", "the document is not a mapping", source=source)
    version = root.get("openapi")
    if not isinstance(version, str) or not version.startswith(SUPPORTED_VERSIONS):
        raise SpecError(
            "/openapi",
            "openapi",
            f"OpenAPI 3.0 or 3.1 is required, found {version!r}",
            source=source,
        )
    if not isinstance(root.get("paths"), Mapping):
        raise SpecError("/paths", "paths", "the document has no 'paths' mapping", source=source)
    if not isinstance(root.get("info"), Mapping):
        raise SpecError("/info", "info", "the document has no 'info' mapping", source=source)
    return SpecDocument(root=root, source_name=source, sha256=hashlib.sha256(raw).hexdigest())
