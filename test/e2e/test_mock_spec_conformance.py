"""Every operation of Together's 2026-04 spec has a route on the local server, and every
answer is valid against the spec's schema for its status and content type (jsonschema, with
formats checked). Skipped when ``../shared/specs/`` is absent."""

from __future__ import annotations

import json
import random
from typing import Any

import aiohttp
import pytest
import yaml

from support import SHARED_SPECS, TOKEN
from together.mock import FaultOptions, MockOptions, MockServer
from together.mock.spec import ApiDescription, Operation, load_api
from together.mock.synthesis import Synthesizer

SPEC_2026 = SHARED_SPECS / "together-openapi-2026-04.yaml"
pytestmark = pytest.mark.skipif(not SPEC_2026.exists(), reason="../shared/specs/ is absent")
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def spec_operations() -> list[tuple[str, str]]:
    document = yaml.safe_load(SPEC_2026.read_text())
    methods = ("get", "put", "post", "delete", "patch", "head", "options")
    return [(m.upper(), p) for p, item in document["paths"].items() for m in item if m in methods]


@pytest.fixture
async def server() -> Any:
    async with MockServer(MockOptions(api_key=TOKEN), spec=SPEC_2026) as server:
        yield server


def test_the_2026_spec_has_99_operations_and_each_gets_a_route() -> None:
    assert len(spec_operations()) == 99  # the figure ../shared/specs/README.md gives
    assert MockServer(spec=SPEC_2026).route_count == 99


async def test_no_operation_answers_404_for_a_path_or_405_for_a_method(
    server: MockServer,
) -> None:
    """A route per operation: the path is found and the method allowed (here without a
    token, so every answer is the spec-shaped 401 of a route that exists, or a 101-style
    websocket operation's own answer)."""
    async with aiohttp.ClientSession() as session:
        for method, path in spec_operations():
            url = server.url + path.replace("{", "").replace("}", "")
            async with session.request(method, url) as response:
                body = await response.json(content_type=None)
                assert response.status == 401, (method, path, response.status, body)
                if path.startswith("/batches"):  # these declare 401 as BatchErrorResponse
                    message = "Missing or malformed bearer token in the Authorization header"
                    assert body == {"error": message}
                else:
                    assert body["error"]["code"] == "invalid_api_key"


def request_for(api: ApiDescription, operation: Operation, seed: int) -> dict[str, Any]:
    """A request the spec allows: a body synthesized from its schema, the models the
    server serves (the spec's own examples where it names them)."""
    synthesizer = Synthesizer(api)
    rng = random.Random(seed)
    query = {}
    for parameter in operation.parameters:
        if parameter.location == "query" and parameter.required:
            query[parameter.name] = str(synthesizer.value(parameter.schema, rng))
    kwargs: dict[str, Any] = {"params": query, "headers": dict(AUTH), "allow_redirects": False}
    if "application/json" in operation.bodies:
        body = synthesizer.value(operation.bodies["application/json"].schema, rng)
        if isinstance(body, dict) and "model" in body:
            body["model"] = MODELS.get(operation.key, body["model"])
        if isinstance(body, dict) and "stream" in body:
            body["stream"] = False
        kwargs["json"] = body
    elif operation.bodies:
        form = aiohttp.FormData()
        schema = api.resolve(next(iter(operation.bodies.values())).schema)
        for name in schema.get("required", []):
            if name == "file":
                form.add_field("file", b"RIFF....WAVE", filename="a.wav")
            else:
                value = synthesizer.value(schema["properties"][name], rng)
                form.add_field(name, value if isinstance(value, str) else json.dumps(value))
        kwargs["data"] = form
    return kwargs


MODELS = {
    "POST /chat/completions": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
    "POST /completions": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
    "POST /embeddings": "BAAI/bge-base-en-v1.5",
    "POST /rerank": "Salesforce/Llama-Rank-v1",
}


