"""Issue 9: the seams a higher-level SDK builds on — transport, shared session, retry
strategy, per-call decoding, hooks, request ids, one error family."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from pydantic import BaseModel

import together.generated
import together.generated._runtime.exceptions as exceptions_module
from support import EMBEDDINGS_URL, HOST, TOKEN, embeddings_payload, json_of, sent_calls
from together.generated import (
    ApiAttributeError,
    ApiClient,
    ApiConnectionError,
    ApiException,
    ApiKeyError,
    BadRequestException,
    Configuration,
    EmbeddingsApi,
    EmbeddingsRequest,
    EmbeddingsResponse,
    MalformedResponseError,
    NotFoundException,
    OpenApiException,
    ServiceUnavailableException,
)
from together.generated._runtime.exceptions import ClientStateError, MalformedResponseException
from together.generated._runtime.hooks import AttemptRequest, AttemptResult
from together.generated._runtime.rest import PreparedRequest, RequestTimeout, RESTResponse
from together.generated._runtime.retry import AttemptOutcome, RetryPolicy
from together.generated.api.embeddings_api import _EMBEDDINGS_OPERATION

REQUEST = EmbeddingsRequest(model="m", input=["a", "b"])
ERROR = {"error": {"message": "busy", "type": "server_error"}}


def answer(status: int, document: Any, **headers: str) -> RESTResponse:
    return RESTResponse(
        status=status,
        reason={200: "OK", 400: "Bad Request", 503: "Service Unavailable"}.get(status),
        headers={"Content-Type": "application/json", **headers},
        data=json.dumps(document).encode(),
        content_type="application/json",
    )


@dataclass
class FakeTransport:
    """A transport a test substitutes without patching: canned answers, requests recorded."""

    answers: list[RESTResponse | OpenApiException]
    sent: list[PreparedRequest] = field(default_factory=list)
    closed: bool = False

    async def request(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> RESTResponse:
        self.sent.append(request)
        outcome = self.answers.pop(0)
        if isinstance(outcome, OpenApiException):
            raise outcome
        return outcome

    async def open(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> aiohttp.ClientResponse:
        raise ClientStateError("the fake transport has no unread responses")

    async def close(self) -> None:
        self.closed = True


async def no_wait(delay: float) -> None:
    pass


def configuration(**settings: Any) -> Configuration:
    return Configuration(host=HOST, access_token=TOKEN, **settings)


# ------------------------------------------------------------------ transport


async def test_a_fake_transport_serves_the_whole_call_path() -> None:
    fake = FakeTransport(
        [
            answer(503, ERROR, **{"x-request-id": "r-1"}),
            ApiConnectionError("reset"),
            answer(200, embeddings_payload([[1.0], [2.0]]), **{"x-request-id": "r-3"}),
        ]
    )
    async with ApiClient(configuration(retries=2), transport=fake) as client:
        client._sleep = no_wait
        result = await EmbeddingsApi(client).embeddings_with_http_info(REQUEST)
    assert [d.embedding for d in result.data.data] == [[1.0], [2.0]]
    assert result.request_id == "r-3"
    assert len(fake.sent) == 3 and fake.closed
    sent = fake.sent[0]
    assert (sent.method, sent.url) == ("POST", f"{HOST}/embeddings")
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    assert json_of(sent.body) == {"model": "m", "input": ["a", "b"]}


async def test_a_transport_and_a_session_together_are_refused() -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(together.generated.ApiValueError):
            ApiClient(configuration(), session=session, transport=FakeTransport([]))


async def test_a_shared_session_is_the_callers_to_close(mocked: aioresponses) -> None:
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[0.5]]), repeat=True)
    session = aiohttp.ClientSession()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no ResourceWarning: the clients own no pool
            for _ in range(2):
                async with ApiClient(configuration(retries=0), session=session) as client:
                    await EmbeddingsApi(client).embeddings(REQUEST)
                assert client.closed
                del client
        assert not session.closed  # both clients are closed, the caller's session is not
        assert len(sent_calls(mocked)) == 2
        async with session.get("https://api.test/other") as _:
            pass  # and it still works for the caller
    except aiohttp.ClientConnectionError:
        pass  # aioresponses has no answer for /other: the session was used, that is enough
    finally:
        await session.close()
    client = ApiClient(configuration(retries=0), session=session)
    with pytest.raises(ClientStateError, match="session given to this ApiClient is closed"):
        await EmbeddingsApi(client).embeddings(REQUEST)
    await client.close()


# ------------------------------------------------------------------ retry strategy


@dataclass
class RecordingStrategy:
    """A wrapper's own policy: retries 400 once (say, a known flaky validator), nothing else."""

    seen: list[AttemptOutcome] = field(default_factory=list)

    def decide(self, outcome: AttemptOutcome) -> float | None:
        self.seen.append(outcome)
        return 0.25 if outcome.status == 400 and outcome.attempt == 0 else None


