"""A package generated from another spec against this runtime (``--runtime
together.generated``) gets its own defaults: its spec's host, and no Together variable."""

from __future__ import annotations

from typing import Any

import pytest
from aioresponses import aioresponses

import together.generated
from support import sent_calls

OTHER_SPEC = """
openapi: 3.1.0
info: {title: Other, version: "2.0"}
servers: [{url: "https://api.other.example/v3"}]
security: [{bearerAuth: []}]
paths:
  /ping:
    get:
      operationId: ping
      tags: [Health]
      responses:
        "200":
          description: pong
          content:
            application/json:
              schema: {type: object, properties: {ok: {type: boolean}}}
components:
  securitySchemes:
    bearerAuth: {type: http, scheme: bearer}
"""


@pytest.fixture
def together_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOGETHER_API_KEY", "together-secret-key")
    monkeypatch.setenv("TOGETHER_BASE_URL", "https://api.together.xyz")


@pytest.mark.usefixtures("together_environment")
def test_its_configuration_reads_no_together_variable_and_uses_its_host(generated: Any) -> None:
    package = generated(OTHER_SPEC)
    configuration = package.Configuration()
    assert configuration.host == "https://api.other.example/v3"
    assert configuration.access_token is None
    assert isinstance(configuration, together.generated.Configuration)
    # Together's own package, in the same environment, still reads both variables.
    own = together.generated.Configuration()
    assert (own.host, own.access_token) == ("https://api.together.xyz/v1", "together-secret-key")


@pytest.mark.usefixtures("together_environment")
async def test_a_call_goes_to_its_host_without_the_together_key(generated: Any) -> None:
    package = generated(OTHER_SPEC)
    with aioresponses() as mocked:
        mocked.get("https://api.other.example/v3/ping", payload={"ok": True})
        async with package.ApiClient(package.Configuration()) as api_client:
            await package.HealthApi(api_client).ping()
        (call,) = sent_calls(mocked)
    assert "Authorization" not in call.kwargs["headers"]


def test_it_exports_the_runtimes_public_names_lazily(generated: Any) -> None:
    package = generated(OTHER_SPEC)
    from together.generated._runtime.exceptions import ClientStateError
    from together.generated._runtime.streaming import AsyncStream
    from together.generated._runtime.sync import SyncApiClient

    assert package.AsyncStream is AsyncStream
    assert issubclass(package.SyncApiClient, SyncApiClient)  # bound to its own ApiClient
    assert package.ClientStateError is ClientStateError
    assert {"RetryStrategy", "CallHook", "Transport", "FileInput"} <= set(package.__all__)


@pytest.mark.usefixtures("together_environment")
async def test_its_api_classes_default_client_is_its_own_without_the_together_key(
    generated: Any,
) -> None:
    # A user of the other package who never builds a Configuration: `HealthApi()` and
    # `ApiClient()` must use that spec's host and no Together key, even after Together's
    # own package made its default client first (one default per client class).
    package = generated(OTHER_SPEC)
    together_default = together.generated.ApiClient.get_default()
    try:
        api = package.HealthApi()
        assert api.api_client is not together_default
        assert isinstance(api.api_client, package.ApiClient)
        assert api.api_client is package.ApiClient.get_default()
        assert api.api_client.configuration.host == "https://api.other.example/v3"
        with aioresponses() as mocked:
            mocked.get("https://api.other.example/v3/ping", payload={"ok": True})
            await api.ping()
            # Pointing a default client at another host does not bring a key along either.
            bare = package.ApiClient()
            bare.configuration.host = "https://elsewhere.example/api"
            mocked.get("https://elsewhere.example/api/ping", payload={"ok": True})
            await package.HealthApi(bare).ping()
            await bare.close()
        calls = sent_calls(mocked)
        assert len(calls) == 2
        assert all("Authorization" not in c.kwargs["headers"] for c in calls)
    finally:
        await package.ApiClient.get_default().close()
        await together_default.close()
        package.ApiClient.set_default(None)
        together.generated.ApiClient.set_default(None)


def test_the_together_package_default_client_reads_the_together_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TOGETHER_API_KEY", "together-secret-key")
    monkeypatch.delenv("TOGETHER_BASE_URL", raising=False)
    together.generated.ApiClient.set_default(None)
    client = together.generated.EmbeddingsApi().api_client
    try:
        assert client is together.generated.ApiClient.get_default()
        assert client.configuration.host == "https://api.together.ai/v1"
        assert client.configuration.access_token == "together-secret-key"
    finally:
        together.generated.ApiClient.set_default(None)


@pytest.mark.usefixtures("together_environment")
def test_its_sync_client_uses_its_own_settings_without_the_together_key(generated: Any) -> None:
    package = generated(OTHER_SPEC)
    assert package.SyncApiClient is not together.generated.SyncApiClient
    with aioresponses() as mocked:
        mocked.get("https://api.other.example/v3/ping", payload={"ok": True})
        with package.SyncApiClient() as client:
            assert client.api_client.configuration.host == "https://api.other.example/v3"
            assert client.api_client.configuration.access_token is None
            client.api(package.HealthApi).ping()
        calls = sent_calls(mocked)
    assert len(calls) == 1
    assert "Authorization" not in calls[0].kwargs["headers"]
