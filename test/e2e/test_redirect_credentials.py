"""Every credential the runtime puts on a request stays on the request's origin when the
server redirects (docs/reliability.md#security): the bearer token, a basic-auth pair and an
API key in a header, the query or a cookie. Two loopback servers on different ports (two
origins): the API, which redirects, and another server, which records what it received."""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web

from together.generated import ApiClient, ApiConnectionError, Configuration
from together.generated._runtime.exceptions import RedirectLoopError
from together.generated._runtime.operation import Operation, ResponseSpec, SecurityScheme

SECRET = "SECRET-KEY-0123456789"

SCHEMES = {
    "bearer": SecurityScheme("bearerAuth", "bearer", "header", "Authorization"),
    "basic": SecurityScheme("basicAuth", "basic", "header", "Authorization"),
    "header": SecurityScheme("keyAuth", "apiKey", "header", "X-API-Key"),
    "query": SecurityScheme("keyAuth", "apiKey", "query", "api_key"),
    "cookie": SecurityScheme("keyAuth", "apiKey", "cookie", "session_key"),
}


def ping(scheme: SecurityScheme) -> Operation[Any]:
    return Operation(
        operation_id="ping",
        method="GET",
        path="/ping",
        responses={"200": ResponseSpec.json(dict[str, Any])},
        retry_safe=True,
        security=(scheme,),
    )


def configuration(url: str, kind: str) -> Configuration:
    if kind == "bearer":
        return Configuration(host=url, access_token=SECRET, retries=0)
    if kind == "basic":
        return Configuration(host=url, username="user", password=SECRET, retries=0)
    return Configuration(host=url, api_key={"keyAuth": SECRET}, retries=0)


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


def everything_received(request: web.Request) -> str:
    """The request as the server saw it: target (path and query) and every header."""
    return f"{request.rel_url} {dict(request.headers)!r}"


@asynccontextmanager
async def two_origins(status: int) -> AsyncIterator[tuple[str, list[str], list[str]]]:
    """Yields the API's base URL, what the API received and what the other origin
    received. The API's /away/ping redirects to the other origin (the query echoed, as a
    careless server would), its /home/ping to /same/ping on its own origin."""
    api_seen: list[str] = []
    other_seen: list[str] = []

    async def other(request: web.Request) -> web.Response:
        other_seen.append(everything_received(request))
        return web.json_response({"ok": True})

    other_app = web.Application()
    other_app.router.add_get("/ping", other)
    async with serve(other_app) as other_url:

        async def away(request: web.Request) -> web.Response:
            api_seen.append(everything_received(request))
            return web.Response(
                status=status, headers={"Location": f"{other_url}/ping?{request.query_string}"}
            )

        async def home(request: web.Request) -> web.Response:
            api_seen.append(everything_received(request))
            return web.Response(status=status, headers={"Location": "/same/ping"})

        async def same(request: web.Request) -> web.Response:
            api_seen.append(everything_received(request))
            return web.json_response({"ok": True})

        api_app = web.Application()
        api_app.router.add_get("/away/ping", away)
        api_app.router.add_get("/home/ping", home)
        api_app.router.add_get("/same/ping", same)
        async with serve(api_app) as api_url:
            yield api_url, api_seen, other_seen


@pytest.mark.parametrize("status", [302, 307])
@pytest.mark.parametrize("kind", sorted(SCHEMES))
async def test_no_credential_follows_a_redirect_to_another_origin(kind: str, status: int) -> None:
    async with (
        two_origins(status) as (api_url, api_seen, other_seen),
        ApiClient(configuration(api_url + "/away", kind)) as client,
    ):
        result = (await client.call_api(ping(SCHEMES[kind]), {})).data
    assert result == {"ok": True}  # the redirect was followed
    assert len(api_seen) == 1 and len(other_seen) == 1
    # The API got the credential (so it was at risk); the other origin got none of it.
    expected = "dXNlcjpTRUNSRVQtS0VZLTAxMjM0NTY3ODk=" if kind == "basic" else SECRET
    assert expected in api_seen[0]
    assert expected not in other_seen[0]
    assert SECRET not in other_seen[0]


@pytest.mark.parametrize("status", [302, 307])
@pytest.mark.parametrize("kind", sorted(SCHEMES))
async def test_a_redirect_on_the_same_origin_keeps_the_credential(kind: str, status: int) -> None:
    # The Location (/same/ping) has no query: an API key the runtime put there is added again.
    async with (
        two_origins(status) as (api_url, api_seen, other_seen),
        ApiClient(configuration(api_url + "/home", kind)) as client,
    ):
        assert (await client.call_api(ping(SCHEMES[kind]), {})).data == {"ok": True}
    assert len(api_seen) == 2 and not other_seen
    expected = "dXNlcjpTRUNSRVQtS0VZLTAxMjM0NTY3ODk=" if kind == "basic" else SECRET
    assert expected in api_seen[1]  # /same/ping, on the same origin


