"""Issue 8 items 10-15 at the unit level: timeouts, clear-text tokens, untyped failures,
error bodies of another shape, and strict decoding of successes."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses

import together.generated
from support import EMBEDDINGS_URL, TOKEN, embeddings_payload, recorded, rest_transport, sent_calls
from together.generated import (
    ApiException,
    ApiValueError,
    BadRequestException,
    Configuration,
    EmbeddingsRequest,
    EmbeddingsResponse,
    MalformedResponseError,
    OpenApiException,
)
from together.generated._runtime.exceptions import (
    ClientStateError,
    InsecureTransportError,
    InvalidVectorsError,
)
from together.generated._runtime.operation import Operation, ResponseSpec

REQUEST = EmbeddingsRequest(model="m", input="x")


def sent(mocked: aioresponses) -> int:
    return len(sent_calls(mocked))


# ------------------------------------------------------------ item 11: clear-text tokens


@pytest.mark.parametrize(
    "host",
    ["http://api.together.xyz/v1", "http://10.0.0.5:8080/v1", "HTTP://example.com/v1"],
)
async def test_token_is_not_sent_over_plain_http_to_another_host(
    mocked: aioresponses, host: str
) -> None:
    mocked.post(host.lower().replace("http://", "http://") + "/embeddings", payload={})
    configuration = Configuration(host=host, access_token=TOKEN, retries=0)
    async with together.generated.ApiClient(configuration) as client:
        with pytest.raises(InsecureTransportError) as caught:
            await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
    assert sent(mocked) == 0
    assert isinstance(caught.value, ApiValueError)
    assert "allow_insecure_http" in str(caught.value) and TOKEN not in str(caught.value)


@pytest.mark.parametrize(
    "host",
    [
        "http://127.0.0.1:8080/v1",
        "http://127.8.9.10/v1",
        "http://localhost:9/v1",
        "http://[::1]:9/v1",
        "https://api.together.xyz/v1",
    ],
)
async def test_loopback_and_https_hosts_get_the_token(mocked: aioresponses, host: str) -> None:
    mocked.post(f"{host}/embeddings", payload=embeddings_payload([[0.5]]))
    configuration = Configuration(host=host, access_token=TOKEN, retries=0)
    async with together.generated.ApiClient(configuration) as client:
        await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
    (calls,) = recorded(mocked).values()
    assert calls[0].kwargs["headers"]["Authorization"] == f"Bearer {TOKEN}"


async def test_plain_http_is_allowed_when_the_configuration_says_so(mocked: aioresponses) -> None:
    host = "http://inside.lan/v1"
    mocked.post(f"{host}/embeddings", payload=embeddings_payload([[0.5]]))
    configuration = Configuration(
        host=host, access_token=TOKEN, retries=0, allow_insecure_http=True
    )
    async with together.generated.ApiClient(configuration) as client:
        await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
    assert sent(mocked) == 1


async def test_a_host_changed_after_a_call_is_checked_again(mocked: aioresponses) -> None:
    mocked.post("https://api.test/v1/embeddings", payload=embeddings_payload([[0.5]]))
    configuration = Configuration(host="https://api.test/v1", access_token=TOKEN, retries=0)
    async with together.generated.ApiClient(configuration) as client:
        await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
        configuration.host = "http://api.test/v1"
        with pytest.raises(InsecureTransportError):
            await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
    assert sent(mocked) == 1


# ------------------------------------------------------------ item 12: untyped failures


async def test_a_lone_surrogate_in_a_text_is_a_typed_error_before_sending(
    api: together.generated.EmbeddingsApi, mocked: aioresponses
) -> None:
    with pytest.raises(ApiValueError, match="cannot be written as JSON"):
        await api.embeddings(EmbeddingsRequest(model="m", input=["fine", "broken \ud800 text"]))
    assert sent(mocked) == 0


@pytest.mark.parametrize("token", [TOKEN + "\n", TOKEN + "\r\n", " " + TOKEN, "a\nb"])
async def test_a_token_with_a_line_break_is_a_typed_error_before_sending(
    mocked: aioresponses, token: str
) -> None:
    configuration = Configuration(host="https://api.test/v1", access_token=token, retries=0)
    async with together.generated.ApiClient(configuration) as client:
        with pytest.raises(ApiValueError, match="line break") as caught:
            await together.generated.EmbeddingsApi(client).embeddings(REQUEST)
    assert sent(mocked) == 0
    assert token.strip() not in str(caught.value)


def test_one_client_under_two_event_loops_is_a_typed_error() -> None:
    configuration = Configuration(host="https://api.test/v1", access_token=TOKEN, retries=0)
    client = together.generated.ApiClient(configuration)

    async def call() -> EmbeddingsResponse:
        return await together.generated.EmbeddingsApi(client).embeddings(REQUEST)

    with aioresponses() as mocked:
        mocked.post("https://api.test/v1/embeddings", payload=embeddings_payload([[1.0]]))
        asyncio.run(call())
        with pytest.raises(ClientStateError, match="event loop") as caught:
            asyncio.run(call())
    assert isinstance(caught.value, OpenApiException) and isinstance(caught.value, RuntimeError)
    asyncio.run(client.close())


@pytest.mark.parametrize(
    ("items", "problem"),
    [
        ([(0, [1.0, 2.0]), (0, [3.0, 4.0])], "indices"),
        ([(0, [1.0, 2.0]), (2, [3.0, 4.0])], "indices"),
        ([(0, [1.0, 2.0]), (1, [3.0])], "unequal length"),
        ([(0, [1.0, math.nan])], "finite"),
        ([(0, [math.inf, 0.0])], "finite"),
        ([(0, [0.5]), (1, [1e39])], "embedding 1 has a value that is not finite in float32"),
    ],
)
def test_to_numpy_on_inconsistent_vectors_is_a_typed_error(
    items: list[tuple[int, list[float]]], problem: str
) -> None:
    pytest.importorskip("numpy")
    from together.generated import EmbeddingsResponseDataInner

    # model_construct: data no answer could produce (decoding refuses it), built directly.
    response = EmbeddingsResponse.model_construct(
        object="list",
        model="m",
        data=[
            EmbeddingsResponseDataInner.model_construct(object="embedding", embedding=v, index=i)
            for i, v in items
        ],
    )
    with pytest.raises(InvalidVectorsError, match=problem) as caught:
        response.to_numpy()
    assert isinstance(caught.value, OpenApiException) and isinstance(caught.value, ValueError)


def test_to_numpy_checks_the_number_of_inputs() -> None:
    np = pytest.importorskip("numpy")
    response = EmbeddingsResponse.model_validate(embeddings_payload([[1.0, 0.0], [0.0, 1.0]]))
    assert response.to_numpy(expected_rows=2).shape == (2, 2)
    with pytest.raises(InvalidVectorsError, match="2 vectors for 3 inputs"):
        response.to_numpy(expected_rows=3)
    assert np.array_equal(response.to_numpy(), [[1.0, 0.0], [0.0, 1.0]])


# ------------------------------------------------------------ item 14: bodies of another shape


async def test_problem_json_error_keeps_an_excerpt_in_str(
    api: together.generated.EmbeddingsApi, mocked: aioresponses
) -> None:
    problem = (
        b'{"type": "about:blank", "title": "Bad input",\n "detail": "input[3] is too long '
        b'for the model"}'
    )
    mocked.post(EMBEDDINGS_URL, status=400, body=problem, content_type="application/problem+json")
    with pytest.raises(BadRequestException) as caught:
        await api.embeddings(REQUEST)
    text = str(caught.value)
    assert text.startswith("(400)")
    assert "input[3] is too long for the model" in text and "\n" not in text


async def test_a_huge_error_body_is_cut_in_str_but_kept_whole_in_body(
    api: together.generated.EmbeddingsApi, mocked: aioresponses
) -> None:
    mocked.post(EMBEDDINGS_URL, status=502, body="x" * 100_000, content_type="text/plain")
    with pytest.raises(ApiException) as caught:
        await api.embeddings(REQUEST)
    assert len(str(caught.value)) < 300
    assert caught.value.body == "x" * 100_000


# ------------------------------------------------------------ item 15: strict successes


@pytest.mark.parametrize(
    "body",
    [
        b'{"object": "list", "model": "m", "data": [{"object": "embedding", "index": 0, '
        b'"embedding": [NaN, 1.0]}]}',
        b'{"object": "list", "model": "m", "data": [{"object": "embedding", "index": 0, '
        b'"embedding": [Infinity, 1.0]}]}',
        b'{"object": "list", "model": "m", "data": [{"object": "embedding", "index": 0, '
        b'"embedding": [-Infinity, 1.0]}]}',
        b'{"object": "list", "model": "m", "data": [{"object": "embedding", "index": 0, '
        b'"embedding": [1e999, 1.0]}]}',
        b'{"object": "list", "model": "m", "data": [{"object": "embedding", "index": 0, '
        b'"embedding": ["0.5", "1.0"]}]}',
        b'{"object": "list", "model": "m", "data": [{"object": "embedding", "index": "0", '
        b'"embedding": [0.5, 1.0]}]}',
        b'{"object": "list", "model": "m", "data": [{"object": "embedding", "index": 0.0, '
        b'"embedding": [0.5, 1.0]}]}',
        b'{"object": "list", "model": "m", "data": [{"object": "embedding", "index": 0, '
        b'"embedding": [true, 1.0]}]}',
    ],
)
async def test_a_success_with_nan_or_numbers_as_strings_is_malformed(
    api: together.generated.EmbeddingsApi, mocked: aioresponses, body: bytes
) -> None:
    mocked.post(EMBEDDINGS_URL, status=200, body=body, content_type="application/json")
    with pytest.raises(MalformedResponseError) as caught:
        await api.embeddings(REQUEST)
    assert caught.value.body == body and caught.value.status == 200


async def test_integers_where_the_spec_says_number_are_numbers(
    api: together.generated.EmbeddingsApi, mocked: aioresponses
) -> None:
    """JSON has one number type: ``1`` is a valid ``number``."""
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[1, 0, -2]]))
    response = await api.embeddings(REQUEST)
    assert response.data[0].embedding == [1.0, 0.0, -2.0]


def test_a_request_with_nan_is_refused() -> None:
    from together.generated._runtime.model_base import ApiModel

    class Weighted(ApiModel):
        weight: float

    with pytest.raises(ValueError, match="finite"):
        Weighted(weight=math.nan)


# ------------------------------------------------------------ issue 12: text answers


async def test_invalid_utf8_in_a_text_answer_is_malformed(
    api_client: together.generated.ApiClient, mocked: aioresponses
) -> None:
    operation: Operation[str] = Operation(
        operation_id="getText",
        method="GET",
        path="/text",
        responses={"200": ResponseSpec("text")},
        accept="text/plain",
    )
    mocked.get("https://api.test/v1/text", status=200, body=b"caf\xe9", content_type="text/plain")
    with pytest.raises(MalformedResponseError, match="not valid UTF-8") as caught:
        await api_client.call_api(operation)
    assert caught.value.body == b"caf\xe9"
    mocked.get("https://api.test/v1/text", status=200, body="café".encode())
    assert (await api_client.call_api(operation)).data == "café"


async def test_a_custom_decoder_failure_of_any_kind_is_malformed(
    api_client: together.generated.ApiClient, mocked: aioresponses
) -> None:
    def parse(body: bytes) -> Any:
        fields: dict[str, Any] = {}
        return fields["missing"]  # a KeyError, as a hand-written parser may raise

    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[0.5]]))
    from together.generated.api.embeddings_api import _EMBEDDINGS_OPERATION

    with pytest.raises(MalformedResponseError, match="could not be read as parse"):
        await api_client.call_api(_EMBEDDINGS_OPERATION, {}, REQUEST, decode=parse)


def test_aiohttp_value_error_on_send_is_typed_and_quotes_no_header() -> None:
    """A header aiohttp refuses (here an extra header with a newline) is an ApiValueError."""

    async def call() -> None:
        configuration = Configuration(host="https://api.test/v1", access_token=TOKEN, retries=0)
        async with together.generated.ApiClient(configuration) as client:
            session = rest_transport(client)._get_session()

            async def refuse(*args: Any, **kwargs: Any) -> Any:
                raise ValueError(f"Newline in header value {kwargs['headers']}")

            # A stand-in raising what aiohttp raises: not request()'s type, on purpose.
            session.request = refuse  # type: ignore[method-assign, assignment]
            await together.generated.EmbeddingsApi(client).embeddings(REQUEST)

    with pytest.raises(ApiValueError) as caught:
        asyncio.run(call())
    assert TOKEN not in str(caught.value) and caught.value.__cause__ is None
    assert isinstance(caught.value, OpenApiException)
    assert not isinstance(caught.value, aiohttp.ClientError)


# ------------------------------------------------------------ item 15: rows for bulk work

ROW = b'{"object": "embedding", "index": %d, "embedding": %s}'
SECOND = ROW % (1, b"[1.0, 2.0]")


def rows_body(*items: bytes) -> bytes:
    return b'{"object": "list", "model": "m", "data": [' + b", ".join(items) + b"]}"


def test_rows_from_json_follows_the_indices() -> None:
    np = pytest.importorskip("numpy")
    from together.generated._runtime.vectors import rows_from_json

    body = rows_body(ROW % (1, b"[3, 4.5]"), ROW % (0, b"[1.0, 2.0]"))
    rows = rows_from_json(body, expected_rows=2)
    assert rows.dtype == np.float32 and rows.tolist() == [[1.0, 2.0], [3.0, 4.5]]
    assert rows_from_json(rows_body()).shape == (0, 0)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (rows_body(ROW % (0, b"[NaN, 1.0]"), SECOND), "not valid JSON"),
        (rows_body(ROW % (0, b"[Infinity, 1.0]"), SECOND), "not valid JSON"),
        (rows_body(ROW % (0, b'["0.5", "1.0"]'), SECOND), "JSON numbers"),
        (rows_body(ROW % (0, b'[0.5, "1.0"]'), SECOND), "JSON numbers"),
        (rows_body(ROW % (0, b"[1e39, 1.0]"), SECOND), "not finite in float32"),
        (rows_body(ROW % (0, b"[1.0]"), ROW % (1, b"[1.0, 2.0]")), "one length"),
        (rows_body(ROW % (0, b"[1.0]"), ROW % (0, b"[2.0]")), "indices"),
        (rows_body(ROW % (0, b"[1.0]"), ROW % (2, b"[2.0]")), "indices"),
        (rows_body(ROW % (0, b"[1.0]")), "1 vectors for 2 inputs"),
        (
            b'{"data": [{"index": true, "embedding": [1.0]}, {"index": 1, "embedding": [1]}]}',
            "indices",
        ),
        (b'{"data": [{"index": 0}, {"index": 1, "embedding": [1]}]}', "one length"),
        (b'{"object": "list"}', "no 'data' list"),
    ],
)
def test_rows_from_json_refuses_what_the_models_refuse(body: bytes, problem: str) -> None:
    pytest.importorskip("numpy")
    from together.generated._runtime.vectors import rows_from_json

    with pytest.raises(InvalidVectorsError, match=problem):
        rows_from_json(body, expected_rows=2)


async def test_rows_from_json_as_a_per_call_decoder(
    api_client: together.generated.ApiClient, mocked: aioresponses
) -> None:
    """The seam together.bulk can use: the answer's checks, then rows; a bad answer is a
    MalformedResponseException with the raw body, like any other."""
    pytest.importorskip("numpy")
    import functools

    from together.generated._runtime.vectors import rows_from_json
    from together.generated.api.embeddings_api import _EMBEDDINGS_OPERATION

    two = functools.partial(rows_from_json, expected_rows=2)
    good = rows_body(ROW % (0, b"[1.0, 2.0]"), ROW % (1, b"[3.0, 4.0]"))
    bad = rows_body(ROW % (0, b'["1.0", "2.0"]'), ROW % (1, b"[3.0, 4.0]"))
    mocked.post(EMBEDDINGS_URL, body=good, content_type="application/json")
    mocked.post(EMBEDDINGS_URL, body=bad, content_type="application/json")
    result = await api_client.call_api(_EMBEDDINGS_OPERATION, {}, REQUEST, decode=two)
    assert result.data.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    with pytest.raises(MalformedResponseError, match="JSON numbers") as caught:
        await api_client.call_api(_EMBEDDINGS_OPERATION, {}, REQUEST, decode=two)
    assert caught.value.body == bad and caught.value.status == 200


async def test_a_basic_auth_password_is_not_sent_over_plain_http(mocked: aioresponses) -> None:
    from together.generated._runtime.operation import SecurityScheme

    operation: Operation[None] = Operation(
        operation_id="ping",
        method="GET",
        path="/ping",
        responses={"200": ResponseSpec("empty")},
        security=(SecurityScheme("basicAuth", "basic"),),
    )
    insecure = Configuration(host="http://api.example/v1", username="u", password="pw")
    async with together.generated.ApiClient(insecure) as client:
        with pytest.raises(InsecureTransportError, match="username or password"):
            await client.call_api(operation)
    assert sent(mocked) == 0