async def test_a_client_wide_strategy_is_the_one_place_that_decides() -> None:
    strategy = RecordingStrategy()
    fake = FakeTransport([answer(400, ERROR), answer(400, ERROR)])
    async with ApiClient(configuration(), transport=fake, retry_policy=strategy) as client:
        waits: list[float] = []

        async def record(delay: float) -> None:
            waits.append(delay)

        client._sleep = record
        with pytest.raises(BadRequestException):
            await EmbeddingsApi(client).embeddings(REQUEST, _deadline=30)
    assert waits == [0.25] and len(fake.sent) == 2
    first, second = strategy.seen
    assert (first.operation_id, first.status, first.attempt, first.retry_safe) == (
        "embeddings",
        400,
        0,
        True,
    )
    assert isinstance(first.error, BadRequestException) and first.headers is not None
    assert first.time_left is not None and 29 < first.time_left <= 30
    assert second.attempt == 1


async def test_a_per_call_strategy_wins_and_sees_transport_errors() -> None:
    strategy = RecordingStrategy()
    fake = FakeTransport([ApiConnectionError("reset")])
    async with ApiClient(configuration(retries=5), transport=fake) as client:
        with pytest.raises(ApiConnectionError):
            await client.call_api(_EMBEDDINGS_OPERATION, {}, REQUEST, retry_policy=strategy)
    (outcome,) = strategy.seen
    assert outcome.status is None and isinstance(outcome.error, ApiConnectionError)
    assert outcome.time_left is None and len(fake.sent) == 1


async def test_retries_per_call_cap_a_custom_strategy() -> None:
    class Always:
        def decide(self, outcome: AttemptOutcome) -> float | None:
            return 0.0

    fake = FakeTransport([answer(503, ERROR)] * 5)
    async with ApiClient(configuration(), transport=fake, retry_policy=Always()) as client:
        client._sleep = no_wait
        with pytest.raises(ServiceUnavailableException):
            await EmbeddingsApi(client).embeddings(REQUEST, _retries=2)
    assert len(fake.sent) == 3


async def test_a_client_policy_object_takes_the_per_call_count() -> None:
    fake = FakeTransport([answer(503, ERROR)] * 5)
    policy = RetryPolicy(max_retries=0, initial_backoff=0.0)
    async with ApiClient(configuration(), transport=fake, retry_policy=policy) as client:
        client._sleep = no_wait
        with pytest.raises(ServiceUnavailableException):
            await EmbeddingsApi(client).embeddings(REQUEST, _retries=3)
    assert len(fake.sent) == 4


def test_the_default_policy_decides_from_the_outcome_alone() -> None:
    policy = RetryPolicy(max_retries=2, initial_backoff=0.0)

    def outcome(**changes: Any) -> AttemptOutcome:
        base: dict[str, Any] = {
            "operation_id": "op",
            "retry_safe": True,
            "attempt": 0,
            "status": 503,
            "headers": {},
            "error": ApiException(status=503),
            "time_left": None,
        }
        return AttemptOutcome(**{**base, **changes})

    assert policy.decide(outcome()) == 0.0
    assert policy.decide(outcome(retry_safe=False)) is None
    assert policy.decide(outcome(attempt=2)) is None
    assert policy.decide(outcome(status=400)) is None
    assert policy.decide(outcome(headers={"Retry-After": "7"})) == 7.0
    assert policy.decide(outcome(headers={"Retry-After": "7"}, time_left=5.0)) is None
    assert policy.decide(outcome(status=None, error=ApiConnectionError("x"))) == 0.0
    redirect = exceptions_module.RedirectLoopError("loop")
    assert policy.decide(outcome(status=None, error=redirect)) is None


