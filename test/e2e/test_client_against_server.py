"""The generated client against the local server over real sockets."""

from __future__ import annotations

import math

import aiohttp
import pytest

import together.generated
from support import TOKEN
from together.generated import (
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    BadRequestException,
    EmbeddingsRequest,
    ErrorData,
    GatewayTimeoutException,
    NotFoundException,
    RateLimitException,
    ServiceUnavailableException,
    UnauthorizedException,
)
from together.mock import FaultOptions, MockOptions, MockServer


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


async def test_embeddings_over_a_real_socket(server_api: together.generated.EmbeddingsApi) -> None:
    texts = ["The cat sat on the mat", "A cat sat on a mat", "Stock markets fell sharply"]
    result = await server_api.embeddings_with_http_info(
        EmbeddingsRequest(model="BAAI/bge-large-en-v1.5", input=texts)
    )
    response = result.data
    assert result.status_code == 200 and result.headers["x-request-id"]
    assert response.model == "BAAI/bge-large-en-v1.5"
    assert [d.index for d in response.data] == [0, 1, 2]
    vectors = [d.embedding for d in response.data]
    assert {len(v) for v in vectors} == {1024}
    assert all(math.isclose(cosine(v, v), 1.0, rel_tol=1e-6) for v in vectors)
    # Texts that share words are closer than unrelated ones.
    assert cosine(vectors[0], vectors[1]) > 0.3 > cosine(vectors[0], vectors[2])


@pytest.mark.parametrize(
    ("model", "dimensions"),
    [
        ("WhereIsAI/UAE-Large-V1", 1024),
        ("BAAI/bge-large-en-v1.5", 1024),
        ("BAAI/bge-base-en-v1.5", 768),
        ("togethercomputer/m2-bert-80M-8k-retrieval", 768),
    ],
)
async def test_dimensions_follow_the_model_and_vectors_are_deterministic(
    server_api: together.generated.EmbeddingsApi, model: str, dimensions: int
) -> None:
    first = await server_api.embeddings(EmbeddingsRequest(model=model, input="same text"))
    second = await server_api.embeddings(EmbeddingsRequest(model=model, input=["same text"]))
    assert len(first.data[0].embedding) == dimensions
    assert first.data[0].embedding == second.data[0].embedding


async def test_seed_example_runs_against_the_local_server(
    mock_server: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seed page's example, as written there, with the host from TOGETHER_BASE_URL."""
    import os
    from pprint import pprint

    monkeypatch.setenv("TOGETHER_BASE_URL", mock_server.url)
    monkeypatch.setenv("BEARER_TOKEN", TOKEN)
    printed: list[str] = []
    monkeypatch.setattr("builtins.print", lambda *a, **k: printed.append(" ".join(map(str, a))))

    from together.generated._runtime.rest import ApiException
    from together.generated.models.embeddings_request import EmbeddingsRequest as Request
    from together.generated.models.embeddings_response import EmbeddingsResponse

    configuration = together.generated.Configuration(host="https://api.together.xyz/v1")
    configuration = together.generated.Configuration(access_token=os.environ["BEARER_TOKEN"])
    async with together.generated.ApiClient(configuration) as api_client:
        api_instance = together.generated.EmbeddingsApi(api_client)
        embeddings_request = Request(model="BAAI/bge-base-en-v1.5", input="hello")
        try:
            api_response = await api_instance.embeddings(embeddings_request=embeddings_request)
            print("The response of EmbeddingsApi->embeddings:\n")
            pprint(api_response)
        except ApiException as e:
            print(f"Exception when calling EmbeddingsApi->embeddings: {e}\n")
    assert isinstance(api_response, EmbeddingsResponse)
    assert printed == ["The response of EmbeddingsApi->embeddings:\n"]


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestException),
        (401, UnauthorizedException),
        (404, NotFoundException),
        (429, RateLimitException),
        (503, ServiceUnavailableException),
        (504, GatewayTimeoutException),
        (500, together.generated.ServiceException),
        (502, together.generated.BadGatewayException),
    ],
)
async def test_every_error_status_arrives_typed(
    server_api: together.generated.EmbeddingsApi, status: int, cls: type[ApiException]
) -> None:
    with pytest.raises(cls) as caught:
        await server_api.embeddings(
            EmbeddingsRequest(model="m", input="x"), _headers={"X-Mock-Status": str(status)}
        )
    assert caught.value.status == status
    assert isinstance(caught.value.data, ErrorData) or status not in (400, 401, 404, 429, 503, 504)
    assert caught.value.headers is not None and caught.value.headers["x-request-id"]
    # Issue 9: the server's request id is on the exception and in its text.
    assert caught.value.request_id == caught.value.headers["x-request-id"]
    assert str(caught.value).endswith(f"[request id {caught.value.request_id}]")


