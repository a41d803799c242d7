"""Embeddings and rerank: stand-in vectors (see :mod:`together.mock.embedding`), and
documents ranked by the cosine similarity of those same vectors to the query."""

from __future__ import annotations

import base64
import json
import struct
from typing import Any

from aiohttp import web

from together.mock.answers import json_answer
from together.mock.context import Call
from together.mock.embedding import embed, embedding_json
from together.mock.errors import error_response
from together.mock.faults import SHUFFLE_HEADER

__all__ = ["dimensions_of", "embeddings", "rerank"]

#: Dimensions of a model the spec lists but the options do not size.
_UNSIZED = 768


def dimensions_of(call: Call, model: str) -> int | None:
    """The model's vector size, or ``None`` for a model this server does not know."""
    dimensions = call.options.dimensions.get(model)
    if dimensions is None and model in call.state.api.models_by_operation("POST /embeddings"):
        dimensions = _UNSIZED
    return dimensions


def unknown_model(call: Call, model: str, known: list[str]) -> web.Response:
    return error_response(
        404,
        f"Unable to access model {model}. Known models: {', '.join(sorted(known))}.",
        param="model",
        code="model_not_found",
    )


async def embeddings(call: Call) -> web.StreamResponse:
    """POST /embeddings."""
    body, options = call.body, call.options
    model = body["model"]
    dimensions = dimensions_of(call, model)
    if dimensions is None:
        return unknown_model(call, model, list(options.dimensions))
    texts = [body["input"]] if isinstance(body["input"], str) else body["input"]
    if len(texts) > options.max_inputs:
        return error_response(
            400,
            f"input: at most {options.max_inputs} inputs per request, got {len(texts)}",
            param="input",
        )
    for i, text in enumerate(texts):
        if len(text) > options.max_input_chars:
            return error_response(
                400,
                f"input.{i}: at most {options.max_input_chars} characters per input, "
                f"got {len(text)}",
                param="input",
            )
    as_base64 = body.get("encoding_format") == "base64"  # what the OpenAI SDK asks for
    items = []
    for i, text in enumerate(texts):
        vector = (
            _base64_vector(model, dimensions, text)
            if as_base64
            else embedding_json(model, dimensions, text)
        )
        items.append(b'{"object":"embedding","index":%d,"embedding":%s}' % (i, vector))
    if options.shuffle or call.request.headers.get(SHUFFLE_HEADER, "") not in ("", "0"):
        call.rng("shuffle").shuffle(items)  # each item keeps its index
    tokens = sum(len(t.split()) for t in texts)
    payload = (
        b'{"object":"list","model":%s,"data":[%s],"usage":{"prompt_tokens":%d,"total_tokens":%d}}'
        % (json.dumps(model).encode(), b",".join(items), tokens, tokens)
    )
    return web.Response(body=payload, content_type="application/json")


def _base64_vector(model: str, dimensions: int, text: str) -> bytes:
    """The vector as base64 of little-endian float32, as the OpenAI API encodes it."""
    packed = struct.pack(f"<{dimensions}f", *embed(model, dimensions, text))
    return b'"' + base64.b64encode(packed) + b'"'


def _document_text(document: Any) -> str:
    if isinstance(document, str):
        return document
    return json.dumps(document, sort_keys=True)


async def rerank(call: Call) -> web.StreamResponse:
    """POST /rerank: documents by cosine similarity to the query, as the embeddings score them."""
    body = call.body
    model = body["model"]
    known = [*call.state.api.models_by_operation("POST /rerank")]
    if model not in known:
        return unknown_model(call, model, known)
    documents = body.get("documents") or []
    dims = _UNSIZED
    query = embed(model, dims, body.get("query", ""))
    scored = []
    for index, document in enumerate(documents):
        vector = embed(model, dims, _document_text(document))
        scored.append((sum(a * b for a, b in zip(query, vector, strict=True)), index))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    top_n = body.get("top_n")
    if isinstance(top_n, int) and top_n >= 0:
        scored = scored[:top_n]
    results = []
    for score, index in scored:
        item: dict[str, Any] = {"index": index, "relevance_score": round(score, 8)}
        item["document"] = (
            {"text": _document_text(documents[index])} if body.get("return_documents") else {}
        )
        results.append(item)
    answer = call.synthesized()
    answer.update({"model": model, "results": results})
    if "usage" in answer:
        tokens = sum(len(_document_text(d).split()) for d in documents)
        answer["usage"] = {
            "prompt_tokens": tokens,
            "completion_tokens": 0,
            "total_tokens": tokens,
        }
    return json_answer(answer)
