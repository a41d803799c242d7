"""What each operation of the spec does on the local server (the rest is spec-driven).

Routing, authentication, validation and faults happen before a handler here runs
(:mod:`together.mock.server`); a handler gets a body that conforms to the spec's schema.
"""

from __future__ import annotations

import base64
import json
import struct
from typing import Any

from aiohttp import web

from together.mock.embedding import embed, embedding_json
from together.mock.errors import error_response
from together.mock.options import MockOptions

__all__ = ["OPERATIONS", "embeddings"]


async def embeddings(
    body: Any, options: MockOptions, known_models: tuple[str, ...]
) -> web.Response:
    """POST /embeddings: a body the spec's schema has already accepted."""
    model = body["model"]
    dimensions = options.dimensions.get(model)
    if dimensions is None and model in known_models:
        dimensions = 768
    if dimensions is None:
        return error_response(
            404,
            f"Unable to access model {model}. "
            f"Known models: {', '.join(sorted(options.dimensions))}.",
            param="model",
            code="model_not_found",
        )
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
    tokens = sum(len(t.split()) for t in texts)
    payload = (
        b'{"object":"list","model":%s,"data":[%s],"usage":{"prompt_tokens":%d,"total_tokens":%d}}'
        % (
            json.dumps(model).encode(),
            b",".join(items),
            tokens,
            tokens,
        )
    )
    return web.Response(body=payload, content_type="application/json")


def _base64_vector(model: str, dimensions: int, text: str) -> bytes:
    """The vector as base64 of little-endian float32, as the OpenAI API encodes it."""
    packed = struct.pack(f"<{dimensions}f", *embed(model, dimensions, text))
    return b'"' + base64.b64encode(packed) + b'"'


#: The handler of each operationId the server implements.
OPERATIONS = {"embeddings": embeddings}
