"""GET /models: the models this server knows, with the type each serves."""

from __future__ import annotations

from aiohttp import web

from together.mock.answers import json_answer
from together.mock.context import Call
from together.mock.semantics.chat import known_chat_models

__all__ = ["known_models", "models"]

_CREATED = 1_777_334_400


def known_models(call: Call) -> dict[str, str]:
    """Model name -> ModelInfo ``type``."""
    api = call.state.api
    found: dict[str, str] = {}
    for name in known_chat_models(call):
        found.setdefault(name, "chat")
    for name in api.models_by_operation("POST /completions"):
        found[name] = "language"
    for name in [*call.options.dimensions, *api.models_by_operation("POST /embeddings")]:
        found.setdefault(name, "embedding")
    for name in api.models_by_operation("POST /rerank"):
        found.setdefault(name, "rerank")
    for name in api.models_by_operation("POST /images/generations"):
        found.setdefault(name, "image")
    return found


async def models(call: Call) -> web.StreamResponse:
    """GET /models."""
    listed = []
    for name, kind in sorted(known_models(call).items()):
        organization = name.split("/", 1)[0] if "/" in name else "together"
        listed.append(
            {
                "id": name,
                "object": "model",
                "created": _CREATED,
                "type": kind,
                "display_name": name.rsplit("/", 1)[-1],
                "organization": organization,
            }
        )
    return json_answer(listed)
