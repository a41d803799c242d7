"""Where the small call's time goes: ``python bench/profile_small.py`` (see bench/README.md).

Two views of one embeddings call (1 x 768 floats) against bench/server.py, in one client
process pinned to its own core:

1. Differences. Blocks of calls alternate between raw aiohttp + orjson, raw aiohttp +
   ``EmbeddingsResponse.model_validate_json`` and together.generated; the medians over
   blocks of CPU per call give what decoding with pydantic costs over orjson, and what this
   client's runtime costs over sending and decoding by hand.
2. A profile. ``cProfile`` over the client's calls, each function's own time grouped by
   where it lives (this runtime's modules one by one, aiohttp, pydantic, asyncio, ...).
   cProfile slows Python code down more than C code, so read the shares, not the absolute
   microseconds, and the differences above for the totals.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable

from clients import raw_aiohttp_orjson, raw_aiohttp_pydantic, this_client
from run import CLIENT_CPU, machine_line, pinned, start_server

VARIANTS: dict[str, Callable[[str, int, list[str]], Awaitable[None]]] = {
    "raw aiohttp + orjson": raw_aiohttp_orjson,
    "raw aiohttp + pydantic": raw_aiohttp_pydantic,
    "together.generated": this_client,
}
TEXTS = ["The quick brown fox jumps over the lazy dog"]


def where(filename: str) -> str:
    """The group a profiled function belongs to, by its source file."""
    if "together/generated/" in filename:
        return "together.generated." + filename.rsplit("together/generated/", 1)[1].removesuffix(
            ".py"
        ).replace("/", ".")
    for group in ("aiohttp", "yarl", "multidict", "pydantic_core", "pydantic", "orjson"):
        if f"/{group}/" in filename:
            return group
    for group in ("asyncio", "selectors", "ssl", "http", "json", "email", "urllib"):
        if f"/{group}/" in filename or filename.endswith(f"/{group}.py"):
            return f"stdlib {group}"
    if filename == "~":
        return "built-in functions"
    return "other"


def builtin_owner(name: str) -> str:
    """The group of a C function cProfile lists under ``~`` (by the text of its name)."""
    for group in ("pydantic_core", "orjson", "multidict", "yarl", "aiohttp", "_asyncio"):
        if group in name:
            return group.removeprefix("_")
    if "socket" in name or "select" in name or "epoll" in name:
        return "sockets (C)"
    return "built-in functions"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=15)
    parser.add_argument("--calls", type=int, default=500, help="calls per block")
    parser.add_argument("--profile-calls", type=int, default=2000)
    args = parser.parse_args()
    pin = pinned(CLIENT_CPU)
    if pin is not None:
        pin()
    server, base = start_server()
    url = f"{base}/small/v1"
    try:
        for run in VARIANTS.values():
            asyncio.run(run(url, args.calls // 5, TEXTS))  # warm-up
        per_call: dict[str, list[float]] = defaultdict(list)
        for _ in range(args.blocks):
            for name, run in VARIANTS.items():
                started = time.process_time()
                asyncio.run(run(url, args.calls, TEXTS))
                per_call[name].append((time.process_time() - started) / args.calls * 1e6)
        profiler = cProfile.Profile(time.process_time)  # CPU, not waiting
        profiler.enable()
        asyncio.run(this_client(url, args.profile_calls, TEXTS))
        profiler.disable()
    finally:
        server.terminate()
        server.wait()

    print(machine_line() + f"; {args.blocks} alternating blocks of {args.calls} calls.\n")
    print("| variant | CPU per call, median | spread (min-max) |")
    print("| --- | --- | --- |")
    medians = {}
    for name, values in per_call.items():
        medians[name] = statistics.median(values)
        print(f"| {name} | {medians[name]:.0f} µs | {min(values):.0f}-{max(values):.0f} µs |")
    decode = medians["raw aiohttp + pydantic"] - medians["raw aiohttp + orjson"]
    runtime = medians["together.generated"] - medians["raw aiohttp + pydantic"]
    print(
        f"\npydantic over orjson: {decode:+.0f} µs; this runtime over raw aiohttp + pydantic: "
        f"{runtime:+.0f} µs ({medians['together.generated'] / medians['raw aiohttp + pydantic']:.3f}x)."
    )
    # Each block's ratio to the reference block run just before it: drift between blocks
    # (another process taking the core) cancels.
    ratios = sorted(
        ours / theirs
        for ours, theirs in zip(
            per_call["together.generated"], per_call["raw aiohttp + pydantic"], strict=True
        )
    )
    print(
        f"Paired by block: {statistics.median(ratios):.3f}x "
        f"({ratios[0]:.3f}-{ratios[-1]:.3f}) raw aiohttp + pydantic."
    )

    stats = pstats.Stats(profiler)
    groups: dict[str, float] = defaultdict(float)
    top: list[tuple[float, str]] = []
    for (filename, line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        own = row[2]
        group = where(filename)
        if group == "built-in functions":
            group = builtin_owner(name)
        groups[group] += own
        if filename.find("together/generated/") >= 0:
            short = filename.rsplit("together/generated/", 1)[1]
            top.append((own, f"{short}:{line} {name}"))
    total = sum(groups.values())
    print(f"\nProfile of {args.profile_calls} calls (cProfile, own time of each function):\n")
    print("| where | µs per call under cProfile | share |")
    print("| --- | --- | --- |")
    for group, own in sorted(groups.items(), key=lambda item: -item[1]):
        if own / total >= 0.002:
            print(f"| {group} | {own / args.profile_calls * 1e6:.1f} | {own / total:.1%} |")
    print(
        "\nThis runtime's functions, most expensive first (own time, µs per call under cProfile):\n"
    )
    for own, name in sorted(top, reverse=True)[:15]:
        print(f"- {name}: {own / args.profile_calls * 1e6:.2f}")


if __name__ == "__main__":
    main()
