"""The aiohttp transport: per-call timeouts, what it sends with, the typed error of each
transport failure, redaction, and the session's lifecycle (docs/reliability.md "Timeouts and
transport errors", "Lifecycle", "Security"; docs/runtime.md "Transport and connection pool")."""

from __future__ import annotations

import ssl
import warnings
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from multidict import CIMultiDict, CIMultiDictProxy
from pydantic import BaseModel, TypeAdapter
from yarl import URL

import together.generated._runtime.rest as rest_module
from support import EMBEDDINGS_URL, HOST, TOKEN
from together.generated import (
    ApiClient,
    ApiConnectionError,
    ApiTimeoutError,
    ApiValueError,
    ClientStateError,
    Configuration,
)
from together.generated._runtime.multipart import FileInput, encode_multipart
from together.generated._runtime.rest import (
    PreparedRequest,
    RESTClientObject,
    RESTResponse,
    to_client_timeout,
)

DEFAULT = aiohttp.ClientTimeout(total=120.0, connect=10.0)


class Upload(BaseModel):
    file: FileInput


REQUEST = PreparedRequest(
    "POST", EMBEDDINGS_URL, {"Authorization": f"Bearer {TOKEN}"}, [], b'{"a": 1}'
)


# ------------------------------------------------------------------ timeouts


def test_no_per_call_timeout_means_the_configured_one() -> None:
    assert to_client_timeout(None, DEFAULT) is DEFAULT


def test_an_aiohttp_timeout_is_used_as_it_is() -> None:
    own = aiohttp.ClientTimeout(total=3, sock_connect=1)
    assert to_client_timeout(own, DEFAULT) is own


def test_a_number_is_the_total_and_a_pair_keeps_the_configured_total() -> None:
    assert to_client_timeout(4, DEFAULT) == aiohttp.ClientTimeout(total=4.0)
    assert to_client_timeout((2.0, 5.0), aiohttp.ClientTimeout(total=30.0)) == (
        aiohttp.ClientTimeout(total=30.0, connect=2.0, sock_read=5.0)
    )


@pytest.mark.parametrize("bad", [(1.0, 2.0, 3.0), (), (1.0,)])
def test_a_tuple_must_be_a_pair(bad: Any) -> None:
    with pytest.raises(ApiValueError, match=r"must be \(connect, read\) seconds"):
        to_client_timeout(bad, DEFAULT)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (0, "_request_timeout's total part must be a positive number of seconds, not 0"),
        (-2.0, "_request_timeout's total part must be a positive number of seconds, not -2.0"),
        (
            float("nan"),
            "_request_timeout's total part must be a positive number of seconds, not nan",
        ),
        ((0, 5), "_request_timeout's connect part must be a positive number of seconds, not 0"),
        ((5, -1), "_request_timeout's read part must be a positive number of seconds, not -1"),
        (False, "its total part is a bool"),
        ("3", "its total part is a str"),
        ((None, "5"), "its read part is a str"),
    ],
)
def test_each_part_must_be_a_positive_number(bad: Any, message: str) -> None:
    with pytest.raises(ApiValueError) as caught:
        to_client_timeout(bad, DEFAULT)
    assert str(caught.value).endswith(message)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            "3",
            "_request_timeout must be seconds, a (connect, read) pair or an "
            "aiohttp.ClientTimeout; its total part is a str",
        ),
        (
            float("inf"),
            "_request_timeout's total part must be a finite number of seconds (None for no "
            "limit), not inf",
        ),
        (
            (float("inf"), 1),
            "_request_timeout's connect part must be a finite number of seconds (None for no "
            "limit), not inf",
        ),
    ],
)
def test_the_whole_message_of_a_bad_timeout(bad: Any, message: str) -> None:
    with pytest.raises(ApiValueError) as caught:
        to_client_timeout(bad, DEFAULT)
    assert str(caught.value) == message


