"""POST /embeddings, POST /rerank and GET /models as docs/mock-server.md describes them: the
stand-in vectors of each input in order (dimensions per model: the option's, else 768 for a
model the spec lists; others 404 ``model_not_found``), ``encoding_format: base64`` as the
OpenAI API encodes it, the input limits, ``--shuffle``; rerank ranks documents by the cosine
similarity of those same vectors, with ``top_n`` and ``return_documents``; the models list
names each model the server knows with its type."""

from __future__ import annotations

import base64
import struct
from typing import Any

import pytest

from together.mock import MockOptions
from together.mock.embedding import embed

BEARER = {"Authorization": "Bearer any-token"}
BASE = "BAAI/bge-base-en-v1.5"
RANKER = "Salesforce/Llama-Rank-v1"  # the rerank model the spec lists


async def post(client: Any, path: str, body: Any, **headers: str) -> tuple[int, Any]:
    response = await client.post(path, json=body, headers={**BEARER, **headers})
    return response.status, await response.json()


def error(message: str, param: str | None, code: str | None = None) -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "type": "invalid_request_error",
            "param": param,
            "code": code,
        }
    }


# ---------------------------------------------------------------------------- embeddings


async def test_each_input_gets_its_vector_in_order_and_words_are_counted(serve: Any) -> None:
    client = await serve()
    texts = ["the cat sat", "a dog", ""]
    status, answer = await post(client, "/v1/embeddings", {"model": BASE, "input": texts})
    assert status == 200
    assert answer["object"] == "list" and answer["model"] == BASE
    assert answer["usage"] == {"prompt_tokens": 5, "total_tokens": 5}
    assert [(item["object"], item["index"]) for item in answer["data"]] == [
        ("embedding", 0),
        ("embedding", 1),
        ("embedding", 2),
    ]
    for item, text in zip(answer["data"], texts, strict=True):
        assert item["embedding"] == pytest.approx(embed(BASE, 768, text), rel=1e-7, abs=1e-12)


async def test_a_single_string_is_one_input(serve: Any) -> None:
    client = await serve()
    _, answer = await post(client, "/v1/embeddings", {"model": BASE, "input": "two words"})
    assert [item["index"] for item in answer["data"]] == [0]
    assert answer["data"][0]["embedding"] == pytest.approx(embed(BASE, 768, "two words"))
    assert answer["usage"]["prompt_tokens"] == 2


async def test_dimensions_come_from_the_options_else_768_for_a_model_the_spec_lists(
    serve: Any,
) -> None:
    client = await serve(MockOptions(dimensions={"me/tiny": 3}))
    _, tiny = await post(client, "/v1/embeddings", {"model": "me/tiny", "input": "x"})
    _, large = await post(
        client, "/v1/embeddings", {"model": "BAAI/bge-large-en-v1.5", "input": "x"}
    )
    assert len(tiny["data"][0]["embedding"]) == 3
    assert len(large["data"][0]["embedding"]) == 768  # listed by the spec, not sized


async def test_an_unknown_embedding_model_is_404_naming_the_served_ones(serve: Any) -> None:
    client = await serve(MockOptions(dimensions={"me/b": 3, "me/a": 4}))
    got = await post(client, "/v1/embeddings", {"model": "no/such", "input": "x"})
    assert got == (
        404,
        error(
            "Unable to access model no/such. Known models: me/a, me/b.",
            "model",
            "model_not_found",
        ),
    )


async def test_base64_is_little_endian_float32(serve: Any) -> None:
    client = await serve()
    body = {"model": BASE, "input": ["hello world"], "encoding_format": "base64"}
    _, answer = await post(client, "/v1/embeddings", body)
    raw = base64.b64decode(answer["data"][0]["embedding"])
    assert len(raw) == 768 * 4
    vector = struct.unpack("<768f", raw)
    assert vector == pytest.approx(embed(BASE, 768, "hello world"), rel=1e-6, abs=1e-7)
    _, floats = await post(client, "/v1/embeddings", {**body, "encoding_format": "float"})
    assert isinstance(floats["data"][0]["embedding"], list)


