"""Where the client connects: the spec's server, TOGETHER_BASE_URL, and the host argument.

TOGETHER_BASE_URL is shared with Together's own SDKs, which take it with the ``/v1``
(``https://api.together.xyz/v1``); the API root without it works too.
"""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlsplit

import pytest
import yaml

from support import REPOSITORY
from together.generated import Configuration
from together.generated._runtime.configuration import (
    BASE_PATH,
    DEFAULT_HOST,
    base_url_from_environment,
)

SPEC_SERVER: str = yaml.safe_load((REPOSITORY / "openapi.yaml").read_text())["servers"][0]["url"]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOGETHER_BASE_URL", raising=False)
    monkeypatch.delenv("TOGETHER_API_KEY", raising=False)


def test_the_defaults_come_from_the_spec() -> None:
    assert DEFAULT_HOST == SPEC_SERVER
    assert urlsplit(SPEC_SERVER).path.rstrip("/") == BASE_PATH
    assert Configuration().host == SPEC_SERVER.rstrip("/")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://api.together.ai", "https://api.together.ai/v1"),
        ("https://api.together.ai/", "https://api.together.ai/v1"),
        ("https://api.together.ai/v1", "https://api.together.ai/v1"),
        ("https://api.together.ai/v1/", "https://api.together.ai/v1"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1"),
        ("https://gateway.example/together/v1", "https://gateway.example/together/v1"),
        ("https://gateway.example/together", "https://gateway.example/together/v1"),
        (" https://api.together.ai ", "https://api.together.ai/v1"),
        ("", "https://default.example/v1"),
        (None, "https://default.example/v1"),
    ],
)
def test_base_url_from_environment(value: str | None, expected: str) -> None:
    assert base_url_from_environment(value, "/v1", "https://default.example/v1/") == expected


def test_a_spec_without_a_base_path_uses_the_value_as_it_is() -> None:
    assert base_url_from_environment("https://other.example", "", "x") == "https://other.example"


def test_the_api_root_in_the_environment_gets_the_base_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TOGETHER_BASE_URL", "http://proxy.example:9000")
    assert Configuration().host == "http://proxy.example:9000" + BASE_PATH
    monkeypatch.setenv("TOGETHER_BASE_URL", f"http://proxy.example:9000{BASE_PATH}/")
    assert Configuration().host == "http://proxy.example:9000" + BASE_PATH


def test_the_host_argument_always_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOGETHER_BASE_URL", "http://env.example")
    # Used exactly as given: no base path is added to an explicit host.
    assert Configuration(host="http://given.example").host == "http://given.example"
    assert Configuration(host="http://given.example/v1/").host == "http://given.example/v1"


def test_the_key_comes_from_the_environment_for_together(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOGETHER_API_KEY", "env-key")
    assert Configuration().access_token == "env-key"
    assert Configuration(access_token="given").access_token == "given"


class OtherConfiguration(Configuration):
    """What a package generated from another spec exports (see its openapi_info)."""

    default_host = "https://api.other.example/v2"
    base_path = "/v2"
    api_key_env: ClassVar[str | None] = None
    base_url_env: ClassVar[str | None] = None


def test_a_package_for_another_api_reads_neither_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOGETHER_API_KEY", "a-together-key")
    monkeypatch.setenv("TOGETHER_BASE_URL", "http://env.example/v1")
    config = OtherConfiguration()
    assert config.access_token is None
    assert config.host == "https://api.other.example/v2"


def test_other_variable_names_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    class Named(OtherConfiguration):
        api_key_env = "OTHER_API_KEY"
        base_url_env = "OTHER_BASE_URL"

    monkeypatch.setenv("TOGETHER_API_KEY", "a-together-key")
    monkeypatch.setenv("OTHER_API_KEY", "other-key")
    monkeypatch.setenv("OTHER_BASE_URL", "http://other.example")
    config = Named()
    assert config.access_token == "other-key"
    assert config.host == "http://other.example/v2"
