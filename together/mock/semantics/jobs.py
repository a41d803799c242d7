"""Long-running resources (fine-tunes, batches, endpoints, evaluations, clusters...): what a
client creates it can list, retrieve, update, cancel and delete within one server run.

Found from the spec's paths, not listed by hand: a collection is a path ``P`` with a
``POST`` and a ``P/{param}`` with a ``GET``. Answers are synthesized from each operation's
response schema, then given the resource's own facts where the schema has room for them, at
every level the answer nests objects: its id (a UUID; where the spec's ids are integers, the
create's number), the fields of the create request, and a status that moves on by one step each time
the resource is read (e.g. ``pending`` -> ``running`` -> ``completed``), or to cancelled
when cancelled. Its other fields are synthesized once: a value shown in one answer (the
create's ``created_at``) is shown again in every later answer with a field of that name
(retrieve, list, cancel...). An id that was never created (or was deleted) is 404.
"""

from __future__ import annotations

import copy
import random
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from together.mock.answers import NO_CONTENT, json_answer
from together.mock.context import Call, ServerState
from together.mock.errors import error_response
from together.mock.spec import ApiDescription, Operation

__all__ = ["job_handlers"]

_STATUS_KEYS = ("status", "state")
_FAMILIES = (
    ("pending", "queued", "validating", "created", "provisioning", "pending_deployment"),
    ("running", "in_progress", "started", "active", "ready", "deploying"),
    ("completed", "succeeded", "success", "done", "finished"),
)
_CANCELLED = ("cancelled", "canceled", "cancel_requested", "stopped")
_PARAM = re.compile(r"\{([^}]+)\}")


@dataclass
class Resource:
    #: A UUID, or the create's number where the spec's ids are integers.
    id: str | int
    body: dict[str, Any]
    reads: int = 0
    cancelled: bool = False
    #: Every field an answer about this resource has shown, by name, as first shown: later
    #: answers show the same value where their schema allows it.
    shown: dict[str, Any] = field(default_factory=dict)


def _collections(api: ApiDescription) -> dict[str, str]:
    """Collection path -> its item path (``/fine-tunes`` -> ``/fine-tunes/{id}``)."""
    keys = {op.key for op in api.operations}
    found = {}
    for op in api.operations:
        if op.method != "POST" or "{" in op.path:
            continue
        for other in api.operations:
            match = re.fullmatch(re.escape(op.path) + r"/\{[^}/]+\}", other.path)
            if match and f"GET {other.path}" in keys:
                found[op.path] = other.path
    return found


def _store(state: ServerState, collection: str) -> dict[str, Resource]:
    stores = state.stores.setdefault("jobs", {})
    return stores.setdefault(collection, {})  # type: ignore[no-any-return]


def _id_keys(item_path: str) -> list[str]:
    param = _PARAM.findall(item_path)[-1]
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", param).lower()
    return list(dict.fromkeys([param, snake, "id", "workflow_id"]))


