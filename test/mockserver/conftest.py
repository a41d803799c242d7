"""Fixtures for fast tests of the local server's parts: its aiohttp application served by
aiohttp's test utilities on a loopback port, in the test's own event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from together.mock import MockOptions, create_app

Serve = Callable[..., Awaitable[TestClient[Any, Any]]]


@pytest.fixture
async def serve(tmp_path: Path) -> AsyncIterator[Serve]:
    """``await serve(options, spec=YAML_TEXT)``: a client of a fresh server application
    (``spec``: an OpenAPI document written inline in the test; default ``openapi.yaml``)."""
    clients: list[TestClient[Any, Any]] = []

    async def start(options: MockOptions | None = None, *, spec: str | None = None) -> Any:
        options = options or MockOptions()
        if spec is not None:
            path = tmp_path / f"spec{len(clients)}.yaml"
            path.write_text(spec, encoding="utf-8")
            options.spec_path = path
        client: TestClient[Any, Any] = TestClient(TestServer(create_app(options)))
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.close()
