"""Reading an AsyncStream: typed chunks, errors in the stream, closing — with a fake answer.

The fake stands for the open aiohttp answer the client hands to ``AsyncStream``: it gives
the body in the pieces a test chooses (or raises what a broken connection raises), and
records whether the connection was closed. What an answer over a real socket does is in
test/e2e/test_streaming_e2e.py.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable
from typing import Any

import aiohttp
import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from pydantic import BaseModel

from together.generated import (
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    MalformedResponseError,
)
from together.generated._runtime.operation import Operation, ResponseSpec
from together.generated._runtime.streaming import AsyncStream, StreamError, open_stream
from together.generated.models.error_data import ErrorData


class Chunk(BaseModel):
    id: str
    text: str


class QuotaError(BaseModel):
    """An error document of another shape than ErrorData, declared for another status."""

    quota: str
    used: int


class Loose(BaseModel):
    """A success model that fits anything (every field optional)."""

    error: Any = None


def operation(responses: dict[str, ResponseSpec] | None = None) -> Operation[Any]:
    return Operation(
        operation_id="complete",
        method="POST",
        path="/complete",
        responses=responses if responses is not None else {"400": ResponseSpec.json(ErrorData)},
        stream_responses={"200": ResponseSpec.event_stream(Chunk)},
    )


class Content:
    def __init__(self, pieces: Iterable[bytes | BaseException]) -> None:
        self.pieces = list(pieces)
        self.reads = 0

    async def readany(self) -> bytes:
        self.reads += 1
        if not self.pieces:
            return b""
        piece = self.pieces.pop(0)
        if isinstance(piece, BaseException):
            raise piece
        return piece

    async def read(self, n: int = -1) -> bytes:
        data = b""
        while self.pieces and (n < 0 or len(data) < n):
            piece = await self.readany()
            data += piece
        return data if n < 0 else data[:n]


class FakeResponse:
    def __init__(
        self,
        *pieces: bytes | BaseException,
        status: int = 200,
        content_type: str | None = "text/event-stream",
        request_id: str | None = "req-7",
        reason: str = "OK",
    ) -> None:
        headers: CIMultiDict[str] = CIMultiDict()
        if content_type is not None:
            headers["Content-Type"] = content_type
        if request_id is not None:
            headers["X-Request-Id"] = request_id
        self.headers = CIMultiDictProxy(headers)
        self.status = status
        self.reason = reason
        self.content = Content(pieces)
        self.closed = False
        self.close_calls = 0

    def close(self) -> None:
        self.closed = True
        self.close_calls += 1


def stream_of(response: FakeResponse, op: Operation[Any] | None = None) -> AsyncStream[Any]:
    op = op or operation()
    spec = op.stream_spec(response.status)
    assert spec is not None
    return AsyncStream(response, op, spec)  # type: ignore[arg-type]


async def chunks(stream: AsyncStream[Any]) -> list[Any]:
    return [chunk async for chunk in stream]


# ------------------------------------------------------------------ what the stream is


async def test_the_stream_describes_its_answer() -> None:
    response = FakeResponse(b'data: {"id": "1", "text": "a"}\n\n', status=200)
    stream = stream_of(response)
    assert stream.status_code == 200
    assert stream.headers["content-type"] == "text/event-stream"
    assert stream.request_id == "req-7"
    assert stream.closed is False
    assert repr(stream) == "<AsyncStream complete 200 request_id=req-7 open>"
    await chunks(stream)
    assert repr(stream) == "<AsyncStream complete 200 request_id=req-7 closed>"


async def test_the_request_id_falls_back_to_the_request_id_header() -> None:
    response = FakeResponse(request_id=None)
    response.headers = CIMultiDictProxy(
        CIMultiDict({"Content-Type": "text/event-stream", "request-id": "other-9"})
    )
    assert stream_of(response).request_id == "other-9"
    assert stream_of(FakeResponse(request_id=None)).request_id is None


# ------------------------------------------------------------------ reading


async def test_events_split_across_reads_are_joined() -> None:
    response = FakeResponse(b'data: {"id": "1",', b' "text": "a"}\n', b"\ndata: [DO", b"NE]\n\n")
    assert await chunks(stream_of(response)) == [Chunk(id="1", text="a")]


async def test_done_closes_the_connection_without_reading_further() -> None:
    response = FakeResponse(b"data: [DONE]\n\n", b'data: {"id": "x", "text": "never"}\n\n')
    stream = stream_of(response)
    assert await chunks(stream) == []
    assert response.closed and stream.closed
    assert response.content.reads == 1


async def test_done_must_be_the_whole_data() -> None:
    # "[DONE]" only ends the stream as the event's whole data; inside JSON it is text.
    response = FakeResponse(b'data: {"id": "1", "text": "[DONE]"}\n\ndata: [DONE]\n\n')
    assert await chunks(stream_of(response)) == [Chunk(id="1", text="[DONE]")]


async def test_the_end_of_the_body_ends_the_stream_and_closes_it() -> None:
    response = FakeResponse(b'data: {"id": "1", "text": "a"}\n\n')
    stream = stream_of(response)
    assert await chunks(stream) == [Chunk(id="1", text="a")]
    assert response.closed and stream.closed
    reads = response.content.reads
    with pytest.raises(StopAsyncIteration):
        await anext(stream)
    assert response.content.reads == reads  # a finished stream reads nothing more


async def test_a_last_event_without_its_blank_line_is_a_chunk() -> None:
    response = FakeResponse(b'data: {"id": "1", "text": "a"}\n\ndata: {"id": "2", "text": "b"}')
    assert [c.id for c in await chunks(stream_of(response))] == ["1", "2"]


async def test_events_whose_data_is_only_whitespace_are_keep_alives() -> None:
    response = FakeResponse(b"data:  \n\ndata: \t\n\n", b'data: {"id": "1", "text": "a"}\n\n')
    assert await chunks(stream_of(response)) == [Chunk(id="1", text="a")]


async def test_data_of_unicode_whitespace_is_a_keep_alive_too() -> None:
    # Whitespace as str.strip sees it: a no-break space, an em space, a line separator.
    body = "data: \u00a0\u2003\u2028\n\n".encode() + b'data: {"id": "1", "text": "a"}\n\n'
    assert await chunks(stream_of(FakeResponse(body))) == [Chunk(id="1", text="a")]


async def test_data_that_is_not_whitespace_nor_an_object_is_a_malformed_chunk() -> None:
    # Not a keep-alive: "é" is text, and "[1]" is not a Chunk.
    for data in ("é".encode(), b"[1]"):
        with pytest.raises(MalformedResponseError):
            await anext(stream_of(FakeResponse(b"data: " + data + b"\n\n")))


async def test_data_that_is_not_utf8_is_a_malformed_chunk_not_a_decoding_crash() -> None:
    for data in (b"\xff\xfe", b" \xff"):
        with pytest.raises(MalformedResponseError):
            await anext(stream_of(FakeResponse(b"data: " + data + b"\n\n")))


async def test_a_named_event_is_decoded_like_any_other() -> None:
    response = FakeResponse(b'event: delta\ndata: {"id": "1", "text": "a"}\n\n')
    assert await chunks(stream_of(response)) == [Chunk(id="1", text="a")]


async def test_a_chunk_with_a_null_error_field_is_a_chunk() -> None:
    body = b'data: {"id": "1", "text": "a", "error": null}\n\n'
    assert await chunks(stream_of(FakeResponse(body))) == [Chunk(id="1", text="a")]


async def test_a_chunk_whose_text_says_error_is_a_chunk() -> None:
    body = b'data: {"id": "1", "text": "error"}\n\ndata: {"id": "2", "text": "\\"error\\""}\n\n'
    assert await chunks(stream_of(FakeResponse(body))) == [
        Chunk(id="1", text="error"),
        Chunk(id="2", text='"error"'),
    ]


# ------------------------------------------------------------------ errors in the stream


async def test_an_error_payload_names_its_message_status_and_request_id() -> None:
    body = b'data: {"error": {"message": "model crashed", "type": "server_error"}}\n\n'
    response = FakeResponse(body, status=200, reason="OK")
    stream = stream_of(response)
    with pytest.raises(StreamError) as caught:
        await anext(stream)
    error = caught.value
    assert isinstance(error, ApiException)
    assert (error.status, error.reason, error.request_id) == (200, "OK", "req-7")
    assert error.headers is not None and error.headers["x-request-id"] == "req-7"
    assert error.body == '{"error": {"message": "model crashed", "type": "server_error"}}'
    assert isinstance(error.data, ErrorData)
    assert error.data.error.message == "model crashed"
    assert error.event.data == error.body
    assert str(error).startswith("(200) error in the stream: model crashed")
    assert response.closed


async def test_an_error_payload_after_leading_spaces_is_still_an_error() -> None:
    body = b'data:    {"error": {"message": "late", "type": "t"}}\n\n'
    with pytest.raises(StreamError, match="late"):
        await anext(stream_of(FakeResponse(body)))


async def test_an_error_of_another_declared_shape_is_parsed_with_its_model() -> None:
    op = operation(
        {"400": ResponseSpec.json(ErrorData), "429": ResponseSpec.json(QuotaError)},
    )
    body = b'event: error\ndata: {"quota": "tokens", "used": 12}\n\n'
    with pytest.raises(StreamError) as caught:
        await anext(stream_of(FakeResponse(body), op))
    assert caught.value.data == QuotaError(quota="tokens", used=12)


async def test_a_success_model_is_never_taken_for_the_error() -> None:
    op = operation({"200": ResponseSpec.json(Loose), "400": ResponseSpec.json(ErrorData)})
    body = b'data: {"error": {"message": "boom", "type": "t"}}\n\n'
    with pytest.raises(StreamError) as caught:
        await anext(stream_of(FakeResponse(body), op))
    assert isinstance(caught.value.data, ErrorData)


async def test_an_error_that_fits_no_model_keeps_the_decoded_json() -> None:
    body = b'data: {"error": "quota exhausted"}\n\n'
    with pytest.raises(StreamError) as caught:
        await anext(stream_of(FakeResponse(body)))
    assert caught.value.data == {"error": "quota exhausted"}
    assert str(caught.value).startswith("(200) error in the stream: quota exhausted")


async def test_an_error_event_with_a_message_object_of_another_shape() -> None:
    body = b'event: error\ndata: {"error": {"code": 5}}\n\n'
    with pytest.raises(StreamError) as caught:
        await anext(stream_of(FakeResponse(body, request_id=None)))
    assert caught.value.data == {"error": {"code": 5}}
    assert str(caught.value) == "(200) error in the stream"


@pytest.mark.parametrize(
    "data",
    [b'{"error": {"message": ""}}', b'{"error": {"message": 5}}', b'{"error": ""}', b"[1]"],
    ids=["empty-message", "number-message", "empty-string", "not-an-object"],
)
async def test_an_error_event_without_a_usable_message(data: bytes) -> None:
    body = b"event: error\ndata: " + data + b"\n\n"
    with pytest.raises(StreamError) as caught:
        await anext(stream_of(FakeResponse(body, request_id=None)))
    assert str(caught.value) == "(200) error in the stream"


async def test_an_error_event_whose_data_is_not_json() -> None:
    body = b"event: error\ndata: the model fell over\n\n"
    with pytest.raises(StreamError) as caught:
        await anext(stream_of(FakeResponse(body)))
    assert caught.value.data is None
    assert caught.value.body == "the model fell over"


async def test_an_error_event_keeps_its_id_retry_and_text() -> None:
    body = b"id: 41\nretry: 900\nevent: error\ndata: caf\xc3\xa9 \xff\n\nid: 42\n\n"
    with pytest.raises(StreamError) as caught:
        await anext(stream_of(FakeResponse(body)))
    assert caught.value.event.event == "error"
    assert caught.value.event.data == "café \ufffd"
    assert (caught.value.event.id, caught.value.event.retry) == ("41", 900)
    assert caught.value.body == "café \ufffd"


# ------------------------------------------------------------------ malformed chunks


async def test_a_malformed_chunk_names_the_field_and_counts_the_others() -> None:
    body = b'data: {"id": 1}\n\n'  # id of the wrong type, text missing
    with pytest.raises(MalformedResponseError) as caught:
        await anext(stream_of(FakeResponse(body)))
    message = str(caught.value)
    assert message.startswith("complete: HTTP 200 stream event is not a valid Chunk: id: ")
    assert "(and 1 more)" in message
    assert message.endswith("[request id req-7]")
    assert caught.value.status == 200
    assert caught.value.content_type == "text/event-stream"
    assert caught.value.body == b'{"id": 1}'


async def test_a_malformed_chunk_with_one_problem_does_not_count_more() -> None:
    with pytest.raises(MalformedResponseError) as caught:
        await anext(stream_of(FakeResponse(b'data: {"id": "1"}\n\n')))
    assert "text: " in str(caught.value)
    assert "more)" not in str(caught.value)


async def test_a_chunk_that_is_not_an_object_is_named_as_the_data() -> None:
    with pytest.raises(MalformedResponseError, match="not a valid Chunk: data: "):
        await anext(stream_of(FakeResponse(b"data: [1, 2]\n\n")))


async def test_a_chunk_that_is_not_json_quotes_the_parser() -> None:
    with pytest.raises(MalformedResponseError, match=r"not a valid Chunk: .*JSON"):
        await anext(stream_of(FakeResponse(b"data: {oops\n\n")))


# ------------------------------------------------------------------ the connection


async def test_a_cut_connection_is_a_connection_error_and_closes_the_stream() -> None:
    cut = aiohttp.ClientPayloadError("Response payload is not completed")
    response = FakeResponse(b'data: {"id": "1", "text": "a"}\n\n', cut)
    stream = stream_of(response)
    assert (await anext(stream)).text == "a"
    with pytest.raises(ApiConnectionError) as caught:
        await anext(stream)
    assert not isinstance(caught.value, ApiTimeoutError)
    assert str(caught.value) == (
        "complete: HTTP 200 stream: the connection broke mid-stream (ClientPayloadError)"
    )
    assert caught.value.__cause__ is cut
    assert response.closed and stream.closed


async def test_an_os_error_mid_stream_is_a_connection_error() -> None:
    response = FakeResponse(ConnectionResetError(104, "reset"))
    with pytest.raises(ApiConnectionError, match=r"broke mid-stream \(ConnectionResetError\)"):
        await anext(stream_of(response))


async def test_a_read_timeout_is_a_timeout_error() -> None:
    response = FakeResponse(TimeoutError())
    stream = stream_of(response)
    with pytest.raises(ApiTimeoutError) as caught:
        await anext(stream)
    assert str(caught.value) == "complete: HTTP 200 stream: timed out waiting for the next event"
    assert response.closed


async def test_an_endless_event_is_malformed_with_the_start_of_the_piece(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from together.generated._runtime import streaming

    monkeypatch.setattr(streaming, "MAX_EVENT_SIZE", 2000)
    piece = b"data: " + b"x" * 3000
    response = FakeResponse(piece)
    with pytest.raises(MalformedResponseError) as caught:
        await anext(stream_of(response))
    assert str(caught.value).startswith(
        "complete: HTTP 200 stream: an event is longer than 2000 bytes"
    )
    assert caught.value.body == piece[:1024]
    assert caught.value.content_type == "text/event-stream"
    assert caught.value.status == 200 and caught.value.request_id == "req-7"
    assert response.closed


async def test_aclose_drops_the_events_already_read() -> None:
    body = b"".join(b'data: {"id": "%d", "text": "t"}\n\n' % i for i in range(3))
    response = FakeResponse(body)
    stream = stream_of(response)
    assert (await anext(stream)).id == "0"
    await stream.aclose()
    assert response.closed and stream.closed
    assert await chunks(stream) == []
    await stream.aclose()  # idempotent


async def test_close_now_closes_an_open_stream_once() -> None:
    # What SyncStream calls: no awaiting, and a second call does nothing more.
    response = FakeResponse(b'data: {"id": "1", "text": "a"}\n\n' * 2)
    stream = stream_of(response)
    assert (await anext(stream)).id == "1"
    stream.close_now()
    assert response.closed and stream.closed and response.close_calls == 1
    stream.close_now()
    assert response.close_calls == 1
    assert await chunks(stream) == []


async def test_close_now_closes_a_finished_stream_whose_connection_is_still_open() -> None:
    response = FakeResponse(b"data: [DONE]\n\n")
    stream = stream_of(response)
    assert await chunks(stream) == []
    response.closed = False  # as if the first close had not reached the connection
    calls = response.close_calls
    stream.close_now()
    assert response.closed and response.close_calls == calls + 1


async def test_close_now_swallows_an_error_from_a_closed_event_loop() -> None:
    class ClosingFails(FakeResponse):
        def close(self) -> None:
            super().close()
            raise RuntimeError("Event loop is closed")

    response = ClosingFails(b"data: [DONE]\n\n")
    stream = stream_of(response)
    stream.close_now()  # raises nothing
    assert response.close_calls == 1 and stream.closed


async def test_leaving_async_with_closes_the_connection() -> None:
    response = FakeResponse(b'data: {"id": "1", "text": "a"}\n\n' * 2)
    async with stream_of(response) as stream:
        assert (await anext(stream)).id == "1"
        assert not response.closed
    assert response.closed and stream.closed


async def test_a_stream_dropped_without_closing_closes_its_connection() -> None:
    response = FakeResponse(b'data: {"id": "1", "text": "a"}\n\n' * 2)
    stream = stream_of(response)
    assert (await anext(stream)).id == "1"
    del stream
    gc.collect()
    assert response.closed


async def test_a_dropped_stream_does_not_close_a_closed_connection_again() -> None:
    response = FakeResponse(b"data: [DONE]\n\n")
    stream = stream_of(response)
    await chunks(stream)
    assert response.closed
    calls = response.close_calls
    del stream
    gc.collect()
    assert response.close_calls == calls


# ------------------------------------------------------------------ opening


async def test_open_stream_accepts_the_media_type_in_any_case_with_parameters() -> None:
    for content_type in ("TEXT/Event-Stream", " text/event-stream ; charset=utf-8"):
        response = FakeResponse(b"data: [DONE]\n\n", content_type=content_type)
        stream = await open_stream(response, operation())  # type: ignore[arg-type]
        assert isinstance(stream, AsyncStream)
        assert not response.closed


@pytest.mark.parametrize(
    "content_type", [None, "application/json", "text/event-streams", "text/plain"]
)
async def test_open_stream_refuses_another_media_type(content_type: str | None) -> None:
    response = FakeResponse(b'{"id": "1", "text": "whole"}', content_type=content_type)
    with pytest.raises(MalformedResponseError) as caught:
        await open_stream(response, operation())  # type: ignore[arg-type]
    assert str(caught.value).startswith(
        f"complete: HTTP 200 answer has content type {content_type!r}, expected text/event-stream"
    )
    assert caught.value.body == b'{"id": "1", "text": "whole"}'
    assert caught.value.status == 200
    assert caught.value.content_type == content_type
    assert response.closed


async def test_open_stream_quotes_at_most_64_kib_of_the_wrong_answer() -> None:
    response = FakeResponse(b"x" * (100 * 1024), content_type="text/html")
    with pytest.raises(MalformedResponseError) as caught:
        await open_stream(response, operation())  # type: ignore[arg-type]
    assert caught.value.body == b"x" * (64 * 1024)


async def test_open_stream_refuses_an_undeclared_status_even_if_it_streams() -> None:
    op: Operation[Any] = Operation(
        operation_id="two",
        method="POST",
        path="/complete",
        stream_responses={
            "200": ResponseSpec.event_stream(Chunk),
            "201": ResponseSpec.event_stream(Chunk),
        },
    )
    response = FakeResponse(b"data: [DONE]\n\n", status=206)
    with pytest.raises(MalformedResponseError) as caught:
        await open_stream(response, op)  # type: ignore[arg-type]
    assert str(caught.value).startswith(
        "two: HTTP 206 answer is not one the spec declares as streamed"
    )
    assert caught.value.status == 206
    assert response.closed


@pytest.mark.parametrize(
    "failure",
    [aiohttp.ClientPayloadError("cut"), ConnectionResetError(), TimeoutError()],
    ids=["client-error", "os-error", "timeout"],
)
async def test_open_stream_still_raises_malformed_when_the_wrong_body_cannot_be_read(
    failure: BaseException,
) -> None:
    response = FakeResponse(failure, content_type="application/json")
    with pytest.raises(MalformedResponseError) as caught:
        await open_stream(response, operation())  # type: ignore[arg-type]
    assert caught.value.body == b""
    assert response.closed


# ------------------------------------------------------------------ more of the same rules


async def test_an_operation_without_error_models_still_shows_the_message() -> None:
    op = operation({})
    body = b'data: {"error": {"message": "overloaded"}}\n\n'
    with pytest.raises(StreamError) as caught:
        await anext(stream_of(FakeResponse(body, request_id=None), op))
    assert caught.value.data == {"error": {"message": "overloaded"}}
    assert str(caught.value) == "(200) error in the stream: overloaded"


class Outer(BaseModel):
    inner: Chunk


async def test_a_malformed_chunk_names_a_nested_field_by_its_path() -> None:
    op: Operation[Any] = Operation(
        operation_id="nested",
        method="POST",
        path="/nested",
        stream_responses={"200": ResponseSpec.event_stream(Outer)},
    )
    body = b'data: {"inner": {"id": "1"}}\n\n'
    with pytest.raises(MalformedResponseError) as caught:
        await anext(stream_of(FakeResponse(body, request_id=None), op))
    assert str(caught.value) == (
        "nested: HTTP 200 stream event is not a valid Outer: inner.text: Field required"
    )


async def test_a_parser_error_that_is_not_a_validation_error_is_quoted() -> None:
    def refuse(raw: bytes) -> Any:
        raise ValueError(f"cannot read {len(raw)} bytes")

    op: Operation[Any] = Operation(
        operation_id="custom",
        method="POST",
        path="/custom",
        stream_responses={"200": ResponseSpec("event-stream", refuse, "Thing")},
    )
    with pytest.raises(MalformedResponseError) as caught:
        await anext(stream_of(FakeResponse(b"data: abc\n\n", request_id=None), op))
    assert str(caught.value) == (
        "custom: HTTP 200 stream event is not a valid Thing: cannot read 3 bytes"
    )


async def test_each_declared_streamed_status_is_opened() -> None:
    op: Operation[Any] = Operation(
        operation_id="two",
        method="POST",
        path="/complete",
        stream_responses={
            "200": ResponseSpec.event_stream(Chunk),
            "201": ResponseSpec.event_stream(Chunk),
        },
    )
    for status in (200, 201):
        response = FakeResponse(b'data: {"id": "1", "text": "a"}\n\n', status=status)
        stream = await open_stream(response, op)  # type: ignore[arg-type]
        assert await chunks(stream) == [Chunk(id="1", text="a")]


async def test_open_stream_reads_only_the_media_type_before_the_parameters() -> None:
    ok = FakeResponse(b"data: [DONE]\n\n", content_type="text/event-stream; charset=utf-8; x=y")
    assert isinstance(await open_stream(ok, operation()), AsyncStream)  # type: ignore[arg-type]
    wrong = FakeResponse(b"{}", content_type="application/json; profile=text/event-stream")
    with pytest.raises(MalformedResponseError):
        await open_stream(wrong, operation())  # type: ignore[arg-type]


async def test_a_refused_answer_keeps_its_headers_and_request_id() -> None:
    response = FakeResponse(b"{}", content_type="application/json")
    with pytest.raises(MalformedResponseError) as caught:
        await open_stream(response, operation())  # type: ignore[arg-type]
    assert caught.value.request_id == "req-7"
    assert caught.value.headers is not None
    assert caught.value.headers["Content-Type"] == "application/json"
    assert str(caught.value).endswith("[request id req-7]")


async def test_the_exact_message_of_a_chunk_with_one_problem() -> None:
    with pytest.raises(MalformedResponseError) as caught:
        await anext(stream_of(FakeResponse(b'data: {"id": "1"}\n\n')))
    assert str(caught.value) == (
        "complete: HTTP 200 stream event is not a valid Chunk: text: Field required "
        "[request id req-7]"
    )


async def test_dropping_a_stream_whose_loop_is_gone_raises_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # At interpreter exit, closing may fail (the event loop is closed): __del__ stays quiet.
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)

    class LoopGone(FakeResponse):
        def close(self) -> None:
            raise RuntimeError("Event loop is closed")

    stream = stream_of(LoopGone(b"data: [DONE]\n\n"))
    del stream
    gc.collect()
    assert unraisable == []
