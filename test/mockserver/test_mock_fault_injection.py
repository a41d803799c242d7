"""Fault injection as docs/mock-server.md ("Fault injection") describes it: forced and
scripted faults, random faults at a rate with a seed, statuses in the spec's error shape with
``Retry-After``, drops, stalls, truncation, error events, latency, and how each is counted."""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from typing import Any

import aiohttp
import pytest

from together.mock import FaultOptions, MockOptions
from together.mock import pipeline as pipeline_module
from together.mock.faults import FaultPlan, parse_fault, parse_faults

BEARER = {"Authorization": "Bearer any-token"}
EMBED = {"model": "BAAI/bge-base-en-v1.5", "input": "hello there"}


def injected(status: int, message: str, type_: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": None, "code": None}}


# ---------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("ok", None),
        (" OK ", None),
        ("200", None),
        ("", None),
        ("drop", "drop"),
        ("Stall", "stall"),
        (" truncate", "truncate"),
        ("ERROR-EVENT", "error-event"),
        ("400", 400),
        ("429", 429),
        ("503", 503),
        ("599", 599),
    ],
)
def test_parse_fault_reads_statuses_names_and_ok(text: str, fault: int | str | None) -> None:
    assert parse_fault(text) == fault


@pytest.mark.parametrize("text", ["399", "600", "201", "teapot", "-503", "5o3", "drops"])
def test_parse_fault_refuses_anything_else(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_fault(text)
    assert str(caught.value) == (
        f"not a fault: {text!r} (a 4xx/5xx status, ok, drop, stall, truncate, error-event)"
    )


def test_parse_faults_reads_a_comma_separated_list() -> None:
    assert parse_faults("429, 503,,drop,ok") == [429, 503, "drop", None]
    assert parse_faults("") == []
    assert parse_faults(" , ") == []


def test_fault_options_defaults_misbehave_never() -> None:
    options = FaultOptions()
    assert (options.fail_rate, options.fail_statuses, options.script) == (0.0, [429, 503, 504], [])
    assert (options.retry_after, options.latency_ms, options.stall_seconds, options.seed) == (
        None,
        0.0,
        30.0,
        None,
    )


@pytest.mark.parametrize("rate", [-0.01, 1.01, 2])
def test_fail_rate_outside_0_1_is_refused(rate: float) -> None:
    with pytest.raises(ValueError, match=r"^fail_rate must be between 0 and 1$"):
        FaultOptions(fail_rate=rate)


def test_fail_rate_needs_faults_to_draw_from() -> None:
    assert FaultOptions(fail_rate=0.0, fail_statuses=[]).fail_statuses == []
    assert FaultOptions(fail_rate=1.0).fail_rate == 1.0
    with pytest.raises(ValueError, match=r"^fail_rate needs at least one fault in fail_statuses$"):
        FaultOptions(fail_rate=0.5, fail_statuses=[])


# ---------------------------------------------------------------------------- the plan


def test_forced_fault_wins_over_the_script_and_does_not_use_it() -> None:
    plan = FaultPlan(FaultOptions(script=[503, "drop"]))
    assert plan.next_fault("429") == 429
    assert plan.next_fault("ok") is None
    assert [plan.next_fault(None) for _ in range(4)] == [503, "drop", None, None]
    plan.extend_script([504, None, "stall"])
    assert [plan.next_fault(None) for _ in range(4)] == [504, None, "stall", None]


def test_random_faults_follow_the_rate() -> None:
    plan = FaultPlan(FaultOptions(fail_rate=0.2, fail_statuses=[500, "drop"], seed=7))
    drawn = Counter(plan.next_fault(None) for _ in range(2000))
    assert set(drawn) == {None, 500, "drop"}
    assert 300 <= drawn[500] + drawn["drop"] <= 500  # about a fifth
    assert 100 <= drawn[500] <= 300 and 100 <= drawn["drop"] <= 300
    always = FaultPlan(FaultOptions(fail_rate=1.0, fail_statuses=[429], seed=1))
    assert {always.next_fault(None) for _ in range(50)} == {429}
    never = FaultPlan(FaultOptions(fail_rate=0.0, seed=1))
    assert {never.next_fault(None) for _ in range(50)} == {None}


def test_random_faults_repeat_with_the_same_seed() -> None:
    def run(seed: int | None) -> list[int | str | None]:
        plan = FaultPlan(FaultOptions(fail_rate=0.5, fail_statuses=[429, 503, 504], seed=seed))
        return [plan.next_fault(None) for _ in range(64)]

    assert run(3) == run(3)
    assert run(3) != run(4)
    # The seed is the only source: it is what Python's own generator gives for it.
    reference = random.Random(3)
    expected = []
    for _ in range(64):
        expected.append(reference.choice([429, 503, 504]) if reference.random() < 0.5 else None)
    assert run(3) == expected


# ---------------------------------------------------------------------------- over HTTP


async def stats(client: Any) -> dict[str, Any]:
    return await (await client.get("/_mock/stats")).json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("status", "type_", "message"),
    [
        (429, "rate_limit_error", "Rate limit exceeded (injected)"),
        (503, "server_error", "Overloaded (injected)"),
        (500, "server_error", "Injected fault 500"),
        (504, "server_error", "Injected fault 504"),
        (404, "invalid_request_error", "Injected fault 404"),
        (499, "invalid_request_error", "Injected fault 499"),
    ],
)
async def test_injected_statuses_answer_in_the_spec_error_shape(
    serve: Any, status: int, type_: str, message: str
) -> None:
    client = await serve()
    headers = {**BEARER, "X-Mock-Status": str(status)}
    response = await client.post("/v1/embeddings", json=EMBED, headers=headers)
    assert (response.status, await response.json()) == (status, injected(status, message, type_))
    assert "Retry-After" not in response.headers


