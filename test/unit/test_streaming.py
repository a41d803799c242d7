"""Streamed answers: the SSE decoder, the stream flag, and call_api_stream over mocked HTTP."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from pydantic import BaseModel, TypeAdapter

from support import HOST, recorded, sent_calls
from together.generated import (
    ApiClient,
    ApiConnectionError,
    ApiValueError,
    BadRequestException,
    MalformedResponseError,
    RateLimitException,
    ServiceUnavailableException,
)
from together.generated._runtime.operation import BodySpec, Operation, ResponseSpec
from together.generated._runtime.streaming import (
    AsyncStream,
    ServerSentEvent,
    SSEDecoder,
    StreamError,
)
from together.generated.models.error_data import ErrorData

# ------------------------------------------------------------------ the SSE decoder


def decode(*pieces: bytes) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events = [event for piece in pieces for event in decoder.feed(piece)]
    last = decoder.end()
    return events + ([last] if last is not None else [])


def test_data_lines_are_joined_with_newlines() -> None:
    assert decode(b"data: a\ndata: b\ndata:c\n\n") == [ServerSentEvent(data="a\nb\nc")]


def test_event_id_and_retry_fields() -> None:
    events = decode(b"event: delta\nid: 7\nretry: 1500\ndata: x\n\ndata: y\n\n")
    assert events == [
        ServerSentEvent("delta", "x", "7", 1500),
        # id and retry persist; the event type resets after each dispatch
        ServerSentEvent("message", "y", "7", 1500),
    ]


def test_comments_unknown_fields_and_bad_values_are_ignored() -> None:
    events = decode(b": keep-alive\nfoo: bar\nretry: soon\nid: a\x00b\ndata: x\n\n")
    assert events == [ServerSentEvent(data="x")]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_every_line_ending(newline: bytes) -> None:
    body = newline.join([b"data: one", b"", b"event: e", b"data: two", b"", b""])
    assert decode(body) == [ServerSentEvent(data="one"), ServerSentEvent("e", "two")]


def test_a_crlf_split_between_pieces_is_one_line_end() -> None:
    # "\r" | "\n" must not count as two line ends (that would dispatch an empty line early).
    events = decode(b"data: a\r", b"\ndata: b\r\n\r\n")
    assert events == [ServerSentEvent(data="a\nb")]


def test_byte_by_byte_feeding_gives_the_same_events() -> None:
    body = b'\xef\xbb\xbfevent: x\r\ndata: {"k": "\xc3\xa9"}\r\n\r\ndata: 2\r\rdata: 3\n\n'
    whole = decode(body)
    assert whole == [
        ServerSentEvent("x", '{"k": "é"}'),
        ServerSentEvent(data="2"),
        ServerSentEvent(data="3"),
    ]
    assert decode(*(body[i : i + 1] for i in range(len(body)))) == whole


def test_a_final_event_without_its_blank_line_is_dispatched() -> None:
    assert decode(b"data: 1\n\ndata: last") == [
        ServerSentEvent(data="1"),
        ServerSentEvent(data="last"),
    ]
    assert decode(b"data: last\n") == [ServerSentEvent(data="last")]


def test_a_field_without_colon_and_a_value_without_space() -> None:
    assert decode(b"data\n\ndata:x\n\n") == [ServerSentEvent(data=""), ServerSentEvent(data="x")]


def test_an_endless_line_or_event_is_refused() -> None:
    decoder = SSEDecoder(max_event_size=100)
    assert list(decoder.feed(b"data: " + b"x" * 90 + b"\n\n")) == [ServerSentEvent(data="x" * 90)]
    with pytest.raises(ValueError, match="longer than 100 bytes"):
        list(decoder.feed(b"data: " + b"x" * 101))  # no line end yet
    many_lines = SSEDecoder(max_event_size=100)
    with pytest.raises(ValueError, match="longer than 100 bytes"):
        list(many_lines.feed(b"data: 0123456789\n" * 12))  # no blank line: one growing event


async def test_a_server_that_never_ends_a_line_gets_malformed_response_error(
    api_client: ApiClient, mocked: aioresponses, monkeypatch: pytest.MonkeyPatch
) -> None:
    from together.generated._runtime import streaming

    monkeypatch.setattr(streaming, "MAX_EVENT_SIZE", 1000)
    mocked.post(URL, body="data: " + "x" * 5000, headers=SSE)
    stream = await api_client.call_api_stream(operation(), {}, {"model": "m"})
    with pytest.raises(MalformedResponseError, match="longer than 1000 bytes"):
        await anext(stream)
    assert stream.closed


def test_blank_lines_without_data_dispatch_nothing() -> None:
    assert decode(b"\n\nevent: lonely\n\n: c\n\n") == []


# ------------------------------------------------------------------ operations for the tests


class Chunk(BaseModel):
    id: str
    text: str


class Request(BaseModel):
    model: str
    stream: bool | None = None


ERROR_RESPONSES = {code: ResponseSpec.json(ErrorData) for code in ("400", "429", "503")}


def operation(*, retry_safe: bool = False) -> Operation[Any]:
    return Operation(
        operation_id="complete",
        method="POST",
        path="/complete",
        body=BodySpec("application/json", TypeAdapter(Request), model=Request),
        responses={"200": ResponseSpec.json(Chunk), **ERROR_RESPONSES},
        stream_responses={"200": ResponseSpec.event_stream(Chunk)},
        stream_flag="stream",
        retry_safe=retry_safe,
    )


URL = f"{HOST}/complete"
SSE = {"Content-Type": "text/event-stream; charset=utf-8", "x-request-id": "req-1"}


def events(*data: Any) -> str:
    return "".join(f"data: {d if isinstance(d, str) else json.dumps(d)}\n\n" for d in data)


def sent_json(mocked: aioresponses) -> list[Any]:
    return [json.loads(call.kwargs["data"]) for call in sent_calls(mocked)]


# ------------------------------------------------------------------ the stream flag


async def test_the_stream_call_sets_the_flag_on_a_copy(
    api_client: ApiClient, mocked: aioresponses
) -> None:
    mocked.post(URL, body=events({"id": "1", "text": "a"}, "[DONE]"), headers=SSE)
    mocked.post(URL, body=events("[DONE]"), headers=SSE)
    model = Request(model="m", stream=False)
    as_dict = {"model": "m"}
    async with await api_client.call_api_stream(operation(), {}, model) as stream:
        assert [chunk async for chunk in stream] == [Chunk(id="1", text="a")]
    async with await api_client.call_api_stream(operation(), {}, as_dict) as stream:
        assert [chunk async for chunk in stream] == []
    assert sent_json(mocked) == [{"model": "m", "stream": True}, {"model": "m", "stream": True}]
    assert model.stream is False and as_dict == {"model": "m"}  # the caller's are untouched


async def test_the_plain_call_refuses_a_body_asking_for_a_stream(
    api_client: ApiClient, mocked: aioresponses
) -> None:
    for body in (Request(model="m", stream=True), {"model": "m", "stream": True}):
        with pytest.raises(ApiValueError, match=r"'stream'.*complete_stream\(\)"):
            await api_client.call_api(operation(), {}, body)
    assert not recorded(mocked)  # refused before sending
    mocked.post(URL, payload={"id": "1", "text": "whole"})
    result = await api_client.call_api(operation(), {}, {"model": "m", "stream": False})
    assert result.data == Chunk(id="1", text="whole")


async def test_an_operation_without_streamed_answers_cannot_stream(api_client: ApiClient) -> None:
    plain: Operation[Chunk] = Operation(
        "plain", "GET", "/plain", responses={"200": ResponseSpec.json(Chunk)}
    )
    with pytest.raises(ApiValueError, match="no streamed answer"):
        await api_client.call_api_stream(plain)


# ------------------------------------------------------------------ reading a stream


async def test_chunks_are_typed_and_done_ends_the_stream(
    api_client: ApiClient, mocked: aioresponses
) -> None:
    body = events({"id": "1", "text": "Hel"}, {"id": "1", "text": "lo"}, "[DONE]")
    body += events({"id": "never", "text": "after done"})
    mocked.post(URL, body=body, headers=SSE)
    stream = await api_client.call_api_stream(operation(), {}, {"model": "m"})
    assert isinstance(stream, AsyncStream)
    assert (stream.status_code, stream.request_id) == (200, "req-1")
    assert stream.headers["Content-Type"].startswith("text/event-stream")
    texts = [chunk.text async for chunk in stream]
    assert texts == ["Hel", "lo"]
    assert stream.closed
    assert [chunk async for chunk in stream] == []  # iterating a finished stream ends at once
    request = next(iter(recorded(mocked).values()))[0]
    assert request.kwargs["headers"]["Accept"] == "text/event-stream"


async def test_an_error_status_at_open_raises_its_typed_exception(
    api_client: ApiClient, mocked: aioresponses
) -> None:
    error = {"error": {"message": "slow down", "type": "rate_limit"}}
    mocked.post(URL, status=429, payload=error, headers={"Retry-After": "3"})
    with pytest.raises(RateLimitException) as caught:
        await api_client.call_api_stream(operation(), {}, {"model": "m"})
    assert caught.value.status == 429
    assert caught.value.retry_after == 3.0
    assert isinstance(caught.value.data, ErrorData)
    assert caught.value.data.error.message == "slow down"


async def test_an_error_payload_mid_stream_raises_stream_error(
    api_client: ApiClient, mocked: aioresponses
) -> None:
    error = {"error": {"message": "model crashed", "type": "server_error"}}
    mocked.post(URL, body=events({"id": "1", "text": "a"}, error), headers=SSE)
    stream = await api_client.call_api_stream(operation(), {}, {"model": "m"})
    received = []
    with pytest.raises(StreamError, match="model crashed") as caught:
        async for chunk in stream:
            received.append(chunk)
    assert received == [Chunk(id="1", text="a")]
    assert caught.value.status == 200
    assert isinstance(caught.value.data, ErrorData)  # the spec's error model
    assert stream.closed


async def test_an_error_event_mid_stream_raises_stream_error(
    api_client: ApiClient, mocked: aioresponses
) -> None:
    mocked.post(URL, body='event: error\ndata: {"message": "overloaded"}\n\n', headers=SSE)
    stream = await api_client.call_api_stream(operation(), {}, {"model": "m"})
    with pytest.raises(StreamError) as caught:
        await anext(stream)
    assert caught.value.event.event == "error"
    assert caught.value.body == '{"message": "overloaded"}'
    assert caught.value.data == {"message": "overloaded"}  # not ErrorData: the decoded JSON


async def test_an_error_event_without_data_still_raises(
    api_client: ApiClient, mocked: aioresponses
) -> None:
    body = events({"id": "1", "text": "a"}) + "event: error\ndata:\n\n" + events("[DONE]")
    mocked.post(URL, body=body, headers=SSE)
    stream = await api_client.call_api_stream(operation(), {}, {"model": "m"})
    assert (await anext(stream)).text == "a"
    with pytest.raises(StreamError, match=r"^\(200\) error in the stream \[request id req-1\]$"):
        await anext(stream)


@pytest.mark.parametrize(
    "data",
    ['{"id": "1"}', "{not json", '"a string"', "[1, 2]"],
    ids=["missing-field", "not-json", "string", "array"],
)
async def test_a_malformed_chunk_raises_malformed_response_error(
    api_client: ApiClient, mocked: aioresponses, data: str
) -> None:
    mocked.post(URL, body=f"data: {data}\n\n", headers=SSE)
    stream = await api_client.call_api_stream(operation(), {}, {"model": "m"})
    with pytest.raises(MalformedResponseError, match="not a valid Chunk") as caught:
        await anext(stream)
    assert caught.value.body == data.encode()
    assert stream.closed


async def test_a_json_answer_to_a_stream_request_is_malformed(
    api_client: ApiClient, mocked: aioresponses
) -> None:
    mocked.post(URL, payload={"id": "1", "text": "whole"})
    with pytest.raises(MalformedResponseError, match="expected text/event-stream") as caught:
        await api_client.call_api_stream(operation(), {}, {"model": "m"})
    assert json.loads(caught.value.body) == {"id": "1", "text": "whole"}


async def test_an_undeclared_success_status_is_malformed(
    api_client: ApiClient, mocked: aioresponses
) -> None:
    two: Operation[Any] = Operation(
        "two",
        "POST",
        "/complete",
        stream_responses={
            "200": ResponseSpec.event_stream(Chunk),
            "201": ResponseSpec.event_stream(Chunk),
        },
    )
    mocked.post(URL, status=206, body=events("[DONE]"), headers=SSE)
    with pytest.raises(MalformedResponseError, match="not one the spec declares as streamed"):
        await api_client.call_api_stream(two)


async def test_keep_alive_comments_and_empty_events_are_skipped(
    api_client: ApiClient, mocked: aioresponses
) -> None:
    body = ": ping\n\ndata:\n\n" + events({"id": "1", "text": "x"})  # no [DONE]: EOF ends it
    mocked.post(URL, body=body, headers=SSE)
    stream = await api_client.call_api_stream(operation(), {}, {"model": "m"})
    assert [chunk.text async for chunk in stream] == ["x"]


# ------------------------------------------------------------------ retries at open


async def test_opening_is_retried_for_a_retry_safe_operation(
    configuration: Any, mocked: aioresponses
) -> None:
    configuration.retries = 2
    mocked.post(URL, status=503, payload={"error": {"message": "busy"}})
    mocked.post(URL, exception=aiohttp.ClientConnectionError("reset"))
    mocked.post(URL, body=events({"id": "1", "text": "ok"}, "[DONE]"), headers=SSE)
    async with ApiClient(configuration) as client:
        delays: list[float] = []

        async def no_sleep(delay: float) -> None:
            delays.append(delay)

        client._sleep = no_sleep
        stream = await client.call_api_stream(operation(retry_safe=True), {}, {"model": "m"})
        assert [chunk.text async for chunk in stream] == ["ok"]
    assert len(delays) == 2


async def test_opening_is_not_retried_for_an_unsafe_operation(
    configuration: Any, mocked: aioresponses
) -> None:
    configuration.retries = 2
    mocked.post(URL, status=503, payload={"error": {"message": "busy"}})
    mocked.post(URL, body=events("[DONE]"), headers=SSE)
    async with ApiClient(configuration) as client:
        with pytest.raises(ServiceUnavailableException):
            await client.call_api_stream(operation(retry_safe=False), {}, {"model": "m"})
        assert len(next(iter(recorded(mocked).values()))) == 1


async def test_bad_arguments_are_refused_before_sending(
    api_client: ApiClient, mocked: aioresponses
) -> None:
    with pytest.raises(ApiValueError, match="invalid request body"):
        await api_client.call_api_stream(operation(), {}, {"model": 3})
    with pytest.raises(ApiValueError, match="_deadline"):
        await api_client.call_api_stream(operation(), {}, {"model": "m"}, deadline=0)
    assert not recorded(mocked)


async def test_a_bad_request_error_keeps_its_class(
    api_client: ApiClient, mocked: aioresponses
) -> None:
    mocked.post(
        URL,
        status=400,
        payload={"error": {"message": "bad model", "type": "invalid_request_error"}},
    )
    with pytest.raises(BadRequestException, match="bad model"):
        await api_client.call_api_stream(operation(), {}, {"model": "m"})


async def test_a_connection_error_at_open_is_typed(
    api_client: ApiClient, mocked: aioresponses
) -> None:
    mocked.post(URL, exception=aiohttp.ClientConnectionError("refused"))
    with pytest.raises(ApiConnectionError):
        await api_client.call_api_stream(operation(), {}, {"model": "m"})