async def test_at_most_max_inputs_inputs(serve: Any) -> None:
    client = await serve(MockOptions(max_inputs=2))
    status, _ = await post(client, "/v1/embeddings", {"model": BASE, "input": ["a", "b"]})
    assert status == 200
    got = await post(client, "/v1/embeddings", {"model": BASE, "input": ["a", "b", "c"]})
    assert got == (400, error("input: at most 2 inputs per request, got 3", "input"))


async def test_at_most_max_input_chars_characters_per_input(serve: Any) -> None:
    client = await serve(MockOptions(max_input_chars=5))
    status, _ = await post(client, "/v1/embeddings", {"model": BASE, "input": ["12345"]})
    assert status == 200
    got = await post(client, "/v1/embeddings", {"model": BASE, "input": ["ok", "123456"]})
    assert got == (400, error("input.1: at most 5 characters per input, got 6", "input"))


@pytest.mark.parametrize(
    ("options", "header", "shuffled"),
    [
        (MockOptions(), None, False),
        (MockOptions(), "0", False),
        (MockOptions(), "", False),
        (MockOptions(), "1", True),
        (MockOptions(), "yes", True),
        (MockOptions(shuffle=True), None, True),
    ],
)
async def test_shuffle_reorders_the_items_and_each_keeps_its_index(
    serve: Any, options: MockOptions, header: str | None, shuffled: bool
) -> None:
    client = await serve(options)
    texts = [f"text {n}" for n in range(12)]
    headers = {} if header is None else {"X-Mock-Shuffle": header}
    _, answer = await post(client, "/v1/embeddings", {"model": BASE, "input": texts}, **headers)
    indexes = [item["index"] for item in answer["data"]]
    assert sorted(indexes) == list(range(12))
    assert (indexes != list(range(12))) is shuffled
    for item in answer["data"]:
        assert item["embedding"] == pytest.approx(embed(BASE, 768, texts[item["index"]]))


# ---------------------------------------------------------------------------- rerank

DOCUMENTS = ["stock markets fell", "the cat sat on the mat", "a cat on a mat", "mat"]


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


async def test_rerank_orders_by_the_cosine_of_the_stand_in_vectors(serve: Any) -> None:
    client = await serve()
    body = {"model": RANKER, "query": "cat on the mat", "documents": DOCUMENTS}
    status, answer = await post(client, "/v1/rerank", body)
    assert status == 200
    assert answer["model"] == RANKER and answer["object"] == "rerank"
    query = embed(RANKER, 768, "cat on the mat")
    scores = {i: cosine(query, embed(RANKER, 768, d)) for i, d in enumerate(DOCUMENTS)}
    expected = sorted(scores, key=lambda i: -scores[i])
    assert [r["index"] for r in answer["results"]] == expected
    for result in answer["results"]:
        assert result["relevance_score"] == round(scores[result["index"]], 8)
        assert result["document"] == {}
    assert answer["usage"] == {"prompt_tokens": 15, "completion_tokens": 0, "total_tokens": 15}


async def test_equal_scores_keep_the_documents_order(serve: Any) -> None:
    client = await serve()
    body = {"model": RANKER, "query": "cat", "documents": ["cat", "dog", "cat", "cat"]}
    _, answer = await post(client, "/v1/rerank", body)
    assert [r["index"] for r in answer["results"]] == [0, 2, 3, 1]
    assert [r["relevance_score"] for r in answer["results"]][:3] == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(("top_n", "count"), [(0, 0), (2, 2), (10, 4), (None, 4)])
async def test_top_n_keeps_the_best(serve: Any, top_n: int | None, count: int) -> None:
    client = await serve()
    body: dict[str, Any] = {"model": RANKER, "query": "cat on the mat", "documents": DOCUMENTS}
    _, whole = await post(client, "/v1/rerank", body)
    if top_n is not None:
        body["top_n"] = top_n
    _, answer = await post(client, "/v1/rerank", body)
    assert answer["results"] == whole["results"][:count]


