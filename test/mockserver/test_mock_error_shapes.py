"""Errors answer in the spec's ``ErrorData`` shape, or in the shape an operation declares for
that status (docs/mock-server.md: "the batches operations declare ``{"error": "message"}``")."""

from __future__ import annotations

from typing import Any

from together.mock import MockServer

BEARER = {"Authorization": "Bearer any-token"}


def declared(status: str, schema: str) -> str:
    return f"""
      responses:
        "200": {{content: {{application/json: {{schema: {{const: ok}}}}}}}}
        "{status}": {{content: {{application/json: {{schema: {schema}}}}}}}"""


SPEC = (
    """
openapi: 3.1.0
info: {title: shapes, version: "1"}
servers: [{url: "http://localhost/v4"}]
paths:
  /error-only:
    get:"""
    + declared("429", "{type: object, required: [error], properties: {error: {type: string}}}")
    + """
  /message-only:
    get:"""
    + declared(
        "429",
        "{type: object, required: [message], properties: {message: {type: string}},"
        " additionalProperties: false}",
    )
    + """
  /both:
    get:"""
    + declared(
        "429",
        "{type: object, required: [error, message],"
        " properties: {error: {type: string}, message: {type: string}}}",
    )
    + """
  /impossible:
    get:"""
    + declared("429", "{type: object, required: [detail]}")
    + """
  /error-data:
    get:"""
    + declared(
        "429",
        "{type: object, required: [error], properties: {error: {type: object}}}",
    )
    + """
  /no-schema:
    get:
      responses:
        "200": {content: {application/json: {schema: {const: ok}}}}
        "429": {content: {application/json: {}}}
  /other-status:
    get:"""
    + declared("503", "{type: object, required: [error], properties: {error: {type: string}}}")
    + "\n"
)

ERROR_DATA = {
    "error": {
        "message": "Rate limit exceeded (injected)",
        "type": "rate_limit_error",
        "param": None,
        "code": None,
    }
}
MESSAGE = "Rate limit exceeded (injected)"


async def test_errors_take_the_shape_the_operation_declares(serve: Any) -> None:
    client = await serve(spec=SPEC)
    for path, expected in [
        ("/v4/error-only", {"error": MESSAGE}),
        ("/v4/message-only", {"message": MESSAGE}),
        ("/v4/both", {"error": MESSAGE, "message": MESSAGE}),
        ("/v4/impossible", ERROR_DATA),  # no shape fits: ErrorData stays
        ("/v4/error-data", ERROR_DATA),  # ErrorData fits the declared shape as it is
        ("/v4/no-schema", ERROR_DATA),
        ("/v4/other-status", ERROR_DATA),  # 429 is not declared there
    ]:
        response = await client.get(path, headers={"X-Mock-Status": "429"})
        assert (response.status, await response.json()) == (429, expected), path
        assert response.headers["Content-Type"] == "application/json"


async def test_validation_errors_on_batches_take_the_batches_shape(serve: Any) -> None:
    client = await serve()
    response = await client.post("/v1/batches", json={}, headers=BEARER)
    assert response.status == 400
    assert await response.json() == {"error": "endpoint: field required"}
    response = await client.get("/v1/batches", headers={"Authorization": "Basic x"})
    assert (response.status, await response.json()) == (
        401,
        {"error": "Missing or malformed bearer token in the Authorization header"},
    )


async def test_mock_server_serves_the_spec_it_is_given(tmp_path: Any) -> None:
    path = tmp_path / "shapes.yaml"
    path.write_text(SPEC, encoding="utf-8")
    async with MockServer(spec=path) as server:
        assert server.route_count == 7
        assert server.url == f"http://127.0.0.1:{server.port}/v4"