def check_answer(
    api: ApiDescription, operation: Operation, status: int, content_type: str, raw: bytes
) -> None:
    if "101" in operation.responses and status == 400:  # a WebSocket operation over plain HTTP
        assert json.loads(raw)["error"]["message"].endswith("needs a WebSocket upgrade")
        return
    declared = operation.responses.get(str(status))
    assert declared is not None, (operation.key, status, raw[:300])
    if not declared:
        assert raw == b""
        return
    media = declared.get(content_type)
    assert media is not None, (operation.key, status, content_type, list(declared))
    if content_type == "application/json":
        errors = list(api.validator(media.pointer, formats=True).iter_errors(json.loads(raw)))
        assert not errors, (operation.key, status, errors[0].message, list(errors[0].path))
    elif content_type.startswith("audio/") or content_type == "application/octet-stream":
        assert raw


async def test_every_answer_of_every_operation_is_valid_against_its_schema(
    server: MockServer,
) -> None:
    api = load_api(SPEC_2026)
    created: dict[str, str] = {}
    successes = 0
    async with aiohttp.ClientSession() as session:
        # Creates first, so that reading, updating and deleting act on what exists.
        ordered = sorted(api.operations, key=lambda op: (op.method == "DELETE", op.path.count("{")))
        for seed, operation in enumerate(ordered):
            path = operation.path
            for name in [p.name for p in operation.parameters if p.location == "path"]:
                collection = path.split("/{" + name + "}")[0]
                path = path.replace("{" + name + "}", created.get(collection, "unknown-id"))
            kwargs = request_for(api, operation, seed)
            async with session.request(operation.method, server.url + path, **kwargs) as response:
                raw = await response.read()
                check_answer(api, operation, response.status, response.content_type, raw)
                if response.status < 300:
                    successes += 1
                if (
                    operation.method == "POST"
                    and "{" not in operation.path
                    and response.status < 300
                ):
                    answer = json.loads(raw) if response.content_type == "application/json" else {}
                    ident = find_id(answer)
                    if ident:
                        created[operation.path.removesuffix("/upload")] = ident
    # Undeclared statuses fail above, so what is left to pin is how many operations succeed.
    assert successes >= 90, successes


def find_id(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("id", "workflow_id", "cluster_id", "volume_id", "session_id"):
            if isinstance(value.get(key), str):
                return str(value[key])
        for sub in value.values():
            found = find_id(sub)
            if found:
                return found
    return None


async def test_answers_are_deterministic_for_the_same_request_and_seed() -> None:
    async def hardware(seed: int, query: str = "") -> bytes:
        options = MockOptions(api_key=TOKEN, faults=FaultOptions(seed=seed))
        async with (
            MockServer(options, spec=SPEC_2026) as server,
            aiohttp.ClientSession() as session,
            session.get(server.url + "/hardware" + query, headers=AUTH) as response,
        ):
            return await response.read()

    first = await hardware(1)
    assert await hardware(1) == first  # another run, the same answer
    assert await hardware(2) != first  # another seed, another answer
    assert await hardware(1, "?model=x") != first  # another request, another answer


def test_openapi_3_0_leftovers_are_read_as_their_authors_meant() -> None:
    from jsonschema import Draft202012Validator

    from together.mock.spec import SPEC_URI, normalize

    nullable_string = normalize({"type": "string", "nullable": True})
    assert Draft202012Validator(nullable_string).is_valid(None)
    nullable_enum = normalize({"type": "string", "enum": ["a"], "nullable": True})
    assert Draft202012Validator(nullable_enum).is_valid(None)
    assert not Draft202012Validator(nullable_enum).is_valid("b")
    branch = normalize({"allOf": [{"type": "integer"}, {"nullable": True}]})
    assert Draft202012Validator(branch).is_valid(None)
    assert not Draft202012Validator(branch).is_valid("x")
    untyped = normalize({"required": ["code"], "properties": {"code": {"type": "string"}}})
    assert not Draft202012Validator(untyped).is_valid([1, 2])  # JSON Schema alone allows it
    assert normalize({"$ref": "#/components/schemas/X"}) == {
        "$ref": SPEC_URI + "#/components/schemas/X"
    }
