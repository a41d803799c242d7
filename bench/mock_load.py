"""Load on the local server: embeddings requests per second and streamed chunks per second.

    .venv/bin/python bench/mock_load.py [--spec PATH] [--seconds 10]

The server runs as ``together-mock`` in its own process pinned to core 0 (``taskset``);
this load generator (raw aiohttp) pins itself to core 1. Embeddings: 64 requests in flight,
one input of 768 dimensions each. Streaming: 8 chat completions in flight, each a reply of
about 2,000 chunks, counted as ``data:`` lines received.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

TOKEN = "bench"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def embeddings(url: str, seconds: float) -> int:
    body = {"model": "BAAI/bge-base-en-v1.5", "input": "The cat sat on the mat"}
    done = 0
    deadline = time.perf_counter() + seconds
    async with aiohttp.ClientSession(
        headers={"Authorization": f"Bearer {TOKEN}"},
        connector=aiohttp.TCPConnector(limit=64),
    ) as session:

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                async with session.post(url + "/embeddings", json=body) as answer:
                    await answer.read()
                    assert answer.status == 200
                done += 1

        await asyncio.gather(*(worker() for _ in range(64)))
        return done


async def chunks(url: str, seconds: float) -> int:
    prompt = " ".join(f"word{i}" for i in range(2000))
    body = {
        "model": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "messages": [{"role": "user", "content": prompt}],
        "stream": True,
    }
    received = 0
    deadline = time.perf_counter() + seconds
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as session:

        async def worker() -> None:
            nonlocal received
            while time.perf_counter() < deadline:
                async with session.post(url + "/chat/completions", json=body) as answer:
                    async for line in answer.content:
                        if line.startswith(b"data: {"):
                            received += 1

        await asyncio.gather(*(worker() for _ in range(8)))
        return received


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spec", type=Path)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--port", type=int, default=18765)
    args = parser.parse_args()
    command = [sys.executable, "-m", "together.mock", "--port", str(args.port), "--api-key", TOKEN]
    if args.spec:
        command += ["--spec", str(args.spec)]
    server = subprocess.Popen(["taskset", "-c", "0", *command], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().rsplit(" ", 1)[-1].strip()
        os.sched_setaffinity(0, {1})
        for name, load, unit in (
            ("embeddings", embeddings, "requests"),
            ("streaming", chunks, "chunks"),
        ):
            if name == "streaming" and not args.spec:
                break  # openapi.yaml has no chat completions
            cpu, started = cpu_seconds(server.pid), time.perf_counter()
            count = asyncio.run(load(url, args.seconds))
            cpu, wall = cpu_seconds(server.pid) - cpu, time.perf_counter() - started
            # Per CPU-second of the server: what one free core would serve; wall-clock rates
            # drop when other processes share the core.
            print(
                f"{name}: {count / cpu:,.0f} {unit} per server CPU-second "
                f"({count / wall:,.0f}/s wall clock, server busy {cpu / wall:.0%})"
            )
    finally:
        server.terminate()
        server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