async def test_return_documents_gives_each_document_back_as_text(serve: Any) -> None:
    client = await serve()
    documents = [{"title": "Llama", "text": "a camelid"}, {"title": "Cat", "text": "a cat"}]
    body = {
        "model": RANKER,
        "query": "cat",
        "documents": documents,
        "return_documents": True,
    }
    _, answer = await post(client, "/v1/rerank", body)
    texts = {r["index"]: r["document"]["text"] for r in answer["results"]}
    # Objects are ranked, and given back, as their JSON with sorted keys.
    assert texts == {
        0: '{"text": "a camelid", "title": "Llama"}',
        1: '{"text": "a cat", "title": "Cat"}',
    }
    query = embed(RANKER, 768, "cat")
    scores = [cosine(query, embed(RANKER, 768, texts[i])) for i in (0, 1)]
    assert [r["relevance_score"] for r in answer["results"]] == [
        round(s, 8) for s in sorted(scores, reverse=True)
    ]
    assert answer["usage"]["prompt_tokens"] == 10  # the words of the two JSON texts
    body["return_documents"] = False
    _, answer = await post(client, "/v1/rerank", body)
    assert [r["document"] for r in answer["results"]] == [{}, {}]


async def test_an_unknown_rerank_model_is_404(serve: Any) -> None:
    client = await serve()
    body = {"model": BASE, "query": "q", "documents": ["d"]}
    got = await post(client, "/v1/rerank", body)
    assert got == (
        404,
        error(
            f"Unable to access model {BASE}. Known models: {RANKER}.", "model", "model_not_found"
        ),
    )


# ---------------------------------------------------------------------------- models


async def test_models_lists_every_model_with_its_type(serve: Any) -> None:
    client = await serve(MockOptions(chat_models=["solo", "org/team/chat"], dimensions={"me/e": 4}))
    response = await client.get("/v1/models", headers=BEARER)
    listed = await response.json()
    assert [m["id"] for m in listed] == sorted(m["id"] for m in listed)
    by_id = {m["id"]: m for m in listed}
    assert by_id["solo"] == {
        "id": "solo",
        "object": "model",
        "created": 1_777_334_400,
        "type": "chat",
        "display_name": "solo",
        "organization": "together",
    }
    assert by_id["org/team/chat"]["display_name"] == "chat"
    assert by_id["org/team/chat"]["organization"] == "org"
    types = {m["id"]: m["type"] for m in listed}
    assert types == {
        "solo": "chat",
        "org/team/chat": "chat",
        # The spec's completion models, its embedding models and the options' ones, its
        # rerank model and its image models.
        "meta-llama/Llama-2-70b-hf": "language",
        "mistralai/Mistral-7B-v0.1": "language",
        "mistralai/Mixtral-8x7B-v0.1": "language",
        "Meta-Llama/Llama-Guard-7b": "language",
        "me/e": "embedding",
        "WhereIsAI/UAE-Large-V1": "embedding",
        "BAAI/bge-large-en-v1.5": "embedding",
        "BAAI/bge-base-en-v1.5": "embedding",
        "togethercomputer/m2-bert-80M-8k-retrieval": "embedding",
        RANKER: "rerank",
        "black-forest-labs/FLUX.1-schnell-Free": "image",
        "black-forest-labs/FLUX.1-schnell": "image",
        "black-forest-labs/FLUX.1.1-pro": "image",
    }


async def test_a_model_served_for_two_things_gets_its_first_type(serve: Any) -> None:
    # Chat before language before embedding before rerank before image: a completion model
    # the spec lists is "language" even when also named as a chat model.
    options = MockOptions(
        chat_models=["mistralai/Mistral-7B-v0.1", RANKER],
        dimensions={RANKER: 8, "black-forest-labs/FLUX.1.1-pro": 8},
    )
    client = await serve(options)
    listed = await (await client.get("/v1/models", headers=BEARER)).json()
    types = {m["id"]: m["type"] for m in listed}
    assert types["mistralai/Mistral-7B-v0.1"] == "language"
    assert types[RANKER] == "chat"
    assert types["black-forest-labs/FLUX.1.1-pro"] == "embedding"
