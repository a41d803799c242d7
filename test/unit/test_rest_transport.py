"""The aiohttp transport: per-call timeouts, what it sends with, the typed error of each
transport failure, redaction, the session's lifecycle (docs/reliability.md "Timeouts and
transport errors", "Lifecycle", "Security"; docs/runtime.md "Transport and connection pool"),
and redirects, which the transport follows itself as aiohttp would (at most 10 answers; a
303, or a 301/302 to a POST, becomes a GET without body) but with every credential the
runtime added kept on the request's origin, within one total timeout."""

from __future__ import annotations

import asyncio
import io
import os
import ssl
import warnings
from typing import Any

import aiohttp
import pytest
from aioresponses import CallbackResult, aioresponses
from multidict import CIMultiDict, CIMultiDictProxy
from pydantic import BaseModel, TypeAdapter
from yarl import URL

import together.generated._runtime.rest as rest_module
from support import EMBEDDINGS_URL, HOST, TOKEN, recorded
from together.generated import (
    ApiClient,
    ApiConnectionError,
    ApiTimeoutError,
    ApiValueError,
    ClientStateError,
    Configuration,
)
from together.generated._runtime.exceptions import RedirectLoopError
from together.generated._runtime.multipart import FileInput, MultipartBody, encode_multipart
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
    # The runtime takes None for a part (rest._seconds, none_ok=True); RequestTimeout's
    # tuple[float, float] does not say so: a typing gap of the package, not of this test.
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
    ((_, calls),) = recorded(mocked).items()
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
    ((_, calls),) = recorded(mocked).items()
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

    status = 200

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

    async def answered() -> Any:
        return body

    class Answering:  # the session: its request answers with the broken body
        closed = False

        def request(self, *args: Any, **kwargs: Any) -> Any:
            return answered()

    monkeypatch.setattr(transport, "_session", Answering())
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
    ((_, calls),) = recorded(mocked).items()
    assert calls[0].kwargs["ssl"] is False


@pytest.mark.skipif(
    bool(os.environ.get("MUTANT_UNDER_TEST")),
    reason="mutmut's trampolines add stack frames between the client and the warning",
)
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


# ================================================================== redirects

BODY = b'{"input": "text"}'
JSON_HEADERS = {
    "Authorization": f"Bearer {TOKEN}",
    "Content-Type": "application/json",
    "Content-Length": str(len(BODY)),
    "X-Mine": "1",
}


def post(
    headers: dict[str, str] | None = None,
    query: list[tuple[str, str]] | None = None,
    body: bytes | MultipartBody | None = BODY,
    method: str = "POST",
    secret_names: frozenset[str] = frozenset(),
) -> PreparedRequest:
    return PreparedRequest(
        method,
        EMBEDDINGS_URL,
        dict(JSON_HEADERS if headers is None else headers),
        list(query or []),
        body,
        secret_names,
    )


def sent(mocked: aioresponses) -> list[tuple[str, URL, dict[str, Any]]]:
    """(method, URL, keyword arguments) of each request, in the order first sent."""
    return [
        (method, url, call.kwargs)
        for (method, url), calls in recorded(mocked).items()
        for call in calls
    ]


async def send(request: PreparedRequest, timeout: Any = None, **settings: Any) -> tuple[int, bytes]:
    transport = RESTClientObject(Configuration(host=HOST, **settings))
    try:
        response = await transport.request(request, timeout=timeout)
    finally:
        await transport.close()
    return response.status, response.data


# ------------------------------------------------------------------ method and body


async def test_a_303_turns_a_post_into_a_get_without_body_or_content_headers(
    mocked: aioresponses,
) -> None:
    mocked.post(f"{EMBEDDINGS_URL}?limit=3", status=303, headers={"Location": "result?page=2"})
    mocked.get(f"{HOST}/result?page=2", body=b"done")
    status, data = await send(post(query=[("limit", "3")]))
    assert (status, data) == (200, b"done")
    (_, _, first), (method, url, kwargs) = sent(mocked)
    assert first["data"] == BODY and first["params"] == [("limit", "3")]
    assert (method, str(url)) == ("GET", f"{HOST}/result?page=2")
    assert kwargs["data"] is None and kwargs["params"] is None
    # Same origin: the credential stays; the body's headers go with the body.
    assert kwargs["headers"] == {"Authorization": f"Bearer {TOKEN}", "X-Mine": "1"}
    assert kwargs["allow_redirects"] is False


