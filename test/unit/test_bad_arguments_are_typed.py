"""Bad settings and per-call arguments get a typed error (an ``OpenApiException``: an
``ApiTypeError`` for a wrong type, an ``ApiValueError`` for a wrong value) before anything
is sent — docs/runtime.md, "Errors"."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest

from together.generated import (
    ApiClient,
    ApiTypeError,
    ApiValueError,
    Configuration,
    EmbeddingsApi,
    EmbeddingsRequest,
    OpenApiException,
)
from together.generated._runtime.exceptions import ClientStateError
from together.generated._runtime.rest import PreparedRequest, RequestTimeout, RESTResponse

REQUEST = EmbeddingsRequest(model="m", input=["a"])
HOST = "http://127.0.0.1:9/v1"


@dataclass
class NothingSent:
    """A transport that records whatever reaches it: nothing should."""

    sent: list[PreparedRequest] = field(default_factory=list)
    closed: bool = False

    async def request(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> RESTResponse:
        self.sent.append(request)
        raise AssertionError("a request with a bad argument was sent")

    async def open(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> aiohttp.ClientResponse:
        self.sent.append(request)
        raise ClientStateError("not used")

    async def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize(
    ("setting", "value", "error"),
    [
        ("total_timeout", "x", ApiTypeError),
        ("total_timeout", True, ApiTypeError),
        ("total_timeout", 0, ApiValueError),
        ("total_timeout", float("nan"), ApiValueError),
        ("connect_timeout", -1, ApiValueError),
        ("total_timeout", float("inf"), ApiValueError),
        ("connect_timeout", float("inf"), ApiValueError),
        ("retry_max_backoff", float("inf"), ApiValueError),
        ("max_retry_after", float("inf"), ApiValueError),
        ("retry_initial_backoff", float("inf"), ApiValueError),
        ("connect_timeout", "10", ApiTypeError),
        ("proxy", "nonsense", ApiValueError),
        ("proxy", 3128, ApiTypeError),
    ],
)
def test_a_bad_setting_is_refused_when_given(
    setting: str, value: Any, error: type[OpenApiException]
) -> None:
    with pytest.raises(error, match=setting):
        Configuration(host=HOST, **{setting: value})
    configuration = Configuration(host=HOST)
    with pytest.raises(error, match=setting):
        setattr(configuration, setting, value)


def test_good_timeouts_and_proxy_are_kept() -> None:
    configuration = Configuration(
        host=HOST, total_timeout=None, connect_timeout=2.5, proxy="http://proxy.test:3128"
    )
    assert configuration.total_timeout is None
    assert configuration.connect_timeout == 2.5
    assert configuration.proxy == "http://proxy.test:3128"


def test_a_proxy_refused_does_not_show_its_password() -> None:
    with pytest.raises(ApiValueError) as caught:
        Configuration(host=HOST, proxy="socks5://user:SECRET@proxy.test:1080")
    assert "SECRET" not in str(caught.value)


@pytest.mark.parametrize(
    ("options", "error", "words"),
    [
        ({"_request_timeout": "x"}, ApiValueError, "_request_timeout"),
        ({"_request_timeout": -1}, ApiValueError, "_request_timeout"),
        ({"_request_timeout": (1, "2")}, ApiValueError, "read"),
        ({"_request_timeout": (0, 2)}, ApiValueError, "connect"),
        ({"_request_timeout": float("inf")}, ApiValueError, "finite"),
        ({"_request_timeout": (float("inf"), 2)}, ApiValueError, "connect"),
        ({"_request_timeout": (1, float("inf"))}, ApiValueError, "read"),
        ({"_headers": {"X-A": 1}}, ApiTypeError, "X-A"),
        ({"_headers": {1: "a"}}, ApiTypeError, "_headers"),
        ({"_headers": {"X-A": "a\r\nX-B: c"}}, ApiValueError, "X-A"),
        ({"_headers": {"X A": "v"}}, ApiValueError, "not a valid header name"),
        ({"_headers": {"": "v"}}, ApiValueError, "not a valid header name"),
        ({"_headers": {"X-A:": "v"}}, ApiValueError, "not a valid header name"),
        ({"_headers": {"Ä": "v"}}, ApiValueError, "not a valid header name"),
        ({"_retry_policy": object()}, ApiTypeError, "_retry_policy"),
    ],
)
async def test_a_bad_call_argument_is_refused_before_sending(
    options: dict[str, Any], error: type[OpenApiException], words: str
) -> None:
    transport = NothingSent()
    async with ApiClient(Configuration(host=HOST, access_token="t"), transport=transport) as c:
        with pytest.raises(error, match=words) as caught:
            await EmbeddingsApi(c).embeddings(REQUEST, **options)
    assert transport.sent == []
    # The misleading re-wrap said "check header values for newlines" for a bad timeout.
    if "_request_timeout" in options:
        assert "newline" not in str(caught.value)


async def test_a_bad_raw_call_timeout_is_refused_before_sending() -> None:
    transport = NothingSent()
    async with ApiClient(Configuration(host=HOST, access_token="t"), transport=transport) as c:
        with pytest.raises(ApiValueError):
            await EmbeddingsApi(c).embeddings_without_preload_content(
                REQUEST,
                _request_timeout="x",  # type: ignore[arg-type]  # the wrong type is the point
            )
    assert transport.sent == []


def test_a_bad_client_strategy_or_hook_is_refused_at_construction() -> None:
    configuration = Configuration(host=HOST)
    with pytest.raises(ApiTypeError, match="retry_policy"):
        ApiClient(configuration, retry_policy=object(), transport=NothingSent())  # type: ignore[arg-type]

    class HalfHook:
        def on_request(self, request: object) -> None: ...

    with pytest.raises(ApiTypeError, match="HalfHook"):
        ApiClient(configuration, hooks=[HalfHook()], transport=NothingSent())  # type: ignore[list-item]

    class OtherHalfHook:
        def on_response(self, request: object, result: object) -> None: ...

    with pytest.raises(ApiTypeError, match="OtherHalfHook"):
        ApiClient(configuration, hooks=[OtherHalfHook()], transport=NothingSent())  # type: ignore[list-item]


async def test_a_bad_timeout_via_the_real_transport_is_not_called_a_header_problem() -> None:
    # rest.py wrapped every ValueError as "aiohttp could not send ... newlines", hiding the
    # real error; the transport must raise the caller's error as it is.
    from together.generated._runtime.rest import RESTClientObject

    transport = RESTClientObject(Configuration(host=HOST))
    request = PreparedRequest("GET", HOST + "/models", {}, [], None)
    try:
        with pytest.raises(ApiValueError, match="_request_timeout") as caught:
            await transport.open(request, timeout="x")  # type: ignore[arg-type]
    finally:
        await transport.close()
    assert "newline" not in str(caught.value)


async def test_a_header_name_must_be_an_rfc_9110_token_and_its_value_is_not_quoted() -> None:
    transport = NothingSent()
    async with ApiClient(Configuration(host=HOST, access_token="t"), transport=transport) as c:
        with pytest.raises(ApiValueError) as caught:
            await EmbeddingsApi(c).embeddings(REQUEST, _headers={"X Key": "SECRET-VALUE"})
    assert "SECRET-VALUE" not in str(caught.value)
    assert transport.sent == []
    # Every tchar of RFC 9110 section 5.6.2 is allowed.
    sent: list[PreparedRequest] = []

    class Records(NothingSent):
        async def request(
            self, request: PreparedRequest, *, timeout: RequestTimeout = None
        ) -> RESTResponse:
            sent.append(request)
            return RESTResponse(200, "OK", {}, b"{}", "application/json")

    name = "!#$%&'*+-.^_`|~09azAZ"
    async with ApiClient(Configuration(host=HOST, access_token="t"), transport=Records()) as c:
        await EmbeddingsApi(c).embeddings(REQUEST, _headers={name: "v"}, _decode=bytes)
    assert sent[0].headers[name] == "v"
