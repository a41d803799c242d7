"""The default transport's common request (no query, no proxy, bytes or no body) is sent
as the general one is: the same URL, headers, body and timeout, each URL parsed once
(issue 11: ``RESTClientObject.request``)."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from yarl import URL

from support import HOST
from together.generated import ApiValueError, Configuration
from together.generated._runtime.exceptions import ClientStateError
from together.generated._runtime.rest import PreparedRequest, RESTClientObject


class Answer:
    status = 200
    reason = "OK"
    headers: ClassVar[dict[str, str]] = {"Content-Type": "application/json"}

    async def read(self) -> bytes:
        return b"{}"

    def release(self) -> None:
        pass


class Session:
    """An aiohttp session that keeps what it was asked to send."""

    closed = False

    def __init__(self) -> None:
        self.sent: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def request(self, *args: Any, **kwargs: Any) -> Any:
        self.sent.append((args, kwargs))

        async def answered() -> Answer:
            return Answer()

        return answered()

    async def close(self) -> None:
        self.closed = True


def transport_with(session: Session, **settings: Any) -> RESTClientObject:
    transport = RESTClientObject(Configuration(host=HOST, **settings))
    transport._session = session  # type: ignore[assignment]
    return transport


def request(url: str = f"{HOST}/things", **fields: Any) -> PreparedRequest:
    values: dict[str, Any] = {
        "method": "POST",
        "url": url,
        "headers": {"Accept": "application/json"},
        "query": [],
        "body": b"{}",
    }
    return PreparedRequest(**(values | fields))


async def test_the_common_request_is_sent_with_its_url_headers_body_and_timeout() -> None:
    session = Session()
    transport = transport_with(session, total_timeout=7.0)
    for body in (b'{"a":1}', None):
        response = await transport.request(request(body=body))
        assert (response.status, response.data) == (200, b"{}")
        (method, url), kwargs = session.sent[-1]
        assert (method, URL(url)) == ("POST", URL(f"{HOST}/things"))
        assert kwargs == {
            "params": None,
            "data": body,
            "headers": {"Accept": "application/json"},
            "timeout": transport.default_timeout,
            "allow_redirects": False,
        }
    assert transport.default_timeout.total == 7.0


async def test_a_query_goes_with_the_request_and_a_proxy_with_its_options() -> None:
    session = Session()
    await transport_with(session).request(request(query=[("q", "1")]))
    assert session.sent[-1][1]["params"] == [("q", "1")]
    proxied = Session()
    await transport_with(proxied, proxy="http://proxy.test:3128").request(request())
    assert proxied.sent[-1][1]["proxy"] == "http://proxy.test:3128"


async def test_a_per_call_timeout_is_the_one_sent() -> None:
    session = Session()
    await transport_with(session).request(request(), timeout=3.0)
    assert session.sent[-1][1]["timeout"].total == 3.0


async def test_every_url_is_sent_to_and_the_parsed_ones_kept_are_bounded() -> None:
    session = Session()
    transport = transport_with(session)
    urls = [f"{HOST}/things/{i}" for i in range(300)]
    for url in urls + urls[:5]:
        await transport.request(request(url))
        assert URL(session.sent[-1][0][1]) == URL(url)
    assert len(transport._urls) <= 256


async def test_a_url_yarl_refuses_is_refused_as_aiohttp_refuses_it() -> None:
    # The host passes the configuration's check (a port is not read there); aiohttp cannot
    # send to it, and says so as it did when it parsed the text itself.
    transport = RESTClientObject(Configuration(host="https://api.test:99999/v1"))
    try:
        with pytest.raises(ApiValueError, match="not a URL aiohttp can send to"):
            await transport.request(request("https://api.test:99999/v1/things"))
    finally:
        await transport.close()


async def test_a_closed_transport_refuses_the_common_request() -> None:
    session = Session()
    transport = transport_with(session)
    await transport.request(request())
    await transport.close()
    with pytest.raises(ClientStateError, match="closed"):
        await transport.request(request())


async def test_an_opened_request_gets_its_timeout_pair_within_the_configured_total() -> None:
    # open() (raw calls, streams, downloads) converts a per-call pair as request() does.
    session = Session()
    transport = transport_with(session, total_timeout=9.0)
    await transport.open(request(), timeout=(1.0, 2.0))
    sent = session.sent[-1][1]["timeout"]
    assert (sent.total, sent.connect, sent.sock_read) == (9.0, 1.0, 2.0)
    await transport.open(request())
    assert session.sent[-1][1]["timeout"] is transport.default_timeout
