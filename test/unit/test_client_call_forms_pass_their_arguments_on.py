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
from together.generated._runtime.operation import BodySpec, Operation, Param, ResponseSpec
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
