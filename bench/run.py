"""Client CPU per call, side by side: ``python bench/run.py`` (see bench/README.md).

Starts bench/server.py in its own process, then runs every client variant in a process of its
own, interleaving rounds so that drift of the machine hits all variants alike, and reports the
median and spread of client CPU per call, calls per second, and each variant's ratio to raw
aiohttp + orjson measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import aiohttp
from clients import VARIANTS, available

HERE = Path(__file__).resolve().parent
LIMIT = "raw aiohttp + orjson"
# Issue 11: the small call against raw aiohttp decoding with pydantic on the same response
# (the runtime's own cost <= 5%), the large call against raw aiohttp + orjson.
REFERENCE = {"small": "raw aiohttp + pydantic", "large": LIMIT}
TARGETS = {"small": 1.05, "large": 1.0}


# Server and clients on separate cores when there are two, so neither steals the other's.
SERVER_CPU, CLIENT_CPU = ({0}, {1}) if (os.cpu_count() or 1) >= 2 else (None, None)


def pinned(cpus: set[int] | None) -> Callable[[], None] | None:
    if cpus is None or not hasattr(os, "sched_setaffinity"):
        return None
    return lambda: os.sched_setaffinity(0, cpus)


def machine_line() -> str:
    """What the figures were measured on, and how loaded the machine was at the start."""
    import pydantic

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"load average {load:.1f} at start, Python {platform.python_version()}, "
        f"aiohttp {aiohttp.__version__}, pydantic {pydantic.VERSION}"
    )


def start_server() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, str(HERE / "server.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=pinned(SERVER_CPU),
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def one_run(variant: str, url: str, calls: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, str(HERE / "clients.py"), variant, url, str(calls)],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE,
        preexec_fn=pinned(CLIENT_CPU),
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--small-calls", type=int, default=2000)
    parser.add_argument("--large-calls", type=int, default=40)
    parser.add_argument("--skip", action="append", default=[], help="leave out a variant (by name)")
    args = parser.parse_args()

    variants = [v for v in VARIANTS if available(v) and v not in args.skip]
    server, base = start_server()
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    try:
        for round_number in range(args.rounds):
            for payload, calls in (("small", args.small_calls), ("large", args.large_calls)):
                for variant in variants:
                    result = one_run(variant, f"{base}/{payload}/v1", calls)
                    results.setdefault((payload, variant), []).append(result)
            print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr)
    finally:
        server.terminate()
        server.wait()

    print(
        machine_line() + f"; {args.rounds} interleaved rounds, "
        f"{args.small_calls} small / {args.large_calls} large calls each.\n"
    )
    print(
        "| payload | client | CPU per call, median | spread (min-max) "
        "| calls/s (wall) | ratio to raw + orjson | ratio to the reference "
        "| paired ratio to the reference, median (min-max) | target |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for payload, calls in (("small", args.small_calls), ("large", args.large_calls)):
        limit = statistics.median(r["cpu_per_call"] for r in results[(payload, LIMIT)])
        reference = REFERENCE[payload]
        if (payload, reference) in results:
            reference_cpu = statistics.median(
                r["cpu_per_call"] for r in results[(payload, reference)]
            )
        else:
            reference_cpu = float("nan")
        for variant in variants:
            runs = results[(payload, variant)]
            cpu = [r["cpu_per_call"] for r in runs]
            median = statistics.median(cpu)
            rate = statistics.median(calls / r["wall"] for r in runs)
            target = (
                f"<= {TARGETS[payload]}x {reference}" if variant == "together.generated" else ""
            )
            print(
                f"| {payload} | {variant} | {median * 1e3:.3f} ms | "
                f"{min(cpu) * 1e3:.3f}-{max(cpu) * 1e3:.3f} ms | {rate:,.0f} | "
                f"{median / limit:.2f}x | {median / reference_cpu:.2f}x | "
                f"{paired(results, payload, variant, reference)} | {target} |"
            )
    print(f"\nLoad average {os.getloadavg()[0]:.1f} at the end.")


def paired(
    results: dict[tuple[str, str], list[dict[str, float]]], payload: str, variant: str, ref: str
) -> str:
    """The variant's ratio to the reference within each round (the two ran minutes apart at
    most), median and spread over rounds: drift of a shared machine between rounds cancels."""
    if (payload, ref) not in results:
        return ""
    ratios = [
        ours["cpu_per_call"] / theirs["cpu_per_call"]
        for ours, theirs in zip(results[(payload, variant)], results[(payload, ref)], strict=True)
    ]
    return f"{statistics.median(ratios):.3f}x ({min(ratios):.3f}-{max(ratios):.3f})"


if __name__ == "__main__":
    main()