async def test_the_request_id_sent_is_the_one_reported(
    server_api: together.generated.EmbeddingsApi,
) -> None:
    """The local server echoes a caller's x-request-id; the result and the error carry it."""
    request = EmbeddingsRequest(model="BAAI/bge-base-en-v1.5", input="x")
    result = await server_api.embeddings_with_http_info(
        request, _headers={"x-request-id": "trace-42"}
    )
    assert result.request_id == "trace-42"
    with pytest.raises(ServiceUnavailableException) as caught:
        await server_api.embeddings(
            request, _headers={"x-request-id": "trace-43", "X-Mock-Status": "503"}
        )
    assert caught.value.request_id == "trace-43" and "[request id trace-43]" in str(caught.value)


async def test_wrong_key_and_unknown_model(mock_server: MockServer) -> None:
    configuration = together.generated.Configuration(
        host=mock_server.url, access_token="wrong", retries=0
    )
    async with together.generated.ApiClient(configuration) as client:
        api = together.generated.EmbeddingsApi(client)
        with pytest.raises(UnauthorizedException) as unauthorized:
            await api.embeddings(EmbeddingsRequest(model="BAAI/bge-base-en-v1.5", input="x"))
        assert unauthorized.value.data.error.code == "invalid_api_key"
        client.configuration.access_token = TOKEN
        with pytest.raises(NotFoundException) as not_found:
            await api.embeddings(EmbeddingsRequest(model="no/such-model", input="x"))
        assert not_found.value.data.error.code == "model_not_found"
        assert not_found.value.data.error.param == "model"
        assert "no/such-model" in str(not_found.value)


async def test_oversize_input_is_a_400(server_api: together.generated.EmbeddingsApi) -> None:
    with pytest.raises(BadRequestException) as too_many:
        await server_api.embeddings(
            EmbeddingsRequest(model="BAAI/bge-base-en-v1.5", input=["x"] * 513)
        )
    assert too_many.value.data.error.param == "input"
    with pytest.raises(BadRequestException) as too_long:
        await server_api.embeddings(
            EmbeddingsRequest(model="BAAI/bge-base-en-v1.5", input="y" * 32_001)
        )
    assert "characters" in str(too_long.value)


async def test_scripted_faults_then_success_and_stats() -> None:
    options = MockOptions(faults=FaultOptions(script=[503, 429, 504], retry_after=2))
    async with MockServer(options) as server:
        configuration = together.generated.Configuration(
            host=server.url, access_token="k", retries=0
        )
        async with together.generated.ApiClient(configuration) as client:
            api = together.generated.EmbeddingsApi(client)
            request = EmbeddingsRequest(model="BAAI/bge-base-en-v1.5", input="x")
            with pytest.raises(ServiceUnavailableException) as first:
                await api.embeddings(request)
            assert first.value.headers is not None and first.value.headers["Retry-After"] == "2"
            with pytest.raises(RateLimitException):
                await api.embeddings(request)
            with pytest.raises(GatewayTimeoutException) as third:
                await api.embeddings(request)
            assert third.value.headers is not None and "Retry-After" not in third.value.headers
            assert (await api.embeddings(request)).data
            async with (
                aiohttp.ClientSession() as session,
                session.get(server.root_url + "/_mock/stats") as stats,
            ):
                assert await stats.json() == {
                    "total": 4,
                    "requests": {"/v1/embeddings": {"200": 1, "429": 1, "503": 1, "504": 1}},
                }


