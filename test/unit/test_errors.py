"""Error statuses become typed exceptions; malformed success bodies a typed error too."""

from __future__ import annotations

import inspect
import logging
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses

import together.generated
import together.generated._runtime.exceptions as exceptions_module
import together.generated._runtime.rest as rest_module
from support import EMBEDDINGS_URL, TOKEN, embeddings_payload
from together.generated import (
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    BadGatewayException,
    BadRequestException,
    ConflictException,
    EmbeddingsRequest,
    ErrorData,
    ForbiddenException,
    GatewayTimeoutException,
    MalformedResponseError,
    NotFoundException,
    OpenApiException,
    RateLimitException,
    ServiceException,
    ServiceUnavailableException,
    UnauthorizedException,
    UnprocessableEntityException,
)

STATUS_CLASSES: list[tuple[int, type[ApiException]]] = [
    (400, BadRequestException),
    (401, UnauthorizedException),
    (403, ForbiddenException),
    (404, NotFoundException),
    (409, ConflictException),
    (422, UnprocessableEntityException),
    (429, RateLimitException),
    (500, ServiceException),
    (502, BadGatewayException),
    (503, ServiceUnavailableException),
    (504, GatewayTimeoutException),
    (599, ServiceException),
    (405, ApiException),
    (418, ApiException),
]

REQUEST = EmbeddingsRequest(model="m", input="x")


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
async def test_status_with_json_error_body(
    api: together.generated.EmbeddingsApi,
    mocked: aioresponses,
    status: int,
    cls: type[ApiException],
) -> None:
    body = {"error": {"message": f"problem {status}", "type": "t", "param": "input", "code": "c"}}
    mocked.post(EMBEDDINGS_URL, status=status, payload=body, headers={"x-request-id": "r-9"})
    with pytest.raises(cls) as caught:
        await api.embeddings(REQUEST)
    error = caught.value
    assert type(error) is cls
    assert isinstance(error, ApiException) and isinstance(error, OpenApiException)
    assert error.status == status
    assert error.headers is not None and error.headers["x-request-id"] == "r-9"
    assert error.body is not None and f"problem {status}" in error.body
    if status in (400, 401, 404, 429, 503, 504):  # the spec's ErrorData statuses
        assert isinstance(error.data, ErrorData)
        assert error.data.error.param == "input"
        assert f"problem {status}" in str(error)
    assert str(error).startswith(f"({status})")


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
async def test_status_without_json_body(
    api: together.generated.EmbeddingsApi,
    mocked: aioresponses,
    status: int,
    cls: type[ApiException],
) -> None:
    mocked.post(
        EMBEDDINGS_URL, status=status, body="<html>upstream broke</html>", content_type="text/html"
    )
    with pytest.raises(cls) as caught:
        await api.embeddings(REQUEST)
    assert type(caught.value) is cls
    assert caught.value.data is None
    assert caught.value.body == "<html>upstream broke</html>"


async def test_error_body_of_the_wrong_shape_keeps_body_and_no_data(
    api: together.generated.EmbeddingsApi, mocked: aioresponses
) -> None:
    mocked.post(EMBEDDINGS_URL, status=400, payload={"detail": "not the spec's shape"})
    with pytest.raises(BadRequestException) as caught:
        await api.embeddings(REQUEST)
    assert caught.value.data is None
    assert caught.value.body is not None and "not the spec's shape" in caught.value.body


async def test_empty_error_body(
    api: together.generated.EmbeddingsApi, mocked: aioresponses
) -> None:
    mocked.post(EMBEDDINGS_URL, status=503, body=b"")
    with pytest.raises(ServiceUnavailableException) as caught:
        await api.embeddings(REQUEST)
    assert caught.value.body is None and caught.value.data is None


@pytest.mark.parametrize(
    ("body", "content_type", "problem"),
    [
        (b"", "application/json", "empty"),
        (b"not json at all", "application/json", "not valid JSON"),
        (
            b'{"object": "list", "model": "m", "data": [{"object": "embed',
            "application/json",
            "not valid JSON",
        ),
        (b'{"object": "list", "model": "m"}', "application/json", "not a valid EmbeddingsResponse"),
        (
            b'{"object": "list", "model": "m", "data": [{"index": "zero"}]}',
            "application/json",
            "data.0",
        ),
        (b"[1, 2, 3]", "application/json", "not a valid EmbeddingsResponse"),
        (b'{"object": "list", "model": "m", "data": []}', "text/html", "content type"),
        (b"\xff\xfe\x00garbage", "application/json", "not valid JSON"),
    ],
)
async def test_malformed_success_body_is_a_typed_error(
    api: together.generated.EmbeddingsApi,
    mocked: aioresponses,
    body: bytes,
    content_type: str,
    problem: str,
) -> None:
    mocked.post(EMBEDDINGS_URL, status=200, body=body, content_type=content_type)
    with pytest.raises(MalformedResponseError) as caught:
        await api.embeddings(REQUEST)
    error = caught.value
    assert isinstance(error, OpenApiException)
    assert error.body == body
    assert error.status == 200
    assert problem in str(error)


async def test_connection_failure_is_typed(
    api: together.generated.EmbeddingsApi, mocked: aioresponses
) -> None:
    mocked.post(EMBEDDINGS_URL, exception=aiohttp.ClientConnectionError("connection reset"))
    with pytest.raises(ApiConnectionError) as caught:
        await api.embeddings(REQUEST)
    assert isinstance(caught.value.__cause__, aiohttp.ClientConnectionError)


