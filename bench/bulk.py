"""Bulk throughput: ``embed_many`` against a hand-written aiohttp pipeline, same batches.

``python bench/bulk.py`` embeds 100,000 short texts through bench/server.py (``/bulk/v1``:
pre-serialized 768-float answers, so the server is not the bottleneck) with each variant in
its own process, interleaved over rounds, and reports texts per second and the ratio.
Both variants send batches of 128 texts, 4 at a time, and end with a float32 array (n, 768)
in input order.

``python bench/bulk.py --memory`` instead embeds 10,000 and then 100,000 texts (read lazily
from a generator) into a ``.npy`` file through ``open_job`` (the resumable job, as
``together-embed --output`` does), each count in a fresh process, interleaved over rounds,
and reports the peak resident memory (``ru_maxrss``) of each: it should not grow with the
number of texts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import time

from run import CLIENT_CPU, HERE, pinned, start_server

BATCH, CONCURRENCY, MODEL = 128, 4, "bench-model"


def corpus(n: int) -> list[str]:
    return [f"short text number {i} about subject {i % 97}" for i in range(n)]


async def raw_pipeline(url: str, texts: list[str]) -> object:
    """What a careful user would write by hand: aiohttp, orjson, numpy, a semaphore."""
    import aiohttp
    import numpy as np
    import orjson

    headers = {"Authorization": "Bearer bench", "Content-Type": "application/json"}
    out = np.empty((len(texts), 768), dtype=np.float32)
    slots = asyncio.Semaphore(CONCURRENCY)

    async def batch(start: int, session: aiohttp.ClientSession) -> None:
        async with slots:
            body = orjson.dumps({"model": MODEL, "input": texts[start : start + BATCH]})
            async with session.post(url + "/embeddings", data=body, headers=headers) as response:
                data = orjson.loads(await response.read())["data"]
        for item in data:
            out[start + item["index"]] = item["embedding"]

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(batch(start, session) for start in range(0, len(texts), BATCH)))
    return out


async def this_client(url: str, texts: list[str]) -> object:
    import together.generated
    from together.bulk import embed_many

    configuration = together.generated.Configuration(host=url, access_token="bench")
    async with together.generated.ApiClient(configuration) as api_client:
        return await embed_many(
            api_client, texts, model=MODEL, batch_size=BATCH, concurrency=CONCURRENCY
        )


VARIANTS = {"raw aiohttp pipeline": raw_pipeline, "together.bulk.embed_many": this_client}


async def to_file(url: str, count: int, output: str) -> None:
    """embed_many into a .npy file through a resumable job, texts from a generator."""
    from pathlib import Path

    import together.generated
    from together.bulk import embed_many, open_job

    texts = (f"short text number {i} about subject {i % 97}" for i in range(count))
    configuration = together.generated.Configuration(host=url, access_token="bench")
    async with together.generated.ApiClient(configuration) as api_client:
        with open_job(Path(output), {"model": MODEL}, restart=True) as job:
            await embed_many(
                api_client,
                texts,
                model=MODEL,
                batch_size=BATCH,
                concurrency=CONCURRENCY,
                sink=job.sink,
                resume=job.start,
                on_checkpoint=job.checkpoint,
            )
        # leaving the block finishes the job (BulkJob.__exit__ calls finish())


def file_worker(url: str, count: int, output: str) -> None:
    started = time.perf_counter()
    asyncio.run(to_file(url, count, output))
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"texts_per_s": count / wall, "peak_rss_mb": peak}))


def memory_main(rounds: int) -> None:
    import tempfile

    server, base = start_server()
    results: dict[int, list[dict[str, float]]] = {}
    try:
        with tempfile.TemporaryDirectory() as directory:
            for _ in range(rounds):
                for count in (10_000, 100_000):
                    done = subprocess.run(
                        [
                            sys.executable,
                            __file__,
                            "--file-worker",
                            f"{base}/bulk/v1",
                            str(count),
                            f"{directory}/out-{count}.npy",
                        ],
                        capture_output=True,
                        text=True,
                        check=True,
                        cwd=HERE,
                        preexec_fn=pinned(CLIENT_CPU),
                    )
                    results.setdefault(count, []).append(
                        json.loads(done.stdout.strip().splitlines()[-1])
                    )
    finally:
        server.terminate()
        server.wait()
    print(f"embed_many into a .npy file through open_job, {rounds} interleaved rounds\n")
    print("| texts | peak RSS, median | spread (min-max) | texts/s, median |")
    print("| --- | --- | --- | --- |")
    for count, runs in results.items():
        peaks = [r["peak_rss_mb"] for r in runs]
        print(
            f"| {count:,} | {statistics.median(peaks):.0f} MB | {min(peaks):.0f}-{max(peaks):.0f} MB "
            f"| {statistics.median(r['texts_per_s'] for r in runs):,.0f} |"
        )


def worker(variant: str, url: str, count: int) -> None:
    texts = corpus(count)
    run = VARIANTS[variant]
    asyncio.run(run(url, texts[: BATCH * CONCURRENCY * 2]))  # warm-up
    started, cpu = time.perf_counter(), time.process_time()
    array = asyncio.run(run(url, texts))
    wall = time.perf_counter() - started
    assert getattr(array, "shape", None) == (count, 768)
    print(json.dumps({"texts_per_s": count / wall, "cpu_s": time.process_time() - cpu}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--memory", action="store_true", help="peak memory writing to a file")
    parser.add_argument("--worker", nargs=2, metavar=("VARIANT", "URL"), help=argparse.SUPPRESS)
    parser.add_argument("--file-worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.file_worker:
        file_worker(args.file_worker[0], int(args.file_worker[1]), args.file_worker[2])
        return
    if args.memory:
        memory_main(args.rounds)
        return
    if args.worker:
        worker(args.worker[0], args.worker[1], args.texts)
        return
    server, base = start_server()
    results: dict[str, list[dict[str, float]]] = {}
    try:
        for _ in range(args.rounds):
            for variant in VARIANTS:
                done = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--texts",
                        str(args.texts),
                        "--worker",
                        variant,
                        f"{base}/bulk/v1",
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
    finally:
        server.terminate()
        server.wait()
    limit = statistics.median(r["texts_per_s"] for r in results["raw aiohttp pipeline"])
    print(
        f"{args.texts:,} texts, batches of {BATCH}, concurrency {CONCURRENCY}, {args.rounds} interleaved rounds\n"
    )
    print("| variant | texts/s, median | spread (min-max) | client CPU s, median | share of raw |")
    print("| --- | --- | --- | --- | --- |")
    for variant, runs in results.items():
        rates = [r["texts_per_s"] for r in runs]
        print(
            f"| {variant} | {statistics.median(rates):,.0f} | {min(rates):,.0f}-{max(rates):,.0f} | "
            f"{statistics.median(r['cpu_s'] for r in runs):.2f} | {statistics.median(rates) / limit:.0%} |"
        )


if __name__ == "__main__":
    main()
