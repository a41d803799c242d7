"""The project's changes to Together's spec, as an OpenAPI Overlay 1.0 document.

Together's spec is kept as published, byte for byte; what this project changes in it (the
``x-retry-safe`` marks, fixes of real errors) lives in ``openapi.overlay.yaml``, applied
here before the spec is lowered. Each action names its target with a JSONPath query
(RFC 9535, evaluated by ``jsonpath-rfc9535``) and either merges ``update`` into every node
it selects or removes them (https://spec.openapis.org/overlay/v1.0.0.html).

Stricter than the Overlay standard, so that a change of Together's spec is noticed rather
than silently un-applied:

- an action whose target selects nothing is an error naming the action;
- an action must do something: ``update``, or ``remove: true`` — not both;
- ``update`` on a node that is neither an object nor an array is an error.

Every error is a :class:`~codegen.errors.SpecError` with the JSON pointer of the overlay
node at fault (``openapi.overlay.yaml#/actions/3/target``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonpath_rfc9535
import yaml

from codegen.errors import SpecError, join_pointer
from codegen.read.loader import _SpecYamlLoader  # the spec's own YAML reading, for the same values

__all__ = ["apply_overlay", "load_overlay"]

_ACTION_KEYS = frozenset({"target", "description", "update", "remove"})


def load_overlay(path: Path) -> Mapping[str, Any]:
    """Read an overlay document (YAML or JSON); a parse error is a :class:`SpecError`."""
    try:
        raw = path.read_bytes()  # YAML reads its own encoding (UTF-8, or UTF-16 with a BOM)
    except OSError as exc:
        raise SpecError(
            "/", "overlay", f"cannot read the overlay: {exc}", source=path.name
        ) from exc
    try:
        document = yaml.load(raw, Loader=_SpecYamlLoader)  # a SafeLoader
    except yaml.YAMLError as exc:
        raise SpecError("/", "overlay", f"not valid YAML: {exc}", source=path.name) from exc
    if not isinstance(document, Mapping):
        raise SpecError("/", "overlay", "an overlay document must be a mapping", source=path.name)
    return document


def apply_overlay(
    document: Mapping[str, Any], overlay: Mapping[str, Any], *, source: str
) -> dict[str, Any]:
    """``document`` with ``overlay``'s actions applied in order (the input is not changed).

    ``source`` names the overlay in errors. Each action sees the document as the actions
    before it left it.
    """
    actions = _checked_actions(overlay, source)
    result: dict[str, Any] = copy.deepcopy(dict(document))
    for index, action in enumerate(actions):
        pointer = join_pointer("/actions", index)
        query = _compile(action["target"], pointer, source)
        nodes = list(query.finditer(result))
        if not nodes:
            raise SpecError(
                join_pointer(pointer, "target"),
                "target",
                f"{_describe(action)}: {action['target']!r} selects nothing in the spec "
                "(did the spec move or rename it?)",
                source=source,
            )
        if action.get("remove") is True:
            _remove(result, [tuple(node.location) for node in nodes], pointer, source)
        else:
            for node in nodes:
                _update(node.value, action["update"], node.path(), pointer, source, action)
    return result


def _checked_actions(overlay: Mapping[str, Any], source: str) -> list[Mapping[str, Any]]:
    def error(pointer: str, keyword: str, message: str) -> SpecError:
        return SpecError(pointer, keyword, message, source=source)

    version = overlay.get("overlay")
    if not isinstance(version, str) or not version.startswith("1.0."):
        raise error("/overlay", "overlay", f"expected an Overlay 1.0.x document, got {version!r}")
    info = overlay.get("info")
    if not isinstance(info, Mapping) or not all(
        isinstance(info.get(key), str) for key in ("title", "version")
    ):
        raise error("/info", "info", "info must have a string title and version")
    actions = overlay.get("actions")
    if not isinstance(actions, list) or not actions:
        raise error("/actions", "actions", "actions must be a non-empty list")
    for index, action in enumerate(actions):
        pointer = join_pointer("/actions", index)
        if not isinstance(action, Mapping):
            raise error(pointer, "actions", "an action must be a mapping")
        unknown = sorted(k for k in action if k not in _ACTION_KEYS and not k.startswith("x-"))
        if unknown:
            raise error(join_pointer(pointer, unknown[0]), unknown[0], "not an action field")
        if not isinstance(action.get("target"), str) or not action["target"]:
            raise error(join_pointer(pointer, "target"), "target", "a JSONPath string is required")
        if "description" in action and not isinstance(action["description"], str):
            raise error(join_pointer(pointer, "description"), "description", "must be a string")
        remove = action.get("remove", False)
        if not isinstance(remove, bool):
            raise error(join_pointer(pointer, "remove"), "remove", "must be true or false")
        if remove and "update" in action:
            raise error(pointer, "update", "an action either updates or removes, not both")
        if not remove and "update" not in action:
            raise error(pointer, "update", "the action does nothing: give update or remove: true")
    return actions


def _compile(target: str, pointer: str, source: str) -> jsonpath_rfc9535.JSONPathQuery:
    try:
        return jsonpath_rfc9535.compile(target)
    except jsonpath_rfc9535.JSONPathError as exc:
        raise SpecError(
            join_pointer(pointer, "target"), "target", f"invalid JSONPath: {exc}", source=source
        ) from exc


def _describe(action: Mapping[str, Any]) -> str:
    description = action.get("description")
    return f"action {description!r}" if description else "action"


def _update(
    node: Any,
    update: Any,
    where: str,
    pointer: str,
    source: str,
    action: Mapping[str, Any],
) -> None:
    """Merge ``update`` into an object node, or append it to an array node."""
    if isinstance(node, dict):
        if not isinstance(update, Mapping):
            raise SpecError(
                join_pointer(pointer, "update"),
                "update",
                f"{_describe(action)}: {where} is an object; update must be an object too",
                source=source,
            )
        _merge(node, update)
    elif isinstance(node, list):
        node.append(copy.deepcopy(update))
    else:
        raise SpecError(
            join_pointer(pointer, "update"),
            "update",
            f"{_describe(action)}: {where} is a {type(node).__name__}, not an object or array; "
            "target its parent instead",
            source=source,
        )


def _merge(target: dict[str, Any], update: Mapping[str, Any]) -> None:
    """Objects merge recursively; anything else in ``update`` replaces what was there."""
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def _remove(
    document: dict[str, Any],
    locations: list[tuple[str | int, ...]],
    pointer: str,
    source: str,
) -> None:
    if any(not location for location in locations):
        raise SpecError(
            join_pointer(pointer, "target"), "target", "cannot remove the root", source=source
        )
    # In reverse order, so removing one node leaves the others' locations valid: a node
    # inside another comes after it (a tuple sorts after its prefixes), and of two items of
    # one array the later index first (where two locations first differ they share a
    # parent, so both steps are indexes, compared as numbers, or both names).
    for location in sorted(set(locations), reverse=True):
        parent: Any = document
        for step in location[:-1]:
            parent = parent[step]
        del parent[location[-1]]