def test_a_pair_may_leave_a_part_unbounded() -> None:
    assert to_client_timeout((None, 5), DEFAULT) == aiohttp.ClientTimeout(
        total=120.0, connect=None, sock_read=5.0
    )


def test_the_default_timeout_comes_from_the_configuration() -> None:
    transport = RESTClientObject(Configuration(host=HOST, total_timeout=7.0, connect_timeout=2.0))
    assert transport.default_timeout == aiohttp.ClientTimeout(total=7.0, connect=2.0)
    defaults = RESTClientObject(Configuration(host=HOST)).default_timeout
    assert (defaults.total, defaults.connect) == (120.0, 10.0)


# ------------------------------------------------------------------ what is sent


async def test_the_request_goes_out_with_its_parts_and_the_proxy(mocked: aioresponses) -> None:
    configuration = Configuration(
        host=HOST, proxy="http://proxy.local:3128", proxy_headers={"Proxy-Authorization": "p"}
    )
    transport = RESTClientObject(configuration)
    mocked.post(f"{EMBEDDINGS_URL}?limit=3", status=201, body=b"ok", headers={"X-A": "b"})
    request = PreparedRequest(
        "POST", EMBEDDINGS_URL, {"X-Mine": "1"}, [("limit", "3")], b'{"a": 1}'
    )
    try:
        response = await transport.request(request, timeout=5)
    finally:
        await transport.close()
    assert (response.status, response.data, response.headers["X-A"]) == (201, b"ok", "b")
    assert response.reason == "Created"
    ((_, calls),) = mocked.requests.items()
    kwargs = calls[0].kwargs
    assert kwargs["headers"] == {"X-Mine": "1"} and kwargs["data"] == b'{"a": 1}'
    assert kwargs["params"] == [("limit", "3")]
    assert kwargs["timeout"] == aiohttp.ClientTimeout(total=5.0)
    assert kwargs["proxy"] == "http://proxy.local:3128"
    assert kwargs["proxy_headers"] == {"Proxy-Authorization": "p"}


async def test_no_proxy_and_no_query_send_neither(mocked: aioresponses) -> None:
    transport = RESTClientObject(Configuration(host=HOST, proxy_headers={"A": "b"}))
    mocked.post(EMBEDDINGS_URL, body=b"{}", content_type="application/json")
    try:
        response = await transport.request(REQUEST)
    finally:
        await transport.close()
    assert response.content_type == "application/json"
    ((_, calls),) = mocked.requests.items()
    kwargs = calls[0].kwargs
    assert kwargs["params"] is None and kwargs["timeout"] == DEFAULT
    assert "proxy" not in kwargs and "proxy_headers" not in kwargs and "ssl" not in kwargs


def test_a_response_header_is_read_with_a_default() -> None:
    response = RESTResponse(200, "OK", {"A": "1"}, b"", None)
    assert response.getheader("A") == "1"
    assert response.getheader("B") is None and response.getheader("B", "none") == "none"


def test_a_prepared_request_repr_describes_each_kind_of_body() -> None:
    assert "body=<8 bytes>" in repr(REQUEST)
    upload = encode_multipart(TypeAdapter(Upload), Upload(file=b"x"), ("file",), operation_id="u")
    assert repr(PreparedRequest("POST", HOST, {}, [], upload)).endswith(", body=<multipart>)")
    assert "body=None" in repr(PreparedRequest("GET", HOST, {}, [], None))
    shown = repr(PreparedRequest("GET", HOST, {"Accept": "a/b", "X-Key": "k"}, [("q", "v")], None))
    assert "'Accept': 'a/b'" in shown and "'X-Key': '<redacted>'" in shown
    assert "query=[('q', '<redacted>')]" in shown


# ------------------------------------------------------------------ typed failures