@pytest.mark.parametrize(
    ("retry_after", "status", "header"),
    [
        (1.5, 429, "1.5"),
        (2.0, 503, "2"),
        (0.0, 429, "0"),
        (3, 504, None),
        (3, 500, None),
        (0.00001, 503, "1e-05"),
    ],
)
async def test_retry_after_is_sent_on_429_and_503(
    serve: Any, retry_after: float, status: int, header: str | None
) -> None:
    client = await serve(MockOptions(faults=FaultOptions(retry_after=retry_after)))
    headers = {**BEARER, "X-Mock-Status": str(status)}
    response = await client.post("/v1/embeddings", json=EMBED, headers=headers)
    assert response.status == status
    assert response.headers.get("Retry-After") == header


async def test_faults_come_before_the_token_is_read(serve: Any) -> None:
    client = await serve(MockOptions(api_key="k"))
    response = await client.get("/v1/models", headers={"X-Mock-Status": "503"})
    assert response.status == 503


async def test_scripted_faults_then_normal_answers_and_stats(serve: Any) -> None:
    client = await serve(MockOptions(faults=FaultOptions(script=[503, 429, None, 504])))
    statuses = []
    for _ in range(5):
        response = await client.post("/v1/embeddings", json=EMBED, headers=BEARER)
        statuses.append(response.status)
    assert statuses == [503, 429, 200, 504, 200]
    assert await stats(client) == {
        "total": 5,
        "requests": {"/v1/embeddings": {"200": 2, "429": 1, "503": 1, "504": 1}},
    }


async def test_garbage_forced_fault_is_a_400_naming_the_header(serve: Any) -> None:
    client = await serve()
    headers = {**BEARER, "X-Mock-Status": "teapot"}
    response = await client.post("/v1/embeddings", json=EMBED, headers=headers)
    assert (response.status, await response.json()) == (
        400,
        {
            "error": {
                "message": "X-Mock-Status: not a fault: 'teapot' "
                "(a 4xx/5xx status, ok, drop, stall, truncate, error-event)",
                "type": "invalid_request_error",
                "param": "X-Mock-Status",
                "code": None,
            }
        },
    )


async def test_forced_ok_answers_normally_despite_the_script(serve: Any) -> None:
    client = await serve(MockOptions(faults=FaultOptions(script=[503])))
    headers = {**BEARER, "X-Mock-Status": "ok"}
    assert (await client.post("/v1/embeddings", json=EMBED, headers=headers)).status == 200
    assert (await client.post("/v1/embeddings", json=EMBED, headers=BEARER)).status == 503


