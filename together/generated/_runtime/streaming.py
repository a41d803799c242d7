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

#: The longest event (or line) a stream may send, in bytes; beyond it the answer is malformed.
MAX_EVENT_SIZE = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One dispatched event: its type (``"message"`` unless named), data, id and retry."""

    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Splits a byte stream into :class:`ServerSentEvent` s, incrementally.

    Feed it bytes as they arrive (:meth:`feed`), then call :meth:`end` at the end of the
    body. Lines may end with CRLF, LF or CR, also when a CRLF is split between two pieces.
    Unlike a browser, :meth:`end` dispatches an event the body ends in without its closing
    blank line: servers often stop right after their last ``data:`` line.

    An event (or a line) longer than ``max_event_size`` bytes raises :class:`ValueError`:
    a server that never ends a line must not fill the memory.
    """

    def __init__(self, max_event_size: int = MAX_EVENT_SIZE) -> None:
        self.max_event_size = max_event_size
        self._data_size = 0
        self._buffer = b""
        self._skip_lf = False  # the previous piece ended in CR: a leading LF belongs to it
        self._first_line = True
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None
        self._retry: int | None = None

    def feed(self, piece: bytes) -> Iterator[ServerSentEvent]:
        """The events completed by ``piece``."""
        if self._skip_lf and piece.startswith(b"\n"):
            piece = piece[1:]
        self._skip_lf = False
        buffer = self._buffer + piece
        start = 0
        length = len(buffer)
        while start < length:
            cr = buffer.find(b"\r", start)
            lf = buffer.find(b"\n", start)
            if cr == -1 and lf == -1:
                break
            if cr == -1 or (lf != -1 and lf < cr):
                end, next_start = lf, lf + 1
            elif cr + 1 < length:
                end = cr
                next_start = cr + 2 if buffer[cr + 1 : cr + 2] == b"\n" else cr + 1
            else:  # CR is the last byte: the line ends here, an LF may follow in the next piece
                end, next_start = cr, cr + 1
                self._skip_lf = True
            event = self._line(buffer[start:end])
            start = next_start
            if event is not None:
                yield event
        self._buffer = buffer[start:]
        if len(self._buffer) + self._data_size > self.max_event_size:
            raise ValueError(f"an event is longer than {self.max_event_size} bytes")

    def end(self) -> ServerSentEvent | None:
        """The event left at the end of the body, if it had data."""
        if self._buffer:
            line, self._buffer = self._buffer, b""
            event = self._line(line)
            if event is not None:
                return event
        return self._dispatch()

    def _line(self, raw: bytes) -> ServerSentEvent | None:
        line = raw.decode("utf-8", errors="replace")
        if self._first_line:
            self._first_line = False
            line = line.removeprefix("\ufeff")
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None  # a comment (often a keep-alive)
        field, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if field == "data":
            self._data.append(value)
            self._data_size += len(value) + 1
        elif field == "event":
            self._event = value
        elif field == "id" and "\0" not in value:
            self._id = value
        elif field == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)
        return None  # other fields are ignored, as the standard says

    def _dispatch(self) -> ServerSentEvent | None:
        data, event = self._data, self._event
        self._data, self._event, self._data_size = [], "", 0
        if not data:
            return None
        return ServerSentEvent(event or "message", "\n".join(data), self._id, self._retry)


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
        response: aiohttp.ClientResponse,
        operation: Operation[Any],
        spec: ResponseSpec,
    ) -> None:
        self._response = response
        self._operation = operation
        self._spec = spec
        self._decoder = SSEDecoder(MAX_EVENT_SIZE)
        self._pending: deque[ServerSentEvent] = deque()
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
        try:
            while True:
                event = await self._next_event()
                if event is None:
                    raise StopAsyncIteration
                if event.data == DONE:
                    self._close()
                    raise StopAsyncIteration
                if event.event == "error" or event.data.strip():  # else a keep-alive
                    return self._decode(event)
        except BaseException:  # StopAsyncIteration, errors, cancellation: all close it
            self._close()
            raise

    async def _next_event(self) -> ServerSentEvent | None:
        while not self._pending:
            if self._finished:
                return None
            piece = await self._read()
            if piece:
                try:
                    self._pending.extend(self._decoder.feed(piece))
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
                last = self._decoder.end()
                if last is not None:
                    self._pending.append(last)
        return self._pending.popleft()

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

    def _decode(self, event: ServerSentEvent) -> T:
        raw = event.data.encode("utf-8")
        if event.event == "error":
            raise self._stream_error(event, _json_or_none(raw))
        if b'"error"' in raw and event.data.lstrip().startswith("{"):
            payload = _json_or_none(raw)
            if isinstance(payload, dict) and "error" in payload and payload["error"] is not None:
                raise self._stream_error(event, payload)
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

    def _stream_error(self, event: ServerSentEvent, payload: Any) -> StreamException:
        return StreamException(
            event,
            status=self.status_code,
            reason=self._response.reason,
            headers=self.headers,
            data=self._error_model(event.data.encode("utf-8"), payload),
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


async def open_stream(
    response: aiohttp.ClientResponse, operation: Operation[Any]
) -> AsyncStream[Any]:
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
