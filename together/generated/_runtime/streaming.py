"""Streamed answers: Server-Sent Events read incrementally into typed chunks.

Hand-written runtime (not generated). :meth:`ApiClient.call_api_stream
<together.generated._runtime.api_client.ApiClient.call_api_stream>` returns an :class:`AsyncStream`
once the server has answered with a success status; iterating it reads the body piece by
piece (never whole), splits it into events as the SSE standard says
(https://html.spec.whatwg.org/multipage/server-sent-events.html), and decodes each event's
data into the operation's chunk type.

- ``data: [DONE]`` ends the stream.
- An ``event: error`` event, or a data payload ``{"error": {...}}``, raises
  :class:`StreamException` (an :class:`~together.generated._runtime.exceptions.ApiException`;
  ``StreamError`` is its earlier name).
- Data that is not a valid chunk raises
  :class:`~together.generated._runtime.exceptions.MalformedResponseError`; a connection cut raises
  :class:`~together.generated._runtime.exceptions.ApiConnectionError` (``ApiTimeoutError`` when a
  read timed out).
- Every way out — the end, an error, ``break``, an exception in the loop body, task
  cancellation, :meth:`AsyncStream.aclose` — closes the connection, so the server stops
  generating. ``async with`` makes it deterministic; without it the stream closes as soon as
  it is no longer referenced.
"""

from __future__ import annotations

import contextlib
import json
from collections import deque
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

import aiohttp
from pydantic import ValidationError

from together.generated._runtime.exceptions import (
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    MalformedResponseError,
    request_id_from,
)
from together.generated._runtime.open_response import OpenResponse
from together.generated._runtime.operation import Operation, ResponseSpec

__all__ = [
    "DONE",
    "MAX_EVENT_SIZE",
    "AsyncStream",
    "SSEDecoder",
    "ServerSentEvent",
    "StreamError",
    "StreamException",
    "open_stream",
]

T = TypeVar("T")

#: The data of the event that ends a Together stream.
DONE = "[DONE]"
DONE_BYTES = DONE.encode()

