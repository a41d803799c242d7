"""What the client sends for POST /embeddings, and what each method form returns."""

from __future__ import annotations

import json
from importlib.metadata import version
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from pydantic import ValidationError

import together.generated
from support import EMBEDDINGS_URL, HOST, TOKEN, embeddings_payload, sent_calls
from together.generated import (
    ApiResponse,
    ApiTypeError,
    ApiValueError,
    EmbeddingsRequest,
    EmbeddingsRequestInput,
    EmbeddingsResponse,
)


def sent(mocked: aioresponses) -> list[Any]:
    """The calls aioresponses saw, in order."""
    return sent_calls(mocked)


@pytest.mark.parametrize(
    ("given", "wire"),
    [
        (["a", "b"], b'{"model":"BAAI/bge-base-en-v1.5","input":["a","b"]}'),
        ("one text", b'{"model":"BAAI/bge-base-en-v1.5","input":"one text"}'),
        (EmbeddingsRequestInput("wrapped"), b'{"model":"BAAI/bge-base-en-v1.5","input":"wrapped"}'),
        (
            EmbeddingsRequestInput(actual_instance=["x", "y"]),
            b'{"model":"BAAI/bge-base-en-v1.5","input":["x","y"]}',
        ),
        (["ünïcødé ✓"], '{"model":"BAAI/bge-base-en-v1.5","input":["ünïcødé ✓"]}'.encode()),
    ],
)
async def test_request_bytes_for_each_input_form(
    api: together.generated.EmbeddingsApi, mocked: aioresponses, given: Any, wire: bytes
) -> None:
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[0.5]]))
    request = EmbeddingsRequest(model="BAAI/bge-base-en-v1.5", input=given)
    await api.embeddings(embeddings_request=request)
    (call,) = sent(mocked)
    assert call.kwargs["data"] == wire


async def test_dict_body_is_validated_and_sent(
    api: together.generated.EmbeddingsApi, mocked: aioresponses
) -> None:
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[0.5]]))
    await api.embeddings({"model": "m", "input": "hi"})
    (call,) = sent(mocked)
    assert call.kwargs["data"] == b'{"model":"m","input":"hi"}'


async def test_headers_bearer_content_type_accept_user_agent(
    api: together.generated.EmbeddingsApi, mocked: aioresponses
) -> None:
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[0.5]]))
    await api.embeddings(embeddings_request=EmbeddingsRequest(model="m", input="x"))
    (call,) = sent(mocked)
    headers = call.kwargs["headers"]
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Content-Type"] == "application/json"
    assert headers["Accept"] == "application/json"
    # The installed distribution's version, not the module that builds the header.
    installed = version("together-generated")
    assert headers["User-Agent"] == (
        f"together-generated/{installed} (python; aiohttp {aiohttp.__version__})"
    )


async def test_extra_and_default_headers(
    api_client: together.generated.ApiClient, mocked: aioresponses
) -> None:
    api_client.set_default_header("X-Team", "search")
    api = together.generated.EmbeddingsApi(api_client)
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[0.5]]))
    await api.embeddings(EmbeddingsRequest(model="m", input="x"), _headers={"X-Trace": "t1"})
    (call,) = sent(mocked)
    assert call.kwargs["headers"]["X-Team"] == "search"
    assert call.kwargs["headers"]["X-Trace"] == "t1"


async def test_no_token_sends_no_authorization(
    mocked: aioresponses, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TOGETHER_API_KEY", raising=False)
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[0.5]]))
    async with together.generated.ApiClient(together.generated.Configuration(host=HOST)) as client:
        await together.generated.EmbeddingsApi(client).embeddings(
            EmbeddingsRequest(model="m", input="x")
        )
    (call,) = sent(mocked)
    assert "Authorization" not in call.kwargs["headers"]


async def test_response_is_decoded_into_models(
    api: together.generated.EmbeddingsApi, mocked: aioresponses
) -> None:
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[0.25, -1.0], [1, 2]], model="mx"))
    response = await api.embeddings(EmbeddingsRequest(model="mx", input=["a", "b"]))
    assert isinstance(response, EmbeddingsResponse)
    assert response.model == "mx"
    assert response.object == "list"
    assert [d.index for d in response.data] == [0, 1]
    assert response.data[0].embedding == [0.25, -1.0]
    assert response.data[1].embedding == [1.0, 2.0]


