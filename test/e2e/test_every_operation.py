"""Every generated operation, called by this project's client against the local server.

The parameter list comes from the generated package (each ``Operation`` declared in
``together/generated/api/*.py``, and a ``<op>_stream`` case for each operation that can
stream) and is cross-checked against the spec's operations, so an operation the spec has and
the package lacks fails by name. Each call is built from the spec: its required parameters
and a body that is the spec's example where it gives a valid one, else a value the server's
own synthesizer (``together.mock.synthesis``) builds from the schema. An id in the path
names a resource created first through the generated create operation of its collection
(the server answers 404 for an id it never created). The answer must decode as the
method's declared result type; a stream must give typed chunks and end cleanly.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import random
import re
import typing
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter

import together.generated.api
from support import TOKEN
from together.generated import ApiClient, Configuration
from together.generated._runtime.operation import Operation
from together.mock import MockOptions, MockServer
from together.mock.spec import Operation as SpecOperation
from together.mock.spec import load_api
from together.mock.synthesis import Synthesizer

#: The spec's operations the generator skips on purpose (101 Switching Protocols: a
#: WebSocket upgrade is not a request/answer call), by "METHOD /path".
SKIPPED_WEBSOCKET_UPGRADES = {
    "GET /realtime": "101 WebSocket upgrade (realtime audio)",
    "GET /audio/speech/websocket": "101 WebSocket upgrade (streamed speech)",
}

#: Operations that fail because of a real bug (generator, runtime or server), by case name.
KNOWN_BUGS: dict[str, str] = {}


@dataclass(frozen=True)
class Case:
    """One generated method to call: ``<op>``, ``<op>_stream`` or ``<op>_to_file``."""

    api_class: type[Any]
    operation: Operation[Any]
    method_name: str

    @property
    def key(self) -> str:
        return f"{self.operation.method} {self.operation.path}"


_VARIANTS = ("_with_http_info", "_without_preload_content", "_stream", "_to_file")


def generated_cases() -> list[Case]:
    cases: list[Case] = []
    for info in pkgutil.iter_modules(together.generated.api.__path__):
        module = importlib.import_module(f"together.generated.api.{info.name}")
        api_classes = [
            value
            for name in getattr(module, "__all__", ())
            if isinstance(value := getattr(module, name), type)
        ]
        for constant, value in vars(module).items():
            if not isinstance(value, Operation) or any(c.operation is value for c in cases):
                continue  # (an old public name bound to a declaration already seen)
            # The method that calls the operation: its source hands this constant over.
            owner, method_name = next(
                (api_class, name)
                for api_class in api_classes
                for name, member in vars(api_class).items()
                if not name.startswith("_")
                and not name.endswith(_VARIANTS)
                and re.search(rf"\b{constant},", inspect.getsource(member))
            )
            cases.append(Case(owner, value, method_name))
            if value.stream_responses:
                cases.append(Case(owner, value, f"{method_name}_stream"))
            if hasattr(owner, f"{method_name}_to_file"):
                cases.append(Case(owner, value, f"{method_name}_to_file"))
    return sorted(cases, key=lambda case: case.method_name)


SPEC = load_api()
CASES = generated_cases()


def test_the_generated_package_covers_every_operation_of_the_spec() -> None:
    generated = {case.key for case in CASES}
    in_spec = {operation.key for operation in SPEC.operations}
    assert set(SKIPPED_WEBSOCKET_UPGRADES) <= in_spec
    assert in_spec - generated == set(SKIPPED_WEBSOCKET_UPGRADES)
    assert generated <= in_spec


@pytest.mark.parametrize("key", sorted(SKIPPED_WEBSOCKET_UPGRADES))
def test_websocket_upgrades_are_skipped(key: str) -> None:
    assert key not in {case.key for case in CASES}
    pytest.skip(f"{key}: {SKIPPED_WEBSOCKET_UPGRADES[key]}, not generated")


def spec_operation(case: Case) -> SpecOperation:
    return next(op for op in SPEC.operations if op.key == case.key)


def _python_name(wire: str) -> str:
    """``endpointId``, ``endpoint_id`` and ``endpoint-id`` all name the same parameter."""
    return re.sub(r"[\W_]", "", wire).lower()


def call_arguments(
    case: Case, method: Any, created: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The method's keyword arguments: required parameters and the body, from the spec;
    path parameters naming a resource created first (``created``, by wire name) take its id."""
    created = created or {}
    spec_op = spec_operation(case)
    synthesizer = Synthesizer(SPEC)
    rng = random.Random(case.method_name)
    signature = inspect.signature(method)
    arguments: dict[str, Any] = {}
    wire_names = {_python_name(p.name): p for p in spec_op.parameters}
    for name in signature.parameters:
        if name.startswith("_") or name == "destination":  # (``_to_file``'s, given later)
            continue
        spec_param = wire_names.get(_python_name(name))
        if spec_param is not None:
            if spec_param.name in created:
                arguments[name] = created[spec_param.name]
            elif spec_param.required:
                arguments[name] = synthesizer.value(spec_param.schema, rng)
            continue
        # The one argument that is not a parameter is the body.
        assert case.operation.body is not None, f"{name}: neither parameter nor body"
        media = spec_op.bodies[case.operation.body.content_type]
        body = synthesizer.example_or_value(media.examples, media.pointer, media.schema, rng)
        if isinstance(body, dict):
            body = dict(body)
            body.pop(case.operation.stream_flag or "stream", None)
            # A model the spec lists for this operation (a made-up name is a 404).
            models = SPEC.models_by_operation(case.key) or SPEC.models_by_operation(
                "POST /completions"  # chat's body lists none; the server serves these to it
            )
            if "model" in body and models:
                body["model"] = models[0]
            for field in case.operation.body.file_fields:
                if field in body:
                    body[field] = b"RIFF" + bytes(64)
        arguments[name] = body
    return arguments