@pytest.mark.parametrize(
    ("failure", "cls", "message"),
    [
        (TimeoutError(), ApiTimeoutError, f"POST {EMBEDDINGS_URL}: timed out"),
        (
            aiohttp.ClientConnectionError("reset"),
            ApiConnectionError,
            f"POST {EMBEDDINGS_URL}: ClientConnectionError: reset",
        ),
        (
            OSError("unreachable"),
            ApiConnectionError,
            f"POST {EMBEDDINGS_URL}: OSError: unreachable",
        ),
        (
            aiohttp.InvalidURL("bad"),
            ApiValueError,
            f"POST {EMBEDDINGS_URL}: not a URL aiohttp can send to (bad); check Configuration.host",
        ),
        (
            RuntimeError("other loop"),
            ClientStateError,
            f"POST {EMBEDDINGS_URL}: aiohttp cannot send from here: other loop",
        ),
    ],
)
async def test_each_failure_to_send_is_typed(
    mocked: aioresponses, failure: Exception, cls: type[Exception], message: str
) -> None:
    transport = RESTClientObject(Configuration(host=HOST))
    mocked.post(EMBEDDINGS_URL, exception=failure)
    try:
        with pytest.raises(cls) as caught:
            await transport.request(REQUEST)
    finally:
        await transport.close()
    assert str(caught.value) == message and caught.value.__cause__ is failure


async def test_a_value_aiohttp_refuses_is_typed_and_not_chained(mocked: aioresponses) -> None:
    transport = RESTClientObject(Configuration(host=HOST))
    mocked.post(EMBEDDINGS_URL, exception=ValueError(f"bad header {TOKEN}"))
    try:
        with pytest.raises(ApiValueError) as caught:
            await transport.request(REQUEST)
    finally:
        await transport.close()
    assert TOKEN not in str(caught.value) and caught.value.__cause__ is None
    assert caught.value.__suppress_context__


class BrokenBody:
    """An answer whose body fails while it is read."""

    def __init__(self, failure: BaseException) -> None:
        self.failure = failure
        self.released = False

    async def read(self) -> bytes:
        raise self.failure

    def release(self) -> None:
        self.released = True


@pytest.mark.parametrize(
    ("failure", "cls", "message"),
    [
        (TimeoutError(), ApiTimeoutError, "timed out reading the response"),
        (aiohttp.ClientPayloadError("cut"), ApiConnectionError, "ClientPayloadError reading"),
        (ConnectionResetError(), ApiConnectionError, "ConnectionResetError reading"),
    ],
)
async def test_a_body_that_fails_while_read_is_typed_and_released(
    monkeypatch: pytest.MonkeyPatch, failure: Exception, cls: type[Exception], message: str
) -> None:
    transport = RESTClientObject(Configuration(host=HOST))
    body = BrokenBody(failure)

    async def open_(request: PreparedRequest, *, timeout: Any = None) -> Any:
        return body

    monkeypatch.setattr(transport, "open", open_)
    with pytest.raises(cls) as caught:
        await transport.request(REQUEST)
    assert str(caught.value) == f"POST {EMBEDDINGS_URL}: " + str(caught.value).split(": ", 1)[1]
    assert message in str(caught.value) and caught.value.__cause__ is failure
    assert body.released


def test_redaction_hides_every_request_header_but_the_harmless_ones() -> None:
    headers = CIMultiDictProxy(
        CIMultiDict(
            {"Authorization": f"Bearer {TOKEN}", "X-Api-Key": TOKEN, "Accept": "a/b", "Host": "h"}
        )
    )
    info = aiohttp.RequestInfo(URL(EMBEDDINGS_URL), "POST", headers, URL(EMBEDDINGS_URL))
    history = (object(),)
    error = aiohttp.ClientResponseError(info, history, status=400, message="bad")  # type: ignore[arg-type]
    rest_module._redact(error)
    assert dict(error.request_info.headers) == {
        "Authorization": "<redacted>",
        "X-Api-Key": "<redacted>",
        "Accept": "a/b",
        "Host": "h",
    }
    assert error.request_info.url == URL(EMBEDDINGS_URL) and error.request_info.method == "POST"
    assert error.history == () and TOKEN not in repr(error.args)
    assert error.args[0] is error.request_info and error.args[1] == ()


