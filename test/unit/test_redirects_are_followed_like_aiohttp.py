"""Redirects, followed by the transport itself as aiohttp would follow them (at most 10
answers; a 303, or a 301/302 to a POST, becomes a GET without body), but with every
credential the runtime added kept on the request's origin, and within one total timeout
(docs/runtime.md "Transport and connection pool"; docs/reliability.md "Security")."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from pydantic import BaseModel, TypeAdapter
from yarl import URL

from support import EMBEDDINGS_URL, HOST, TOKEN
from together.generated import ApiConnectionError, ApiTimeoutError, ApiValueError, Configuration
from together.generated._runtime.exceptions import RedirectLoopError
from together.generated._runtime.multipart import FileInput, MultipartBody, encode_multipart
from together.generated._runtime.rest import PreparedRequest, RESTClientObject

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
        for (method, url), calls in mocked.requests.items()
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


class Upload(BaseModel):
    file: FileInput


class Unseekable(io.RawIOBase):
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
        from aioresponses import CallbackResult

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
