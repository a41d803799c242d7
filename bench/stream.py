"""Streaming chat completions, side by side: ``python bench/stream.py`` (see bench/README.md).

bench/server.py's ``/stream/v1/chat/completions`` answers a pre-serialized Server-Sent Events
stream of 1,000 ``ChatCompletionChunk`` events (each written on its own) and ``[DONE]``.
Every variant reads whole streams in a process of its own, touching each chunk's
``choices[0].delta.content``; the measure is client CPU per chunk, the request included.
Rounds interleave the variants; the table gives the median and spread over rounds, and each
variant's ratio to the raw line reader measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

from run import CLIENT_CPU, HERE, machine_line, pinned, start_server
from server import STREAM_CHUNKS

MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
MESSAGES = [{"role": "user", "content": "Tell me a long story."}]
LIMIT = "raw aiohttp lines + orjson"


async def raw_lines_orjson(url: str, streams: int) -> int:
    """The limit: aiohttp's line reader, orjson per ``data:`` line, dict access, no checks."""
    import aiohttp
    import orjson

    headers = {"Authorization": "Bearer bench", "Content-Type": "application/json"}
    chunks = 0
    async with aiohttp.ClientSession() as session:
        for _ in range(streams):
            body = orjson.dumps({"model": MODEL, "messages": MESSAGES, "stream": True})
            async with session.post(
                url + "/chat/completions", data=body, headers=headers
            ) as response:
                async for line in response.content:
                    if not line.startswith(b"data:"):
                        continue
                    payload = line[5:].strip()
                    if payload == b"[DONE]":
                        break
                    chunk = orjson.loads(payload)
                    assert chunk["choices"][0]["delta"]["content"] is not None
                    chunks += 1
    return chunks


async def this_client(url: str, streams: int) -> int:
    """together.generated: ``ChatApi.chat_completions_stream``, typed chunks."""
    import together.generated
    from together.generated.models.chat_completion_request import ChatCompletionRequest

    configuration = together.generated.Configuration(host=url, access_token="bench")
    chunks = 0
    async with together.generated.ApiClient(configuration) as api_client:
        api = together.generated.ChatApi(api_client)
        for _ in range(streams):
            request = ChatCompletionRequest(model=MODEL, messages=MESSAGES, stream=True)
            async with await api.chat_completions_stream(request) as stream:
                async for chunk in stream:
                    assert chunk.choices[0].delta.content is not None
                    chunks += 1
    return chunks


async def openai_sdk(url: str, streams: int) -> int:
    """The OpenAI Python SDK's ``stream=True`` against the same server."""
    import openai

    chunks = 0
    async with openai.AsyncOpenAI(base_url=url, api_key="bench", max_retries=0) as client:
        for _ in range(streams):
            stream = await client.chat.completions.create(
                model=MODEL,
                messages=MESSAGES,  # type: ignore[arg-type]
                stream=True,
            )
            async with stream:
                async for chunk in stream:
                    assert chunk.choices[0].delta.content is not None
                    chunks += 1
    return chunks


VARIANTS: dict[str, Callable[[str, int], Awaitable[int]]] = {
    LIMIT: raw_lines_orjson,
    "together.generated": this_client,
    "openai SDK": openai_sdk,
}


def worker(variant: str, url: str, streams: int) -> None:
    run = VARIANTS[variant]
    asyncio.run(run(url, 2))  # warm-up: imports, first connection, caches
    cpu, wall = time.process_time(), time.perf_counter()
    chunks = asyncio.run(run(url, streams))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert chunks == streams * STREAM_CHUNKS, chunks
    print(json.dumps({"cpu_per_chunk": cpu / chunks, "chunks_per_s": chunks / wall}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--streams", type=int, default=10, help="streams per variant per round")
    parser.add_argument("--skip", action="append", default=[], help="leave out a variant (by name)")
    parser.add_argument("--worker", nargs=2, metavar=("VARIANT", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], args.streams)
        return
    variants = [v for v in VARIANTS if v not in args.skip]
    server, base = start_server()
    results: dict[str, list[dict[str, float]]] = {}
    try:
        for round_number in range(args.rounds):
            for variant in variants:
                command = [sys.executable, __file__, "--streams", str(args.streams)]
                done = subprocess.run(
                    [*command, "--worker", variant, f"{base}/stream/v1"],
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=HERE,
                    preexec_fn=pinned(CLIENT_CPU),
                )
                results.setdefault(variant, []).append(
                    json.loads(done.stdout.strip().splitlines()[-1])
                )
            print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr)
    finally:
        server.terminate()
        server.wait()

    print(
        machine_line()
        + f"; {args.rounds} interleaved rounds of {args.streams} streams x {STREAM_CHUNKS} chunks.\n"
    )
    limit = statistics.median(r["cpu_per_chunk"] for r in results[LIMIT])
    ours = statistics.median(r["cpu_per_chunk"] for r in results["together.generated"])
    print(
        "| client | CPU per chunk, median | spread (min-max) | chunks/s (wall) "
        "| ratio to raw | together.generated is |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for variant in variants:
        cpu = [r["cpu_per_chunk"] * 1e6 for r in results[variant]]
        median = statistics.median(cpu) / 1e6
        rate = statistics.median(r["chunks_per_s"] for r in results[variant])
        print(
            f"| {variant} | {statistics.median(cpu):.1f} µs | {min(cpu):.1f}-{max(cpu):.1f} µs | "
            f"{rate:,.0f} | {median / limit:.2f}x | {median / ours:.1f}x cheaper |"
            if variant == "openai SDK"
            else f"| {variant} | {statistics.median(cpu):.1f} µs | {min(cpu):.1f}-{max(cpu):.1f} µs | "
            f"{rate:,.0f} | {median / limit:.2f}x | |"
        )


if __name__ == "__main__":
    main()
