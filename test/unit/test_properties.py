"""Property-based tests (hypothesis): whatever comes back, the outcome is a typed result or a
typed OpenApiException; whatever invalid request is made, nothing is sent."""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

from aioresponses import aioresponses
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import together.generated
from support import EMBEDDINGS_URL, HOST, TOKEN, embeddings_payload, recorded
from together.generated import (
    ApiException,
    EmbeddingsRequest,
    EmbeddingsResponse,
    MalformedResponseError,
    OpenApiException,
)

VALID_BODY = json.dumps(embeddings_payload([[0.5, -0.25], [1.0, 2.0]])).encode()
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def mutated_bodies(draw: st.DrawFn) -> bytes:
    """The valid body cut short, with bytes flipped, keys dropped or values replaced."""
    kind = draw(
        st.sampled_from(
            ["truncate", "flip", "drop_key", "replace_value", "random", "json", "numbers"]
        )
    )
    if kind == "truncate":
        return VALID_BODY[: draw(st.integers(0, len(VALID_BODY) - 1))]
    if kind == "flip":
        data = bytearray(VALID_BODY)
        for _ in range(draw(st.integers(1, 4))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    document = json.loads(VALID_BODY)
    if kind == "drop_key":
        path = draw(
            st.sampled_from(
                ["object", "model", "data", "data.0.index", "data.1.embedding", "data.0.object"]
            )
        )
        *parents, last = path.split(".")
        node: Any = document
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        del node[last]
        return json.dumps(document).encode()
    if kind == "replace_value":
        key = draw(st.sampled_from(["object", "model", "data"]))
        document[key] = draw(json_values)
        return json.dumps(document).encode()
    if kind == "json":
        return json.dumps(draw(json_values)).encode()
    if kind == "numbers":  # the adversarial numbers of issue 8 item 15
        literal = draw(st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", '"0.5"', "true"]))
        return VALID_BODY.replace(b"-0.25", literal.encode(), 1)
    return draw(st.binary(max_size=200))


def spec_vectors(body: bytes, content_type: str) -> list[tuple[int, list[float]]] | None:
    """The oracle, written from openapi.yaml's EmbeddingsResponse, not from the client: the
    (index, embedding) pairs a valid answer holds, or ``None`` when the answer is not one.

    Valid: a JSON media type; UTF-8 JSON; an object with ``object: "list"``, a string
    ``model`` and a ``data`` array of objects with ``object: "embedding"``, an integer
    ``index`` and an ``embedding`` array of finite numbers (booleans and numeric strings are
    not numbers). Other properties are allowed.
    """
    media = content_type.split(";")[0].strip().lower()
    if not (
        media == "application/json"
        or (media.startswith("application/") and media.endswith("+json"))
    ):
        return None
    try:
        document = json.loads(body.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError included
        return None

    def is_number(value: Any) -> bool:
        return type(value) in (int, float) and math.isfinite(value)

    if not isinstance(document, dict) or document.get("object") != "list":
        return None
    if not isinstance(document.get("model"), str) or not isinstance(document.get("data"), list):
        return None
    pairs = []
    for item in document["data"]:
        if not isinstance(item, dict) or item.get("object") != "embedding":
            return None
        index, embedding = item.get("index"), item.get("embedding")
        if type(index) is not int or not isinstance(embedding, list):
            return None
        if not all(is_number(v) for v in embedding):
            return None
        pairs.append((index, [float(v) for v in embedding]))
    return pairs


async def one_call(status: int, body: bytes, headers: dict[str, str], content_type: str) -> Any:
    configuration = together.generated.Configuration(host=HOST, access_token=TOKEN, retries=0)
    with aioresponses() as mocked:
        mocked.post(
            EMBEDDINGS_URL, status=status, body=body, headers=headers, content_type=content_type
        )
        async with together.generated.ApiClient(configuration) as client:
            api = together.generated.EmbeddingsApi(client)
            try:
                return await api.embeddings(EmbeddingsRequest(model="m", input=["a", "b"]))
            except OpenApiException as exc:
                return exc


@SETTINGS
@given(
    status=st.integers(200, 599),
    body=mutated_bodies() | st.just(VALID_BODY),
    headers=st.dictionaries(
        st.sampled_from(["Retry-After", "retry-after-ms", "x-request-id", "X-Whatever"]),
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
        max_size=3,
    ),
    content_type=st.sampled_from(
        [
            "application/json",
            "text/plain",
            "application/problem+json",
            "",
            "application/json; charset=utf-8",
        ]
    ),
)
def test_any_answer_is_a_typed_result_or_a_typed_error(
    status: int, body: bytes, headers: dict[str, str], content_type: str
) -> None:
    outcome = asyncio.run(one_call(status, body, headers, content_type))
    if 200 <= status <= 299:
        expected = spec_vectors(body, content_type)
        if expected is None:
            assert isinstance(outcome, MalformedResponseError), outcome
            assert outcome.body == body and outcome.status == status
        else:
            assert isinstance(outcome, EmbeddingsResponse), outcome
            assert [(d.index, d.embedding) for d in outcome.data] == expected
    else:
        assert isinstance(outcome, ApiException) and outcome.status == status, outcome
        assert outcome.retry_after is None or outcome.retry_after >= 0


def is_valid_request(fields: dict[str, Any]) -> bool:
    if set(fields) != {"model", "input"} or not isinstance(fields["model"], str):
        return False
    value = fields["input"]
    return isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(v, str) for v in value)
    )


@SETTINGS
@given(
    fields=st.dictionaries(
        st.sampled_from(["model", "input", "inputs", "dimensions", "user"]), json_values, max_size=4
    )
)
def test_invalid_requests_are_refused_before_anything_is_sent(fields: dict[str, Any]) -> None:
    assume(not is_valid_request(fields))

    async def attempt() -> int:
        configuration = together.generated.Configuration(host=HOST, access_token=TOKEN)
        with aioresponses() as mocked:
            async with together.generated.ApiClient(configuration) as client:
                api = together.generated.EmbeddingsApi(client)
                try:
                    await api.embeddings(fields)
                except together.generated.ApiValueError:
                    pass
                else:
                    raise AssertionError(f"accepted {fields!r}")
            return len(recorded(mocked))

    assert asyncio.run(attempt()) == 0
