"""What the hooks are told of an attempt, and what the transport sends after a redirect.

Written for survivors of the mutation run of the functions changed for speed (issue 12,
docs/testing.md, "Lead's run of the changed functions, transport and attempts"): a
stream's or download's answer (``RESTClientObject.open``) redirected, the settings and the
upload sent again after a redirect, the text of a value aiohttp refuses, and the method and
request a hook hears of.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from multidict import CIMultiDict, CIMultiDictProxy
from pydantic import BaseModel, TypeAdapter
from yarl import URL

from support import EMBEDDINGS_URL, HOST, TOKEN, embeddings_payload, recorded
from together.generated import (
    ApiClient,
    ApiConnectionError,
    ApiValueError,
    Configuration,
    EmbeddingsApi,
    EmbeddingsRequest,
)
from together.generated._runtime.exceptions import MalformedResponseException
from together.generated._runtime.hooks import AttemptRequest, AttemptResult
from together.generated._runtime.multipart import FileInput, encode_multipart
from together.generated._runtime.rest import (
    PreparedRequest,
    RequestTimeout,
    RESTClientObject,
    RESTResponse,
)

PROXY = "http://proxy.local:3128"


def post(body: Any = b'{"a": 1}') -> PreparedRequest:
    return PreparedRequest("POST", EMBEDDINGS_URL, {"Authorization": f"Bearer {TOKEN}"}, [], body)


def sent(mocked: aioresponses) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, URL, keyword arguments given to aiohttp) of each request, in order."""
    return [
        (method, str(url), call.kwargs)
        for (method, url), calls in recorded(mocked).items()
        for call in calls
    ]


# ------------------------------------------------------------------ redirects of open()


async def test_an_unread_answer_follows_a_redirect_within_the_calls_total_timeout(
    mocked: aioresponses,
) -> None:
    # open() is what streams and downloads send through: it follows redirects itself.
    mocked.post(EMBEDDINGS_URL, status=307, headers={"Location": f"{HOST}/next"})
    mocked.post(f"{HOST}/next", status=200, body=b"the answer")
    transport = RESTClientObject(Configuration(host=HOST))
    try:
        response = await transport.open(post(), timeout=30)
        try:
            assert (response.status, await response.read()) == (200, b"the answer")
        finally:
            response.release()
    finally:
        await transport.close()
    (_, _, first), (method, url, second) = sent(mocked)
    assert (method, url) == ("POST", f"{HOST}/next")
    assert second["data"] == b'{"a": 1}'
    assert second["headers"] == {"Authorization": f"Bearer {TOKEN}"}
    # The redirect shares the 30 s of the call: what is left of them, not 30 s again.
    assert first["timeout"].total == 30.0 and 0 < second["timeout"].total <= 30.0


async def test_an_unread_answer_that_is_not_a_redirect_is_handed_back_as_it_is(
    mocked: aioresponses,
) -> None:
    mocked.post(EMBEDDINGS_URL, status=200, body=b"first")
    transport = RESTClientObject(Configuration(host=HOST))
    try:
        response = await transport.open(post(), timeout=30)
        try:
            assert (response.status, await response.read()) == (200, b"first")
        finally:
            response.release()
    finally:
        await transport.close()
    assert len(sent(mocked)) == 1


async def test_the_proxy_is_used_for_the_request_after_a_redirect_too(
    mocked: aioresponses,
) -> None:
    mocked.post(EMBEDDINGS_URL, status=307, headers={"Location": f"{HOST}/next"})
    mocked.post(f"{HOST}/next", body=b"ok")
    configuration = Configuration(
        host=HOST, proxy=PROXY, proxy_headers={"Proxy-Authorization": "p"}
    )
    transport = RESTClientObject(configuration)
    try:
        response = await transport.request(post())
    finally:
        await transport.close()
    assert (response.status, response.data) == (200, b"ok")
    for _, _, kwargs in sent(mocked):
        assert kwargs["proxy"] == PROXY
        assert kwargs["proxy_headers"] == {"Proxy-Authorization": "p"}


# ------------------------------------------------------------------ uploads


class Upload(BaseModel):
    file: FileInput


async def streamed(data: Any) -> bytes:
    """The bytes aiohttp would send for ``data``: bytes, or an async iterable of them
    (aioresponses may have read the iterable already)."""
    if isinstance(data, bytes):
        return data
    return b"".join([chunk async for chunk in data])


async def test_an_upload_is_streamed_to_aiohttp_before_and_after_a_307(
    mocked: aioresponses,
) -> None:
    mocked.post(EMBEDDINGS_URL, status=307, headers={"Location": f"{HOST}/next"})
    mocked.post(f"{HOST}/next", body=b"stored")
    body = encode_multipart(
        TypeAdapter(Upload), Upload(file=("a.txt", b"file bytes")), ("file",), operation_id="up"
    )
    transport = RESTClientObject(Configuration(host=HOST))
    try:
        response = await transport.request(post(body))
    finally:
        await transport.close()
    assert (response.status, response.data) == (200, b"stored")
    (_, _, first), (_, _, second) = sent(mocked)
    closing = f"--{body.boundary}--\r\n".encode()
    for kwargs in (first, second):
        sent_bytes = await streamed(kwargs["data"])
        assert b"file bytes" in sent_bytes and sent_bytes.endswith(closing)


