"""A download the spec declares only as a redirect (``GET /deployments/storage/{filename}``:
"307 Redirect to signed download URL") gives the bytes the redirect leads to, as the
official SDK's downloads do; the bearer token never goes to the other host
(docs/streaming-and-files.md, "Downloads"). Two loopback servers on different ports: the API,
and the storage it redirects to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from pydantic import TypeAdapter

from support import TOKEN
from together.generated import (
    ApiClient,
    Configuration,
    DeploymentsStorageApi,
    NotFoundException,
)
from together.generated._runtime.operation import Operation, Param, ResponseSpec, SecurityScheme

FILE = b"\x00\x01 model weights \xff" * 1000

#: The spec's declaration, written out here: a 307 and errors, no 2xx.
REDIRECT_ONLY: Operation[Any] = Operation(
    operation_id="get_deployments_storage_filename",
    method="GET",
    path="/deployments/storage/{filename}",
    params=(Param("filename", "path", TypeAdapter(str)),),
    responses={
        "307": ResponseSpec.json(str),
        "404": ResponseSpec.json(dict[str, str]),
    },
    retry_safe=True,
    security=(SecurityScheme("bearerAuth", "bearer", "header", "Authorization"),),
)


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def api_and_storage() -> AsyncIterator[tuple[str, list[dict[str, str]]]]:
    """The API (redirecting) and the storage (serving bytes) on two ports; yields the API's
    base URL and the headers the storage received, one dict per request."""
    storage_seen: list[dict[str, str]] = []

    async def blob(request: web.Request) -> web.Response:
        storage_seen.append(dict(request.headers))
        if request.match_info["name"] == "missing.bin":
            return web.json_response({"error": "gone"}, status=404)
        return web.Response(body=FILE, content_type="application/octet-stream")

    storage = web.Application()
    storage.router.add_get("/signed/{name}", blob)
    async with serve(storage) as storage_url:

        async def redirect(request: web.Request) -> web.Response:
            assert request.headers.get("Authorization") == f"Bearer {TOKEN}"
            name = request.match_info["filename"]
            return web.json_response(
                f"{storage_url}/signed/{name}",
                status=307,
                headers={"Location": f"{storage_url}/signed/{name}?sig=abc"},
            )

        api = web.Application()
        api.router.add_get("/v1/deployments/storage/{filename}", redirect)
        async with serve(api) as api_url:
            yield api_url + "/v1", storage_seen


def client(url: str) -> ApiClient:
    return ApiClient(Configuration(host=url, access_token=TOKEN, retries=0))


async def test_the_generated_method_returns_the_files_bytes() -> None:
    async with api_and_storage() as (url, storage_seen), client(url) as api_client:
        data: Any = await DeploymentsStorageApi(api_client).get_deployments_storage_filename(
            "weights.bin"
        )
    assert data == FILE
    assert len(storage_seen) == 1


async def test_the_token_is_never_sent_to_the_other_host() -> None:
    async with api_and_storage() as (url, storage_seen), client(url) as api_client:
        await api_client.call_api(REDIRECT_ONLY, {"filename": "weights.bin"})
    (headers,) = storage_seen
    assert "Authorization" not in headers
    assert TOKEN not in repr(headers)


async def test_to_file_follows_the_redirect(tmp_path: Path) -> None:
    destination = tmp_path / "weights.bin"
    async with api_and_storage() as (url, storage_seen), client(url) as api_client:
        written = await api_client.call_api_download(
            REDIRECT_ONLY, {"filename": "weights.bin"}, None, destination
        )
    assert written == len(FILE)
    assert destination.read_bytes() == FILE
    assert "Authorization" not in storage_seen[0]


async def test_an_error_at_the_target_is_its_typed_exception(tmp_path: Path) -> None:
    async with api_and_storage() as (url, _), client(url) as api_client:
        with pytest.raises(NotFoundException):
            await api_client.call_api(REDIRECT_ONLY, {"filename": "missing.bin"})
        with pytest.raises(NotFoundException):
            await api_client.call_api_download(
                REDIRECT_ONLY, {"filename": "missing.bin"}, None, tmp_path / "x"
            )
    assert not (tmp_path / "x").exists()


def test_only_a_redirect_only_operation_takes_the_target_as_bytes() -> None:
    # An operation that declares a 2xx keeps refusing an undeclared 2xx body shape; one that
    # declares a 3xx beside a 200 reads the 200 as declared.
    assert REDIRECT_ONLY.redirects_to_the_result
    assert REDIRECT_ONLY.success_spec(200) == ResponseSpec("bytes")
    both: Operation[Any] = Operation(
        "op", "GET", "/x", responses={"200": ResponseSpec.json(str), "307": ResponseSpec("empty")}
    )
    assert not both.redirects_to_the_result
    assert both.success_spec(200) == both.responses["200"]
    errors_only: Operation[Any] = Operation(
        "op", "GET", "/x", responses={"404": ResponseSpec("empty")}
    )
    assert errors_only.success_spec(200) is None
