"""Which credential goes on a request and how, and what is refused before sending
(docs/reliability.md "Security"; docs/runtime.md "Errors": `InsecureTransportError`)."""

from __future__ import annotations

import base64

import pytest

from support import TOKEN
from together.generated import ApiValueError, Configuration
from together.generated._runtime.credentials import Credentials, is_loopback
from together.generated._runtime.exceptions import InsecureTransportError
from together.generated._runtime.operation import SecurityScheme

BEARER = SecurityScheme("bearerAuth", "bearer")
BASIC = SecurityScheme("basicAuth", "basic")
HEADER_KEY = SecurityScheme("headerKey", "apiKey", "header", "X-Api-Key")
QUERY_KEY = SecurityScheme("queryKey", "apiKey", "query", "api_key")
COOKIE_KEY = SecurityScheme("cookieKey", "apiKey", "cookie", "session")


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOGETHER_API_KEY", raising=False)
    monkeypatch.delenv("TOGETHER_BASE_URL", raising=False)


def apply(
    configuration: Configuration,
    *schemes: SecurityScheme,
    headers: dict[str, str] | None = None,
    credentials: Credentials | None = None,
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    sent_headers = dict(headers or {})
    query: list[tuple[str, str]] = []
    (credentials or Credentials()).apply(configuration, schemes, sent_headers, query)
    return sent_headers, query


def test_a_bearer_token() -> None:
    headers, query = apply(Configuration(host="https://a.test", access_token=TOKEN), BEARER)
    assert headers == {"Authorization": f"Bearer {TOKEN}"} and query == []


def test_basic_auth_is_base64_of_user_colon_password() -> None:
    configuration = Configuration(host="https://a.test", username="ann", password="pä ss")
    headers, _ = apply(configuration, BASIC)
    assert headers == {"Authorization": "Basic " + base64.b64encode("ann:pä ss".encode()).decode()}
    headers, _ = apply(Configuration(host="https://a.test", username="ann"), BASIC)
    assert headers == {"Authorization": "Basic YW5uOg=="}  # "ann:"


def test_api_keys_in_a_header_the_query_or_a_cookie() -> None:
    configuration = Configuration(
        host="https://a.test",
        api_key={"headerKey": "k-1", "queryKey": "k-2", "cookieKey": "k-3"},
    )
    assert apply(configuration, HEADER_KEY) == ({"X-Api-Key": "k-1"}, [])
    assert apply(configuration, QUERY_KEY) == ({}, [("api_key", "k-2")])
    assert apply(configuration, COOKIE_KEY) == ({"Cookie": "session=k-3"}, [])
    assert apply(configuration, COOKIE_KEY, headers={"Cookie": "a=1"}) == (
        {"Cookie": "a=1; session=k-3"},
        [],
    )


def test_the_first_scheme_with_a_credential_is_the_only_one_applied() -> None:
    configuration = Configuration(
        host="https://a.test", access_token=TOKEN, username="ann", api_key={"headerKey": "k"}
    )
    assert apply(configuration, HEADER_KEY, BEARER) == ({"X-Api-Key": "k"}, [])
    assert apply(configuration, BEARER, HEADER_KEY) == ({"Authorization": f"Bearer {TOKEN}"}, [])
    no_token = Configuration(host="https://a.test", username="ann")
    assert apply(no_token, BEARER, BASIC)[0] == {"Authorization": "Basic YW5uOg=="}
    assert apply(Configuration(host="https://a.test", access_token=""), BEARER) == ({}, [])
    assert apply(Configuration(host="https://a.test"), BEARER, BASIC, QUERY_KEY) == ({}, [])


@pytest.mark.parametrize("secret", [TOKEN + "\n", "\t" + TOKEN, "a\rb", "a\x00b", TOKEN + " "])
def test_a_secret_with_a_line_break_nul_or_surrounding_whitespace_is_refused(secret: str) -> None:
    for configuration, scheme in [
        (Configuration(host="https://a.test", access_token=secret), BEARER),
        (Configuration(host="https://a.test", api_key={"headerKey": secret}), HEADER_KEY),
    ]:
        with pytest.raises(ApiValueError, match="line break or surrounding whitespace") as caught:
            apply(configuration, scheme)
        assert secret.strip() not in str(caught.value)


@pytest.mark.parametrize("password", ["pw-7731\n", "pw\r7731", "pw\x007731"])
def test_a_basic_auth_password_with_a_line_break_or_nul_is_refused(password: str) -> None:
    configuration = Configuration(host="https://a.test", username="ann", password=password)
    with pytest.raises(ApiValueError, match=r"^the password has a line break") as caught:
        apply(configuration, BASIC)
    assert "7731" not in str(caught.value)


@pytest.mark.parametrize(
    ("username", "password", "part"),
    [
        (" ann", "pw-7731", "username"),
        ("ann ", "pw-7731", "username"),
        ("ann\t", "pw-7731", "username"),
        ("ann", " pw-7731", "password"),
        ("ann", "pw-7731 ", "password"),
        ("ann", "\tpw-7731", "password"),
        ("ann\n", "pw-7731", "username"),
    ],
)
def test_basic_auth_refuses_surrounding_whitespace_on_either_part(
    username: str, password: str, part: str
) -> None:
    """Each part is checked on its own: "ann :pw" or "ann: pw" has no surrounding
    whitespace as a whole, but a server reads a user "ann " or a password " pw"."""
    configuration = Configuration(host="https://a.test", username=username, password=password)
    with pytest.raises(ApiValueError) as caught:
        apply(configuration, BASIC)
    message = str(caught.value)
    assert message.startswith(f"the {part} has a line break or surrounding whitespace")
    assert "7731" not in message and "ann" not in message


def test_basic_auth_checks_each_part_again_when_one_changes() -> None:
    credentials = Credentials()
    configuration = Configuration(host="https://a.test", username="ann", password="pw")
    assert apply(configuration, BASIC, credentials=credentials)[0] == {
        "Authorization": "Basic " + base64.b64encode(b"ann:pw").decode()
    }
    # Vetted once for this host; a changed part is vetted again, not let through.
    configuration.password = " pw"
    with pytest.raises(ApiValueError, match=r"^the password has"):
        apply(configuration, BASIC, credentials=credentials)
    configuration.username, configuration.password = "ann ", "pw"
    with pytest.raises(ApiValueError, match=r"^the username has"):
        apply(configuration, BASIC, credentials=credentials)


@pytest.mark.parametrize("username", ["zed:pw", ":zed", "zed:"])
def test_a_basic_auth_username_with_a_colon_is_refused(username: str) -> None:
    """RFC 7617: the first ':' ends the user-id, so "zed:pw" with password "x" would reach
    the server as user "zed", password "pw:x". A colon in the password is fine."""
    configuration = Configuration(host="https://a.test", username=username, password="x-7731")
    with pytest.raises(ApiValueError, match=r"^the username has a ':'") as caught:
        apply(configuration, BASIC)
    assert "7731" not in str(caught.value) and "zed" not in str(caught.value)
    configuration.username, configuration.password = "ann", "p:w"
    assert apply(configuration, BASIC)[0] == {
        "Authorization": "Basic " + base64.b64encode(b"ann:p:w").decode()
    }


def test_the_refusal_names_what_was_refused() -> None:
    with pytest.raises(ApiValueError, match=r"^the access token has"):
        apply(Configuration(host="https://a.test", access_token=" t"), BEARER)
    with pytest.raises(ApiValueError, match=r"^the password has"):
        apply(Configuration(host="https://a.test", username="u", password="p\n"), BASIC)
    with pytest.raises(ApiValueError, match=r"^the API key 'headerKey' has"):
        apply(Configuration(host="https://a.test", api_key={"headerKey": " k"}), HEADER_KEY)


def test_clear_text_refusal_names_the_host_but_not_the_secret() -> None:
    configuration = Configuration(host="http://api.example.com:8080/v1", access_token=TOKEN)
    with pytest.raises(InsecureTransportError) as caught:
        apply(configuration, BEARER)
    assert str(caught.value).startswith(
        "refusing to send the access token in clear text to api.example.com "
    )
    assert TOKEN not in str(caught.value)
    with pytest.raises(InsecureTransportError, match="username or password"):
        apply(Configuration(host="http://api.example.com", username="u", password="p"), BASIC)


@pytest.mark.parametrize("scheme", [HEADER_KEY, QUERY_KEY, COOKIE_KEY], ids=lambda s: s.location)
def test_an_api_key_over_plain_http_to_another_host_is_refused(scheme: SecurityScheme) -> None:
    """docs/reliability.md#security: a secret never goes over plain http:// to a host that is
    not loopback; API keys as the bearer token."""
    keys = {"headerKey": "k-secret", "queryKey": "k-secret", "cookieKey": "k-secret"}
    configuration = Configuration(host="http://api.example.com/v1", api_key=keys)
    with pytest.raises(InsecureTransportError) as caught:
        apply(configuration, scheme)
    assert "api.example.com" in str(caught.value) and "k-secret" not in str(caught.value)
    # Loopback, https and the explicit opt-in are allowed.
    for host in ("http://127.0.0.1:8080/v1", "https://api.example.com/v1"):
        apply(Configuration(host=host, api_key=keys), scheme)
    configuration.allow_insecure_http = True
    apply(configuration, scheme)


def test_a_credential_found_safe_is_checked_again_when_the_secret_changes() -> None:
    credentials = Credentials()
    configuration = Configuration(host="https://a.test", access_token=TOKEN)
    apply(configuration, BEARER, credentials=credentials)
    configuration.access_token = TOKEN + "\n"
    with pytest.raises(ApiValueError):
        apply(configuration, BEARER, credentials=credentials)
    configuration.access_token = TOKEN
    configuration.host = "http://api.example.com"
    with pytest.raises(InsecureTransportError):
        apply(configuration, BEARER, credentials=credentials)
    configuration.allow_insecure_http = True
    assert apply(configuration, BEARER, credentials=credentials)[0] == {
        "Authorization": f"Bearer {TOKEN}"
    }


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://localhost/v1", True),
        ("http://LOCALHOST:80/v1", True),
        ("http://api.localhost:9/v1", True),
        ("http://127.0.0.1/v1", True),
        ("http://127.255.0.9/v1", True),
        ("http://[::1]:8080/v1", True),
        ("http://localhost.example.com/v1", False),
        ("http://notlocalhost/v1", False),
        ("http://128.0.0.1/v1", False),
        ("http://[::2]/v1", False),
        ("http://10.0.0.1/v1", False),
        ("http:///v1", False),
    ],
)
def test_what_counts_as_loopback(url: str, loopback: bool) -> None:
    assert is_loopback(url) is loopback
