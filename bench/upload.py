"""Multipart upload of a large file, side by side: ``python bench/upload.py`` (see README).

Writes a 100 MB JSON-lines file once (in a temporary directory), then uploads it to
bench/server.py's ``/upload/v1/files/upload`` (which reads the parts piece by piece and
counts the bytes) with each variant in a process of its own, interleaved over rounds:

- raw aiohttp posting the file as ``aiohttp.FormData`` with an open file object (aiohttp
  streams it);
- ``FilesApi.post_files_upload`` given the file's path (``together.generated._runtime.multipart``
  streams it in 256 KiB chunks read off the event loop).

Each process does a small warm-up upload first, then the large one; it reports the wall
time (MB/s) and how much its peak resident memory (``ru_maxrss``) grew during the upload.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from run import CLIENT_CPU, HERE, machine_line, pinned, start_server

MB = 1024 * 1024
LINE = b'{"text": "<s>[INST] a question about the weather [/INST] an answer about the rain </s>"}\n'


def write_file(path: Path, megabytes: int) -> None:
    block = LINE * (MB // len(LINE) + 1)
    with path.open("wb") as out:
        for _ in range(megabytes):
            out.write(block[:MB])


async def raw_aiohttp(url: str, path: Path) -> int:
    """What a user would write with aiohttp alone: FormData and an open file."""
    import aiohttp

    headers = {"Authorization": "Bearer bench"}
    async with aiohttp.ClientSession() as session:
        with path.open("rb") as file:
            form = aiohttp.FormData()
            form.add_field("purpose", "fine-tune")
            form.add_field("file_name", path.name)
            form.add_field("file", file, filename=path.name, content_type="application/jsonl")
            async with session.post(url + "/files/upload", data=form, headers=headers) as response:
                answer = json.loads(await response.read())
    return int(answer["bytes"])


async def this_client(url: str, path: Path) -> int:
    """together.generated: ``FilesApi.post_files_upload`` given the path."""
    import together.generated

    configuration = together.generated.Configuration(host=url, access_token="bench")
    async with together.generated.ApiClient(configuration) as api_client:
        answer = await together.generated.FilesApi(api_client).post_files_upload(
            {"purpose": "fine-tune", "file_name": path.name, "file": str(path)}
        )
    return answer.bytes


VARIANTS: dict[str, Callable[[str, Path], Awaitable[int]]] = {
    "raw aiohttp FormData": raw_aiohttp,
    "together.generated post_files_upload": this_client,
}
LIMIT = "raw aiohttp FormData"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def worker(variant: str, url: str, path: Path, small: Path) -> None:
    run = VARIANTS[variant]
    assert asyncio.run(run(url, small)) == small.stat().st_size  # warm-up
    before = peak_rss_mb()
    started = time.perf_counter()
    sent = asyncio.run(run(url, path))
    wall = time.perf_counter() - started
    assert sent == path.stat().st_size, sent
    print(json.dumps({"mb_per_s": sent / MB / wall, "rss_growth_mb": peak_rss_mb() - before}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], Path(args.worker[2]), Path(args.worker[3]))
        return
    server, base = start_server()
    results: dict[str, list[dict[str, float]]] = {}
    try:
        with tempfile.TemporaryDirectory() as directory:
            path, small = Path(directory) / "train.jsonl", Path(directory) / "small.jsonl"
            write_file(path, args.megabytes)
            write_file(small, 1)
            for round_number in range(args.rounds):
                for variant in VARIANTS:
                    done = subprocess.run(
                        [
                            sys.executable,
                            __file__,
                            "--worker",
                            variant,
                            f"{base}/upload/v1",
                            str(path),
                            str(small),
                        ],
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
        + f"; {args.rounds} interleaved rounds, one {args.megabytes} MB upload per process.\n"
    )
    limit = statistics.median(r["mb_per_s"] for r in results[LIMIT])
    print(
        "| variant | MB/s, median | spread (min-max) | share of raw "
        "| peak RSS growth, median | growth spread |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for variant, runs in results.items():
        rates = [r["mb_per_s"] for r in runs]
        growth = [r["rss_growth_mb"] for r in runs]
        print(
            f"| {variant} | {statistics.median(rates):.0f} | {min(rates):.0f}-{max(rates):.0f} | "
            f"{statistics.median(rates) / limit:.0%} | {statistics.median(growth):.1f} MB | "
            f"{min(growth):.1f}-{max(growth):.1f} MB |"
        )


if __name__ == "__main__":
    main()
