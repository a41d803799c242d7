"""Where a streamed chunk's time goes: ``python bench/profile_stream.py`` (see README).

No network: the stream bench/server.py sends (1,000 chat completion chunks) is cut into
pieces of the size a socket read returns, and each step of reading it is timed on its own
in one process, alternating over blocks (medians and spreads over blocks, CPU time):

- aiohttp-style line splitting + ``orjson.loads`` per ``data:`` line (what the raw
  benchmark variant does after aiohttp's ``readline``);
- this runtime's ``SSEDecoder.feed`` alone (bytes to events);
- decoding one chunk's data to ``ChatCompletionChunk`` the way the stream does
  (``str.encode``, the error check, the operation's strict ``validate_json``);
- ``orjson.loads`` of the same data, for comparison.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import orjson
from run import CLIENT_CPU, machine_line, pinned
from server import chat_stream_events

from together.generated._runtime.streaming import SSEDecoder
from together.generated.api.chat_api import CHAT_COMPLETIONS_OPERATION


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
    texts = [d.decode() for d in datas]
    spec = CHAT_COMPLETIONS_OPERATION.stream_spec(200)
    assert spec is not None and spec.decode is not None
    decode = spec.decode

    def lines_orjson() -> None:
        for line in body.splitlines(keepends=True):
            if line.startswith(b"data:"):
                payload = line[5:].strip()
                if payload != b"[DONE]":
                    orjson.loads(payload)

    def sse_decoder() -> None:
        decoder = SSEDecoder()
        for piece in pieces:
            for _ in decoder.feed(piece):
                pass

    def typed_chunks() -> None:
        for text in texts:
            raw = text.encode("utf-8")
            if b'"error"' in raw and text.lstrip().startswith("{"):
                raise AssertionError
            decode(raw)

    def orjson_only() -> None:
        for data in datas:
            orjson.loads(data)

    steps: dict[str, Callable[[], None]] = {
        "line split + orjson.loads (raw variant's work)": lines_orjson,
        "SSEDecoder.feed (bytes to events)": sse_decoder,
        "event data to ChatCompletionChunk (strict validate_json)": typed_chunks,
        "orjson.loads of the same data": orjson_only,
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
