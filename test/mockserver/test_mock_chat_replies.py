"""Chat completions and completions (docs/mock-server.md, "Nothing here is a model"): the
reply is ``[together-mock: not a language model] You said:`` and the last user message (or
the prompt), word by word; ``max_tokens`` cuts it (``finish_reason: "length"``), ``stop``
sequences end it early, ``n`` gives that many identical choices, ``usage`` counts
whitespace-separated words; the same request gets the same reply and id. With
``"stream": true``, one word per chunk, the last with ``finish_reason`` and ``usage``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from together.mock import MockOptions
from together.mock.semantics.chat import reply_words

BEARER = {"Authorization": "Bearer any-token"}
MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"  # a default chat model (docs)
PREFACE = ["[together-mock:", "not", "a", "language", "model]", "You", "said:"]


async def post(client: Any, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    response = await client.post(path, json=body, headers=BEARER)
    return response.status, await response.json()


async def events(client: Any, path: str, body: dict[str, Any]) -> list[Any]:
    """The JSON events of a stream, checking it ends with ``[DONE]``."""
    response = await client.post(path, json={**body, "stream": True}, headers=BEARER)
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/event-stream"
    frames = (await response.read()).decode().split("\n\n")
    assert frames[-2:] == ["data: [DONE]", ""]
    return [json.loads(frame.removeprefix("data: ")) for frame in frames[:-2]]


def chat(content: Any, **extra: Any) -> dict[str, Any]:
    return {"model": MODEL, "messages": [{"role": "user", "content": content}], **extra}


# ---------------------------------------------------------------------------- the reply


def test_the_reply_restates_the_prompt_after_the_preface() -> None:
    assert reply_words("the cat  sat\n", {}) == ([*PREFACE, "the", "cat", "sat"], "stop")


def test_an_empty_prompt_gets_the_preface_without_you_said() -> None:
    assert reply_words("", {}) == (PREFACE[:-2], "stop")
    assert reply_words("  \n", {}) == (PREFACE[:-2], "stop")


@pytest.mark.parametrize(
    ("limit", "words", "finish"),
    [
        (0, [], "length"),
        (2, PREFACE[:2], "length"),
        (8, [*PREFACE, "one"], "length"),  # one word short of the whole reply
        (9, [*PREFACE, "one", "two"], "stop"),  # exactly the reply: nothing was cut
        (50, [*PREFACE, "one", "two"], "stop"),
        (-1, [*PREFACE, "one", "two"], "stop"),  # no limit (a spec without a minimum)
        ("3", [*PREFACE, "one", "two"], "stop"),  # not an integer: no limit
    ],
)
def test_max_tokens_cuts_the_reply_with_finish_reason_length(
    limit: Any, words: list[str], finish: str
) -> None:
    assert reply_words("one two", {"max_tokens": limit}) == (words, finish)


@pytest.mark.parametrize(
    ("stop", "words"),
    [
        (["two"], [*PREFACE, "one"]),
        (["wo thr"], [*PREFACE, "one", "t"]),  # a sequence, not a word: cut where it starts
        (["said", "two"], PREFACE[:-1]),  # every sequence cuts (the preface too)
        (["three", "one"], [*PREFACE]),  # each one cuts what the ones before left
        (["nowhere"], [*PREFACE, "one", "two", "three"]),
        ([""], [*PREFACE, "one", "two", "three"]),  # an empty sequence cuts nothing
        ("two", [*PREFACE, "one"]),  # a single string, as OpenAI's API allows
        ([" t"], [*PREFACE, "one"]),  # cut where it first occurs (" two"), not at " three"
        (None, [*PREFACE, "one", "two", "three"]),
    ],
)
def test_stop_sequences_end_the_reply_early_with_finish_reason_stop(
    stop: Any, words: list[str]
) -> None:
    assert reply_words("one two three", {"stop": stop}) == (words, "stop")


def test_max_tokens_counts_the_words_left_after_the_stop_sequences() -> None:
    # Nine words are left, so nine tokens cut nothing (ten were asked before the stop).
    assert reply_words("one two three", {"stop": ["three"], "max_tokens": 9}) == (
        [*PREFACE, "one", "two"],
        "stop",
    )


# ---------------------------------------------------------------------------- chat


async def test_chat_answers_the_last_user_message_and_counts_every_message(serve: Any) -> None:
    client = await serve()
    body = {
        "model": MODEL,
        "messages": [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "first question"},
            {"role": "assistant", "content": "an answer of five words"},
            {"role": "user", "content": "second one"},
        ],
    }
    status, answer = await post(client, "/v1/chat/completions", body)
    assert status == 200
    assert answer["object"] == "chat.completion"
    assert answer["model"] == MODEL
    assert answer["created"] == 1_777_334_400  # 2026-04-28, the mock's fixed clock
    assert answer["id"].startswith("chat-") and len(answer["id"]) == len("chat-") + 16
    assert answer["choices"] == [
        {
            "index": 0,
            "message": {"role": "assistant", "content": " ".join([*PREFACE, "second", "one"])},
            "finish_reason": "stop",
        }
    ]
    assert answer["usage"] == {"prompt_tokens": 11, "completion_tokens": 9, "total_tokens": 20}
    assert answer["prompt"] == []  # no echo
    assert set(answer) == {"id", "object", "created", "model", "prompt", "choices", "usage"}


async def test_content_parts_keep_their_text_ones(serve: Any) -> None:
    client = await serve()
    parts = [
        {"type": "text", "text": "look at"},
        {"type": "image_url", "image_url": {"url": "http://127.0.0.1/cat.png"}},
        {"type": "text", "text": "this cat"},
    ]
    _, answer = await post(client, "/v1/chat/completions", chat(parts))
    assert answer["choices"][0]["message"]["content"].endswith("said: look at this cat")
    assert answer["usage"]["prompt_tokens"] == 4


async def test_without_a_user_message_the_reply_is_the_preface_alone(serve: Any) -> None:
    client = await serve()
    body = {"model": MODEL, "messages": [{"role": "system", "content": "three words here"}]}
    _, answer = await post(client, "/v1/chat/completions", body)
    assert answer["choices"][0]["message"]["content"] == "[together-mock: not a language model]"
    assert answer["usage"] == {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8}


async def test_a_message_without_text_reads_as_empty(serve: Any) -> None:
    client = await serve()
    body = {
        "model": MODEL,
        "messages": [
            {"role": "user", "content": "earlier words"},
            {"role": "assistant", "tool_calls": []},
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x:y"}}]},
        ],
    }
    status, answer = await post(client, "/v1/chat/completions", body)
    assert status == 200, answer
    assert answer["choices"][0]["message"]["content"] == "[together-mock: not a language model]"
    assert answer["usage"]["prompt_tokens"] == 2


@pytest.mark.parametrize(
    ("n", "choices"), [(None, 1), (1, 1), (3, 3), (16, 16), (17, 17), (128, 128)]
)
async def test_n_gives_that_many_identical_choices(serve: Any, n: int | None, choices: int) -> None:
    client = await serve()
    extra = {} if n is None else {"n": n}
    for path, body in (
        ("/v1/chat/completions", chat("hi there", **extra)),
        ("/v1/completions", {"model": MODEL, "prompt": "hi there", **extra}),
    ):
        status, answer = await post(client, path, body)
        assert status == 200
        assert [c["index"] for c in answer["choices"]] == list(range(choices))
        assert len({json.dumps({**c, "index": 0}) for c in answer["choices"]}) == 1


async def test_the_same_request_gets_the_same_reply_and_id_another_another_id(
    serve: Any,
) -> None:
    client = await serve()
    first = await post(client, "/v1/chat/completions", chat("same words"))
    assert await post(client, "/v1/chat/completions", chat("same words")) == first
    other = await post(client, "/v1/chat/completions", chat("other words"))
    assert other[1]["id"] != first[1]["id"]
    plain = await post(client, "/v1/completions", {"model": MODEL, "prompt": "same words"})
    assert plain[1]["id"].startswith("cmpl-") and len(plain[1]["id"]) == len("cmpl-") + 16


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/completions"])
async def test_unknown_models_are_404_naming_the_known_ones(serve: Any, path: str) -> None:
    client = await serve(MockOptions(chat_models=["me/only-chat"]))
    body = {"model": "no/such", "prompt": "x", "messages": [{"role": "user", "content": "x"}]}
    status, answer = await post(client, path, body)
    assert status == 404
    error = answer["error"]
    assert (error["code"], error["param"]) == ("model_not_found", "model")
    # The option's models and the spec's completion models (the 2026-04 spec lists no chat
    # models), sorted.
    assert error["message"] == (
        "Unable to access model no/such. Known models: Meta-Llama/Llama-Guard-7b, "
        "me/only-chat, meta-llama/Llama-2-70b-hf, mistralai/Mistral-7B-v0.1, "
        "mistralai/Mixtral-8x7B-v0.1."
    )


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/completions"])
async def test_the_specs_completion_models_and_the_options_models_are_served(
    serve: Any, path: str
) -> None:
    client = await serve(MockOptions(chat_models=["me/only-chat"]))
    for model in ("me/only-chat", "mistralai/Mistral-7B-v0.1"):
        body = {"model": model, "prompt": "x", "messages": [{"role": "user", "content": "x"}]}
        status, answer = await post(client, path, body)
        assert (status, answer["model"]) == (200, model)


# ---------------------------------------------------------------------------- completions


async def test_completions_restate_the_prompt(serve: Any) -> None:
    client = await serve()
    body = {"model": MODEL, "prompt": "once upon a time", "max_tokens": 8, "stop": ["time"]}
    status, answer = await post(client, "/v1/completions", body)
    assert status == 200
    assert answer["object"] == "text.completion"
    assert (answer["model"], answer["created"]) == (MODEL, 1_777_334_400)
    assert answer["choices"] == [
        {"index": 0, "text": " ".join([*PREFACE, "once"]), "finish_reason": "length"}
    ]
    assert answer["usage"] == {"prompt_tokens": 4, "completion_tokens": 8, "total_tokens": 12}
    assert answer["prompt"] == []  # no echo
    assert set(answer) == {"id", "object", "created", "model", "prompt", "choices", "usage"}


async def test_an_empty_prompt_gets_the_preface_alone(serve: Any) -> None:
    client = await serve()
    status, answer = await post(client, "/v1/completions", {"model": MODEL, "prompt": ""})
    assert status == 200
    assert answer["choices"][0]["text"] == "[together-mock: not a language model]"
    assert answer["usage"] == {"prompt_tokens": 0, "completion_tokens": 5, "total_tokens": 5}


CHAT_MODELS = """
openapi: 3.1.0
info: {title: chat models, version: "1"}
servers: [{url: "http://localhost/v1"}]
paths:
  /chat/completions:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [model, messages]
              properties:
                model: {type: string, enum: [spec/chat-only]}
                messages: {type: array}
      responses: {"200": {content: {application/json: {schema: {type: object}}}}}
