"""Clients that are not ours accept the server: the OpenAI SDK, and schemathesis' checks
generated from openapi.yaml (no 5xx, every answer conforms to the spec)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from support import REPOSITORY, TOKEN
from together.mock import MockOptions, MockServer


async def test_openai_sdk_embeddings_create(mock_server: MockServer) -> None:
    openai = pytest.importorskip("openai")
    async with openai.AsyncOpenAI(base_url=mock_server.url, api_key=TOKEN, max_retries=0) as client:
        floats = await client.embeddings.create(
            model="BAAI/bge-base-en-v1.5", input=["hello world", "goodbye"], encoding_format="float"
        )
        default = await client.embeddings.create(model="BAAI/bge-base-en-v1.5", input="hello world")
    assert [len(d.embedding) for d in floats.data] == [768, 768]
    assert floats.model == "BAAI/bge-base-en-v1.5"
    # The SDK asks for base64 by default and decodes it: the same vector within float32.
    assert default.data[0].embedding == pytest.approx(floats.data[0].embedding, abs=1e-6)


class ThreadedServer:
    """The server on its own event loop in a thread, for synchronous clients (schemathesis)."""

    def __init__(self, options: MockOptions) -> None:
        self.server = MockServer(options)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> MockServer:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)
        return self.server

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


pytest.importorskip("schemathesis")
import schemathesis  # noqa: E402  (typed: importorskip's module would be Any)
from hypothesis import HealthCheck, Phase, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
)


class _Loader(yaml.SafeLoader):
    """Dates in examples stay strings, as in JSON."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
document = yaml.load((REPOSITORY / "openapi.yaml").read_text(), Loader=_Loader)
# schemathesis cannot generate a multipart part whose schema is oneOf [binary, uri]
# ("Unsupported type: 'Binary'"), which the two audio upload operations use; it gets
# the binary branch alone. Every operation is still run.
for _request in ("AudioTranscriptionRequest", "AudioTranslationRequest"):
    document["components"]["schemas"][_request]["properties"]["file"] = {
        "$ref": "#/components/schemas/AudioFileBinary"
    }
# Together's spec describes a stream's events by their decoded payload
# ({"data": ChatCompletionChunk}); schemathesis validates the raw SSE event, whose
# "data" is always a string, so no real stream can pass it. Here an event is described
# as SSE defines it; test_mock_inference.py checks every chunk's payload against
# Together's own schema.
for _item in document["paths"].values():
    for _operation in _item.values():
        for _answer in (
            (_operation.get("responses") or {}).values() if isinstance(_operation, dict) else ()
        ):
            _stream = (_answer.get("content") or {}).get("text/event-stream")
            if _stream is not None:
                _stream["schema"] = {
                    "type": "object",
                    "required": ["data"],
                    "properties": {"data": {"type": "string"}},
                }
schema = schemathesis.openapi.from_dict(document)


@pytest.fixture(scope="module")
def threaded_server() -> Iterator[MockServer]:
    with ThreadedServer(MockOptions(api_key=TOKEN)) as server:
        yield server


# Every operation of openapi.yaml (Together's whole spec); few examples each, so the run
# stays bounded (99 x 5 calls): only hypothesis' generate phase (schemathesis' explicit and
# coverage phases add dozens of boundary cases per operation, minutes on this spec).
# The checks are the issue's: no server errors, and answers (of documented statuses)
# conform in schema and content type. Statuses the spec does not list (404 for an id that
# was never created, 400 for a model the server does not serve) are real-server behaviour,
# so status_code_conformance and positive_data_acceptance are left out.
@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.generate],
    database=None,
)
def test_server_conforms_to_the_spec(
    case: schemathesis.Case[Any], threaded_server: MockServer
) -> None:
    case.call_and_validate(
        base_url=threaded_server.url,
        headers={"Authorization": f"Bearer {TOKEN}"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