async def test_drop_closes_the_connection_without_an_answer(serve: Any) -> None:
    client = await serve()
    headers = {**BEARER, "X-Mock-Status": "drop"}
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await client.post("/v1/embeddings", json=EMBED, headers=headers)
    assert (await client.post("/v1/embeddings", json=EMBED, headers=BEARER)).status == 200
    assert (await stats(client))["requests"] == {"/v1/embeddings": {"200": 1, "drop": 1}}


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/v1/embeddings"), ("GET", "/v1/deployments")]
)
async def test_a_drop_is_not_logged_as_a_server_error(
    serve: Any, method: str, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A drop is the fault asked for, not a crash: nothing is logged (``GET /deployments``
    declares its own 500 answer, so an internal answer of 500 would be reshaped there)."""
    client = await serve()
    with caplog.at_level(logging.DEBUG, logger="together.mock"):
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await client.request(
                method, path, json=EMBED, headers={**BEARER, "X-Mock-Status": "drop"}
            )
        for _ in range(100):  # the server's side ends after the client's
            if (await stats(client))["requests"]:
                break
            await asyncio.sleep(0.01)
    assert (await stats(client))["requests"] == {path: {"drop": 1}}
    assert [r.getMessage() for r in caplog.records if r.name.startswith("together")] == []


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits the request pipeline makes (latency, stalls), recorded instead of waited."""
    waited: list[float] = []

    class Clock:
        @staticmethod
        async def sleep(seconds: float) -> None:
            waited.append(seconds)

    monkeypatch.setattr(pipeline_module, "asyncio", Clock)
    return waited


async def test_stall_holds_the_answer_for_stall_seconds_then_answers(
    serve: Any, sleeps: list[float]
) -> None:
    client = await serve(MockOptions(faults=FaultOptions(stall_seconds=12.5)))
    headers = {**BEARER, "X-Mock-Status": "stall"}
    response = await client.post("/v1/embeddings", json=EMBED, headers=headers)
    assert response.status == 200
    assert sleeps == [12.5]
    assert (await stats(client))["requests"] == {"/v1/embeddings": {"stall": 1}}


@pytest.mark.parametrize(
    ("option_ms", "header", "waits"),
    [
        (0.0, None, []),
        (100.0, None, [0.1]),
        (100.0, "250", [0.35]),
        (0.0, "250", [0.25]),
        (0.0, "1.5", [0.0015]),
        (100.0, "-50", [0.1]),  # a negative header adds nothing
        (0.0, "-50", []),
    ],
)
async def test_latency_from_the_option_and_the_header_add_up(
    serve: Any, sleeps: list[float], option_ms: float, header: str | None, waits: list[float]
) -> None:
    client = await serve(MockOptions(faults=FaultOptions(latency_ms=option_ms)))
    headers = BEARER if header is None else {**BEARER, "X-Mock-Latency-Ms": header}
    response = await client.post("/v1/embeddings", json=EMBED, headers=headers)
    assert response.status == 200
    assert sleeps == pytest.approx(waits)


async def test_latency_header_that_is_not_a_number_is_a_400(serve: Any) -> None:
    client = await serve()
    headers = {**BEARER, "X-Mock-Latency-Ms": "soon"}
    response = await client.post("/v1/embeddings", json=EMBED, headers=headers)
    assert (response.status, await response.json()) == (
        400,
        {
            "error": {
                "message": "X-Mock-Latency-Ms: not a number: 'soon'",
                "type": "invalid_request_error",
                "param": "X-Mock-Latency-Ms",
                "code": None,
            }
        },
    )


async def read_cut(response: aiohttp.ClientResponse) -> bytes:
    """What arrived of a body that the server cut off."""
    got = b""
    with pytest.raises(aiohttp.ClientPayloadError):
        while chunk := await response.content.read(1):
            got += chunk
    return got


async def test_truncate_sends_the_full_length_but_half_the_body(serve: Any) -> None:
    client = await serve()
    whole = await (await client.post("/v1/embeddings", json=EMBED, headers=BEARER)).read()
    headers = {**BEARER, "X-Mock-Status": "truncate", "x-request-id": "req-1"}
    response = await client.post("/v1/embeddings", json=EMBED, headers=headers)
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["x-request-id"] == "req-1"
    assert int(response.headers["Content-Length"]) == len(whole)
    assert await read_cut(response) == whole[: len(whole) // 2]
    assert (await stats(client))["requests"] == {"/v1/embeddings": {"200": 1, "truncate": 1}}


async def test_error_event_on_a_plain_answer_is_a_500(serve: Any) -> None:
    client = await serve()
    headers = {**BEARER, "X-Mock-Status": "error-event"}
    response = await client.post("/v1/embeddings", json=EMBED, headers=headers)
    assert (response.status, await response.json()) == (
        500,
        injected(500, "Injected fault 500", "server_error"),
    )
    assert (await stats(client))["requests"] == {"/v1/embeddings": {"error-event": 1}}


async def test_error_event_needs_stream_true_exactly(serve: Any) -> None:
    client = await serve()
    headers = {**BEARER, "X-Mock-Status": "error-event"}
    body = {
        "model": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "messages": [{"role": "user", "content": "hi"}],
        "stream": False,
    }
    response = await client.post("/v1/chat/completions", json=body, headers=headers)
    assert response.status == 500
    response = await client.post(
        "/v1/chat/completions", json={**body, "stream": True}, headers=headers
    )
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/event-stream"


async def test_random_faults_at_full_rate_hit_every_request(serve: Any) -> None:
    options = MockOptions(faults=FaultOptions(fail_rate=1.0, fail_statuses=[502], seed=1))
    client = await serve(options)
    for _ in range(3):
        assert (await client.post("/v1/embeddings", json=EMBED, headers=BEARER)).status == 502


async def test_batches_errors_take_the_shape_batches_declare(serve: Any) -> None:
    """The spec's batches operations declare ``BatchErrorResponse`` for their errors."""
    client = await serve()
    headers = {**BEARER, "X-Mock-Status": "429"}
    response = await client.get("/v1/batches", headers={**BEARER, "X-Mock-Status": "401"})
    assert (response.status, await response.json()) == (401, {"error": "Injected fault 401"})
    response = await client.post("/v1/batches", json={}, headers=headers)
    assert (response.status, await response.json()) == (
        429,
        {"error": "Rate limit exceeded (injected)"},
    )
    # A status the operation does not declare keeps ErrorData.
    response = await client.get("/v1/batches", headers={**BEARER, "X-Mock-Status": "503"})
    assert (response.status, await response.json()) == (
        503,
        injected(503, "Overloaded (injected)", "server_error"),
    )


async def test_sdk_upload_routes_get_the_same_faults(serve: Any) -> None:
    client = await serve()
    form = {"purpose": "fine-tune", "file_name": "a.jsonl", "file_type": "jsonl"}
    for fault, status, body in [
        ("429", 429, injected(429, "Rate limit exceeded (injected)", "rate_limit_error")),
        ("error-event", 500, injected(500, "Injected fault 500", "server_error")),
    ]:
        response = await client.post(
            "/v1/files",
            data=form,
            headers={**BEARER, "X-Mock-Status": fault},
            allow_redirects=False,
        )
        assert (response.status, await response.json()) == (status, body)
    response = await client.post("/v1/files", data=form, headers=BEARER, allow_redirects=False)
    assert response.status == 302
    # An answer without a body has nothing to cut: it keeps its status and headers.
    response = await client.post(
        "/v1/files",
        data=form,
        headers={**BEARER, "X-Mock-Status": "truncate", "x-request-id": "req-7"},
        allow_redirects=False,
    )
    assert response.status == 302
    assert "/_mock/uploads/" in response.headers["Location"]
    assert response.headers["X-Together-File-Id"]
    assert response.headers["x-request-id"] == "req-7"
    assert response.headers["Content-Length"] == "0"
    assert (await stats(client))["requests"] == {
        "/v1/files": {"429": 1, "error-event": 1, "302": 1, "truncate": 1}
    }


async def test_sdk_routes_cut_a_truncated_answer_and_only_that_one(serve: Any) -> None:
    client = await serve()
    body = {"purpose": "fine-tune", "file_name": "big.jsonl", "num_parts": 3}
    normal = await client.post("/v1/files/multipart/initiate", json=body, headers=BEARER)
    assert normal.status == 200
    whole = await normal.json()
    assert [part["PartNumber"] for part in whole["parts"]] == [1, 2, 3]
    cut = await client.post(
        "/v1/files/multipart/initiate",
        json=body,
        headers={**BEARER, "X-Mock-Status": "truncate"},
    )
    assert cut.status == 200
    length = int(cut.headers["Content-Length"])
    assert len(await read_cut(cut)) == length // 2
    assert (await stats(client))["requests"] == {
        "/v1/files/multipart/initiate": {"200": 1, "truncate": 1}
    }
