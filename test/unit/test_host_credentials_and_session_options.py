"""A host URL with credentials is refused (they would be shown in reprs, errors, logs and
hooks); trace configs cannot be given with a session of the caller's (they would be dropped);
docs/runtime.md, "Transport and connection pool" and "Errors"."""

from __future__ import annotations

import aiohttp
import pytest

from together.generated import ApiClient, ApiValueError, Configuration

PASSWORD = "PASSWORD-1f9c"


@pytest.mark.parametrize(
    "host",
    [
        f"http://user:{PASSWORD}@127.0.0.1:1/v1",
        f"https://user:{PASSWORD}@api.example.com/v1",
        f"https://{PASSWORD}@api.example.com",
    ],
)
def test_a_host_with_credentials_is_refused_without_showing_them(host: str) -> None:
    with pytest.raises(ApiValueError, match="credentials") as caught:
        Configuration(host=host, access_token="t")
    assert PASSWORD not in str(caught.value)
    assert PASSWORD not in repr(caught.value)
    configuration = Configuration(host="https://api.example.com/v1")
    with pytest.raises(ApiValueError, match="credentials"):
        configuration.host = host
    assert configuration.host == "https://api.example.com/v1"
    assert PASSWORD not in repr(configuration)


def test_a_base_url_variable_with_credentials_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOGETHER_BASE_URL", f"https://user:{PASSWORD}@api.example.com")
    with pytest.raises(ApiValueError, match="credentials") as caught:
        Configuration()
    assert PASSWORD not in str(caught.value)


def test_an_at_sign_in_the_path_is_not_credentials() -> None:
    assert Configuration(host="https://api.example.com/v1/@team").host.endswith("/@team")


async def test_trace_configs_with_a_borrowed_session_are_refused() -> None:
    session = aiohttp.ClientSession()
    try:
        with pytest.raises(ApiValueError, match="trace_configs"):
            ApiClient(
                Configuration(host="http://127.0.0.1:9/v1"),
                session=session,
                trace_configs=[aiohttp.TraceConfig()],
            )
    finally:
        await session.close()


@pytest.mark.parametrize(
    "host",
    [
        f"https://api.example.com/v1?key={PASSWORD}",
        "https://api.example.com/v1?",
        f"https://api.example.com/v1#{PASSWORD}",
        "http://127.0.0.1:8080/v1#",
    ],
)
def test_a_host_with_a_query_or_fragment_is_refused(
    host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Paths are appended to the host: after a query or fragment they would be lost."""
    with pytest.raises(ApiValueError, match="query or fragment") as caught:
        Configuration(host=host, access_token="t")
    assert PASSWORD not in str(caught.value)
    configuration = Configuration(host="https://api.example.com/v1")
    with pytest.raises(ApiValueError, match="query or fragment"):
        configuration.host = host
    assert configuration.host == "https://api.example.com/v1"
    monkeypatch.setenv("TOGETHER_BASE_URL", host)
    with pytest.raises(ApiValueError, match="query or fragment"):
        Configuration()
