"""Bad input to the server gets a 4xx in the spec's error shape, never a 500 or a traceback."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from multidict import CIMultiDict

from support import SHARED_SPECS, TOKEN
from together.mock import MockOptions, MockServer
from together.mock.context import STATE

AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


async def call(
    server: MockServer,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str] | None = None,
) -> tuple[int, CIMultiDict[str], Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method, server.root_url + path, data=body, headers=AUTH if headers is None else headers
        ) as response,
    ):
        # Header names are case-insensitive (aiohttp 3.14 keeps the server's spelling).
        return response.status, response.headers.copy(), await response.json(content_type=None)


def assert_error_shape(payload: Any) -> dict[str, Any]:
    assert set(payload) == {"error"}
    error = payload["error"]
    assert isinstance(error, dict)
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["type"], str)
    assert set(error) == {"message", "type", "param", "code"}
    return error


# The messages are exact: a missing field reads as the spec's own BadRequest example
# ("input: field required"); a wrong value names the field and shows the value as JSON.
# When several fields are wrong, the first in path order (input before model) is reported.
@pytest.mark.parametrize(
    ("body", "param", "message"),
    [
        # Together's published spec leaves the embeddings body optional (the project's overlay
        # makes it required for the client; the server reads the spec as published), so an
        # empty body is read as {} and its first missing field is named.
        (b"", "model", "model: field required"),
        (b"[]", None, "body: expected object, got []"),
        (b'"a string"', None, 'body: expected object, got "a string"'),
        (b'{"input": "x"}', "model", "model: field required"),
        (b'{"model": "BAAI/bge-base-en-v1.5"}', "input", "input: field required"),
        (b'{"model": 5, "input": "x"}', "model", "model: expected string, got 5"),
        (
            b'{"model": "BAAI/bge-base-en-v1.5", "input": 5}',
            "input",
            "input: 5 is not a valid value",
        ),
        (
            b'{"model": "BAAI/bge-base-en-v1.5", "input": ["a", null]}',
            "input",
            'input: ["a", null] is not a valid value',
        ),
        (
            b'{"model": "BAAI/bge-base-en-v1.5", "input": {"a": 1}}',
            "input",
            'input: {"a": 1} is not a valid value',
        ),
        (b'{"model": null, "input": null}', "input", "input: null is not a valid value"),
    ],
)
async def test_invalid_bodies_are_400_in_the_spec_shape(
    mock_server: MockServer, body: bytes, param: str | None, message: str
) -> None:
    status, headers, payload = await call(mock_server, "POST", "/v1/embeddings", body)
    assert status == 400
    assert headers["x-request-id"]
    error = assert_error_shape(payload)
    assert (error["param"], error["message"]) == (param, message)
    assert (error["type"], error["code"]) == ("invalid_request_error", None)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            b"{not json",
            "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        # json reads a UTF-16 byte-order mark and decodes as UTF-16.
        (b"\xff\xfe\xfd", "'utf-16-le' codec can't decode byte 0xfd in position 2: truncated data"),
    ],
)
async def test_bodies_that_are_not_json_are_400_saying_so(
    mock_server: MockServer, body: bytes, detail: str
) -> None:
    status, _, payload = await call(mock_server, "POST", "/v1/embeddings", body)
    error = assert_error_shape(payload)
    assert (status, error["param"], error["code"]) == (400, None, None)
    assert error["message"] == f"Request body is not valid JSON: {detail}"


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
    error = assert_error_shape(payload)
    assert (error["code"], error["message"]) == (
        "request_too_large",
        "Request body larger than 65536 bytes",
    )


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Missing or malformed bearer token in the Authorization header"),
        (
            {"Authorization": "Basic abc"},
            "Missing or malformed bearer token in the Authorization header",
        ),
        (
            {"Authorization": "Bearer "},
            "Missing or malformed bearer token in the Authorization header",
        ),
        ({"Authorization": "Bearer wrong"}, "Invalid API key provided."),
    ],
)
async def test_missing_or_malformed_bearer_is_401(
    mock_server: MockServer, headers: dict[str, str], message: str
) -> None:
    got, _, payload = await call(
        mock_server, "POST", "/v1/embeddings", b'{"model": "m", "input": "x"}', headers
    )
    assert got == 401
    error = assert_error_shape(payload)
    assert (error["message"], error["param"], error["code"]) == (message, None, "invalid_api_key")


async def test_unknown_path_is_404_and_wrong_method_405(mock_server: MockServer) -> None:
    status, _, payload = await call(mock_server, "POST", "/v1/nothing-here", b"{}")
    assert status == 404
    error = assert_error_shape(payload)
    assert (error["message"], error["code"]) == ("Unknown path /v1/nothing-here", "not_found")
    status, headers, payload = await call(mock_server, "GET", "/v1/embeddings", None)
    assert status == 405
    assert headers["Allow"] == "POST"
    error = assert_error_shape(payload)
    assert error["message"] == "Method GET is not allowed on /v1/embeddings"
    status, headers, _ = await call(mock_server, "PUT", "/v1/deployments/d-1", b"{}")
    assert (status, headers["Allow"]) == (405, "DELETE, GET, PATCH")


async def test_forced_fault_header_with_garbage_is_a_400(mock_server: MockServer) -> None:
    status, _, payload = await call(
        mock_server,
        "POST",
        "/v1/embeddings",
        b'{"model": "m", "input": "x"}',
        {**AUTH, "X-Mock-Status": "teapot"},
    )
    assert status == 400
    error = assert_error_shape(payload)
    assert (error["param"], error["message"]) == (
        "X-Mock-Status",
        "X-Mock-Status: not a fault: 'teapot' "
        "(a 4xx/5xx status, ok, drop, stall, truncate, error-event)",
    )


SPEC_2026 = SHARED_SPECS / "together-openapi-2026-04.yaml"


def _bad_requests() -> list[tuple[str, dict[str, Any]]]:
    empty_upload = aiohttp.FormData()
    empty_upload.add_field("file", b"", filename="empty.jsonl")
    empty_upload.add_field("purpose", "fine-tune")
    empty_upload.add_field("file_name", "empty.jsonl")
    return [
        ("garbage JSON", {"data": b'{"model": [', "headers": {"Content-Type": "application/json"}}),
        ("a JSON array", {"data": b"[1, 2]", "headers": {"Content-Type": "application/json"}}),
        ("wrong content type", {"data": b"model=x", "headers": {"Content-Type": "text/plain"}}),
        (
            "bad multipart",
            {
                "data": b"--x\r\nnope",
                "headers": {"Content-Type": "multipart/form-data; boundary=x"},
            },
        ),
        ("empty upload", {"data": empty_upload}),
        ("huge body", {"data": b"x" * 100_000, "headers": {"Content-Type": "application/json"}}),
        ("no body", {}),
    ]


@pytest.mark.parametrize(
    "spec",
    [
        None,
        pytest.param(
            SPEC_2026,
            marks=pytest.mark.skipif(not SPEC_2026.exists(), reason="../shared/specs/ is absent"),
        ),
    ],
    ids=["openapi.yaml", "2026-04"],
)
async def test_bad_input_to_every_route_never_breaks_the_server(spec: Any) -> None:
    """Malformed bodies, wrong content types, empty and huge uploads on every operation:
    always a 4xx in the spec's error shape (or the operation's own answer when it takes
    no body), never a 5xx, and the server answers normally afterwards."""
    options = MockOptions(api_key=TOKEN, max_body_bytes=64 * 1024)
    async with MockServer(options, spec=spec) as server, aiohttp.ClientSession() as session:
        api = server.app[STATE].api
        seen = 0
        for operation in api.operations:
            url = server.url + operation.path.replace("{", "").replace("}", "")
            for what, kwargs in _bad_requests():
                headers = {"Authorization": f"Bearer {TOKEN}", **kwargs.get("headers", {})}
                arguments = {k: v for k, v in kwargs.items() if k != "headers"}
                async with session.request(
                    operation.method, url, headers=headers, **arguments
                ) as response:
                    raw = await response.read()
                    where = (operation.key, what, response.status, raw[:200])
                    assert response.status < 500, where
                    if response.status >= 400:
                        # The operation's own error shape where it declares one for that
                        # status (batches: {"error": "..."}), else ErrorData.
                        declared = operation.responses.get(str(response.status), {})
                        media = declared.get("application/json")
                        if media is not None and media.pointer:
                            assert api.validator(media.pointer).is_valid(json.loads(raw)), where
                        else:
                            assert_error_shape(json.loads(raw))
                    if operation.bodies and what != "no body":
                        assert response.status >= 400, where
                    seen += 1
        assert seen == len(api.operations) * 7
        status, _, payload = await call(
            server,
            "POST",
            "/v1/embeddings",
            b'{"model": "BAAI/bge-base-en-v1.5", "input": "still here"}',
        )
        assert status == 200 and len(payload["data"][0]["embedding"]) == 768