def conforms(result: Any, declared: Any) -> bool:
    if declared is None or declared is type(None):
        return result is None
    if isinstance(declared, type):
        return isinstance(result, declared)
    origin = typing.get_origin(declared)
    if origin is list:
        (item,) = typing.get_args(declared)
        return isinstance(result, list) and all(conforms(value, item) for value in result)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return any(conforms(result, option) for option in typing.get_args(declared))
    # Anything else (dicts, literals...): the declared type must accept the value as is.
    TypeAdapter(declared).validate_python(result, strict=True)
    return True


def _param(case: Case) -> Any:
    marks = []
    if case.method_name in KNOWN_BUGS:
        marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[case.method_name]))
    return pytest.param(case, id=case.method_name, marks=marks)


@pytest.fixture
async def client() -> AsyncIterator[ApiClient]:
    async with MockServer(MockOptions(api_key=TOKEN)) as server:
        configuration = Configuration(host=server.url, access_token=TOKEN, retries=0)
        async with ApiClient(configuration) as api_client:
            yield api_client


#: The create operation of a collection whose create is not ``POST <collection>``.
_CREATE_ELSEWHERE = {"/files": "POST /files/upload"}


def creator_of(collection: str) -> Case | None:
    """The case that creates a member of ``collection`` (``POST /fine-tunes`` for
    ``/fine-tunes/{id}``), if the generated package has one."""
    key = _CREATE_ELSEWHERE.get(collection, f"POST {collection}")
    return next((c for c in CASES if c.key == key and not c.method_name.endswith("_stream")), None)


def resource_id(created: Any, wire_name: str) -> str:
    """The id in a create answer: ``id`` (or the parameter's name), else a wrapped
    resource's ``id`` (a batch answers ``{"job": {...}}``), else its one ``*_id`` field
    (an evaluation answers ``workflow_id``)."""
    fields = created.model_dump() if isinstance(created, BaseModel) else {}
    candidates = [fields.get(key) for key in ("id", wire_name, _python_name(wire_name))]
    candidates += [v.get("id") for v in fields.values() if isinstance(v, dict)]
    candidates += [v for k, v in fields.items() if k.endswith("_id")]
    found = next((value for value in candidates if isinstance(value, str)), None)
    assert found is not None, f"no id in the create answer {fields}"
    return found


async def create_resources(case: Case, client: ApiClient, created: dict[str, str]) -> None:
    """Create, through the generated API, each resource ``case``'s path names by an id
    (parents first: an RL session, then an operation of that session)."""
    path = case.operation.path
    for match in re.finditer(r"\{([^}]+)\}", path):
        wire_name = match.group(1)
        creator = creator_of(path[: match.start()].rstrip("/"))
        if wire_name in created or creator is None or creator is case:
            continue
        method = getattr(creator.api_class(client), creator.method_name)
        await create_resources(creator, client, created)
        answer = await method(**call_arguments(creator, method, created))
        created[wire_name] = resource_id(answer, wire_name)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
async def test_every_generated_operation_against_the_server(
    case: Case, client: ApiClient, tmp_path: Path
) -> None:
    api = case.api_class(client)
    method = getattr(api, case.method_name)
    created: dict[str, str] = {}
    await create_resources(case, client, created)
    arguments = call_arguments(case, method, created)
    declared = typing.get_type_hints(method)["return"]
    if case.method_name.endswith("_to_file"):
        destination = tmp_path / "download"
        written = await method(**arguments, destination=destination)
        assert isinstance(written, int) and written > 0
        assert destination.stat().st_size == written
        return
    if case.method_name.endswith("_stream"):
        (chunk_type,) = typing.get_args(declared)
        chunks: list[Any] = []
        async with await method(**arguments) as stream:
            async for chunk in stream:
                chunks.append(chunk)
        assert chunks, "the stream ended without a chunk"
        assert all(conforms(chunk, chunk_type) for chunk in chunks), chunks[:2]
        return
    result = await method(**arguments)
    assert conforms(result, declared), (declared, type(result))
    if isinstance(result, BaseModel):
        result.model_dump(mode="json")  # the decoded answer serializes again