class _Shaper:
    """Puts a resource's facts into a synthesized answer, keeping it valid."""

    def __init__(self, api: ApiDescription, schema: Mapping[str, Any]) -> None:
        self.validator = api.schema_validator(schema, formats=True)

    def apply(self, answer: Any, resource: Resource, keys: list[str]) -> Any:
        if not isinstance(answer, dict):
            return answer
        # Fields shown before come back first (the resource's facts then go over them). A
        # nested object is recalled whole under its own name; its fields are recalled one by
        # one only where its name is new (a create nesting the resource as `job`, a retrieve
        # answering it flat), so they never take a field of the same name from another level.
        targets = self._recalled(answer, resource)
        for target in targets:
            for key in keys:
                if key in target and type(target[key]) is type(resource.id):
                    self._try(answer, target, key, resource.id)
            for key, value in resource.body.items():
                if key in target:
                    self._try(answer, target, key, value)
            for key in _STATUS_KEYS:
                if key in target and isinstance(target[key], str):
                    status = self._status(target, key, answer, resource)
                    if status is not None:
                        target[key] = status
        # The answer is this call's own (synthesized afresh), never changed once sent: kept
        # as it is. Shallower fields first, so a name keeps its outermost value.
        for target in targets:
            for key, value in target.items():
                resource.shown.setdefault(key, value)
        return answer

    def _recalled(self, answer: dict[str, Any], resource: Resource) -> list[dict[str, Any]]:
        """The answer's objects, outermost first, down every level the answer nests objects
        (not into arrays, whose items are other things: a cluster's volumes), each with the
        values the resource has shown before."""
        targets = [answer]
        self._recall(answer, answer, resource)
        for target in targets:
            for name, value in target.items():
                if isinstance(value, dict):
                    targets.append(value)
                    if name not in resource.shown:
                        self._recall(answer, value, resource)
        return targets

    def _recall(self, answer: dict[str, Any], target: dict[str, Any], resource: Resource) -> None:
        """Give ``target``'s fields the values the resource has shown before (copies, which
        shaping may change): all at once where the answer stays valid (the usual case: the
        same schema), else one by one."""
        known = {k: v for k, v in resource.shown.items() if k in target and target[k] != v}
        if not known:
            return
        before = dict(target)
        target.update(copy.deepcopy(known))
        if self.validator.is_valid(answer):
            return
        target.update(before)
        for key, value in known.items():
            self._try(answer, target, key, copy.deepcopy(value))

    def _try(self, answer: dict[str, Any], target: dict[str, Any], key: str, value: Any) -> None:
        """``target[key] = value`` where the answer stays valid; else, both being objects,
        the same for each of ``value``'s fields ``target[key]`` has (a request's
        ``lr_scheduler`` whose arguments the answer's schema refuses still gives its type)."""
        before = target[key]
        target[key] = value
        if self.validator.is_valid(answer):
            return
        target[key] = before
        if isinstance(value, dict) and isinstance(before, dict):
            for name, inner in value.items():
                if name in before:
                    self._try(answer, before, name, inner)

    def _status(
        self, target: dict[str, Any], key: str, answer: dict[str, Any], resource: Resource
    ) -> str | None:
        before = target[key]
        # The step reached, else (no name for it in the schema) the steps before it: never a
        # step ahead. Once cancelled: a cancelled name where the schema has one, else the
        # step the resource had reached (reads no longer move it).
        families = _FAMILIES[min(resource.reads, len(_FAMILIES) - 1) :: -1]
        candidates = [c for family in families for name in family for c in (name, name.upper())]
        if resource.cancelled:
            candidates = [c for name in _CANCELLED for c in (name, name.upper())] + candidates
        for candidate in candidates:
            target[key] = candidate
            if self.validator.is_valid(answer):
                return candidate
        target[key] = before
        return None


def job_handlers(api: ApiDescription) -> dict[str, Any]:
    """Handlers for every operation under a collection, by "METHOD /path"."""
    handlers: dict[str, Any] = {}
    for collection, item_path in _collections(api).items():
        keys = _id_keys(item_path)
        for op in api.operations:
            if op.path == collection and op.method == "POST":
                handlers[op.key] = _create(collection, keys, _integer_path(api, item_path))
            elif op.path == collection and op.method == "GET":
                handlers[op.key] = _list(collection, keys)
            elif op.path.startswith(item_path):
                handlers[op.key] = _on_item(collection, item_path, keys, op)
    return handlers


def _integer_path(api: ApiDescription, item_path: str) -> bool:
    """Whether the spec types the item path's parameter as an integer."""
    param = _PARAM.findall(item_path)[-1]
    for op in api.operations:
        for parameter in op.parameters:
            if op.path == item_path and parameter.name == param:
                kind = api.resolve(parameter.schema).get("type")
                return "integer" in (kind if isinstance(kind, list) else [kind])
    return False


