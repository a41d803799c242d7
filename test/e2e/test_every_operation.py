"""Every generated operation, called by this project's client against the local server.

The parameter list comes from the generated package (each ``Operation`` declared in
``together/generated/api/*.py``, and a ``<op>_stream`` case for each operation that can
stream) and is cross-checked against the spec's operations, so an operation the spec has and
the package lacks fails by name. Each call is built from the spec: its required parameters
and a body that is the spec's example where it gives a valid one, else a value the server's
own synthesizer (``together.mock.synthesis``) builds from the schema. The answer must decode
as the method's declared result type.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import random
import re
import typing
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter

import together.generated.api
from support import TOKEN
from together.generated import ApiClient, Configuration
from together.generated.exceptions import NotFoundException
from together.generated.operation import Operation
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

#: Operations about one resource addressed by an id in the path: the server answers 404 for
#: an id it never created (docs/mock-server.md, "An id that was never created ... is 404"),
#: so each of these must fail as a typed NotFoundException (and nothing else may).
NOT_FOUND_FOR_UNCREATED_ID = frozenset(
    (
        "create_inference_checkpoint",
        "create_training_checkpoint",
        "delete_deployments_id",
        "delete_deployments_secrets_id",
        "delete_deployments_storage_volumes_id",
        "delete_endpoint",
        "delete_files_id",
        "delete_fine_tunes_id",
        "forward_backward",
        "get_batches_id",
        "get_deployments_id",
        "get_deployments_id_logs",
        "get_deployments_secrets_id",
        "get_deployments_storage_volumes_id",
        "get_endpoint",
        "get_evaluation_job_details",
        "get_evaluation_job_status_and_results",
        "get_files_id",
        "get_files_id_content",
        "get_fine_tunes_id",
        "get_fine_tunes_id_checkpoints",
        "get_fine_tunes_id_events",
        "get_fine_tunes_id_metrics",
        "get_forward_backward_operation",
        "get_inference_checkpoint_operation",
        "get_optim_step_operation",
        "get_sample",
        "get_training_checkpoint_operation",
        "get_training_session",
        "gpu_cluster_service_delete",
        "gpu_cluster_service_get",
        "gpu_cluster_service_update",
        "optim_step",
        "patch_deployments_id",
        "patch_deployments_secrets_id",
        "patch_deployments_storage_volumes_id",
        "post_batches_id_cancel",
        "post_fine_tunes_id_cancel",
        "retrieve_video",
        "sample",
        "shared_volume_service_delete",
        "shared_volume_service_get",
        "stop_training_session",
        "update_endpoint",
    )
)

#: Operations that fail because of a real bug (generator, runtime or server), by case name.
KNOWN_BUGS: dict[str, str] = {
    "get_deployments_storage_filename": (
        "the spec declares only a 307 (a redirect to the file) for this download; the server "
        "redirects, the runtime follows the redirect and then refuses the target's 200 as "
        "'an answer the spec does not declare' (MalformedResponseException), so the call "
        "can never succeed"
    ),
}


@dataclass(frozen=True)
class Case:
    """One generated method to call: ``<operation_id>`` or ``<operation_id>_stream``."""

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
            if not isinstance(value, Operation):
                continue
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
    return sorted(cases, key=lambda case: case.method_name)


SPEC = load_api()
CASES = generated_cases()


def test_the_generated_package_covers_every_operation_of_the_spec() -> None:
    generated = {case.key for case in CASES}
    in_spec = {operation.key for operation in SPEC.operations}
    assert set(SKIPPED_WEBSOCKET_UPGRADES) <= in_spec
    assert in_spec - generated == set(SKIPPED_WEBSOCKET_UPGRADES)
    assert generated <= in_spec


def spec_operation(case: Case) -> SpecOperation:
    return next(op for op in SPEC.operations if op.key == case.key)


def _python_name(wire: str) -> str:
    """``endpointId``, ``endpoint_id`` and ``endpoint-id`` all name the same parameter."""
    return re.sub(r"[\W_]", "", wire).lower()


def call_arguments(case: Case, method: Any) -> dict[str, Any]:
    """The method's keyword arguments: required parameters and the body, from the spec."""
    spec_op = spec_operation(case)
    synthesizer = Synthesizer(SPEC)
    rng = random.Random(case.method_name)
    signature = inspect.signature(method)
    arguments: dict[str, Any] = {}
    wire_names = {_python_name(p.name): p for p in spec_op.parameters}
    for name, parameter in signature.parameters.items():
        if name.startswith("_") or parameter.kind is inspect.Parameter.VAR_KEYWORD:
            continue
        spec_param = wire_names.get(_python_name(name))
        if spec_param is not None:
            if spec_param.required:
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


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
async def test_every_generated_operation_against_the_server(case: Case, client: ApiClient) -> None:
    api = case.api_class(client)
    method = getattr(api, case.method_name)
    arguments = call_arguments(case, method)
    declared = typing.get_type_hints(method)["return"]
    try:
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
    except NotFoundException:
        if case.method_name in NOT_FOUND_FOR_UNCREATED_ID:
            return
        raise
    assert case.method_name not in NOT_FOUND_FOR_UNCREATED_ID, "expected a 404"
    assert conforms(result, declared), (declared, type(result))
    if isinstance(result, BaseModel):
        result.model_dump(mode="json")  # the decoded answer serializes again
