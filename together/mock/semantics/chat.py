"""Chat completions and completions: a deterministic reply derived from the prompt.

**Not a language model.** The reply restates the last user message (or the prompt) after a
fixed preface, word by word; ``max_tokens`` cuts it (``finish_reason`` ``length``), ``stop``
sequences end it early; ``usage`` counts whitespace-separated words as tokens. With
``"stream": true`` the reply is sent as Server-Sent Events, one word per chunk, ending with
``data: [DONE]`` (see :mod:`together.mock.streaming`).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from aiohttp import web

from together.mock.answers import json_answer
from together.mock.context import Call
from together.mock.semantics.embeddings import unknown_model
from together.mock.streaming import stream_events

__all__ = ["PREFACE", "chat_completions", "completions", "reply_words"]

#: How every reply starts, so nobody mistakes it for a model's answer.
PREFACE = "[together-mock: not a language model] You said:"
_CREATED = 1_777_334_400


def known_chat_models(call: Call) -> list[str]:
    api = call.state.api
    return [
        *call.options.chat_models,
        *api.models_by_operation("POST /chat/completions"),
        *api.models_by_operation("POST /completions"),
    ]


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: keep the text ones
        return " ".join(
            part["text"] for part in content if isinstance(part, dict) and "text" in part
        )
    return ""


def reply_words(prompt: str, body: dict[str, Any]) -> tuple[list[str], str]:
    """The reply's words and its finish reason, for a prompt and the request's limits."""
    words = [*PREFACE.split(), *prompt.split()] if prompt.split() else [*PREFACE.split()[:-2]]
    text = " ".join(words)
    finish = "stop"
    stops = body.get("stop")
    for stop in [stops] if isinstance(stops, str) else stops or []:
        if stop and stop in text:
            text = text[: text.index(stop)]
    words = text.split()
    limit = body.get("max_tokens")
    if isinstance(limit, int) and 0 <= limit < len(words):
        words, finish = words[:limit], "length"
    return words, finish


def _completion_id(call: Call, kind: str) -> str:
    return f"{kind}-" + hashlib.blake2b(call.raw, digest_size=8).hexdigest()


def _usage(prompt: str, words: list[str]) -> dict[str, int]:
    prompt_tokens, completion_tokens = len(prompt.split()), len(words)
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def _choices(body: dict[str, Any]) -> int:
    """``n`` identical choices: the spec bounds it (1 to 128) and validation holds it there."""
    n = body.get("n")
    return n if isinstance(n, int) and n >= 1 else 1


async def chat_completions(call: Call) -> web.StreamResponse:
    """POST /chat/completions."""
    body = call.body
    if body["model"] not in known_chat_models(call):
        return unknown_model(call, body["model"], known_chat_models(call))
    messages = body.get("messages") or []
    users = [m for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    last = _text_of(users[-1].get("content")) if users else ""
    prompt = " ".join(_text_of(m.get("content")) for m in messages if isinstance(m, dict))
    words, finish = reply_words(last, body)
    ident, model = _completion_id(call, "chat"), body["model"]
    if body.get("stream") is True:
        return await _stream(call, words, finish, _usage(prompt, words), ident, model, chat=True)
    content = " ".join(words)
    answer = {
        "id": ident,
        "object": "chat.completion",
        "created": _CREATED,
        "model": model,
        "prompt": [],
        "choices": [
            {
                "index": i,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish,
            }
            for i in range(_choices(body))
        ],
        "usage": _usage(prompt, words),
    }
    return json_answer(answer)


async def completions(call: Call) -> web.StreamResponse:
    """POST /completions."""
    body = call.body
    if body["model"] not in known_chat_models(call):
        return unknown_model(call, body["model"], known_chat_models(call))
    prompt = body.get("prompt") or ""
    words, finish = reply_words(prompt, body)
    ident, model = _completion_id(call, "cmpl"), body["model"]
    if body.get("stream") is True:
        return await _stream(call, words, finish, _usage(prompt, words), ident, model, chat=False)
    answer = {
        "id": ident,
        "object": "text.completion",
        "created": _CREATED,
        "model": model,
        "prompt": [],
        "choices": [
            {"index": i, "text": " ".join(words), "finish_reason": finish}
            for i in range(_choices(body))
        ],
        "usage": _usage(prompt, words),
    }
    return json_answer(answer)


async def _stream(
    call: Call,
    words: list[str],
    finish: str,
    usage: dict[str, int],
    ident: str,
    model: str,
    *,
    chat: bool,
) -> web.StreamResponse:
    head = {"id": ident, "created": _CREATED, "model": model}
    events: list[bytes] = []
    last = len(words) - 1
    for i, word in enumerate([*words] or [""]):
        piece = word if i == 0 else " " + word
        done = i >= last
        if chat:
            chunk: dict[str, Any] = {
                **head,
                "object": "chat.completion.chunk",
                "choices": [
                    {
                        "index": 0,
                        "delta": {"role": "assistant", "content": piece},
                        "finish_reason": finish if done else None,
                    }
                ],
            }
            if done:
                chunk["usage"] = usage
        else:
            chunk = {
                **head,
                "object": "completion.chunk",
                "token": {"id": i, "text": piece, "logprob": 0.0, "special": False},
                "choices": [{"index": 0, "text": piece, "finish_reason": finish if done else None}],
                "usage": usage if done else None,
                "finish_reason": finish if done else None,
            }
        events.append(json.dumps(chunk).encode())
    return await stream_events(call, events, delay=call.options.faults.latency_ms / 1000)