def test_redaction_hides_query_values_of_both_urls_and_keeps_the_fragment() -> None:
    url = URL(f"{EMBEDDINGS_URL}?api_key={TOKEN}&limit=3")
    info = aiohttp.RequestInfo(
        url, "GET", CIMultiDictProxy(CIMultiDict()), url.with_fragment("part")
    )
    error = aiohttp.ClientResponseError(info, (), status=500)
    rest_module._redact(error)
    redacted = URL(EMBEDDINGS_URL).with_query([("api_key", "<redacted>"), ("limit", "<redacted>")])
    assert error.request_info.url == redacted
    assert error.request_info.real_url == redacted.with_fragment("part")
    assert TOKEN not in repr(error.args) and TOKEN not in str(error.request_info)


def test_redaction_leaves_other_errors_alone() -> None:
    error = aiohttp.ClientConnectionError("reset", TOKEN)
    rest_module._redact(error)
    assert error.args == ("reset", TOKEN)


# ------------------------------------------------------------------ TLS settings


def test_turning_verification_off_warns_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rest_module, "_warned_unverified", False)
    with pytest.warns(UserWarning, match=r"^TLS certificate verification is off \(verify_ssl"):
        first = RESTClientObject(Configuration(host=HOST, verify_ssl=False))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RESTClientObject(Configuration(host=HOST, verify_ssl=False))
    assert first._ssl is False


def test_default_tls_is_verified_and_a_ca_file_makes_a_context() -> None:
    assert RESTClientObject(Configuration(host=HOST))._ssl is True
    context = RESTClientObject(
        Configuration(host=HOST, ssl_ca_cert=ssl.get_default_verify_paths().openssl_cafile)
    )._ssl
    assert isinstance(context, ssl.SSLContext) and context.verify_mode == ssl.CERT_REQUIRED


async def test_a_borrowed_session_gets_the_tls_setting_per_request(
    mocked: aioresponses, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rest_module, "_warned_unverified", True)  # warned already
    async with aiohttp.ClientSession() as session:
        transport = RESTClientObject(Configuration(host=HOST, verify_ssl=False), session=session)
        mocked.post(EMBEDDINGS_URL, body=b"")
        await transport.request(REQUEST)
        await transport.close()
        assert not session.closed
    ((_, calls),) = mocked.requests.items()
    assert calls[0].kwargs["ssl"] is False


async def test_the_tls_warning_points_at_the_code_that_made_the_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rest_module, "_warned_unverified", False)
    with pytest.warns(UserWarning, match="verification is off") as record:
        client = ApiClient(Configuration(host=HOST, verify_ssl=False))
    await client.close()
    assert record[0].filename == __file__


# ------------------------------------------------------------------ lifecycle


async def test_the_own_session_is_created_once_with_the_pool_size() -> None:
    transport = RESTClientObject(Configuration(host=HOST, connection_pool_maxsize=7))
    assert not transport.has_open_session and not transport.closed
    session = transport._get_session()
    assert transport._get_session() is session and transport.has_open_session
    assert session.connector is not None and session.connector.limit == 7
    assert session.trust_env is False and session.timeout == transport.default_timeout
    await transport.close()
    assert session.closed and transport.closed and not transport.has_open_session
    with pytest.raises(ClientStateError, match="closed"):
        transport._get_session()


async def test_a_borrowed_session_is_never_counted_as_open_and_never_closed() -> None:
    async with aiohttp.ClientSession() as session:
        transport = RESTClientObject(Configuration(host=HOST), session=session)
        assert transport._get_session() is session and not transport.has_open_session
        await transport.close()
        assert not session.closed
    transport = RESTClientObject(Configuration(host=HOST), session=session)
    with pytest.raises(ClientStateError, match="session given to this ApiClient is closed"):
        transport._get_session()