async def test_timeout_is_typed_and_a_timeout_error(
    api: together.generated.EmbeddingsApi, mocked: aioresponses
) -> None:
    mocked.post(EMBEDDINGS_URL, exception=TimeoutError())
    with pytest.raises(ApiTimeoutError) as caught:
        await api.embeddings(REQUEST)
    assert isinstance(caught.value, TimeoutError)
    assert isinstance(caught.value, OpenApiException)


def test_every_exception_is_exported_from_the_package_and_rest() -> None:
    names = [n for n in exceptions_module.__all__ if inspect.isclass(getattr(exceptions_module, n))]
    assert len(names) >= 18
    for name in names:
        cls = getattr(exceptions_module, name)
        assert issubclass(cls, OpenApiException)
        assert getattr(together.generated, name) is cls
    assert rest_module.ApiException is ApiException


def test_exception_pickles_its_fields_as_openapi_generator_did() -> None:
    error = NotFoundException(status=404, reason="Not Found", body='{"x": 1}', headers={"a": "b"})
    assert (error.status, error.reason, error.body, error.headers, error.data) == (
        404,
        "Not Found",
        '{"x": 1}',
        {"a": "b"},
        None,
    )
    # A body that is not the spec's error document is quoted (issue 8 item 14).
    assert str(error) == '(404) Not Found: {"x": 1}'


async def test_token_never_appears_in_errors_logs_or_reprs(
    api: together.generated.EmbeddingsApi,
    api_client: together.generated.ApiClient,
    mocked: aioresponses,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    api_client.configuration.debug = True
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[0.5]]))
    mocked.post(
        EMBEDDINGS_URL, status=401, payload={"error": {"message": "bad key", "type": "auth"}}
    )
    mocked.post(EMBEDDINGS_URL, status=200, body=b"garbage")
    seen: list[str] = [repr(api_client.configuration), str(api_client.configuration)]
    await api.embeddings(REQUEST)
    for _ in range(2):
        with pytest.raises(OpenApiException) as caught:
            await api.embeddings(REQUEST)
        seen += [str(caught.value), repr(caught.value), repr(vars(caught.value))]
    seen.append(caplog.text)
    assert "-> 200" in caplog.text  # debug logging was on
    for text in seen:
        assert TOKEN not in text
    logging.getLogger("together.generated").setLevel(logging.NOTSET)


def test_message_from_error_data(api_client: Any) -> None:
    data = ErrorData.model_validate(
        {"error": {"message": "model not found", "type": "invalid_request_error"}}
    )
    error = NotFoundException(status=404, reason="Not Found", data=data)
    assert str(error) == "(404) Not Found: model not found"


async def test_an_undeclared_success_status_reads_as_the_declared_success(
    api_client: together.generated.ApiClient, mocked: aioresponses
) -> None:
    """201 where the spec says 200: the one declared success answer, not `default` (an error)."""
    from together.generated import EmbeddingsResponse
    from together.generated._runtime.operation import Operation, ResponseSpec

    operation: Operation[EmbeddingsResponse] = Operation(
        operation_id="embedLike",
        method="POST",
        path="/embeddings",
        responses={
            "200": ResponseSpec.json(EmbeddingsResponse),
            "default": ResponseSpec.json(ErrorData),
        },
    )
    mocked.post(EMBEDDINGS_URL, status=201, payload=embeddings_payload([[0.5]]))
    result = await api_client.call_api(operation)
    assert isinstance(result.data, EmbeddingsResponse)


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/vnd.together.v1+json", "application/json; charset=utf-8"],
)
async def test_json_media_types_of_a_success(
    api: together.generated.EmbeddingsApi, mocked: aioresponses, content_type: str
) -> None:
    """RFC 6839: `application/<anything>+json` is JSON too."""
    body = b'{"object": "list", "model": "m", "data": []}'
    mocked.post(EMBEDDINGS_URL, status=200, body=body, content_type=content_type)
    assert (await api.embeddings(REQUEST)).data == []


@pytest.mark.parametrize("content_type", ["application/problem+json", "application/json"])
async def test_an_error_document_under_a_json_media_type_is_parsed(
    api: together.generated.EmbeddingsApi, mocked: aioresponses, content_type: str
) -> None:
    body = b'{"error": {"message": "slow down", "type": "rate_limit"}}'
    mocked.post(EMBEDDINGS_URL, status=429, body=body, content_type=content_type)
    with pytest.raises(RateLimitException) as caught:
        await api.embeddings(REQUEST)
    assert isinstance(caught.value.data, ErrorData)
    assert str(caught.value) == "(429) Too Many Requests: slow down"


def test_api_exception_from_an_http_response_as_openapi_generator_built_it() -> None:
    """openapi-generator's `ApiException(http_resp=r)` read status, reason, data, getheaders()."""

    class LegacyResponse:
        status = 503
        reason = "Service Unavailable"
        data = b'{"error": "overloaded"}'

        def getheaders(self) -> dict[str, str]:
            return {"x-request-id": "legacy-1"}

    error = ServiceUnavailableException(http_resp=LegacyResponse())
    assert (error.status, error.reason, error.body, error.headers) == (
        503,
        "Service Unavailable",
        '{"error": "overloaded"}',
        {"x-request-id": "legacy-1"},
    )
    assert error.request_id == "legacy-1"
    assert str(error) == (
        '(503) Service Unavailable: {"error": "overloaded"} [request id legacy-1]'
    )
    rest = rest_module.RESTResponse(
        status=404, reason="Not Found", headers={}, data=b"", content_type=None
    )
    from_rest = NotFoundException(http_resp=rest)
    assert (from_rest.status, from_rest.body, str(from_rest)) == (404, None, "(404) Not Found")