def _integer_id(answer: Any, keys: list[str]) -> bool:
    """Whether the answer holds an integer under one of the id's names, at any level of
    objects (as its schema types it: the value was synthesized from it)."""
    objects = [answer] if isinstance(answer, dict) else []
    for found in objects:
        for key, value in found.items():
            if key in keys and type(value) is int:
                return True
            if isinstance(value, dict):
                objects.append(value)
    return False


def _store_key(raw: str) -> str:
    """An id as the store keeps it: ``7`` for a path's ``7`` or ``007`` (integer ids); a
    UUID as it is."""
    try:
        return str(int(raw))
    except ValueError:
        return raw


def _schema_of(op: Operation) -> Mapping[str, Any]:
    media = op.responses.get(op.success_status, {}).get("application/json")
    return media.schema if media is not None else {}


def _create(collection: str, keys: list[str], integer_path: bool) -> Any:
    async def create(call: Call) -> web.StreamResponse:
        state = call.state
        count = state.creates.get(collection, 0) + 1
        state.creates[collection] = count
        answer = call.synthesized(None, count)
        # A UUID fits every string id the spec declares (some are format: uuid, none forbid
        # one); the spec's example ids would make every create the same resource. Where the
        # spec's ids are integers (the path's or the answer's), the create's number: 1, 2...
        ident: str | int = str(uuid.UUID(int=call.rng("id", count).getrandbits(128), version=4))
        if integer_path or _integer_id(answer, keys):
            ident = count
        body = call.body if isinstance(call.body, dict) else {}
        resource = Resource(id=ident, body=dict(body))
        _store(state, collection)[str(ident)] = resource
        answer = _Shaper(state.api, _schema_of(call.operation)).apply(answer, resource, keys)
        return json_answer(answer, int(call.operation.success_status))

    return create


def _list(collection: str, keys: list[str]) -> Any:
    async def list_all(call: Call) -> web.StreamResponse:
        state = call.state
        answer = call.synthesized()
        schema = state.api.resolve(_schema_of(call.operation))
        items_schema: Mapping[str, Any] | None = None
        holder: Any = None
        if schema.get("type") == "array":
            items_schema = schema.get("items", {})
        else:
            for name, sub in schema.get("properties", {}).items():
                sub = state.api.resolve(sub)
                if sub.get("type") == "array" and isinstance(answer, dict):
                    items_schema, holder = sub.get("items", {}), name
                    break
        if items_schema is None:
            return json_answer(answer)
        shaper = _Shaper(state.api, items_schema)
        items = []
        for resource in _store(state, collection).values():
            item = state.synthesizer.value(items_schema, random.Random(resource.id))
            items.append(shaper.apply(item, resource, keys))
        if holder is None:
            answer = items
        else:
            answer[holder] = items
        return json_answer(answer)

    return list_all


def _on_item(collection: str, item_path: str, keys: list[str], op: Operation) -> Any:
    param = _PARAM.findall(item_path)[-1]
    action = op.path[len(item_path) :].strip("/")

    async def on_item(call: Call) -> web.StreamResponse:
        state = call.state
        store = _store(state, collection)
        ident = call.path_params.get(param, "")
        resource = store.get(_store_key(ident))
        if resource is None:
            return error_response(
                404, f"No such resource: {collection}/{ident}", param=param, code="not_found"
            )
        if op.method == "DELETE" and not action:
            del store[_store_key(ident)]
        elif action in ("cancel", "stop"):
            resource.cancelled = True
        elif op.method in ("PATCH", "PUT") and isinstance(call.body, dict):
            resource.body.update(call.body)
        elif op.method == "GET" and not action and not resource.cancelled:
            resource.reads += 1
        status = int(op.success_status)
        if status in NO_CONTENT or not op.responses.get(op.success_status):
            return web.Response(status=status)
        answer = state.synthesizer.example_or_value(
            (), "", _schema_of(op), random.Random(f"{resource.id}:{op.key}")
        )
        answer = _Shaper(state.api, _schema_of(op)).apply(answer, resource, keys)
        return json_answer(answer, status)

    return on_item