async def test_a_same_origin_location_that_repeats_the_query_key_gets_it_once() -> None:
    seen: list[str] = []

    async def first(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect(f"/v1/second?{request.query_string}&page=2")

    async def second(request: web.Request) -> web.Response:
        seen.append(str(request.rel_url))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_get("/v1/ping", first)
    app.router.add_get("/v1/second", second)
    async with serve(app) as url, ApiClient(configuration(url + "/v1", "query")) as client:
        assert (await client.call_api(ping(SCHEMES["query"]), {})).data == {"ok": True}
    assert seen == [f"/v1/second?api_key={SECRET}&page=2"]


async def test_a_query_key_dropped_on_leaving_the_origin_is_not_added_on_coming_back() -> None:
    # API -> other origin (the key dropped) -> back to the API: the key stays dropped, as
    # the bearer token and header keys do (the other origin chose where the client goes).
    seen: list[str] = []

    async def back(request: web.Request) -> web.Response:
        seen.append(everything_received(request))
        raise web.HTTPFound(f"{api_url}/v1/landing")

    other_app = web.Application()
    other_app.router.add_get("/bounce", back)

    async def ping_handler(request: web.Request) -> web.Response:
        seen.append(everything_received(request))
        raise web.HTTPFound(f"{other_url}/bounce")

    async def landing(request: web.Request) -> web.Response:
        seen.append(everything_received(request))
        return web.json_response({"ok": True})

    api_app = web.Application()
    api_app.router.add_get("/v1/ping", ping_handler)
    api_app.router.add_get("/v1/landing", landing)
    async with (
        serve(other_app) as other_url,
        serve(api_app) as api_url,
        ApiClient(configuration(api_url + "/v1", "query")) as client,
    ):
        assert (await client.call_api(ping(SCHEMES["query"]), {})).data == {"ok": True}
    assert len(seen) == 3
    assert SECRET in seen[0]
    assert SECRET not in seen[1] and SECRET not in seen[2]


def texts_reachable_from(error: BaseException) -> list[str]:
    """The formatted traceback, and repr() of the exception, its chain and every attribute
    value down the chain (aiohttp's request_info, real_url, args)."""
    seen: set[int] = set()
    texts = ["".join(traceback.format_exception(error))]

    def visit(value: object, depth: int) -> None:
        if id(value) in seen or depth > 6:
            return
        seen.add(id(value))
        texts.append(repr(value))
        texts.append(str(value))
        if isinstance(value, BaseException):
            for linked in (value.__cause__, value.__context__, *value.args):
                if linked is not None:
                    visit(linked, depth + 1)
        if isinstance(value, (list, tuple)):
            for item in value:
                visit(item, depth + 1)
        for attribute in ("request_info", "history", "headers", "url", "real_url"):
            if hasattr(value, attribute):
                visit(getattr(value, attribute), depth + 1)
        for item in getattr(value, "__dict__", {}).values():
            visit(item, depth + 1)

    visit(error, 0)
    return texts


@asynccontextmanager
async def unparsable_server() -> AsyncIterator[str]:
    """Answers every request with a status line and a Content-Length aiohttp cannot parse."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: twelve\r\n\r\n{}")
            await writer.drain()
        finally:
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
        await server.wait_closed()


async def test_an_api_key_in_the_query_is_not_in_the_exception_chain() -> None:
    async with unparsable_server() as url, ApiClient(configuration(url, "query")) as client:
        with pytest.raises(ApiConnectionError) as caught:
            await client.call_api(ping(SCHEMES["query"]), {})
    assert caught.value.__cause__ is not None
    texts = texts_reachable_from(caught.value)
    assert any("RequestInfo" in t for t in texts)  # aiohttp's request_info was walked
    assert any("api_key=" in t for t in texts)  # the parameter's name may be shown ...
    assert not [t for t in texts if SECRET in t]  # ... its value may not


async def test_a_redirect_loop_echoing_the_query_key_keeps_it_out_of_the_error() -> None:
    async def loop(request: web.Request) -> web.Response:
        raise web.HTTPFound(str(request.rel_url))

    app = web.Application()
    app.router.add_get("/v3/ping", loop)
    async with serve(app) as url, ApiClient(configuration(url + "/v3", "query")) as client:
        with pytest.raises(RedirectLoopError) as caught:
            await client.call_api(ping(SCHEMES["query"]), {})
    assert not [t for t in texts_reachable_from(caught.value) if SECRET in t]
