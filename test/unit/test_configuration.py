"""`Configuration`: its documented defaults, what it refuses, and what its repr hides
(README "Quick start"; docs/reliability.md "Retries", "Waiting", "Timeouts", "Security";
docs/runtime.md "Errors")."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from support import HOST, TOKEN
from together.generated import (
    ApiAttributeError,
    ApiKeyError,
    ApiTypeError,
    ApiValueError,
    Configuration,
    RetryPolicy,
)
from together.generated._runtime.configuration import base_url_from_environment


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOGETHER_API_KEY", raising=False)
    monkeypatch.delenv("TOGETHER_BASE_URL", raising=False)


def test_every_default_is_the_documented_one() -> None:
    configuration = Configuration()
    assert configuration.host == "https://api.together.ai/v1"
    assert configuration.access_token is None
    assert dict(configuration.api_key) == {}
    assert (configuration.username, configuration.password) == (None, None)
    assert configuration.retries == 2
    assert (configuration.retry_initial_backoff, configuration.retry_max_backoff) == (0.5, 8.0)
    assert configuration.max_retry_after == 60.0
    assert (configuration.total_timeout, configuration.connect_timeout) == (120.0, 10.0)
    assert configuration.verify_ssl is True
    assert (configuration.ssl_ca_cert, configuration.cert_file, configuration.key_file) == (
        None,
        None,
        None,
    )
    assert (configuration.proxy, configuration.proxy_headers) == (None, None)
    assert configuration.connection_pool_maxsize == 100
    assert configuration.debug is False
    assert configuration.allow_insecure_http is False


def test_the_retry_policy_follows_the_settings() -> None:
    configuration = Configuration(
        retries=4, retry_initial_backoff=0.25, retry_max_backoff=3.0, max_retry_after=9.0
    )
    assert configuration.retry_policy() == RetryPolicy(4, 0.25, 3.0, 9.0)
    assert configuration.retry_policy(0) == RetryPolicy(0, 0.25, 3.0, 9.0)
    configuration.max_retry_after = 1.0
    assert configuration.retry_policy().max_retry_after == 1.0


@pytest.mark.parametrize(
    "settings",
    [
        {"retries": -1},
        {"retry_initial_backoff": -0.5},
        {"retry_max_backoff": float("nan")},
        {"max_retry_after": -1},
    ],
)
def test_bad_retry_settings_are_refused_with_a_clear_message(settings: dict[str, object]) -> None:
    with pytest.raises(ApiValueError, match=r"^invalid retry setting: "):
        Configuration(**settings)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"retries": "2"}, "retries must be a whole number, not '2'"),
        ({"retries": 2.5}, "retries must be a whole number, not 2.5"),
        ({"retries": True}, "retries must be a whole number, not True"),
        ({"retries": None}, "retries must be a whole number, not None"),
        ({"retry_initial_backoff": "fast"}, "retry_initial_backoff must be a number of seconds"),
        ({"retry_max_backoff": b"8"}, "retry_max_backoff must be a number of seconds"),
        ({"max_retry_after": None}, "max_retry_after must be a number of seconds, not NoneType"),
        ({"max_retry_after": False}, "max_retry_after must be a number of seconds, not bool"),
        ({"connection_pool_maxsize": "10"}, "connection_pool_maxsize must be a whole number"),
        ({"connection_pool_maxsize": 2.5}, "connection_pool_maxsize must be a whole number"),
        ({"connection_pool_maxsize": True}, "connection_pool_maxsize must be a whole number"),
    ],
)
def test_a_numeric_setting_of_the_wrong_type_is_a_type_error(
    settings: dict[str, object], message: str
) -> None:
    """docs/runtime.md "Errors": a wrong type is an ApiTypeError, a wrong value an
    ApiValueError (so ``except ValueError`` does not catch a type mistake)."""
    with pytest.raises(ApiTypeError) as caught:
        Configuration(**settings)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)
    assert not isinstance(caught.value, ValueError)


def test_numeric_settings_assigned_later_are_checked_too() -> None:
    configuration = Configuration()
    with pytest.raises(ApiTypeError, match=r"^retries must be a whole number"):
        configuration.retries = "3"  # type: ignore[assignment]
    with pytest.raises(ApiTypeError, match=r"^retry_max_backoff must be a number of seconds"):
        configuration.retry_max_backoff = "8"  # type: ignore[assignment]
    with pytest.raises(ApiTypeError, match=r"^connection_pool_maxsize must be a whole number"):
        configuration.connection_pool_maxsize = 2.0  # type: ignore[assignment]
    with pytest.raises(ApiValueError, match=r"^connection_pool_maxsize must be at least 1"):
        configuration.connection_pool_maxsize = 0
    assert (configuration.retries, configuration.retry_max_backoff) == (2, 8.0)
    assert configuration.connection_pool_maxsize == 100
    configuration.retries, configuration.connection_pool_maxsize = 0, 1
    configuration.retry_initial_backoff = 1  # an int is a number of seconds
    assert configuration.retry_policy() == RetryPolicy(0, 1, 8.0, 60.0)


def test_retry_policy_refuses_a_bad_count_override_typed() -> None:
    configuration = Configuration()
    with pytest.raises(ApiTypeError, match=r"^invalid retry setting: "):
        configuration.retry_policy("3")  # type: ignore[arg-type]
    with pytest.raises(ApiValueError, match=r"^invalid retry setting: retries must be 0 or more"):
        configuration.retry_policy(-1)


def test_a_trailing_slash_of_the_host_is_dropped() -> None:
    assert Configuration(host="https://x.example/v1/").host == "https://x.example/v1"
    assert Configuration(host="https://x.example/v1//").host == "https://x.example/v1"


def test_an_empty_host_argument_means_the_default() -> None:
    assert Configuration(host="").host == "https://api.together.ai/v1"


def test_an_explicit_empty_token_is_not_replaced_by_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TOGETHER_API_KEY", "env-key")
    assert Configuration(access_token="").access_token == ""
    assert Configuration().access_token == "env-key"


def test_base_url_values_with_a_base_path_of_their_own() -> None:
    assert base_url_from_environment("https://a.example/v1", "/v1/", "d") == "https://a.example/v1"
    assert base_url_from_environment("https://a.example", "/v1/", "d") == "https://a.example/v1"
    assert base_url_from_environment("  ", "/v1", "https://d.example/") == "https://d.example"
    # The path must end with the base path, not merely contain it.
    assert base_url_from_environment("https://a.example/v1/x", "/v1", "d") == (
        "https://a.example/v1/x/v1"
    )


@pytest.mark.parametrize("size", [0, -1])
def test_a_pool_size_must_be_at_least_one(size: int) -> None:
    with pytest.raises(
        ApiValueError, match=f"^connection_pool_maxsize must be at least 1, not {size}$"
    ):
        Configuration(connection_pool_maxsize=size)


def test_a_pool_of_one_is_allowed() -> None:
    assert Configuration(connection_pool_maxsize=1).connection_pool_maxsize == 1


def test_a_misspelt_setting_is_refused_and_the_settings_listed() -> None:
    configuration = Configuration()
    with pytest.raises(ApiAttributeError) as caught:
        configuration.acces_token = TOKEN
    message = str(caught.value)
    assert message.startswith("Configuration has no setting 'acces_token'; the settings are: ")
    assert "access_token, allow_insecure_http, api_key, cert_file, connect_timeout" in message
    assert TOKEN not in message
    configuration.verify_ssl = False  # a real setting is assigned
    assert configuration.verify_ssl is False


def test_a_host_assigned_later_is_checked_too() -> None:
    configuration = Configuration()
    with pytest.raises(ApiTypeError, match="host must be a URL string, not int"):
        configuration.host = 8080  # type: ignore[assignment]
    with pytest.raises(ApiValueError, match=r"not 'ftp://x\.example'"):
        configuration.host = "ftp://x.example"
    configuration.host = "HTTPS://x.example/v1"
    assert configuration.host == "HTTPS://x.example/v1"


def test_a_refused_host_with_credentials_in_it_is_not_quoted() -> None:
    with pytest.raises(ApiValueError) as caught:
        Configuration(host="ftp://user:s3cret@x.example")
    assert "s3cret" not in str(caught.value) and "the URL given" in str(caught.value)


def test_a_missing_api_key_names_the_keys_there_are() -> None:
    with pytest.raises(ApiKeyError) as caught:
        Configuration().api_key["k"]
    assert str(caught.value) == "no API key for the security scheme 'k' (keys given: none)"
    with pytest.raises(ApiKeyError) as caught:
        Configuration(api_key={"b": "1", "a": "2"}).api_key["k"]
    assert str(caught.value) == "no API key for the security scheme 'k' (keys given: a, b)"


@pytest.fixture
def package_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("together.generated")
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield logger
    logger.setLevel(level)


def test_debug_turns_the_package_logger_to_debug(package_logger: logging.Logger) -> None:
    Configuration(debug=False)
    assert package_logger.level == logging.WARNING
    configuration = Configuration(debug=True)
    assert configuration.debug is True and package_logger.level == logging.DEBUG


def test_repr_shows_settings_and_masks_only_what_is_secret() -> None:
    configuration = Configuration(
        host=HOST,
        access_token=TOKEN,
        password="pw-123",
        proxy="http://user:proxy-pw@proxy.local:3128",
        proxy_headers={"Proxy-Authorization": "Basic cHJveHk="},
    )
    text = repr(configuration)
    assert text.startswith(f"Configuration(host='{HOST}', access_token='***', api_key={{}}, ")
    assert "password='***'" in text and "retries=2" in text and "debug=False" in text
    assert "proxy='http://***@proxy.local:3128'" in text
    assert "proxy_headers={'Proxy-Authorization': '***'}" in text
    assert text.endswith("allow_insecure_http=False)")
    bare = repr(Configuration())
    assert "access_token=None" in bare and "password=None" in bare and "proxy=None" in bare
    plain = repr(Configuration(proxy="http://proxy.local:3128"))
    assert "proxy='http://proxy.local:3128'" in plain


@pytest.mark.parametrize(
    "proxy",
    [
        "http://user:S3CR@ET9@proxy.local:3128",  # an unencoded "@" in the password
        "http://user:S3CR://ET9@proxy.local:3128",  # an unencoded "://" in it
    ],
)
def test_repr_hides_a_proxy_password_with_at_signs_or_scheme_separators(proxy: str) -> None:
    text = repr(Configuration(proxy=proxy))
    assert "proxy='http://***@proxy.local:3128'" in text
    assert "S3CR" not in text and "ET9" not in text


def test_repr_names_each_setting_as_it_is_spelt() -> None:
    text = repr(Configuration(debug=False))
    assert text.endswith(", connect_timeout=10.0, debug=False, allow_insecure_http=False)")
    assert "_debug" not in text


def test_a_proxy_is_an_http_or_https_url_and_a_refusal_does_not_quote_it() -> None:
    assert Configuration(proxy="https://proxy.local:3128").proxy == "https://proxy.local:3128"
    assert Configuration(proxy="HTTP://proxy.local").proxy == "HTTP://proxy.local"
    with pytest.raises(ApiTypeError) as caught:
        Configuration(proxy=3128)  # type: ignore[arg-type]
    assert str(caught.value) == "proxy must be a URL string or None, not int"
    for bad in ("socks5://user:pw-5521@proxy.local:1080", "http://", "http://[::1"):
        with pytest.raises(ApiValueError) as refused:
            Configuration(proxy=bad)
        assert str(refused.value) == (
            "proxy must be an http:// or https:// URL with a host name, like "
            "'http://proxy.example.com:3128'"
        )


def test_only_slashes_are_stripped_from_a_base_url() -> None:
    assert base_url_from_environment("https://a.example/X", "/v1", "d") == (
        "https://a.example/X/v1"
    )
    assert base_url_from_environment("https://a.example/X/", "", "d") == "https://a.example/X"
    assert base_url_from_environment(None, "/v1", "https://d.example/X/") == "https://d.example/X"


def test_a_host_with_credentials_is_refused_with_the_host_to_use_instead() -> None:
    with pytest.raises(ApiValueError) as caught:
        Configuration(host="https://ann:p@ss-8812@api.example.com/v1")  # an unencoded "@"
    assert str(caught.value) == (
        "host must not contain credentials (user:password@); give them as "
        "Configuration(username=..., password=...) or access_token=..., host "
        "https://api.example.com/v1"
    )


def test_a_timeout_under_a_second_is_allowed() -> None:
    configuration = Configuration(total_timeout=0.5, connect_timeout=0.25)
    assert (configuration.total_timeout, configuration.connect_timeout) == (0.5, 0.25)


def test_only_slashes_are_stripped_from_a_host() -> None:
    assert Configuration(host="https://x.example/X/").host == "https://x.example/X"


def test_tls_and_proxy_settings_are_kept_as_given() -> None:
    configuration = Configuration(
        ssl_ca_cert="ca.pem",
        verify_ssl=False,
        cert_file="client.pem",
        key_file="client.key",
        proxy="http://proxy.local:3128",
        proxy_headers={"X-Proxy": "1"},
        username="ann",
        password="pw",
    )
    assert (configuration.ssl_ca_cert, configuration.cert_file, configuration.key_file) == (
        "ca.pem",
        "client.pem",
        "client.key",
    )
    assert configuration.verify_ssl is False
    assert (configuration.proxy, configuration.proxy_headers) == (
        "http://proxy.local:3128",
        {"X-Proxy": "1"},
    )
    assert (configuration.username, configuration.password) == ("ann", "pw")
