"""Where a streamed chunk's time goes: ``python bench/profile_stream.py`` (see README).

No network: the stream bench/server.py sends (1,000 chat completion chunks) is cut into
pieces of the size a socket read returns, and each step of reading it is timed on its own
in one process, alternating over blocks (medians and spreads over blocks, CPU time):

- aiohttp-style line splitting + ``orjson.loads`` per ``data:`` line (what the raw
  benchmark variant does after aiohttp's ``readline``);
- this runtime's ``SSEDecoder.feed_raw`` alone (bytes to events whose data stays bytes:
  what ``AsyncStream`` uses), and ``SSEDecoder.feed`` (the public events, data as text);
- decoding one chunk's data to ``ChatCompletionChunk`` the way the stream does (the error
  check, the operation's strict ``validate_json`` on the bytes);
- ``orjson.loads`` of the same data, for comparison;
- the whole of ``AsyncStream`` over an in-memory answer that hands out the same pieces
  (decoder, keep-alive and error checks, typed chunks, the async iteration itself).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable

import orjson
from run import CLIENT_CPU, machine_line, pinned
from server import chat_stream_events

from together.generated._runtime.streaming import AsyncStream, SSEDecoder
from together.generated.api.chat_api import (
    _CHAT_COMPLETIONS_OPERATION as CHAT_COMPLETIONS_OPERATION,  # the generated operation
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=25)
    parser.add_argument("--piece", type=int, default=2**16, help="bytes per socket read")
    args = parser.parse_args()
    pin = pinned(CLIENT_CPU)
    if pin is not None:
        pin()
    events = chat_stream_events()
    body = b"".join(events)
    pieces = [body[i : i + args.piece] for i in range(0, len(body), args.piece)]
    datas = [e[len(b"data: ") : -2] for e in events[:-1]]
    spec = CHAT_COMPLETIONS_OPERATION.stream_spec(200)
    assert spec is not None and spec.decode is not None
    decode = spec.decode

    def lines_orjson() -> None:
        for line in body.splitlines(keepends=True):
            if line.startswith(b"data:"):
                payload = line[5:].strip()
                if payload != b"[DONE]":
                    orjson.loads(payload)

    def sse_decoder_raw() -> None:
        decoder = SSEDecoder()
        for piece in pieces:
            for _ in decoder.feed_raw(piece):
                pass

    def sse_decoder() -> None:
        decoder = SSEDecoder()
        for piece in pieces:
            for _ in decoder.feed(piece):
                pass

    def typed_chunks() -> None:
        for raw in datas:
            if b'"error"' in raw and raw.lstrip()[:1] == b"{":
                raise AssertionError
            decode(raw)

    class Content:
        def __init__(self) -> None:
            self.left = list(pieces)

        async def readany(self) -> bytes:
            return self.left.pop(0) if self.left else b""

    class Answer:
        status, reason, closed = 200, "OK", False

        def __init__(self) -> None:
            self.headers = {"Content-Type": "text/event-stream"}
            self.content = Content()

        def close(self) -> None:
            self.closed = True

    async def read_stream() -> None:
        stream: AsyncStream[object] = AsyncStream(Answer(), CHAT_COMPLETIONS_OPERATION, spec)  # type: ignore[arg-type]
        async for _ in stream:
            pass

    loop = asyncio.new_event_loop()

    def whole_stream() -> None:
        loop.run_until_complete(read_stream())

    def orjson_only() -> None:
        for data in datas:
            orjson.loads(data)

    steps: dict[str, Callable[[], None]] = {
        "line split + orjson.loads (raw variant's work)": lines_orjson,
        "SSEDecoder.feed_raw (bytes to events, data as bytes)": sse_decoder_raw,
        "SSEDecoder.feed (bytes to ServerSentEvent, data as text)": sse_decoder,
        "event data to ChatCompletionChunk (strict validate_json)": typed_chunks,
        "orjson.loads of the same data": orjson_only,
        "AsyncStream end to end, in memory (all of the above it needs)": whole_stream,
    }
    per_chunk: dict[str, list[float]] = {name: [] for name in steps}
    for step in steps.values():
        step()  # warm-up
    for _ in range(args.blocks):
        for name, step in steps.items():
            started = time.process_time()
            for _ in range(5):
                step()
            per_chunk[name].append((time.process_time() - started) / (5 * len(datas)) * 1e6)

    print(
        machine_line()
        + f"; {args.blocks} alternating blocks, {len(datas)} chunks, "
        + f"{len(body):,} bytes in pieces of {args.piece:,}.\n"
    )
    print("| step | CPU per chunk, median | spread (min-max) |")
    print("| --- | --- | --- |")
    for name, values in per_chunk.items():
        print(
            f"| {name} | {statistics.median(values):.2f} µs | "
            f"{min(values):.2f}-{max(values):.2f} µs |"
        )


if __name__ == "__main__":
    main()