# ------------------------------------------------------------------ per-call decoding


class JustVectors(BaseModel):
    """A caller's own model of the answer: only what it needs."""

    data: list[dict[str, Any]]


async def test_per_call_decoding_with_a_parser_model_or_raw_bytes() -> None:
    body = embeddings_payload([[1.0, 2.0], [3.0, 4.0]])
    fake = FakeTransport([answer(200, body), answer(200, body), answer(200, body)])

    def rows(raw: bytes) -> list[list[float]]:
        """What together.bulk wants: the vectors in input order, nothing else."""
        items = json.loads(raw)["data"]
        return [item["embedding"] for item in sorted(items, key=lambda item: item["index"])]

    async with ApiClient(configuration(), transport=fake) as client:
        parsed = await client.call_api(_EMBEDDINGS_OPERATION, {}, REQUEST, decode=rows)
        model = await client.call_api(_EMBEDDINGS_OPERATION, {}, REQUEST, decode=JustVectors)
        raw = await client.call_api(_EMBEDDINGS_OPERATION, {}, REQUEST, decode=bytes)
    assert parsed.data == [[1.0, 2.0], [3.0, 4.0]]
    assert isinstance(model.data, JustVectors) and len(model.data.data) == 2
    assert json.loads(raw.data) == body and raw.data == raw.raw_data


async def test_per_call_decoding_keeps_the_error_mapping_and_the_checks() -> None:
    fake = FakeTransport(
        [answer(503, ERROR), answer(200, {"data": "x"}), answer(200, {"data": []})]
    )
    fake.answers[2] = RESTResponse(200, "OK", {}, b'{"data": []}', "text/html")
    async with ApiClient(configuration(retries=0), transport=fake) as client:
        with pytest.raises(ServiceUnavailableException):
            await client.call_api(_EMBEDDINGS_OPERATION, {}, REQUEST, decode=JustVectors)
        with pytest.raises(MalformedResponseException, match="not a valid JustVectors"):
            await client.call_api(_EMBEDDINGS_OPERATION, {}, REQUEST, decode=JustVectors)
        with pytest.raises(MalformedResponseException, match="content type"):
            await client.call_api(_EMBEDDINGS_OPERATION, {}, REQUEST, decode=json.loads)


# ------------------------------------------------------------------ hooks


@dataclass
class SpanRecorder:
    """What an OpenTelemetry hook would do: open a span per attempt, close it with its end."""

    open: dict[AttemptRequest, float] = field(default_factory=dict)
    spans: list[dict[str, Any]] = field(default_factory=list)

    def on_request(self, request: AttemptRequest) -> None:
        self.open[request] = 0.0

    def on_response(self, request: AttemptRequest, result: AttemptResult) -> None:
        del self.open[request]
        self.spans.append(
            {
                "method": request.method,
                "path": request.path,
                "url": request.url,
                "attempt": request.attempt,
                "status": result.status,
                "duration": result.duration,
                "request_id": result.request_id,
                "error": type(result.error).__name__ if result.error else None,
                "reprs": repr(request) + repr(result),
            }
        )


async def test_a_span_hook_sees_each_attempt_and_never_the_token() -> None:
    hook = SpanRecorder()
    fake = FakeTransport(
        [
            answer(503, ERROR, **{"x-request-id": "r-1"}),
            ApiConnectionError("reset"),
            answer(200, embeddings_payload([[1.0], [2.0]]), **{"x-request-id": "r-3"}),
        ]
    )
    async with ApiClient(configuration(), transport=fake, hooks=[hook]) as client:
        client._sleep = no_wait
        await EmbeddingsApi(client).embeddings(REQUEST)
    assert [
        (s["method"], s["path"], s["attempt"], s["status"], s["error"]) for s in hook.spans
    ] == [
        ("POST", "/embeddings", 0, 503, "ServiceUnavailableException"),
        ("POST", "/embeddings", 1, None, "ApiConnectionError"),
        ("POST", "/embeddings", 2, 200, None),
    ]
    assert [s["request_id"] for s in hook.spans] == ["r-1", None, "r-3"]
    assert all(s["duration"] >= 0 for s in hook.spans) and hook.open == {}
    assert all(TOKEN not in s["reprs"] and TOKEN not in s["url"] for s in hook.spans)