async def test_with_http_info(api: together.generated.EmbeddingsApi, mocked: aioresponses) -> None:
    payload = embeddings_payload([[0.5]])
    mocked.post(EMBEDDINGS_URL, payload=payload, headers={"x-request-id": "req-1"})
    result = await api.embeddings_with_http_info(EmbeddingsRequest(model="m", input="x"))
    assert isinstance(result, ApiResponse)
    assert result.status_code == 200
    assert result.headers["x-request-id"] == "req-1"
    assert isinstance(result.data, EmbeddingsResponse)
    assert json.loads(result.raw_data) == payload


async def test_without_preload_content_returns_the_unread_response(
    api: together.generated.EmbeddingsApi, mocked: aioresponses
) -> None:
    mocked.post(
        EMBEDDINGS_URL, status=503, payload={"error": {"message": "busy", "type": "server_error"}}
    )
    response = await api.embeddings_without_preload_content(EmbeddingsRequest(model="m", input="x"))
    try:
        assert isinstance(response, aiohttp.ClientResponse)
        assert response.status == 503  # not raised: the caller inspects the raw answer
        assert (await response.json())["error"]["message"] == "busy"
    finally:
        response.release()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (2.5, aiohttp.ClientTimeout(total=2.5)),
        # A pair keeps the configured total (README: 120 s by default): a read timeout
        # restarts with every byte, so without it a dripping server holds the call forever.
        ((1.0, 7.0), aiohttp.ClientTimeout(total=120.0, connect=1.0, sock_read=7.0)),
    ],
)
async def test_request_timeout_as_number_or_pair(
    api: together.generated.EmbeddingsApi,
    mocked: aioresponses,
    given: Any,
    expected: aiohttp.ClientTimeout,
) -> None:
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[0.5]]))
    await api.embeddings(EmbeddingsRequest(model="m", input="x"), _request_timeout=given)
    (call,) = sent(mocked)
    assert call.kwargs["timeout"] == expected


@pytest.mark.parametrize("bad", [0, -1, "5", (1.0,), True])
async def test_invalid_request_timeout_is_refused(
    api: together.generated.EmbeddingsApi, mocked: aioresponses, bad: Any
) -> None:
    with pytest.raises(ApiValueError):
        await api.embeddings(EmbeddingsRequest(model="m", input="x"), _request_timeout=bad)
    assert sent(mocked) == []


# ------------------------------------------------------------------ refused before sending


@pytest.mark.parametrize(
    "fields",
    [
        {"input": "x"},  # no model
        {"model": "m"},  # no input
        {"model": "m", "input": 5},
        {"model": "m", "input": ["a", 5]},
        {"model": "m", "input": {"text": "a"}},
        {"model": 7, "input": "x"},
        {"model": "m", "input": "x", "inputs": "typo"},  # unknown field in a request model
    ],
)
async def test_invalid_dict_body_is_refused_before_sending(
    api: together.generated.EmbeddingsApi, mocked: aioresponses, fields: dict[str, Any]
) -> None:
    with pytest.raises(ApiValueError) as caught:
        await api.embeddings(fields)
    assert "embeddings" in str(caught.value)
    assert sent(mocked) == []


@pytest.mark.parametrize(
    "fields",
    [{"input": "x"}, {"model": "m"}, {"model": "m", "input": 5}, {"model": "m", "input": None}],
)
def test_invalid_model_cannot_be_built(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        EmbeddingsRequest(**fields)


def test_invalid_assignment_is_refused() -> None:
    request = EmbeddingsRequest(model="m", input="x")
    with pytest.raises(ValidationError):
        request.input = 5  # type: ignore[assignment]


@pytest.mark.parametrize("body", ["just a string", 42, ["m", "x"], None])
async def test_wrong_body_type_is_refused_before_sending(
    api: together.generated.EmbeddingsApi, mocked: aioresponses, body: Any
) -> None:
    with pytest.raises((ApiTypeError, ApiValueError)):
        await api.embeddings(body)
    assert sent(mocked) == []