@pytest.mark.parametrize(
    ("status", "method", "then"),
    [
        (301, "POST", "GET"),
        (302, "POST", "GET"),
        (303, "PUT", "GET"),
        (303, "DELETE", "GET"),
        (307, "POST", "POST"),
        (308, "POST", "POST"),
        (301, "PUT", "PUT"),
        (302, "PATCH", "PATCH"),
    ],
)
async def test_which_redirects_drop_the_body(
    mocked: aioresponses, status: int, method: str, then: str
) -> None:
    mocked.add(EMBEDDINGS_URL, method, status=status, headers={"Location": f"{HOST}/next"})
    mocked.add(f"{HOST}/next", then, body=b"ok")
    assert await send(post(method=method)) == (200, b"ok")
    _, (sent_method, url, kwargs) = sent(mocked)
    assert (sent_method, str(url)) == (then, f"{HOST}/next")
    if then == method:
        assert kwargs["data"] == BODY and kwargs["headers"] == JSON_HEADERS
    else:
        assert kwargs["data"] is None and "Content-Type" not in kwargs["headers"]


async def test_a_303_to_a_head_stays_a_head(mocked: aioresponses) -> None:
    mocked.head(EMBEDDINGS_URL, status=303, headers={"Location": f"{HOST}/next"})
    mocked.head(f"{HOST}/next", status=200)
    request = post(method="HEAD", body=None, headers={"Accept": "a/b", "Content-Type": "a/b"})
    assert (await send(request))[0] == 200
    _, (method, _, kwargs) = sent(mocked)
    assert method == "HEAD" and kwargs["headers"] == {"Accept": "a/b", "Content-Type": "a/b"}