async def test_a_hook_hears_of_a_malformed_success() -> None:
    hook = SpanRecorder()
    fake = FakeTransport([RESTResponse(200, "OK", {}, b"{", "application/json")])
    async with ApiClient(configuration(), transport=fake, hooks=[hook]) as client:
        with pytest.raises(MalformedResponseError):
            await EmbeddingsApi(client).embeddings(REQUEST)
    assert hook.spans[0]["status"] == 200
    assert hook.spans[0]["error"] == "MalformedResponseException"


# ------------------------------------------------------------------ request ids


async def test_the_request_id_is_on_every_result_and_error() -> None:
    fake = FakeTransport(
        [
            answer(200, embeddings_payload([[1.0]]), **{"x-request-id": "ok-1"}),
            answer(503, ERROR, **{"x-request-id": "err-2"}),
            RESTResponse(200, "OK", {"x-request-id": "bad-3"}, b"[]", "application/json"),
            answer(200, embeddings_payload([[1.0]])),
        ]
    )
    async with ApiClient(configuration(retries=0), transport=fake) as client:
        api = EmbeddingsApi(client)
        assert (await api.embeddings_with_http_info(REQUEST)).request_id == "ok-1"
        with pytest.raises(ServiceUnavailableException) as status_error:
            await api.embeddings(REQUEST)
        with pytest.raises(MalformedResponseError) as malformed:
            await api.embeddings(REQUEST)
        assert (await api.embeddings_with_http_info(REQUEST)).request_id is None
    assert status_error.value.request_id == "err-2"
    assert str(status_error.value) == "(503) Service Unavailable: busy [request id err-2]"
    assert malformed.value.request_id == "bad-3" and "[request id bad-3]" in str(malformed.value)


# ------------------------------------------------------------------ one error family


def test_every_error_class_is_an_openapi_exception_and_follows_the_naming_rule() -> None:
    classes = {
        name: value
        for name, value in vars(exceptions_module).items()
        if isinstance(value, type) and issubclass(value, BaseException)
    }
    assert len(classes) >= 25
    for name, cls in classes.items():
        assert issubclass(cls, OpenApiException), name
        if cls.__name__ != name:  # an alias kept for the seed
            assert name == "MalformedResponseError" and cls is MalformedResponseException
            continue
        if cls is OpenApiException:  # the root of both
            continue
        answered = issubclass(cls, ApiException)
        assert name.endswith("Exception") == answered, name
        assert name.endswith("Error") == (not answered), name


def test_a_malformed_success_is_an_api_exception_with_status_and_bytes() -> None:
    error = MalformedResponseError(
        "embeddings: HTTP 200 answer is not valid JSON",
        status=200,
        headers={"x-request-id": "q"},
        body=b"\x00{",
        content_type="application/json",
    )
    assert isinstance(error, ApiException) and error.status == 200 and error.body == b"\x00{"
    assert str(error) == "embeddings: HTTP 200 answer is not valid JSON [request id q]"


def test_the_seeds_unused_classes_now_have_a_use() -> None:
    settings = Configuration(host=HOST, api_key={"apiKeyAuth": "k"})
    with pytest.raises(ApiAttributeError, match="acces_token") as typo:
        settings.acces_token = TOKEN
    assert isinstance(typo.value, AttributeError)
    with pytest.raises(ApiKeyError, match=r"'other'.*keys given: apiKeyAuth") as missing:
        settings.api_key["other"]
    assert isinstance(missing.value, KeyError)
    assert settings.api_key["apiKeyAuth"] == "k"
    settings.access_token = TOKEN  # real settings still assign
    assert settings.access_token == TOKEN