async def test_dropped_and_truncated_answers_are_connection_errors(
    server_api: together.generated.EmbeddingsApi,
) -> None:
    request = EmbeddingsRequest(model="BAAI/bge-base-en-v1.5", input="x")
    for fault in ("drop", "truncate"):
        with pytest.raises(ApiConnectionError) as caught:
            await server_api.embeddings(request, _headers={"X-Mock-Status": fault})
        assert not isinstance(caught.value, ApiTimeoutError)
        assert isinstance(caught.value.__cause__, aiohttp.ClientError)
    assert (await server_api.embeddings(request)).data  # the client recovers


async def test_stall_past_the_timeout_is_a_timeout(
    server_api: together.generated.EmbeddingsApi,
) -> None:
    request = EmbeddingsRequest(model="BAAI/bge-base-en-v1.5", input="x")
    with pytest.raises(ApiTimeoutError):
        await server_api.embeddings(
            request, _headers={"X-Mock-Status": "stall"}, _request_timeout=0.3
        )
    with pytest.raises(ApiTimeoutError):
        await server_api.embeddings(
            request, _headers={"X-Mock-Status": "stall"}, _request_timeout=(1.0, 0.3)
        )


async def test_random_faults_are_repeatable_with_a_seed() -> None:
    async def outcomes() -> list[int]:
        options = MockOptions(faults=FaultOptions(fail_rate=0.5, fail_statuses=[429, 503], seed=7))
        async with MockServer(options) as server:
            configuration = together.generated.Configuration(
                host=server.url, access_token="k", retries=0
            )
            async with together.generated.ApiClient(configuration) as client:
                api = together.generated.EmbeddingsApi(client)
                seen = []
                for _ in range(20):
                    try:
                        await api.embeddings(
                            EmbeddingsRequest(model="BAAI/bge-base-en-v1.5", input="x")
                        )
                        seen.append(200)
                    except ApiException as e:
                        seen.append(e.status or 0)
                return seen

    first, second = await outcomes(), await outcomes()
    assert first == second
    assert {200, 429, 503} <= set(first)


async def test_latency_is_added() -> None:
    import time

    async with MockServer(MockOptions(faults=FaultOptions(latency_ms=150))) as server:
        configuration = together.generated.Configuration(
            host=server.url, access_token="k", retries=0
        )
        async with together.generated.ApiClient(configuration) as client:
            started = time.monotonic()
            await together.generated.EmbeddingsApi(client).embeddings(
                EmbeddingsRequest(model="BAAI/bge-base-en-v1.5", input="x")
            )
            assert time.monotonic() - started >= 0.15


async def test_concurrent_load_without_errors(server_api: together.generated.EmbeddingsApi) -> None:
    """Many concurrent calls over one pool; every one succeeds (throughput is the benchmark's)."""
    import asyncio

    semaphore = asyncio.Semaphore(64)

    async def one(i: int) -> int:
        async with semaphore:
            response = await server_api.embeddings(
                EmbeddingsRequest(model="BAAI/bge-base-en-v1.5", input=f"text {i % 50}")
            )
            return len(response.data)

    results = await asyncio.gather(*(one(i) for i in range(2000)))
    assert results == [1] * 2000


def test_fault_options_are_checked() -> None:
    with pytest.raises(ValueError):
        FaultOptions(fail_rate=1.5)
    with pytest.raises(ValueError):
        FaultOptions(fail_rate=0.1, fail_statuses=[])
    from together.mock.faults import parse_faults

    assert parse_faults("429, 503,drop,ok") == [429, 503, "drop", None]
    with pytest.raises(ValueError):
        parse_faults("200x")