#: The longest event (or line) a stream may send, in bytes; beyond it the answer is malformed.
MAX_EVENT_SIZE = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One dispatched event: its type (``"message"`` unless named), data, id and retry."""

    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None


#: An event as the decoder dispatches it, before its data is decoded to text: the event
#: type, the data's UTF-8 bytes, the last event id and the reconnection time.
RawEvent = tuple[str, bytes, str | None, int | None]

_BOM = b"\xef\xbb\xbf"


class SSEDecoder:
    """Splits a byte stream into :class:`ServerSentEvent` s, incrementally.

    Feed it bytes as they arrive (:meth:`feed`), then call :meth:`end` at the end of the
    body. Lines may end with CRLF, LF or CR, also when a CRLF is split between two pieces.
    Unlike a browser, :meth:`end` dispatches an event the body ends in without its closing
    blank line: servers often stop right after their last ``data:`` line.

    An event whose data, or a line still waiting for its end, is longer than
    ``max_event_size`` bytes (UTF-8 bytes as received, not characters) raises
    :class:`ValueError`: a server that never ends a line or an event must not fill the
    memory.

    The work is done on bytes: each piece is split into lines by ``bytes.split`` and only
    what an event keeps is decoded (its type, id, and its data when :meth:`feed` turns it
    into a :class:`ServerSentEvent`). :meth:`feed_raw` hands the data over as bytes, for a
    parser that reads bytes (the stream's chunk decoder).
    """

    def __init__(self, max_event_size: int = MAX_EVENT_SIZE) -> None:
        self.max_event_size = max_event_size
        self._data_size = 0
        self._buffer = b""  # the start of a line whose end has not arrived
        self._skip_lf = False  # the previous piece ended in CR: a leading LF belongs to it
        self._first_line = True
        self._event = ""
        self._data: list[bytes] = []
        self._id: str | None = None
        self._retry: int | None = None

    def feed(self, piece: bytes) -> Iterator[ServerSentEvent]:
        """The events completed by ``piece``."""
        for event, data, last_id, retry in self.feed_raw(piece):
            yield ServerSentEvent(event, data.decode("utf-8", "replace"), last_id, retry)

    def end(self) -> ServerSentEvent | None:
        """The event left at the end of the body, if it had data."""
        raw = self.end_raw()
        if raw is None:
            return None
        event, data, last_id, retry = raw
        return ServerSentEvent(event, data.decode("utf-8", "replace"), last_id, retry)

    def feed_raw(self, piece: bytes) -> Iterator[RawEvent]:
        """:meth:`feed`, with each event's data as the bytes received (lines joined by LF)."""
        if not piece:
            return  # nothing arrived: a CR at the end of the last piece may still pair with LF
        if self._skip_lf and piece[:1] == b"\n":
            piece = piece[1:]
        buffer = self._buffer + piece
        # The kept start of a line holds no CR or LF, so line ends can be unified piece by
        # piece; a CR that ends the piece may be the first half of a CRLF.
        self._skip_lf = buffer[-1:] == b"\r"
        if b"\r" in buffer:
            buffer = buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = buffer.split(b"\n")
        self._buffer = lines.pop()
        if self._first_line and lines:
            self._first_line = False
            lines[0] = lines[0].removeprefix(_BOM)
        data = self._data
        limit = self.max_event_size
        for line in lines:
            if line[:5] == b"data:":  # the common line first: no partition, no decoding
                value = line[6:] if line[5:6] == b" " else line[5:]
                data.append(value)
                self._data_size += len(value) + 1
                if self._data_size > limit:
                    raise ValueError(f"an event is longer than {limit} bytes")
            elif line:
                self._field(line)
            elif data:
                yield self._dispatch()
                data = self._data
            else:
                self._event = ""  # a blank line without data drops the event type
        if len(self._buffer) + self._data_size > limit:
            raise ValueError(f"an event is longer than {limit} bytes")

    def end_raw(self) -> RawEvent | None:
        """:meth:`end`, with the event's data as bytes."""
        if self._buffer:
            # A line end closes the last line; a line that is not blank dispatches nothing.
            for _ in self.feed_raw(b"\n"):
                pass
        if not self._data:
            return None
        return self._dispatch()

    def _field(self, line: bytes) -> None:
        """A line that is neither blank nor ``data``: a comment, or another field."""
        if line[:1] == b":":
            return  # a comment (often a keep-alive)
        field, colon, value = line.partition(b":")
        if colon and value[:1] == b" ":
            value = value[1:]
        if field == b"data":  # "data" without a colon: an empty line of data
            self._data.append(value)
            self._data_size += len(value) + 1
            if self._data_size > self.max_event_size:
                raise ValueError(f"an event is longer than {self.max_event_size} bytes")
        elif field == b"event":
            self._event = value.decode("utf-8", "replace")
        elif field == b"id" and b"\0" not in value:
            self._id = value.decode("utf-8", "replace")
        elif field == b"retry" and value.isdigit():  # bytes.isdigit: ASCII digits only
            self._retry = int(value)
        # other fields are ignored, as the standard says

    def _dispatch(self) -> RawEvent:
        data, event = self._data, self._event
        self._data, self._event, self._data_size = [], "", 0
        return (
            event or "message",
            b"\n".join(data),
            self._id,
            self._retry,
        )


class StreamException(ApiException):
    """The server reported an error inside a stream that had begun with a success status.

    Named as every answer-borne error is (``...Exception``); :data:`StreamError` is its
    earlier name, kept as an alias.

    Raised for an ``event: error`` event and for a data payload of the form
    ``{"error": {...}}``. ``status`` is the stream's HTTP status (a 2xx), ``body`` the
    event's data, ``data`` the parsed error (the spec's error model when it fits, else the
    decoded JSON, else ``None``) and ``event`` the :class:`ServerSentEvent` itself.
    """

    def __init__(
        self,
        event: ServerSentEvent,
        *,
        status: int,
        reason: str | None,
        headers: Mapping[str, str],
        data: Any,
    ) -> None:
        self.event = event
        super().__init__(status=status, reason=reason, body=event.data, data=data, headers=headers)

    def _message(self) -> str:
        detail = _error_detail(self.data)
        text = f"({self.status}) error in the stream"
        if detail:
            text += f": {detail}"
        if self.request_id:
            text += f" [request id {self.request_id}]"
        return text


#: The earlier name of :class:`StreamException`.
StreamError = StreamException


def _error_detail(data: Any) -> str | None:
    error = data.get("error") if isinstance(data, Mapping) else getattr(data, "error", None)
    if isinstance(error, Mapping):
        message = error.get("message")
    else:
        message = getattr(error, "message", None)
        if message is None and isinstance(error, str):
            message = error
    return message if isinstance(message, str) and message else None


class AsyncStream(Generic[T]):
    """The chunks of a streamed answer, read as they arrive.

    An async iterator of ``T`` and an async context manager::

        async with await api.chat_completions_stream(request) as stream:
            async for chunk in stream:
                ...

    ``status_code``, ``headers`` and ``request_id`` describe the answer; :meth:`aclose`
    closes the connection (also when the stream is left early).
    """

    def __init__(
        self,
        response: OpenResponse,
        operation: Operation[Any],
        spec: ResponseSpec,
    ) -> None:
        self._response = response
        self._operation = operation
        self._spec = spec
        self._decoder = SSEDecoder(MAX_EVENT_SIZE)
        self._pending: deque[RawEvent] = deque()
        self._finished = False

    # ------------------------------------------------------------------ what it is

    @property
    def status_code(self) -> int:
        return self._response.status

    @property
    def headers(self) -> Mapping[str, str]:
        return self._response.headers

    @property
    def request_id(self) -> str | None:
        """The server's id for this call (``x-request-id`` or ``request-id``), as on every
        result and error (quote it in support requests)."""
        return request_id_from(self._response.headers)

    @property
    def closed(self) -> bool:
        return self._finished

    def __repr__(self) -> str:
        state = "closed" if self._finished else "open"
        return (
            f"<AsyncStream {self._operation.operation_id} {self.status_code} "
            f"request_id={self.request_id} {state}>"
        )

    # ------------------------------------------------------------------ reading

    def __aiter__(self) -> AsyncIterator[T]:
        return self

    async def __anext__(self) -> T:
        pending = self._pending
        try:
            while True:
                if pending:
                    item = pending.popleft()
                    event, data = item[0], item[1]
                elif self._finished:
                    raise StopAsyncIteration
                else:
                    await self._read_events()
                    continue
                if data == DONE_BYTES:
                    self._close()
                    raise StopAsyncIteration
                if event == "error" or data[:1] == b"{" or _has_text(data):  # else a keep-alive
                    return self._decode(item)
        except BaseException:  # StopAsyncIteration, errors, cancellation: all close it
            self._close()
            raise

    async def _read_events(self) -> None:
        """Reads one piece of the body into the pending events (the last at its end)."""
        piece = await self._read()
        if piece:
            try:
                self._pending.extend(self._decoder.feed_raw(piece))
            except ValueError as exc:
                raise MalformedResponseError(
                    f"{self._operation.operation_id}: HTTP {self.status_code} stream: {exc}",
                    status=self.status_code,
                    headers=self.headers,
                    body=piece[:1024],
                    content_type=self._response.headers.get("Content-Type"),
                ) from exc
        else:
            self._finished = True
            last = self._decoder.end_raw()
            if last is not None:
                self._pending.append(last)

    async def _read(self) -> bytes:
        request = f"{self._operation.operation_id}: HTTP {self.status_code} stream"
        try:
            return await self._response.content.readany()
        except TimeoutError as exc:
            raise ApiTimeoutError(f"{request}: timed out waiting for the next event") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise ApiConnectionError(
                f"{request}: the connection broke mid-stream ({type(exc).__name__})"
            ) from exc

    def _decode(self, item: RawEvent) -> T:
        raw = item[1]
        if item[0] == "error":
            raise self._stream_error(item, _json_or_none(raw))
        if b'"error"' in raw and raw.lstrip()[:1] == b"{":
            payload = _json_or_none(raw)
            if isinstance(payload, dict) and "error" in payload and payload["error"] is not None:
                raise self._stream_error(item, payload)
        assert self._spec.decode is not None
        try:
            chunk: T = self._spec.decode(raw)
        except (ValidationError, ValueError, UnicodeDecodeError) as exc:
            raise MalformedResponseError(
                f"{self._operation.operation_id}: HTTP {self.status_code} stream event is not "
                f"a valid {self._spec.type_name}: {_first_error(exc)}",
                status=self.status_code,
                headers=self.headers,
                body=raw,
                content_type=self._response.headers.get("Content-Type"),
            ) from exc
        return chunk

    def _stream_error(self, item: RawEvent, payload: Any) -> StreamException:
        event, raw, last_id, retry = item
        return StreamException(
            ServerSentEvent(event, raw.decode("utf-8", "replace"), last_id, retry),
            status=self.status_code,
            reason=self._response.reason,
            headers=self.headers,
            data=self._error_model(raw, payload),
        )

    def _error_model(self, raw: bytes, payload: Any) -> Any:
        """The spec's error model for ``raw`` when one of the error statuses declares one."""
        for key, spec in self._operation.responses.items():
            if key.startswith("2") or spec.kind != "json" or spec.decode is None:
                continue
            try:
                return spec.decode(raw)
            except (ValidationError, ValueError, UnicodeDecodeError):
                continue
        return payload

    # ------------------------------------------------------------------ closing

    def _close(self) -> None:
        self._finished = True
        self._pending.clear()
        # close(), not release(): an unfinished body must not go back to the pool, and
        # closing the socket is what tells the server to stop generating.
        self._response.close()

    async def aclose(self) -> None:
        """Close the connection; idempotent. Iterating afterwards ends at once."""
        self._close()

    def close_now(self) -> None:
        """:meth:`aclose` without awaiting (closing needs no I/O): for synchronous callers
        such as :class:`~together.generated._runtime.sync.SyncStream`."""
        if not self._finished or not self._response.closed:
            with contextlib.suppress(Exception):  # at exit the loop may be closed already
                self._close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close()

    def __del__(self) -> None:
        # A stream left by `break` without `async with`: free the connection now.
        response = getattr(self, "_response", None)
        if response is not None and not response.closed:
            # At exit the event loop may be closed already; there is nothing left to free.
            with contextlib.suppress(Exception):
                response.close()


async def open_stream(response: OpenResponse, operation: Operation[Any]) -> AsyncStream[Any]:
    """The :class:`AsyncStream` of an open 2xx answer, once it is known to be one.

    A success status the spec does not declare as streamed, or a body that is not
    ``text/event-stream`` (a server that ignored the request to stream), raises
    :class:`MalformedResponseError` with the body read (up to 64 KiB) and the connection
    closed.
    """
    spec = operation.stream_spec(response.status)
    content_type = response.headers.get("Content-Type")
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if spec is not None and media == "text/event-stream":
        return AsyncStream(response, operation, spec)
    try:
        body = await response.content.read(64 * 1024)
    except (aiohttp.ClientError, OSError, TimeoutError):
        body = b""
    finally:
        response.close()
    problem = (
        "is not one the spec declares as streamed"
        if spec is None
        else f"has content type {content_type!r}, expected text/event-stream"
    )
    raise MalformedResponseError(
        f"{operation.operation_id}: HTTP {response.status} answer {problem}",
        status=response.status,
        headers=response.headers,
        body=body,
        content_type=content_type,
    )


def _has_text(data: bytes) -> bool:
    """Whether event data holds more than whitespace (as ``str.strip`` sees whitespace)."""
    return bool(data.decode("utf-8", "replace").strip())


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        errors = exc.errors(include_input=False, include_url=False)
        if errors:
            location = ".".join(str(p) for p in errors[0]["loc"]) or "data"
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            return f"{location}: {errors[0]['msg']}{more}"
    return str(exc)
