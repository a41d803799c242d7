"""Bad input to the server gets a 4xx in the spec's error shape, never a 500 or a traceback."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from support import TOKEN
from together.mock import MockOptions, MockServer

AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


async def call(
    server: MockServer,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any], Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method, server.root_url + path, data=body, headers=AUTH if headers is None else headers
        ) as response,
    ):
        return response.status, dict(response.headers), await response.json(content_type=None)


def assert_error_shape(payload: Any) -> dict[str, Any]:
    assert set(payload) == {"error"}
    error = payload["error"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["type"], str)
    assert set(error) == {"message", "type", "param", "code"}
    return error


@pytest.mark.parametrize(
    ("body", "param", "fragment"),
    [
        (b"{not json", None, "not valid JSON"),
        (b"\xff\xfe\xfd", None, "not valid JSON"),
        (b"", None, "required"),
        (b"[]", None, "object"),
        (b'"a string"', None, "object"),
        (b'{"input": "x"}', "model", "model"),
        (b'{"model": "BAAI/bge-base-en-v1.5"}', "input", "input"),
        (b'{"model": 5, "input": "x"}', "model", "model"),
        (b'{"model": "BAAI/bge-base-en-v1.5", "input": 5}', "input", "input"),
        (b'{"model": "BAAI/bge-base-en-v1.5", "input": ["a", null]}', "input", "input"),
        (b'{"model": "BAAI/bge-base-en-v1.5", "input": {"a": 1}}', "input", "input"),
        (b'{"model": null, "input": null}', "input", ""),
    ],
)
async def test_invalid_bodies_are_400_in_the_spec_shape(
    mock_server: MockServer, body: bytes, param: str | None, fragment: str
) -> None:
    status, headers, payload = await call(mock_server, "POST", "/v1/embeddings", body)
    assert status == 400
    assert headers["x-request-id"]
    error = assert_error_shape(payload)
    if param is not None:
        assert error["param"] in (param, "model", "input")
    assert fragment in error["message"]


async def test_huge_body_is_a_4xx_in_the_spec_shape() -> None:
    async with MockServer(MockOptions(max_body_bytes=64 * 1024)) as server:
        status, _, payload = await call(
            server,
            "POST",
            "/v1/embeddings",
            b'{"input": "' + b"x" * 100_000 + b'"}',
            {"Authorization": "Bearer k"},
        )
    assert status == 400
    assert assert_error_shape(payload)["code"] == "request_too_large"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Basic abc"}, 401),
        ({"Authorization": "Bearer "}, 401),
        ({"Authorization": "Bearer wrong"}, 401),
    ],
)
async def test_missing_or_malformed_bearer_is_401(
    mock_server: MockServer, headers: dict[str, str], status: int
) -> None:
    got, _, payload = await call(
        mock_server, "POST", "/v1/embeddings", b'{"model": "m", "input": "x"}', headers
    )
    assert got == status
    assert assert_error_shape(payload)["code"] == "invalid_api_key"


async def test_unknown_path_is_404_and_wrong_method_405(mock_server: MockServer) -> None:
    status, _, payload = await call(mock_server, "POST", "/v1/nothing-here", b"{}")
    assert status == 404
    assert_error_shape(payload)
    status, headers, payload = await call(mock_server, "GET", "/v1/embeddings", None)
    assert status == 405
    assert headers["Allow"] == "POST"
    assert_error_shape(payload)


async def test_forced_fault_header_with_garbage_is_a_400(mock_server: MockServer) -> None:
    status, _, payload = await call(
        mock_server,
        "POST",
        "/v1/embeddings",
        b'{"model": "m", "input": "x"}',
        {**AUTH, "X-Mock-Status": "teapot"},
    )
    assert status == 400
    assert "not a fault" in assert_error_shape(payload)["message"]
