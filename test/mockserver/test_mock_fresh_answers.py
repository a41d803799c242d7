"""Synthesized answers are the handler's own (docs/mock-server.md, "Answers"): rerank and
transcriptions fill in the answer synthesized from the spec, and what they fill in never
reaches another answer, even when the spec's example object is shared between operations
(a component schema's ``example``, as Together's spec gives many)."""

from __future__ import annotations

from typing import Any

import aiohttp

BEARER = {"Authorization": "Bearer any-token"}

#: Three operations answering one component whose schema-level example is one object.
SHARED_EXAMPLE_SPEC = """
openapi: 3.1.0
info: {title: t, version: "1"}
servers: [{url: "http://localhost/v1"}]
paths:
  /rerank:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [model, query, documents]
              properties:
                model: {type: string, enum: [mock-rerank]}
                query: {type: string}
                documents: {type: array, items: {type: string}}
      responses:
        "200":
          content:
            application/json: {schema: {$ref: "#/components/schemas/Shared"}}
  /audio/transcriptions:
    post:
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file]
              properties:
                file: {type: string, format: binary}
      responses:
        "200":
          content:
            application/json: {schema: {$ref: "#/components/schemas/Shared"}}
  /peek:
    get:
      responses:
        "200":
          content:
            application/json: {schema: {$ref: "#/components/schemas/Shared"}}
components:
  schemas:
    Shared:
      type: object
      properties:
        model: {type: string}
        text: {type: string}
        results: {type: array, items: {type: object}}
        usage: {type: object}
      example:
        model: example-model
        text: example text
        results: [{note: from the example}]
        usage: {total_tokens: 1}
"""

EXAMPLE = {
    "model": "example-model",
    "text": "example text",
    "results": [{"note": "from the example"}],
    "usage": {"total_tokens": 1},
}


async def json_of(response: aiohttp.ClientResponse) -> Any:
    assert response.status == 200, await response.text()
    return await response.json()


async def test_the_example_is_answered_as_the_spec_gives_it(serve: Any) -> None:
    client = await serve(spec=SHARED_EXAMPLE_SPEC)
    assert await json_of(await client.get("/v1/peek", headers=BEARER)) == EXAMPLE


async def test_rerank_fills_in_its_own_answer_not_the_specs_example(serve: Any) -> None:
    client = await serve(spec=SHARED_EXAMPLE_SPEC)
    body = {"model": "mock-rerank", "query": "red car", "documents": ["a red car", "blue sky"]}
    ranked = await json_of(await client.post("/v1/rerank", json=body, headers=BEARER))
    assert ranked["model"] == "mock-rerank"
    assert [r["index"] for r in ranked["results"]] == [0, 1]
    assert ranked["usage"] == {"prompt_tokens": 5, "completion_tokens": 0, "total_tokens": 5}
    assert await json_of(await client.get("/v1/peek", headers=BEARER)) == EXAMPLE
    # A second server of the same spec file (the parsed spec is shared) sees it unchanged too.
    other = await serve(spec=SHARED_EXAMPLE_SPEC)
    assert await json_of(await other.get("/v1/peek", headers=BEARER)) == EXAMPLE


async def test_a_transcription_fills_in_its_own_answer_not_the_specs_example(serve: Any) -> None:
    client = await serve(spec=SHARED_EXAMPLE_SPEC)
    form = aiohttp.FormData()
    form.add_field("file", b"RIFF0000", filename="a.wav", content_type="audio/wav")
    heard = await json_of(await client.post("/v1/audio/transcriptions", data=form, headers=BEARER))
    assert heard["text"] == "[together-mock: not speech recognition] 8 bytes of audio"
    assert await json_of(await client.get("/v1/peek", headers=BEARER)) == EXAMPLE