def test_the_seeds_names_stay_importable() -> None:
    for name in ("ApiAttributeError", "ApiKeyError", "MalformedResponseError", "ApiException"):
        assert getattr(together.generated, name) is getattr(exceptions_module, name)
    from together.generated._runtime.rest import ApiException as FromRest

    assert FromRest is ApiException


async def test_decoded_result_type_is_the_models(mocked: aioresponses) -> None:
    mocked.post(EMBEDDINGS_URL, payload=embeddings_payload([[0.5]]))
    async with ApiClient(configuration(retries=0)) as client:
        result = await client.call_api(_EMBEDDINGS_OPERATION, {}, REQUEST)
    assert isinstance(result.data, EmbeddingsResponse)


async def test_hooks_see_a_raw_call_once(mocked: aioresponses) -> None:
    hook = SpanRecorder()
    mocked.post(EMBEDDINGS_URL, status=503, payload=ERROR, headers={"x-request-id": "raw-1"})
    mocked.post(EMBEDDINGS_URL, exception=aiohttp.ClientConnectionError("reset"))
    async with ApiClient(configuration(retries=2), hooks=[hook]) as client:
        api = EmbeddingsApi(client)
        response = await api.embeddings_without_preload_content(REQUEST)
        response.release()
        with pytest.raises(ApiConnectionError):
            await api.embeddings_without_preload_content(REQUEST)
    assert [(s["attempt"], s["status"], s["request_id"], s["error"]) for s in hook.spans] == [
        (0, 503, "raw-1", None),
        (0, None, None, "ApiConnectionError"),
    ]


def test_a_borrowed_session_from_another_loop_is_a_typed_error(mocked: aioresponses) -> None:
    """aiohttp's own refusal (a RuntimeError) becomes ClientStateError."""
    import asyncio

    async def make() -> aiohttp.ClientSession:
        return aiohttp.ClientSession()

    loop = asyncio.new_event_loop()
    session = loop.run_until_complete(make())

    async def call() -> None:
        async with ApiClient(configuration(retries=0), session=session) as client:
            # A stand-in raising what aiohttp raises: not request()'s type, on purpose.
            session.request = _refuse  # type: ignore[method-assign, assignment]
            await EmbeddingsApi(client).embeddings(REQUEST)

    try:
        with pytest.raises(ClientStateError, match="cannot send from here"):
            asyncio.run(call())
    finally:
        loop.run_until_complete(session.close())
        loop.close()


async def _refuse(*args: Any, **kwargs: Any) -> Any:
    # What aiohttp raises for a session whose loop is not the running one, or is closed.
    raise RuntimeError("Timeout context manager should be used inside a task")


def test_errors_survive_pickling_across_processes() -> None:
    import pickle

    status_error = NotFoundException(
        status=404, reason="Not Found", body="gone", headers={"x-request-id": "r-1"}
    )
    malformed = MalformedResponseException(
        "embeddings: HTTP 200 answer is not valid JSON",
        status=200,
        headers={"x-request-id": "r-2"},
        body=b"{",
        content_type="application/json",
    )
    for error in (status_error, malformed):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error)
        assert (copy.status, copy.body, copy.request_id) == (
            error.status,
            error.body,
            error.request_id,
        )


async def test_decode_takes_an_unhashable_parser_and_refuses_a_non_callable() -> None:
    @dataclass
    class Parser:  # a dataclass with eq=True is unhashable
        seen: list[bytes] = field(default_factory=list)

        def __call__(self, body: bytes) -> int:
            self.seen.append(body)
            return len(json.loads(body)["data"])

    fake = FakeTransport([answer(200, embeddings_payload([[1.0], [2.0]]))])
    parser = Parser()
    async with ApiClient(configuration(), transport=fake) as client:
        assert (await client.call_api(_EMBEDDINGS_OPERATION, {}, REQUEST, decode=parser)).data == 2
        with pytest.raises(together.generated.ApiTypeError, match="decode="):
            await client.call_api(_EMBEDDINGS_OPERATION, {}, REQUEST, decode="json")  # type: ignore[call-overload]
    assert len(parser.seen) == 1 and len(fake.sent) == 1
