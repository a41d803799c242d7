"""Every form of call (``call_api``, ``call_api_stream``, ``call_api_download``,
``call_api_raw``) sends what it is given: parameters, extra headers, retries, deadline; the
default client; uploads that cannot be sent twice; the errors for bad arguments, word for
word. A fake transport records each request (no sockets)."""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass, field
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from pydantic import BaseModel, TypeAdapter

from support import HOST, TOKEN
from together.generated import (
    ApiClient,
    ApiTimeoutError,
    ApiTypeError,
    ApiValueError,
    Configuration,
    ServiceUnavailableException,
)
from together.generated._runtime.multipart import FileInput, MultipartBody
from together.generated._runtime.operation import (
    BodySpec,
    Operation,
    Param,
    ResponseSpec,
    SecurityScheme,
)
from together.generated._runtime.rest import PreparedRequest, RequestTimeout, RESTResponse

ERROR = b'{"error": {"message": "busy", "type": "server_error"}}'


class Opened:
    """An answer with its body unread, as a transport's ``open`` returns it."""

    def __init__(self, status: int, body: bytes, content_type: str) -> None:
        self.status = status
        self.reason = "OK" if status == 200 else "Service Unavailable"
        self.headers = CIMultiDictProxy(CIMultiDict({"Content-Type": content_type}))
        self._body = body
        self.content = self

        self.closed = False

    async def read(self, n: int = -1) -> bytes:
        body, self._body = self._body, b""
        return body

    async def readany(self) -> bytes:
        return await self.read()

    def release(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


@dataclass
class Recording:
    """Answers 503 ``failures`` times, then 200 (a stream for a stream call); records every
    request. ``delay`` seconds pass before each answer."""

    failures: int = 0
    delay: float = 0.0
    sent: list[PreparedRequest] = field(default_factory=list)
    closed: bool = False

    def _status(self, request: PreparedRequest) -> int:
        self.sent.append(request)
        return 503 if len(self.sent) <= self.failures else 200

    async def request(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> RESTResponse:
        status = self._status(request)
        await asyncio.sleep(self.delay)
        body = ERROR if status == 503 else b'{"ok": true}'
        headers = {"Content-Type": "application/json"}
        return RESTResponse(status, None, headers, body, "application/json")

    async def open(self, request: PreparedRequest, *, timeout: RequestTimeout = None) -> Any:
        status = self._status(request)
        await asyncio.sleep(self.delay)
        if status == 503:
            return Opened(503, ERROR, "application/json")
        if "text/event-stream" in request.headers.get("Accept", ""):
            return Opened(200, b'data: {"n": 1}\n\ndata: [DONE]\n\n', "text/event-stream")
        return Opened(200, b"file bytes", "application/octet-stream")

    async def close(self) -> None:
        self.closed = True


async def no_wait(delay: float) -> None:
    pass


def client(transport: Recording, **settings: Any) -> ApiClient:
    settings.setdefault("retries", 0)
    api_client = ApiClient(
        Configuration(host=HOST, access_token=TOKEN, **settings), transport=transport
    )
    api_client._sleep = no_wait
    return api_client


ID = Param("id", "path", TypeAdapter(str))
GET: Operation[Any] = Operation(
    "getThing",
    "GET",
    "/things/{id}",
    params=(ID,),
    responses={"200": ResponseSpec.json(dict[str, Any])},
    retry_safe=True,
)
STREAM: Operation[Any] = Operation(
    "streamThing",
    "POST",
    "/things/{id}/stream",
    params=(ID,),
    stream_responses={"200": ResponseSpec.event_stream(dict[str, int])},
    retry_safe=True,
)
DOWNLOAD: Operation[bytes] = Operation(
    "thingContent",
    "GET",
    "/things/{id}/content",
    params=(ID,),
    responses={"200": ResponseSpec("bytes")},
    accept="application/octet-stream",
    retry_safe=True,
)


class Upload(BaseModel):
    file: FileInput


UPLOAD: Operation[Any] = Operation(
    "upload",
    "POST",
    "/files",
    body=BodySpec("multipart/form-data", TypeAdapter(Upload), model=Upload, file_fields=("file",)),
    responses={"200": ResponseSpec.json(dict[str, Any])},
    retry_safe=True,
)


# ------------------------------------------------------------------ arguments reach the request


async def test_a_stream_call_fills_the_path_and_sends_extra_headers() -> None:
    transport = Recording()
    async with client(transport) as api_client:
        stream = await api_client.call_api_stream(
            STREAM, {"id": "t 1"}, None, headers={"X-Trace": "abc"}
        )
        assert [chunk async for chunk in stream] == [{"n": 1}]
    (sent,) = transport.sent
    assert sent.url == f"{HOST}/things/t%201/stream"
    assert sent.headers["X-Trace"] == "abc"
    assert sent.headers["Accept"] == "text/event-stream"


async def test_a_stream_call_may_replace_the_accept_header() -> None:
    transport = Recording()
    async with client(transport) as api_client:
        await (
            await api_client.call_api_stream(
                STREAM, {"id": "t"}, headers={"Accept": "text/event-stream; q=1"}
            )
        ).aclose()
    assert transport.sent[0].headers["Accept"] == "text/event-stream; q=1"


async def test_a_download_sends_extra_headers_and_honours_retries_and_deadline() -> None:
    transport = Recording(failures=1)
    async with client(transport, retries=3) as api_client:
        with pytest.raises(ServiceUnavailableException):
            await api_client.call_api_download(
                DOWNLOAD, {"id": "t"}, None, io.BytesIO(), headers={"X-Trace": "d"}, retries=0
            )
    assert len(transport.sent) == 1 and transport.sent[0].headers["X-Trace"] == "d"
    slow = Recording(delay=5.0)
    async with client(slow) as api_client:
        with pytest.raises(ApiTimeoutError, match=r"deadline of 0\.05 s"):
            await api_client.call_api_download(
                DOWNLOAD, {"id": "t"}, None, io.BytesIO(), deadline=0.05
            )


async def test_a_raw_call_sends_extra_headers() -> None:
    transport = Recording()
    async with client(transport) as api_client:
        response: Any = await api_client.call_api_raw(GET, {"id": "t"}, headers={"X-Raw": "1"})
    assert response.status == 200
    assert transport.sent[0].headers["X-Raw"] == "1"


# ------------------------------------------------------------------ uploads and retries


async def test_an_upload_from_bytes_is_retried_and_one_from_an_unseekable_file_is_not() -> None:
    transport = Recording(failures=1)
    async with client(transport, retries=2) as api_client:
        assert (await api_client.call_api(UPLOAD, {}, Upload(file=b"data"))).data == {"ok": True}
    assert len(transport.sent) == 2
    sent = transport.sent[0]
    assert isinstance(sent.body, MultipartBody)
    # RFC 7578: the boundary the body is written with is announced in the Content-Type.
    assert sent.headers["Content-Type"] == f"multipart/form-data; boundary={sent.body.boundary}"
    assert sent.headers["Content-Length"] == str(sent.body.content_length)

    class Unseekable(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            return 0

    once = Recording(failures=1)
    async with client(once, retries=2) as api_client:
        with pytest.raises(ServiceUnavailableException):
            await api_client.call_api(UPLOAD, {}, Upload(file=Unseekable()))
    assert len(once.sent) == 1


# ------------------------------------------------------------------ the default client


def test_the_default_client_is_made_once_and_can_be_replaced_or_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TOGETHER_API_KEY", raising=False)

    class Client(ApiClient):
        pass

    Client.set_default(None)  # nothing set yet: nothing to drop, no error
    first = Client.get_default()
    assert isinstance(first, Client) and Client.get_default() is first
    mine = Client(Configuration(host=HOST))
    Client.set_default(mine)
    assert Client.get_default() is mine
    Client.set_default(None)
    assert Client.get_default() is not mine
    Client.set_default(None)


# ------------------------------------------------------------------ bad arguments, word for word


def test_a_retry_strategy_without_decide_is_refused_naming_its_type() -> None:
    with pytest.raises(ApiTypeError) as caught:
        ApiClient(Configuration(host=HOST), transport=Recording(), retry_policy="often")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "retry_policy must be a RetryStrategy (an object with decide(outcome)), not str"
    )


@pytest.mark.parametrize(
    ("headers", "error", "message"),
    [
        (
            [("X-A", "1")],
            ApiTypeError,
            "_headers must be a mapping of names to values, not list",
        ),
        (
            {"X-A": 1},
            ApiTypeError,
            "_headers must map str names to str values; 'X-A' has a int value",
        ),
        ({1: "v"}, ApiTypeError, "_headers must map str names to str values, not a int name"),
        (
            {"X A": "v"},
            ApiValueError,
            "_headers: 'X A' is not a valid header name (RFC 9110: letters, digits "
            "and !#$%&'*+-.^_`|~, at least one)",
        ),
        (
            {"X-A": "v\r\nX-B: w"},
            ApiValueError,
            "the value of the header 'X-A' contains a line break or NUL",
        ),
    ],
    ids=["not-a-mapping", "int-value", "int-name", "space-in-name", "line-break"],
)
async def test_bad_extra_headers_are_refused_word_for_word(
    headers: Any, error: type[Exception], message: str
) -> None:
    transport = Recording()
    async with client(transport) as api_client:
        with pytest.raises(error) as caught:
            await api_client.call_api(GET, {"id": "t"}, headers=headers)
    assert str(caught.value) == message
    assert transport.sent == []


def test_a_session_or_trace_configs_beside_a_transport_are_refused_word_for_word() -> None:
    with pytest.raises(ApiValueError) as caught:
        ApiClient(Configuration(host=HOST), transport=Recording(), trace_configs=[object()])  # type: ignore[list-item]
    assert str(caught.value) == "give a transport, or a session / trace_configs, not both"


async def test_trace_configs_beside_a_session_of_ones_own_are_refused_word_for_word() -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        with pytest.raises(ApiValueError) as caught:
            ApiClient(
                Configuration(host=HOST), session=session, trace_configs=[aiohttp.TraceConfig()]
            )
    assert str(caught.value) == (
        "trace_configs apply to the session the client creates; for a session of your own, "
        "pass them to aiohttp.ClientSession(trace_configs=...)"
    )


async def test_a_retry_strategy_of_one_call_without_decide_is_refused_naming_the_argument() -> None:
    transport = Recording()
    async with client(transport) as api_client:
        with pytest.raises(ApiTypeError) as caught:
            await api_client.call_api(
                GET,
                {"id": "t"},
                retry_policy="often",  # type: ignore[call-overload]  # the wrong type is the point
            )
    assert str(caught.value) == (
        "_retry_policy must be a RetryStrategy (an object with decide(outcome)), not str"
    )
    assert transport.sent == []


# ------------------------------------------------------------------ what the client adds


async def test_a_default_header_needs_a_name_and_a_value() -> None:
    transport = Recording()
    configuration = Configuration(host=HOST, access_token=TOKEN, retries=0)
    async with ApiClient(configuration, "X-Team", "blue", transport=transport) as api_client:
        await api_client.call_api(GET, {"id": "t"})
    assert transport.sent[0].headers["X-Team"] == "blue"
    for half in (("X-Team", None), (None, "blue")):
        async with ApiClient(configuration, *half, transport=transport) as api_client:
            assert "X-Team" not in api_client.default_headers
            assert None not in api_client.default_headers
            await api_client.call_api(GET, {"id": "t"})
        assert "X-Team" not in transport.sent[-1].headers


class Note(BaseModel):
    text: str


NOTE: Operation[Any] = Operation(
    "addNote",
    "POST",
    "/notes",
    params=(Param("X-Request-Tag", "header", TypeAdapter(str)),),
    body=BodySpec("application/json", TypeAdapter(Note), model=Note, required=False),
    responses={"200": ResponseSpec.json(dict[str, Any])},
)


async def test_a_header_parameter_is_sent_and_an_optional_body_left_out_sends_no_content_type() -> (
    None
):
    transport = Recording()
    async with client(transport) as api_client:
        await api_client.call_api(NOTE, {"X-Request-Tag": "n1"}, Note(text="hi"))
        await api_client.call_api(NOTE, {"X-Request-Tag": "n2"})
    with_body, without = transport.sent
    assert with_body.headers["X-Request-Tag"] == "n1"
    assert with_body.headers["Content-Type"] == "application/json"
    assert with_body.body == b'{"text":"hi"}'
    assert without.headers["X-Request-Tag"] == "n2"
    assert without.body is None and "Content-Type" not in without.headers


QUERY_KEY = SecurityScheme("queryKey", "apiKey", "query", "api_key")
HEADER_KEY = SecurityScheme("headerKey", "apiKey", "header", "X-Api-Key")
COOKIE_KEY = SecurityScheme("cookieKey", "apiKey", "cookie", "session")


def keyed(*schemes: SecurityScheme, params: tuple[Param, ...] = ()) -> Operation[Any]:
    return Operation(
        "listKeyed",
        "GET",
        "/keyed",
        params=params,
        responses={"200": ResponseSpec.json(dict[str, Any])},
        security=schemes,
    )


async def test_an_api_key_goes_where_the_spec_says_and_is_marked_as_a_secret() -> None:
    """An API key in a header or the query is named in the request's ``secret_names``: the
    names that must not follow a redirect to another origin (see rest.py)."""
    transport = Recording()
    configuration = Configuration(
        host=HOST, api_key={"queryKey": "q-key", "headerKey": "h-key"}, retries=0
    )
    page = Param("page", "query", TypeAdapter(int))
    async with ApiClient(configuration, transport=transport) as api_client:
        await api_client.call_api(keyed(QUERY_KEY, params=(page,)), {"page": 2})
        await api_client.call_api(keyed(QUERY_KEY))
        await api_client.call_api(keyed(HEADER_KEY))
    by_query_with_page, by_query, by_header = transport.sent
    assert by_query_with_page.query == [("page", "2"), ("api_key", "q-key")]
    assert by_query.query == [("api_key", "q-key")]
    assert by_query.secret_names == frozenset({"api_key"})
    assert by_header.headers["X-Api-Key"] == "h-key" and by_header.query == []
    assert by_header.secret_names == frozenset({"x-api-key"})


async def test_the_client_cookie_is_sent_with_cookie_parameters_and_an_api_key_cookie() -> None:
    transport = Recording()
    configuration = Configuration(host=HOST, api_key={"cookieKey": "c-key"}, retries=0)
    theme = Param("theme", "cookie", TypeAdapter(str))
    page = Param("page", "query", TypeAdapter(int))
    async with ApiClient(configuration, cookie="team=blue", transport=transport) as api_client:
        await api_client.call_api(keyed())
        await api_client.call_api(keyed(COOKIE_KEY))
        await api_client.call_api(keyed(params=(theme,)), {"theme": "dark"})
        await api_client.call_api(keyed(COOKIE_KEY, params=(theme,)), {"theme": "dark"})
        # Parameters that set no cookie leave the client's cookie as it is.
        await api_client.call_api(keyed(params=(page,)), {"page": 2})
    cookies = [sent.headers.get("Cookie") for sent in transport.sent]
    assert cookies == [
        "team=blue",
        "team=blue; session=c-key",
        "team=blue; theme=dark",
        "team=blue; theme=dark; session=c-key",
        "team=blue",
    ]
    assert all("cookie" not in sent.headers for sent in transport.sent)


async def test_the_unclosed_client_warning_says_what_to_do_and_names_the_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The warning's ``source`` is the client, so ``python -X tracemalloc`` can say where it
    was made (as for aiohttp's own unclosed sessions)."""
    import gc

    from aioresponses import aioresponses

    api_client = ApiClient(Configuration(host=HOST, access_token=TOKEN, retries=0))
    with aioresponses() as mocked:
        mocked.get(f"{HOST}/things/t", payload={"ok": True})
        await api_client.call_api(GET, {"id": "t"})
    rest_client = api_client.rest_client
    made = id(api_client)
    with pytest.warns(ResourceWarning, match="Unclosed ApiClient") as caught:
        del api_client
        gc.collect()
    assert [str(warning.message) for warning in caught] == [
        "Unclosed ApiClient: use `async with ApiClient(...)` or `await client.close()`"
    ]
    assert [id(warning.source) for warning in caught] == [made]
    assert all(isinstance(warning.source, ApiClient) for warning in caught)
    # Attributed to the client's __del__, as aiohttp's own: not to whichever code happened to
    # drop the last reference or run the collector (stacklevel 2 would name this test).
    assert [warning.filename.rsplit("/", 1)[-1] for warning in caught] == ["api_client.py"]
    await rest_client.close()
