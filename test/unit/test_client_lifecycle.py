"""Configuration and ApiClient: defaults, environment, redaction, lazy session, close()."""

from __future__ import annotations

import gc

import pytest
from aioresponses import aioresponses

import together.generated
from support import EMBEDDINGS_URL, HOST, TOKEN, embeddings_payload, rest_transport
from together.generated import ApiClient, Configuration, EmbeddingsRequest, OpenApiException
from together.generated.openapi_info import DEFAULT_HOST


def test_host_defaults_to_the_spec_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOGETHER_BASE_URL", raising=False)
    assert DEFAULT_HOST == "https://api.together.ai/v1"  # servers[0].url of openapi.yaml
    assert Configuration().host == DEFAULT_HOST


def test_environment_fallbacks_and_explicit_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOGETHER_BASE_URL", "http://env.example/v1/")
    monkeypatch.setenv("TOGETHER_API_KEY", "env-key")
    config = Configuration()
    assert config.host == "http://env.example/v1"
    assert config.access_token == "env-key"
    explicit = Configuration(host="http://given/v1", access_token="given-key")
    assert (explicit.host, explicit.access_token) == ("http://given/v1", "given-key")


def test_repr_hides_secrets() -> None:
    config = Configuration(
        host=HOST,
        access_token=TOKEN,
        password="pw-123",
        api_key={"k": "key-456"},
        proxy="http://user:proxy-pw@proxy.local:3128",
        proxy_headers={"Proxy-Authorization": "Basic cHJveHk="},
    )
    text = repr(config)
    for secret in (TOKEN, "pw-123", "key-456", "proxy-pw", "cHJveHk="):
        assert secret not in text
    assert "access_token='***'" in text and HOST in text and "proxy.local:3128" in text


def test_settings_are_kept() -> None:
    config = Configuration(
        host=HOST,
        retries=3,
        ssl_ca_cert=None,
        verify_ssl=False,
        proxy="http://proxy:3128",
        proxy_headers={"Proxy-Authorization": "x"},
        connection_pool_maxsize=7,
    )
    assert (config.retries, config.verify_ssl, config.proxy, config.connection_pool_maxsize) == (
        3,
        False,
        "http://proxy:3128",
        7,
    )
    with pytest.raises(ValueError):
        Configuration(connection_pool_maxsize=0)


async def test_session_is_created_lazily_and_close_is_idempotent(
    configuration: Configuration, mocked: aioresponses
) -> None:
    client = ApiClient(configuration)
    assert rest_transport(client)._session is None  # nothing opened before the first call
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[1.0]]))
    await together.generated.EmbeddingsApi(client).embeddings(
        EmbeddingsRequest(model="m", input="x")
    )
    assert rest_transport(client)._session is not None
    await client.close()
    await client.close()
    assert client.closed


async def test_call_on_a_closed_client_is_a_clear_error(configuration: Configuration) -> None:
    async with ApiClient(configuration) as client:
        pass
    with pytest.raises(OpenApiException, match="closed"):
        await together.generated.EmbeddingsApi(client).embeddings(
            EmbeddingsRequest(model="m", input="x")
        )


async def test_user_agent_and_default_client(configuration: Configuration) -> None:
    async with ApiClient(configuration, header_name="X-A", header_value="1") as client:
        assert client.user_agent.startswith("together-generated/")
        client.user_agent = "mine/1.0"
        assert client.default_headers == {"User-Agent": "mine/1.0", "X-A": "1"}
    try:
        ApiClient.set_default(client)
        assert together.generated.EmbeddingsApi().api_client is client
    finally:
        ApiClient.set_default(None)


async def test_an_unclosed_client_is_reported(
    configuration: Configuration, mocked: aioresponses
) -> None:
    """A client dropped without close() warns, so the suite (warnings are errors) catches leaks."""
    client = ApiClient(configuration)
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[1.0]]))
    await together.generated.EmbeddingsApi(client).embeddings(
        EmbeddingsRequest(model="m", input="x")
    )
    transport = client.rest_client  # kept, to close the pool once the warning is seen
    with pytest.warns(ResourceWarning, match="Unclosed ApiClient"):
        del client
        gc.collect()
    await transport.close()


async def test_a_closed_or_unused_client_does_not_warn(configuration: Configuration) -> None:
    unused = ApiClient(configuration)
    del unused
    async with ApiClient(configuration) as used:
        assert not used.closed
    del used
    gc.collect()  # warnings are errors: any ResourceWarning here fails the test
