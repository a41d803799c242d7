"""Promises of README.md, docs/runtime.md and docs/reliability.md that no other test pinned.

Each test names the page and section it holds to (docs/testing.md, "Promises and the tests
that pin them", maps every promise to its test). Expected values are the docs' own literals.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses

import together.generated
from support import (
    EMBEDDINGS_URL,
    HOST,
    REPOSITORY,
    TOKEN,
    embeddings_payload,
    recorded,
    sent_calls,
)
from together.generated import (
    ApiClient,
    Configuration,
    EmbeddingsApi,
    EmbeddingsRequest,
    ServiceUnavailableException,
)

REQUEST = EmbeddingsRequest(model="m", input=["a"])
ERROR = {"error": {"message": "busy", "type": "server_error"}}


def sent(mocked: aioresponses) -> list[Any]:
    return sent_calls(mocked)


# ------------------------------------------------------------ README, Quick start: the host


def test_the_default_host_is_the_one_the_readme_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """README#quick-start: `host="https://api.together.ai/v1",  # default; or set
    TOGETHER_BASE_URL`."""
    monkeypatch.delenv("TOGETHER_BASE_URL", raising=False)
    assert Configuration().host == "https://api.together.ai/v1"
    monkeypatch.setenv("TOGETHER_BASE_URL", "https://gateway.example/v1")
    assert Configuration().host == "https://gateway.example/v1"
    assert Configuration(host="https://other.example/v1").host == "https://other.example/v1"


# ------------------------------------------------------------ README: InsecureTransportError


async def test_a_token_set_after_a_call_is_checked_again(mocked: aioresponses) -> None:
    """README#quick-start: "the check is made again whenever the host, the token or that
    setting changes" — here the token: none at first (nothing secret to protect), then one."""
    host = "http://inside.lan/v1"
    mocked.post(f"{host}/embeddings", payload=embeddings_payload([[0.5]]), repeat=True)
    configuration = Configuration(host=host, retries=0)
    configuration.access_token = None
    async with ApiClient(configuration) as client:
        await EmbeddingsApi(client).embeddings(REQUEST)
        configuration.access_token = TOKEN
        with pytest.raises(together.generated.InsecureTransportError) as caught:
            await EmbeddingsApi(client).embeddings(REQUEST)
    (first,) = sent(mocked)
    assert "Authorization" not in first.kwargs["headers"]
    assert isinstance(caught.value, together.generated.ApiValueError)
    assert TOKEN not in str(caught.value)


async def test_a_token_changed_after_a_call_is_checked_again(mocked: aioresponses) -> None:
    """README#quick-start: "the check is made again whenever ... the token ... changes" —
    a token replaced by one read from a file with its line break (reliability.md#security)
    is refused although the host and the settings are those of the call before."""
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[0.5]]), repeat=True)
    configuration = Configuration(host=HOST, access_token=TOKEN, retries=0)
    async with ApiClient(configuration) as client:
        await EmbeddingsApi(client).embeddings(REQUEST)
        configuration.access_token = "tk-other-key\n"
        with pytest.raises(together.generated.ApiValueError, match="line break") as caught:
            await EmbeddingsApi(client).embeddings(REQUEST)
    assert len(sent(mocked)) == 1
    assert "tk-other-key" not in str(caught.value)


# ------------------------------------------------------------ runtime.md#errors: the names


#: runtime.md#errors (the table and the list after it) and README#quick-start, as written.
DOCUMENTED_NAMES = [
    "ApiException",
    "BadRequestException",
    "UnauthorizedException",
    "NotFoundException",
    "RateLimitException",
    "ServiceUnavailableException",
    "GatewayTimeoutException",
    "MalformedResponseException",
    "MalformedResponseError",
    "ApiValueError",
    "ApiTypeError",
    "InsecureTransportError",
    "ApiConnectionError",
    "ApiTimeoutError",
    "RedirectLoopError",
    "ClientStateError",
    "InvalidVectorsError",
    "ApiAttributeError",
    "ApiKeyError",
    "OpenApiException",
    "AsyncStream",
    "StreamException",
    "StreamError",
    "FileInput",
    "SyncApiClient",
    "RetryPolicy",
    "RetryStrategy",
    "CallHook",
    "Transport",
    "rows_from_json",
    "ApiResponse",
]


def test_the_package_root_exports_every_name_the_docs_list() -> None:
    """runtime.md#errors: "The package root exports them all, with the runtime's other
    public names (...)" and the subclass relations its table states."""
    g = together.generated
    missing = [name for name in DOCUMENTED_NAMES if not hasattr(g, name)]
    assert missing == []
    assert g.MalformedResponseError is g.MalformedResponseException
    assert issubclass(g.MalformedResponseException, g.ApiException)
    assert issubclass(g.InsecureTransportError, g.ApiValueError)
    assert issubclass(g.RedirectLoopError, g.ApiConnectionError)
    assert issubclass(g.InvalidVectorsError, ValueError)
    assert issubclass(g.ApiTimeoutError, TimeoutError)  # reliability.md#timeouts
    assert g.StreamError is g.StreamException  # the earlier name, kept as an alias
    assert issubclass(g.StreamException, g.ApiException)  # streaming-and-files.md
    statuses = {
        g.BadRequestException: 400,
        g.UnauthorizedException: 401,
        g.NotFoundException: 404,
        g.RateLimitException: 429,
        g.ServiceUnavailableException: 503,
        g.GatewayTimeoutException: 504,
    }
    for cls in statuses:
        assert issubclass(cls, g.ApiException)
    errors = [getattr(g, name) for name in DOCUMENTED_NAMES]
    for cls in errors:
        if isinstance(cls, type) and issubclass(cls, BaseException):
            assert issubclass(cls, g.OpenApiException), cls


def test_the_runtimes_public_names_are_imported_on_first_use() -> None:
    """runtime.md#errors: "imported on first use"; README: "imports its API classes and
    models lazily"."""
    code = (
        "import sys, together.generated as g\n"
        "lazy = ['together.generated._runtime.sync', 'together.generated.api.embeddings_api',\n"
        "        'together.generated.models.embeddings_request']\n"
        "before = [m for m in lazy if m in sys.modules]\n"
        "g.SyncApiClient; g.EmbeddingsApi; g.EmbeddingsRequest\n"
        "after = [m for m in lazy if m in sys.modules]\n"
        "print(before, after)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPOSITORY, check=True
    )
    before, after = done.stdout.strip().split("] [")
    assert before == "["
    assert after.count("together.generated") == 3


# ------------------------------------------------------------ runtime.md#request-ids


async def test_a_request_id_header_without_the_x_is_read_too(
    api: EmbeddingsApi, mocked: aioresponses
) -> None:
    """runtime.md#request-ids: "the server's `x-request-id` (or `request-id`) ... and `str(e)`
    ends with `[request id ...]`"."""
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[0.5]]), headers={"request-id": "r-1"})
    mocked.post(EMBEDDINGS_URL, status=503, payload=ERROR, headers={"request-id": "r-2"})
    assert (await api.embeddings_with_http_info(REQUEST)).request_id == "r-1"
    with pytest.raises(ServiceUnavailableException) as caught:
        await api.embeddings(REQUEST)
    assert caught.value.request_id == "r-2"
    assert str(caught.value).endswith("[request id r-2]")


# ------------------------------------------------------------ README / runtime.md: sync use


def test_the_sync_client_blocks_and_runs_any_call() -> None:
    """README#quick-start and runtime.md#synchronous-use: `client.api(EmbeddingsApi)
    .embeddings(request)` blocks; "per-call options work the same" (`_decode=bytes`);
    `client.run(lambda: ...embeddings_with_http_info(request))` runs any other coroutine."""
    body = embeddings_payload([[0.25, 0.5]])
    with aioresponses() as mocked:
        mocked.post(EMBEDDINGS_URL, payload=body, repeat=True)
        configuration = Configuration(host=HOST, access_token=TOKEN, retries=0)
        with together.generated.SyncApiClient(configuration) as client:
            api = client.api(EmbeddingsApi)
            response = api.embeddings(REQUEST)
            raw = api.embeddings(REQUEST, _decode=bytes)
            info = client.run(
                lambda: EmbeddingsApi(client.api_client).embeddings_with_http_info(REQUEST)
            )
        assert client.api_client.closed
    assert response.data[0].embedding == [0.25, 0.5]
    assert isinstance(raw, bytes) and json.loads(raw) == body
    assert info.status_code == 200 and info.data.data[0].embedding == [0.25, 0.5]
    assert len(sent(mocked)) == 3


# ------------------------------------------------------------ runtime.md#transport-and-connection-pool


async def test_a_shared_session_still_gets_the_configurations_timeouts_and_proxy(
    mocked: aioresponses,
) -> None:
    """runtime.md: "With `session=` ... The configuration's timeouts, proxy and TLS
    verification still apply per request"."""
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[0.5]]))
    configuration = Configuration(
        host=HOST,
        access_token=TOKEN,
        retries=0,
        total_timeout=33.0,
        connect_timeout=4.0,
        proxy="http://proxy.local:3128",
    )
    async with aiohttp.ClientSession() as session:
        async with ApiClient(configuration, session=session) as client:
            await EmbeddingsApi(client).embeddings(REQUEST)
        assert not session.closed
    (call,) = sent(mocked)
    assert call.kwargs["timeout"] == aiohttp.ClientTimeout(total=33.0, connect=4.0)
    assert call.kwargs["proxy"] == "http://proxy.local:3128"


# ------------------------------------------------------------ runtime.md#errors: your own code


class Boom(Exception):
    """What a caller's own code raises."""


async def test_what_your_own_code_raises_propagates_as_it_is(mocked: aioresponses) -> None:
    """runtime.md#errors: "What your own code raises — a hook, a `decode=` parser raising
    something other than the errors listed under per-call decoding, a custom retry strategy —
    propagates as it is"."""
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[0.5]]), repeat=True)
    mocked.post(EMBEDDINGS_URL, status=503, payload=ERROR, repeat=True)

    class RaisingHook:
        def on_request(self, request: Any) -> None:
            raise Boom("hook")

        def on_response(self, request: Any, result: Any) -> None:
            pass

    class RaisingStrategy:
        def decide(self, outcome: Any) -> float | None:
            raise Boom("strategy")

    def parser(body: bytes) -> Any:
        raise Boom("parser")

    configuration = Configuration(host=HOST, access_token=TOKEN, retries=0)
    async with ApiClient(configuration, hooks=[RaisingHook()]) as client:
        with pytest.raises(Boom, match="hook"):
            await EmbeddingsApi(client).embeddings(REQUEST)
    async with ApiClient(configuration) as client:
        with pytest.raises(Boom, match="parser"):
            await EmbeddingsApi(client).embeddings(REQUEST, _decode=parser)
    mocked.clear()
    mocked.post(EMBEDDINGS_URL, status=503, payload=ERROR, repeat=True)
    async with ApiClient(configuration, retry_policy=RaisingStrategy()) as client:
        with pytest.raises(Boom, match="strategy"):
            await EmbeddingsApi(client).embeddings(REQUEST)


# ------------------------------------------------------------ reliability.md#security: debug


async def test_debug_logs_method_url_status_and_request_id(
    api: EmbeddingsApi,
    api_client: ApiClient,
    mocked: aioresponses,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """reliability.md#security: "With `Configuration(debug=True)` each request logs method,
    URL, status, duration, retry count and request id at DEBUG" (and never the body)."""
    api_client.configuration.debug = True
    try:
        mocked.post(
            EMBEDDINGS_URL,
            payload=embeddings_payload([[0.5]]),
            headers={"x-request-id": "dbg-1"},
        )
        with caplog.at_level(logging.DEBUG, logger="together.generated"):
            await api.embeddings(EmbeddingsRequest(model="m", input=["private words"]))
    finally:
        api_client.configuration.debug = False
        logging.getLogger("together.generated").setLevel(logging.NOTSET)
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert len(lines) == 1, lines
    (line,) = lines
    for part in ("POST", EMBEDDINGS_URL, "200", "dbg-1"):
        assert part in line, (part, line)
    assert "private words" not in caplog.text and TOKEN not in caplog.text


# ------------------------------------------------------------ runtime.md#per-call-decoding


@pytest.mark.parametrize(
    "failure",
    [ValueError("v"), TypeError("t"), KeyError("k"), IndexError("i"), ZeroDivisionError("z")],
)
async def test_each_parser_error_the_docs_list_is_a_malformed_answer(
    api_client: ApiClient, mocked: aioresponses, failure: Exception
) -> None:
    """runtime.md#per-call-decoding (`_decode=`): "a parser that raises `ValueError`, `TypeError`,
    `KeyError`, `IndexError` or an arithmetic error gives `MalformedResponseException` with the
    raw bytes"."""
    body = json.dumps(embeddings_payload([[0.5]])).encode()
    mocked.post(EMBEDDINGS_URL, body=body, headers={"Content-Type": "application/json"})

    def parser(raw: bytes) -> Any:
        raise failure

    with pytest.raises(together.generated.MalformedResponseException) as caught:
        await EmbeddingsApi(api_client).embeddings(REQUEST, _decode=parser)
    assert caught.value.status == 200 and caught.value.body == body


# ------------------------------------------------------------ runtime.md#hooks: the url


async def test_a_hook_sees_the_path_template_and_the_url_without_its_query(
    configuration: Configuration, mocked: aioresponses
) -> None:
    """runtime.md#hooks: "`path` (the template, e.g. `/embeddings`), `url` (no query)"."""
    import re

    seen: list[Any] = []

    class Recorder:
        def on_request(self, request: Any) -> None:
            seen.append(request)

        def on_response(self, request: Any, result: Any) -> None:
            pass

    mocked.get(re.compile(rf"^{re.escape(HOST)}/evaluation/job-7/status\b.*"), payload={})
    mocked.get(re.compile(rf"^{re.escape(HOST)}/evaluation\?.*"), payload=[])
    async with ApiClient(configuration, hooks=[Recorder()]) as client:
        api = together.generated.EvaluationApi(client)
        await api.get_all_evaluation_jobs(status="done", limit=5)
        raw = await api.get_evaluation_job_status_and_results_without_preload_content("job-7")
        raw.release()
    listing, status = seen
    assert (listing.path, listing.url) == ("/evaluation", f"{HOST}/evaluation")
    assert (status.path, status.url) == (
        "/evaluation/{id}/status",
        f"{HOST}/evaluation/job-7/status",
    )
    sent_urls = [str(url) for _method, url in recorded(mocked)]
    assert any("limit=5" in url for url in sent_urls), sent_urls  # sent, only not shown


# ------------------------------------------------------------ reliability.md#timeouts


async def test_an_aiohttp_client_timeout_is_used_as_given(
    api: EmbeddingsApi, mocked: aioresponses
) -> None:
    """reliability.md#timeouts-and-transport-errors: "an `aiohttp.ClientTimeout` is accepted
    too"."""
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[0.5]]))
    given = aiohttp.ClientTimeout(total=9.0, sock_connect=2.0)
    await api.embeddings(REQUEST, _request_timeout=given)
    (call,) = sent(mocked)
    assert call.kwargs["timeout"] == given


# ------------------------------------------------------------ reliability.md#retries: the API docs


def test_the_api_docs_say_whether_an_operation_is_retried() -> None:
    """reliability.md#retries: "the API docs page says whether an operation is retried" —
    `POST /embeddings` is marked retry-safe, `POST /images/generations` is not
    (spec-changes.md)."""
    embeddings = (REPOSITORY / "docs" / "EmbeddingsApi.md").read_text(encoding="utf-8")
    images = (REPOSITORY / "docs" / "ImagesApi.md").read_text(encoding="utf-8")
    retried = (
        "Retried on connection errors, timeouts and statuses 408, 409, 429, 500, 502, 503, 504"
    )
    assert retried in embeddings
    assert retried not in images and "Not retried" in images


# ------------------------------------------------------------ runtime.md#another-spec-on-this-runtime


async def test_an_api_client_without_a_configuration_uses_togethers_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """runtime.md: "`together.generated.ApiClient()` without a configuration builds
    Together's, with Together's defaults"."""
    monkeypatch.delenv("TOGETHER_BASE_URL", raising=False)
    monkeypatch.setenv("TOGETHER_API_KEY", "from-the-environment")
    client = ApiClient()
    try:
        assert client.configuration.host == "https://api.together.ai/v1"
        assert client.configuration.access_token == "from-the-environment"
        assert client.configuration.retries == 2
    finally:
        await client.close()
