"""Fixtures shared by the unit tests: a configured client and mocked HTTP (aioresponses)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from aioresponses import aioresponses

import together.generated
from support import HOST, TOKEN
from together.mock import MockOptions, MockServer


@pytest.fixture
def configuration(monkeypatch: pytest.MonkeyPatch) -> together.generated.Configuration:
    monkeypatch.delenv("TOGETHER_API_KEY", raising=False)
    monkeypatch.delenv("TOGETHER_BASE_URL", raising=False)
    # No retries: these tests look at single attempts; the retry tests set their own.
    return together.generated.Configuration(host=HOST, access_token=TOKEN, retries=0)


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    with aioresponses() as mock:
        yield mock


@pytest.fixture
async def api_client(
    configuration: together.generated.Configuration,
) -> AsyncIterator[together.generated.ApiClient]:
    async with together.generated.ApiClient(configuration) as client:
        yield client


@pytest.fixture
def api(api_client: together.generated.ApiClient) -> together.generated.EmbeddingsApi:
    return together.generated.EmbeddingsApi(api_client)


@pytest.fixture
async def mock_server() -> AsyncIterator[MockServer]:
    """The local server on a free loopback port (real sockets)."""
    async with MockServer(MockOptions(api_key=TOKEN)) as server:
        yield server


@pytest.fixture
async def server_api(mock_server: MockServer) -> AsyncIterator[together.generated.EmbeddingsApi]:
    """The generated client pointed at ``mock_server``."""
    configuration = together.generated.Configuration(
        host=mock_server.url, access_token=TOKEN, retries=0
    )
    async with together.generated.ApiClient(configuration) as client:
        yield together.generated.EmbeddingsApi(client)