class Unseekable(io.RawIOBase):
    """A binary file object that cannot seek: a raw stream, which FileInput's BinaryReader
    takes (typing.IO would leave it out)."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return 0


def multipart(file: FileInput) -> MultipartBody:
    return encode_multipart(TypeAdapter(Upload), Upload(file=file), ("file",), operation_id="up")


async def test_an_upload_from_a_file_object_read_once_cannot_follow_a_307(
    mocked: aioresponses,
) -> None:
    mocked.post(EMBEDDINGS_URL, status=307, headers={"Location": f"{HOST}/next"})
    with pytest.raises(ApiConnectionError) as caught:
        await send(post(body=multipart(Unseekable())))
    assert str(caught.value) == (
        f"POST {EMBEDDINGS_URL}: redirected (307), but the upload streams from a file object "
        "that cannot be read twice; pass a path or bytes"
    )
    assert len(sent(mocked)) == 1


async def test_an_upload_that_can_be_read_again_follows_a_307_and_any_upload_a_303(
    mocked: aioresponses,
) -> None:
    mocked.post(EMBEDDINGS_URL, status=307, headers={"Location": f"{HOST}/next"})
    mocked.post(f"{HOST}/next", body=b"stored")
    assert await send(post(body=multipart(b"bytes"))) == (200, b"stored")
    mocked.post(EMBEDDINGS_URL, status=303, headers={"Location": f"{HOST}/result"})
    mocked.get(f"{HOST}/result", body=b"done")
    assert await send(post(body=multipart(Unseekable()))) == (200, b"done")


# ------------------------------------------------------------------ where to


async def test_a_3xx_without_a_location_is_the_answer(mocked: aioresponses) -> None:
    mocked.post(EMBEDDINGS_URL, status=302, body=b"moved, but where?")
    assert await send(post()) == (302, b"moved, but where?")
    assert len(sent(mocked)) == 1


async def test_a_uri_header_is_followed_when_there_is_no_location(mocked: aioresponses) -> None:
    mocked.post(EMBEDDINGS_URL, status=307, headers={"URI": f"{HOST}/next"})
    mocked.post(f"{HOST}/next", body=b"ok")
    assert await send(post()) == (200, b"ok")


@pytest.mark.parametrize(
    ("location", "target"),
    [
        ("/v2/x", "https://api.test/v2/x"),
        ("other", f"{HOST}/other"),
        ("//mirror.test/x?a=1", "https://mirror.test/x?a=1"),
        ("https:other", f"{HOST}/other"),  # a scheme without a host: relative, as in aiohttp
        ("http://api.test/v1/plain#top", "http://api.test/v1/plain"),
        (f"{HOST}/x?a=1#part", f"{HOST}/x?a=1"),
    ],
)
async def test_a_location_is_resolved_against_the_url_and_loses_its_fragment(
    mocked: aioresponses, location: str, target: str
) -> None:
    mocked.get(EMBEDDINGS_URL, status=302, headers={"Location": location})
    mocked.get(target, body=b"ok")
    request = post(method="GET", body=None, headers={"Accept": "a/b"})
    assert await send(request) == (200, b"ok")
    _, (_, url, _) = sent(mocked)
    assert str(url) == target


@pytest.mark.parametrize(
    "location",
    [f"ftp://api.test/x?key={TOKEN}", f"mailto:{TOKEN}@api.test", f"http://[::1/x?key={TOKEN}"],
)
async def test_a_location_that_is_not_an_http_url_is_a_value_error_that_does_not_quote_it(
    mocked: aioresponses, location: str
) -> None:
    mocked.post(EMBEDDINGS_URL, status=302, headers={"Location": location})
    with pytest.raises(ApiValueError) as caught:
        await send(post())
    assert str(caught.value) == (
        f"POST {EMBEDDINGS_URL}: the server redirected to a location that is not an http(s) URL"
    )
    assert TOKEN not in str(caught.value) and caught.value.__cause__ is None
    assert caught.value.__suppress_context__


async def test_nine_redirects_are_followed(mocked: aioresponses) -> None:
    mocked.post(EMBEDDINGS_URL, status=307, headers={"Location": f"{HOST}/r1"})
    for hop in range(1, 9):
        mocked.post(f"{HOST}/r{hop}", status=307, headers={"Location": f"{HOST}/r{hop + 1}"})
    mocked.post(f"{HOST}/r9", body=b"at last")
    assert await send(post()) == (200, b"at last")
    assert len(sent(mocked)) == 10


async def test_a_redirect_loop_stops_after_ten_answers(mocked: aioresponses) -> None:
    mocked.post(EMBEDDINGS_URL, status=307, headers={"Location": EMBEDDINGS_URL}, repeat=True)
    with pytest.raises(RedirectLoopError) as caught:
        await send(post())
    assert str(caught.value) == (
        f"POST {EMBEDDINGS_URL}: redirected 10 times without an answer (a redirect loop?)"
    )
    assert len(sent(mocked)) == 10


# ------------------------------------------------------------------ credentials


SECRET_HEADERS = {
    "Authorization": f"Bearer {TOKEN}",
    "cookie": "session=1",
    "Proxy-Authorization": "Basic cA==",
    "X-Api-Key": TOKEN,
    "Accept": "a/b",
}


async def test_another_origin_gets_no_credential_and_no_api_key_in_its_query(
    mocked: aioresponses,
) -> None:
    mocked.get(
        f"{EMBEDDINGS_URL}?api_key={TOKEN}",
        status=302,
        headers={"Location": f"https://other.test/x?API_KEY={TOKEN}&page=2"},
    )
    mocked.get("https://other.test/x?page=2", body=b"ok")
    request = post(
        method="GET",
        body=None,
        headers=SECRET_HEADERS,
        query=[("api_key", TOKEN)],
        secret_names=frozenset({"x-api-key", "api_key"}),
    )
    assert await send(request) == (200, b"ok")
    _, (_, url, kwargs) = sent(mocked)
    assert str(url) == "https://other.test/x?page=2"
    assert kwargs["headers"] == {"Accept": "a/b"}


async def test_another_origin_keeps_a_query_when_no_key_was_added(mocked: aioresponses) -> None:
    mocked.get(EMBEDDINGS_URL, status=302, headers={"Location": "https://other.test/x?api_key=1"})
    mocked.get("https://other.test/x?api_key=1", body=b"ok")
    assert await send(post(method="GET", body=None, headers=SECRET_HEADERS)) == (200, b"ok")
    _, (_, _, kwargs) = sent(mocked)
    # Authorization, Cookie and Proxy-Authorization never leave the origin; other headers do.
    assert kwargs["headers"] == {"X-Api-Key": TOKEN, "Accept": "a/b"}


@pytest.mark.parametrize("other", ["http://api.test/v1/x", "https://api.test:8443/v1/x"])
async def test_another_scheme_or_port_is_another_origin(mocked: aioresponses, other: str) -> None:
    mocked.get(EMBEDDINGS_URL, status=307, headers={"Location": other})
    mocked.get(other, body=b"ok")
    request = post(method="GET", body=None, headers=SECRET_HEADERS)
    assert await send(request) == (200, b"ok")
    _, (_, _, kwargs) = sent(mocked)
    assert "Authorization" not in kwargs["headers"]


async def test_the_same_origin_keeps_every_credential_and_the_query(mocked: aioresponses) -> None:
    mocked.get(f"{EMBEDDINGS_URL}?api_key=k", status=307, headers={"Location": "x?api_key=k"})
    mocked.get(f"{HOST}/x?api_key=k", body=b"ok")
    request = post(
        method="GET",
        body=None,
        headers=SECRET_HEADERS,
        query=[("api_key", "k")],
        secret_names=frozenset({"x-api-key", "api_key"}),
    )
    assert await send(request) == (200, b"ok")
    _, (_, url, kwargs) = sent(mocked)
    assert kwargs["headers"] == SECRET_HEADERS and url.query["api_key"] == "k"


# ------------------------------------------------------------------ one total timeout


def slow(status: int, location: str, seconds: float) -> Any:
    async def answer(url: URL, **kwargs: Any) -> Any:
        await asyncio.sleep(seconds)
        return CallbackResult(status=status, headers={"Location": location})

    return answer


async def test_the_redirects_share_the_call_s_total_timeout(mocked: aioresponses) -> None:
    mocked.post(EMBEDDINGS_URL, callback=slow(307, f"{HOST}/next", 0.05))
    mocked.post(f"{HOST}/next", body=b"ok")
    assert await send(post(), timeout=(2.0, 5.0), total_timeout=30.0) == (200, b"ok")
    (_, _, first), (_, _, second) = sent(mocked)
    assert first["timeout"] == aiohttp.ClientTimeout(total=30.0, connect=2.0, sock_read=5.0)
    left = second["timeout"]
    assert 29.0 < left.total <= 30.0 - 0.05  # the first answer's 0.05 s are spent
    assert (left.connect, left.sock_read, left.sock_connect) == (2.0, 5.0, None)


async def test_a_redirect_keeps_each_limit_of_an_aiohttp_timeout(mocked: aioresponses) -> None:
    mocked.post(EMBEDDINGS_URL, status=307, headers={"Location": f"{HOST}/next"})
    mocked.post(f"{HOST}/next", body=b"ok")
    own = aiohttp.ClientTimeout(total=30.0, connect=2.0, sock_read=5.0, sock_connect=3.0)
    assert await send(post(), timeout=own) == (200, b"ok")
    _, (_, _, kwargs) = sent(mocked)
    left = kwargs["timeout"]
    assert 29.0 < left.total <= 30.0
    assert (left.connect, left.sock_read, left.sock_connect) == (2.0, 5.0, 3.0)


async def test_a_redirect_after_the_total_timeout_is_a_timeout(mocked: aioresponses) -> None:
    mocked.post(EMBEDDINGS_URL, callback=slow(307, f"{HOST}/next", 0.05))
    mocked.post(f"{HOST}/next", body=b"ok")
    with pytest.raises(ApiTimeoutError) as caught:
        await send(post(), timeout=0.04)
    assert str(caught.value) == f"POST {EMBEDDINGS_URL}: timed out"
    assert len(sent(mocked)) == 1


async def test_without_a_total_timeout_a_redirect_has_none(mocked: aioresponses) -> None:
    mocked.post(EMBEDDINGS_URL, status=307, headers={"Location": f"{HOST}/next"})
    mocked.post(f"{HOST}/next", body=b"ok")
    unbounded = aiohttp.ClientTimeout(total=None, sock_connect=3.0)
    assert await send(post(), timeout=unbounded) == (200, b"ok")
    _, (_, _, kwargs) = sent(mocked)
    assert kwargs["timeout"] == unbounded


async def test_a_short_total_timeout_still_follows_a_quick_redirect(mocked: aioresponses) -> None:
    mocked.post(EMBEDDINGS_URL, status=307, headers={"Location": f"{HOST}/next"})
    mocked.post(f"{HOST}/next", body=b"ok")
    assert await send(post(), timeout=0.9) == (200, b"ok")
    _, (_, _, kwargs) = sent(mocked)
    assert 0.5 < kwargs["timeout"].total < 0.9


# ------------------------------------------------------------------ the target's failures


async def test_a_fragment_only_location_repeats_the_request_with_its_query(
    mocked: aioresponses,
) -> None:
    mocked.get(f"{EMBEDDINGS_URL}?limit=3", status=302, headers={"Location": "#again"})
    mocked.get(f"{EMBEDDINGS_URL}?limit=3", body=b"ok")
    request = post(method="GET", body=None, headers={"Accept": "a/b"}, query=[("limit", "3")])
    assert await send(request) == (200, b"ok")
    assert [str(url) for _, url, _ in sent(mocked)] == [f"{EMBEDDINGS_URL}?limit=3"] * 2


async def test_a_failure_at_the_redirect_target_names_the_original_request(
    mocked: aioresponses,
) -> None:
    mocked.post(EMBEDDINGS_URL, status=307, headers={"Location": "https://other.test/x"})
    mocked.post("https://other.test/x", exception=aiohttp.ClientConnectionError("reset"))
    with pytest.raises(ApiConnectionError) as caught:
        await send(post())
    assert str(caught.value) == f"POST {EMBEDDINGS_URL}: ClientConnectionError: reset"


# ------------------------------------------------ the same mapping for every send


SEND_FAILURES = [
    (TimeoutError(), ApiTimeoutError, f"POST {EMBEDDINGS_URL}: timed out", True),
    (
        OSError("unreachable"),
        ApiConnectionError,
        f"POST {EMBEDDINGS_URL}: OSError: unreachable",
        True,
    ),
    (
        RuntimeError("other loop"),
        ClientStateError,
        f"POST {EMBEDDINGS_URL}: aiohttp cannot send from here: other loop",
        True,
    ),
    (ValueError(f"bad header {TOKEN}"), ApiValueError, None, False),
]


@pytest.mark.parametrize(("failure", "cls", "message", "chained"), SEND_FAILURES)
async def test_open_maps_a_failure_to_send_as_request_does(
    mocked: aioresponses,
    failure: Exception,
    cls: type[Exception],
    message: str | None,
    chained: bool,
) -> None:
    """Streams and downloads open through ``open()``: the same typed errors, the same chain."""
    transport = RESTClientObject(Configuration(host=HOST))
    mocked.post(EMBEDDINGS_URL, exception=failure)
    try:
        with pytest.raises(cls) as caught:
            await transport.open(REQUEST)
    finally:
        await transport.close()
    if message is not None:
        assert str(caught.value) == message
    assert caught.value.__cause__ is (failure if chained else None)
    assert TOKEN not in str(caught.value)


@pytest.mark.parametrize(("failure", "cls", "message", "chained"), SEND_FAILURES)
async def test_a_failure_to_send_after_a_redirect_is_mapped_the_same(
    mocked: aioresponses,
    failure: Exception,
    cls: type[Exception],
    message: str | None,
    chained: bool,
) -> None:
    """The send after a redirect names the original request, like the first send."""
    transport = RESTClientObject(Configuration(host=HOST))
    mocked.post(EMBEDDINGS_URL, status=307, headers={"Location": f"{HOST}/moved"})
    mocked.post(f"{HOST}/moved", exception=failure)
    try:
        with pytest.raises(cls) as caught:
            await transport.request(REQUEST)
    finally:
        await transport.close()
    if message is not None:
        assert str(caught.value) == message
    assert caught.value.__cause__ is (failure if chained else None)