"""


async def test_the_chat_models_the_spec_lists_are_served(serve: Any) -> None:
    client = await serve(spec=CHAT_MODELS)
    status, answer = await post(client, "/v1/chat/completions", chat("hi", model="spec/chat-only"))
    assert (status, answer["model"]) == (200, "spec/chat-only")
    assert answer["choices"][0]["message"]["content"] == " ".join([*PREFACE, "hi"])


# ---------------------------------------------------------------------------- streams


async def test_a_chat_stream_is_one_word_per_chunk_usage_on_the_last(serve: Any) -> None:
    client = await serve()
    chunks = await events(client, "/v1/chat/completions", chat("a b", max_tokens=8))
    assert len(chunks) == 8
    ident = chunks[0]["id"]
    assert ident.startswith("chat-") and len(ident) == len("chat-") + 16
    for i, chunk in enumerate(chunks):
        word = ([*PREFACE, "a"])[i]
        last = i == 7
        expected = {
            "id": ident,
            "created": 1_777_334_400,
            "model": MODEL,
            "object": "chat.completion.chunk",
            "choices": [
                {
                    "index": 0,
                    "delta": {"role": "assistant", "content": word if i == 0 else " " + word},
                    "finish_reason": "length" if last else None,
                }
            ],
        }
        if last:
            expected["usage"] = {"prompt_tokens": 2, "completion_tokens": 8, "total_tokens": 10}
        assert chunk == expected


async def test_a_completion_stream_carries_tokens_and_usage_on_the_last(serve: Any) -> None:
    client = await serve()
    body = {"model": MODEL, "prompt": "x y"}
    _, whole = await post(client, "/v1/completions", body)
    chunks = await events(client, "/v1/completions", body)
    assert len(chunks) == 9
    ident = chunks[0]["id"]
    assert ident.startswith("cmpl-") and ident != whole["id"]  # "stream" is in the request
    for i, chunk in enumerate(chunks):
        word = ([*PREFACE, "x", "y"])[i]
        piece = word if i == 0 else " " + word
        last = i == 8
        assert chunk == {
            "id": ident,
            "created": 1_777_334_400,
            "model": MODEL,
            "object": "completion.chunk",
            "token": {"id": i, "text": piece, "logprob": 0.0, "special": False},
            "choices": [{"index": 0, "text": piece, "finish_reason": "stop" if last else None}],
            "usage": whole["usage"] if last else None,
            "finish_reason": "stop" if last else None,
        }


async def test_a_reply_of_no_words_streams_one_empty_last_chunk(serve: Any) -> None:
    client = await serve()
    chunks = await events(client, "/v1/chat/completions", chat("hello", max_tokens=0))
    assert [c["choices"][0]["delta"]["content"] for c in chunks] == [""]
    assert chunks[0]["choices"][0]["finish_reason"] == "length"
    assert chunks[0]["usage"] == {"prompt_tokens": 1, "completion_tokens": 0, "total_tokens": 1}


async def test_only_stream_true_streams(serve: Any) -> None:
    client = await serve()
    response = await client.post(
        "/v1/chat/completions", json=chat("hi", stream=False), headers=BEARER
    )
    assert response.headers["Content-Type"].startswith("application/json")
    response = await client.post(
        "/v1/completions", json={"model": MODEL, "prompt": "hi", "stream": False}, headers=BEARER
    )
    assert response.headers["Content-Type"].startswith("application/json")