# ------------------------------------------------------------------ a value aiohttp refuses


async def test_a_value_aiohttp_refuses_is_named_with_its_class_and_what_to_check(
    mocked: aioresponses,
) -> None:
    mocked.post(EMBEDDINGS_URL, exception=ValueError("no"))
    transport = RESTClientObject(Configuration(host=HOST))
    try:
        with pytest.raises(ApiValueError) as caught:
            await transport.request(post())
    finally:
        await transport.close()
    assert str(caught.value) == (
        f"POST {EMBEDDINGS_URL}: aiohttp could not send the request (ValueError); check "
        "header values for newlines"
    )


# ------------------------------------------------------------------ the token in aiohttp's error


def response_error() -> aiohttp.ClientResponseError:
    """An aiohttp error that keeps the request's headers, the bearer token among them."""
    info = aiohttp.RequestInfo(
        URL(EMBEDDINGS_URL),
        "POST",
        CIMultiDictProxy(CIMultiDict({"Authorization": f"Bearer {TOKEN}"})),
        URL(EMBEDDINGS_URL),
    )
    return aiohttp.ClientResponseError(info, (), status=500, message="broken")


def assert_chain_keeps_no_token(error: BaseException) -> None:
    cause = error.__cause__
    assert isinstance(cause, aiohttp.ClientResponseError)
    assert cause.request_info.headers["Authorization"] == "<redacted>"
    assert TOKEN not in repr(cause.args) and TOKEN not in repr(cause.request_info)


async def test_an_aiohttp_error_sending_is_chained_without_the_token(
    mocked: aioresponses,
) -> None:
    mocked.post(EMBEDDINGS_URL, exception=response_error())
    transport = RESTClientObject(Configuration(host=HOST))
    try:
        with pytest.raises(ApiConnectionError) as caught:
            await transport.request(post())
    finally:
        await transport.close()
    assert_chain_keeps_no_token(caught.value)


class BrokenBody:
    """An answer whose body fails with ``failure`` while it is read."""

    status = 200

    def __init__(self, failure: BaseException) -> None:
        self.failure = failure

    async def read(self) -> bytes:
        raise self.failure

    def release(self) -> None:
        pass


async def test_an_aiohttp_error_reading_the_answer_is_chained_without_the_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    transport = RESTClientObject(Configuration(host=HOST))

    async def answered() -> Any:
        return BrokenBody(response_error())

    class Answering:  # the session: its request answers with the broken body
        closed = False

        def request(self, *args: Any, **kwargs: Any) -> Any:
            return answered()

    monkeypatch.setattr(transport, "_session", Answering())
    with pytest.raises(ApiConnectionError) as caught:
        await transport.request(post())
    assert_chain_keeps_no_token(caught.value)


# ------------------------------------------------------------------ what hooks hear


@dataclass
class Canned:
    """A transport answering every request with one answer."""

    answer: RESTResponse
    closed: bool = False

    async def request(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> RESTResponse:
        return self.answer

    async def open(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> aiohttp.ClientResponse:
        raise NotImplementedError

    async def close(self) -> None:
        pass


@dataclass
class Recorder:
    started: list[AttemptRequest] = field(default_factory=list)
    ended: list[tuple[AttemptRequest, AttemptResult]] = field(default_factory=list)

    def on_request(self, request: AttemptRequest) -> None:
        self.started.append(request)

    def on_response(self, request: AttemptRequest, result: AttemptResult) -> None:
        self.ended.append((request, result))


def json_answer(document: Any) -> RESTResponse:
    return RESTResponse(
        200,
        "OK",
        {"Content-Type": "application/json"},
        json.dumps(document).encode(),
        "application/json",
    )


async def call(transport: Canned, hook: Recorder) -> Any:
    configuration = Configuration(host=HOST, access_token=TOKEN, retries=0)
    async with ApiClient(configuration, transport=transport, hooks=[hook]) as api_client:
        return await EmbeddingsApi(api_client).embeddings(EmbeddingsRequest(model="m", input="x"))


async def test_a_hook_hears_the_method_and_url_of_the_attempt() -> None:
    hook = Recorder()
    await call(Canned(json_answer(embeddings_payload([[1.0]]))), hook)
    (attempt,) = hook.started
    assert (attempt.operation_id, attempt.method, attempt.url) == (
        "embeddings",
        "POST",
        EMBEDDINGS_URL,
    )
    ((ended, result),) = hook.ended
    assert ended is attempt and result.status == 200


async def test_a_malformed_answer_is_reported_for_the_attempt_the_hook_heard_of() -> None:
    hook = Recorder()
    with pytest.raises(MalformedResponseException):
        await call(Canned(json_answer({"not": "an embeddings answer"})), hook)
    (attempt,) = hook.started
    ((ended, result),) = hook.ended
    assert ended is attempt
    assert result.status == 200 and isinstance(result.error, MalformedResponseException)
