"""Chat completions, completions (plain and streamed), embeddings, rerank and models on
the 2026-04 spec, through the OpenAI SDK (a client nobody on this project wrote) and raw
HTTP. Skipped when ``../shared/specs/`` is absent."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from support import SHARED_SPECS, TOKEN
from together.mock import FaultOptions, MockOptions, MockServer
from together.mock.spec import load_api

SPEC_2026 = SHARED_SPECS / "together-openapi-2026-04.yaml"
pytestmark = pytest.mark.skipif(not SPEC_2026.exists(), reason="../shared/specs/ is absent")
openai = pytest.importorskip("openai")
CHAT_MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"  # a default chat model (docs)
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def server() -> AsyncIterator[MockServer]:
    async with MockServer(MockOptions(api_key=TOKEN), spec=SPEC_2026) as server:
        yield server


@pytest.fixture
async def client(server: MockServer) -> AsyncIterator[Any]:
    async with openai.AsyncOpenAI(base_url=server.url, api_key=TOKEN, max_retries=0) as client:
        yield client


async def test_chat_completion_replies_from_the_prompt_and_counts_usage(client: Any) -> None:
    messages = [{"role": "user", "content": "the cat sat on the mat"}]
    answer = await client.chat.completions.create(model=CHAT_MODEL, messages=messages)
    again = await client.chat.completions.create(model=CHAT_MODEL, messages=messages)
    content = answer.choices[0].message.content
    assert content.startswith("[together-mock: not a language model]")
    assert content.endswith("the cat sat on the mat")
    assert again.choices[0].message.content == content and again.id == answer.id
    assert answer.choices[0].finish_reason == "stop"
    assert answer.usage.prompt_tokens == 6  # six words
    assert answer.usage.completion_tokens == len(content.split())
    assert answer.usage.total_tokens == 6 + len(content.split())


async def test_max_tokens_cuts_the_reply_with_finish_reason_length(client: Any) -> None:
    answer = await client.chat.completions.create(
        model=CHAT_MODEL, messages=[{"role": "user", "content": "one two three"}], max_tokens=3
    )
    assert len(answer.choices[0].message.content.split()) == 3
    assert answer.choices[0].finish_reason == "length"
    assert answer.usage.completion_tokens == 3


async def test_streamed_chat_is_the_same_reply_chunk_by_chunk(client: Any) -> None:
    messages = [{"role": "user", "content": "stream me a reply"}]
    whole = await client.chat.completions.create(model=CHAT_MODEL, messages=messages)
    stream = await client.chat.completions.create(model=CHAT_MODEL, messages=messages, stream=True)
    pieces = [chunk.choices[0].delta.content async for chunk in stream]
    assert len(pieces) == len(whole.choices[0].message.content.split()) > 5
    assert "".join(pieces) == whole.choices[0].message.content


async def test_completions_plain_and_streamed(client: Any) -> None:
    whole = await client.completions.create(model=CHAT_MODEL, prompt="once upon a time")
    assert whole.choices[0].text.endswith("once upon a time")
    assert whole.usage.prompt_tokens == 4
    stream = await client.completions.create(
        model=CHAT_MODEL, prompt="once upon a time", stream=True
    )
    assert "".join([chunk.choices[0].text async for chunk in stream]) == whole.choices[0].text


async def test_embeddings_and_models_through_the_openai_sdk(client: Any) -> None:
    vectors = await client.embeddings.create(
        model="BAAI/bge-base-en-v1.5", input=["a", "b"], encoding_format="float"
    )
    assert [len(d.embedding) for d in vectors.data] == [768, 768]
    # Together's spec answers GET /models with a bare array (ModelInfoList), not OpenAI's
    # {"object": "list", "data": [...]} page, so the SDK's pager cannot parse it; its raw
    # response API still makes the call.
    raw = await client.models.with_raw_response.list()
    models = {model["id"]: model["type"] for model in raw.http_response.json()}
    assert models[CHAT_MODEL] == "chat"
    assert models["BAAI/bge-base-en-v1.5"] == models["BAAI/bge-large-en-v1.5"] == "embedding"
    assert models["Salesforce/Llama-Rank-v1"] == "rerank"


async def test_unknown_chat_model_is_404_model_not_found(client: Any) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        await client.chat.completions.create(
            model="no/such-model", messages=[{"role": "user", "content": "hi"}]
        )
    assert caught.value.body["code"] == "model_not_found"


async def raw_stream(server: MockServer, body: dict[str, Any], **headers: str) -> list[bytes]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            server.url + "/chat/completions", json=body, headers={**AUTH, **headers}
        ) as response,
    ):
        assert response.headers["Content-Type"] == "text/event-stream"
        lines = []
        try:
            async for line in response.content:
                if line.strip():
                    lines.append(line.strip())
        except aiohttp.ClientPayloadError:
            lines.append(b"<cut>")
        return lines


async def test_every_chunk_is_valid_against_the_specs_stream_schema(server: MockServer) -> None:
    api = load_api(SPEC_2026)
    media = next(op for op in api.operations if op.key == "POST /chat/completions")
    validator = api.validator(media.responses["200"]["text/event-stream"].pointer, formats=True)
    body = {"model": CHAT_MODEL, "messages": [{"role": "user", "content": "a b c"}], "stream": True}
    lines = await raw_stream(server, body)
    assert lines[-1] == b"data: [DONE]"
    for line in lines:
        data = line.removeprefix(b"data: ").decode()
        event = {"data": data if data == "[DONE]" else json.loads(data)}
        assert validator.is_valid(event), line
    assert json.loads(lines[-2][6:])["usage"]["completion_tokens"] == len(lines) - 1


async def test_stream_faults_cut_it_or_send_an_error_event(server: MockServer) -> None:
    body = {
        "model": CHAT_MODEL,
        "messages": [{"role": "user", "content": "a b c d"}],
        "stream": True,
    }
    full = await raw_stream(server, body)
    cut = await raw_stream(server, body, **{"X-Mock-Status": "truncate"})
    assert b"data: [DONE]" not in cut and len(cut) < len(full)
    errored = await raw_stream(server, body, **{"X-Mock-Status": "error-event"})
    assert b"data: [DONE]" not in errored
    assert json.loads(errored[-1][6:])["error"]["type"] == "server_error"
    assert server.stats()["/v1/chat/completions"] == {"200": 1, "truncate": 1, "error-event": 1}


async def test_latency_is_waited_between_chunks() -> None:
    options = MockOptions(api_key=TOKEN, faults=FaultOptions(latency_ms=20))
    async with MockServer(options, spec=SPEC_2026) as server:
        body = {"model": CHAT_MODEL, "messages": [{"role": "user", "content": "x"}], "stream": True}
        started = time.perf_counter()
        lines = await raw_stream(server, body)
        elapsed = time.perf_counter() - started
    # 20 ms before the answer and after each of the len(lines) - 1 chunks.
    assert elapsed >= 0.020 * len(lines) - 0.005


async def test_rerank_orders_by_the_embeddings_similarity(server: MockServer) -> None:
    documents = ["stock markets fell", "the cat sat on the mat", "a cat on a mat"]
    body = {"model": "Salesforce/Llama-Rank-v1", "query": "cat on the mat", "documents": documents}
    async with (
        aiohttp.ClientSession() as session,
        session.post(server.url + "/rerank", json=body, headers=AUTH) as response,
    ):
        answer = await response.json()
    assert response.status == 200
    ranked = [r["index"] for r in answer["results"]]
    assert ranked[-1] == 0  # the unrelated document last
    scores = [r["relevance_score"] for r in answer["results"]]
    assert scores == sorted(scores, reverse=True)


async def test_speech_is_a_wav_and_transcription_takes_multipart_audio(server: MockServer) -> None:
    body = {"model": "cartesia/sonic", "input": "hello", "voice": "friendly sidekick"}
    async with aiohttp.ClientSession() as session:
        async with session.post(server.url + "/audio/speech", json=body, headers=AUTH) as answer:
            wav = await answer.read()
        assert answer.status == 200 and wav[:4] == b"RIFF" and wav[8:12] == b"WAVE"
        form = aiohttp.FormData()
        form.add_field("file", wav, filename="hello.wav", content_type="audio/wav")
        form.add_field("model", "openai/whisper-large-v3")
        async with session.post(
            server.url + "/audio/transcriptions", data=form, headers=AUTH
        ) as answer:
            transcript = await answer.json()
        assert answer.status == 200
        assert transcript["text"].endswith(f"{len(wav)} bytes of audio")
