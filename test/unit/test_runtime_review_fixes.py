"""Review 1 of the runtime: each finding, as the user would meet it (notes/review-1.md
items 1, 7, 8, 9, 10, 15 and 20; 15 is in test_one_attempt_loop.py)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest

from support import HOST, TOKEN, embeddings_payload
from together.generated import (
    ApiClient,
    ApiConnectionError,
    ApiTypeError,
    ApiValueError,
    Configuration,
    EmbeddingsApi,
    EmbeddingsRequest,
    MalformedResponseError,
)
from together.generated._runtime.exceptions import InsecureTransportError, InvalidVectorsError
from together.generated._runtime.rest import PreparedRequest, RequestTimeout, RESTResponse
from together.generated._runtime.vectors import rows_from_json
from together.generated.api.embeddings_api import _EMBEDDINGS_OPERATION
from together.generated.models.embeddings_response import EmbeddingsResponse

REQUEST = EmbeddingsRequest(model="m", input=["a"])


@dataclass
class Recording:
    """A transport answering every request with one embedding; what was sent is kept."""

    sent: list[PreparedRequest] = field(default_factory=list)
    closed: bool = False

    async def request(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> RESTResponse:
        self.sent.append(request)
        body = json.dumps(embeddings_payload([[1.0]])).encode()
        return RESTResponse(200, "OK", {}, body, "application/json")

    async def open(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> aiohttp.ClientResponse:
        raise AssertionError("not used")

    async def close(self) -> None:
        self.closed = True


# ------------------------------------------------------------------ 7: no token in a repr


def test_a_prepared_requests_repr_shows_no_credential() -> None:
    request = PreparedRequest(
        "POST",
        f"{HOST}/embeddings",
        {"Authorization": f"Bearer {TOKEN}", "X-Api-Key": TOKEN, "Content-Type": "a/b"},
        [("api_key", TOKEN), ("limit", "3")],
        b'{"input": "the user\'s text"}',
    )
    shown = repr(request)
    assert TOKEN not in shown and "the user's text" not in shown
    assert "Authorization" in shown and "'Content-Type': 'a/b'" in shown and f"{HOST}" in shown


# ------------------------------------------------------------------ 8: typed errors


@pytest.mark.parametrize(
    "settings",
    [
        {"retries": -1},
        {"retry_initial_backoff": -1},
        {"retry_max_backoff": -0.5},
        {"max_retry_after": -1},
        {"connection_pool_maxsize": 0},
    ],
)
def test_bad_settings_are_an_api_value_error(settings: dict[str, Any]) -> None:
    with pytest.raises(ApiValueError):
        Configuration(host=HOST, access_token=TOKEN, **settings)


async def test_a_setting_made_bad_later_is_an_api_value_error_at_the_call() -> None:
    configuration = Configuration(host=HOST, access_token=TOKEN)
    configuration.retries = -2
    transport = Recording()
    async with ApiClient(configuration, transport=transport) as client:
        with pytest.raises(ApiValueError, match="retr"):
            await EmbeddingsApi(client).embeddings(REQUEST)
    assert transport.sent == []


@pytest.mark.parametrize("setting", ["ssl_ca_cert", "cert_file"])
def test_missing_tls_files_are_an_api_value_error(setting: str) -> None:
    missing_file: dict[str, Any] = {setting: "/no/such.pem"}
    configuration = Configuration(host=HOST, access_token=TOKEN, **missing_file)
    with pytest.raises(ApiValueError, match="TLS files"):
        ApiClient(configuration)


async def test_bad_per_call_retries_and_deadline_are_typed_before_sending() -> None:
    transport = Recording()
    async with ApiClient(Configuration(host=HOST, access_token=TOKEN), transport=transport) as c:
        api = EmbeddingsApi(c)
        with pytest.raises(ApiValueError, match="_retries"):
            await api.embeddings(REQUEST, _retries=-1)
        with pytest.raises(ApiTypeError, match="_retries"):
            await api.embeddings(REQUEST, _retries="2")  # type: ignore[call-overload]  # the point
        with pytest.raises(ApiTypeError, match="_deadline"):
            await api.embeddings(REQUEST, _deadline="5")  # type: ignore[call-overload]  # the point
        with pytest.raises(ApiValueError, match="_deadline"):
            await api.embeddings(REQUEST, _deadline=float("nan"))
    assert transport.sent == []


# ------------------------------------------------------------------ 9: a host that is no URL


@pytest.mark.parametrize(
    "host",
    ["htps://api.together.xyz/v1", "api.together.xyz/v1", "https:///v1", "ftp://x", "http://[::1"],
)
def test_a_host_that_is_not_an_http_url_is_refused_at_once(host: str) -> None:
    with pytest.raises(ApiValueError, match="host must be an http"):
        Configuration(host=host, access_token=TOKEN)
    configuration = Configuration(host=HOST, access_token=TOKEN)
    with pytest.raises(ApiValueError, match="host must be an http"):
        configuration.host = host


def test_a_refused_host_with_a_password_is_not_quoted() -> None:
    with pytest.raises(ApiValueError) as raised:
        Configuration(host="htps://user:hunter2@api.test")
    assert "hunter2" not in str(raised.value)


async def test_a_url_aiohttp_refuses_is_not_retried_as_a_connection_error() -> None:
    configuration = Configuration(host=HOST, access_token=TOKEN, retries=3)
    # Past the check (as a subclass or older code might set it): aiohttp refuses it unsent.
    object.__setattr__(configuration, "host", "htps://api.test/v1")
    slept: list[float] = []

    async def sleep(delay: float) -> None:
        slept.append(delay)

    async with ApiClient(configuration) as client:
        client._sleep = sleep
        with pytest.raises(ApiValueError, match=r"Configuration\.host") as raised:
            await EmbeddingsApi(client).embeddings(REQUEST)
    assert not isinstance(raised.value, ApiConnectionError)
    assert slept == []


# ------------------------------------------------------------------ 10: the insecure-http check


async def test_turning_allow_insecure_http_off_refuses_the_next_call() -> None:
    configuration = Configuration(
        host="http://remote.test/v1", access_token=TOKEN, allow_insecure_http=True
    )
    transport = Recording()
    async with ApiClient(configuration, transport=transport) as client:
        api = EmbeddingsApi(client)
        await api.embeddings(REQUEST)
        configuration.allow_insecure_http = False
        with pytest.raises(InsecureTransportError):
            await api.embeddings(REQUEST)
    assert len(transport.sent) == 1


# ------------------------------------------------------------------ 20: a parser's name


async def test_a_failing_partial_parser_is_named_in_the_error() -> None:
    parser = functools.partial(rows_from_json, expected_rows=2)  # the answer has one row
    async with ApiClient(Configuration(host=HOST, access_token=TOKEN), transport=Recording()) as c:
        with pytest.raises(MalformedResponseError, match="could not be read as rows_from_json"):
            await c.call_api(_EMBEDDINGS_OPERATION, {}, REQUEST, decode=parser)


# ------------------------------------------------------------------ 1: zero-width vectors


def test_zero_width_vectors_are_refused() -> None:
    pytest.importorskip("numpy")
    body = json.dumps(embeddings_payload([[], []])).encode()
    with pytest.raises(InvalidVectorsError, match="zero width"):
        rows_from_json(body, expected_rows=2)
    response = EmbeddingsResponse.model_validate_json(body)
    with pytest.raises(InvalidVectorsError, match="zero width"):
        response.to_numpy()
