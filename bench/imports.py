"""Import time, side by side: ``python bench/imports.py`` (see bench/README.md).

Each measure runs in a fresh interpreter (``python -c``) that times one import statement:
its CPU time (``time.process_time``, the figure the table ranks, since on a shared machine
the wall time mostly measures waiting for a core) and its wall time. Interpreter start-up
is left out. The children may write bytecode (``PYTHONDONTWRITEBYTECODE`` is dropped from
their environment) and a first, untimed round compiles it: an installed package has its
``.pyc`` files, and compiling the sources again at each import would be timed otherwise. Rounds
interleave the variants so drift of the machine hits all alike; the table gives medians and
spreads. ``first use`` rows import ``together.generated`` first, then time the first access
to one API class (lazy: it imports that class's module and the models its operations name)
and count the modules that access loaded.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys

from run import CLIENT_CPU, HERE, machine_line, pinned

# name -> (set-up statements, timed statement)
VARIANTS: dict[str, tuple[str, str]] = {
    "import aiohttp, pydantic": ("", "import aiohttp, pydantic"),
    "import aiohttp; from pydantic import BaseModel": (
        "",
        "import aiohttp; from pydantic import BaseModel",
    ),
    "import together.generated": ("", "import together.generated"),
    "from together.generated.rest import ApiException": (
        "",
        "from together.generated.rest import ApiException",
    ),
    "first use: together.generated.EmbeddingsApi": (
        "import together.generated",
        "together.generated.EmbeddingsApi",
    ),
    # Everything a first embeddings call needs, from nothing: the package, its settings, the
    # client and one API class (against the baseline that names BaseModel, which every
    # client answering pydantic models needs).
    "ready to call: import, Configuration, ApiClient, EmbeddingsApi": (
        "",
        "import together.generated as g; g.Configuration; g.ApiClient; g.EmbeddingsApi",
    ),
    "first use: together.generated.ChatApi": (
        "import together.generated",
        "together.generated.ChatApi",
    ),
}
BASELINE = "import aiohttp, pydantic"
OURS = "import together.generated"
READY, READY_BASELINE = (
    "ready to call: import, Configuration, ApiClient, EmbeddingsApi",
    "import aiohttp; from pydantic import BaseModel",
)
#: Modules a JSON client never needs: uploads, streams, downloads (issue 11).
MEDIA = ("multipart", "streaming", "download", "opening")

PROGRAM = """
import json, sys, time
{setup}
before = set(sys.modules)
started, cpu = time.perf_counter(), time.process_time()
{timed}
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
new = set(sys.modules) - before
models = sorted(m for m in new if m.startswith("together.generated.models."))
media = sorted(m for m in sys.modules if m.startswith("together.generated._runtime.")
               and m.rsplit(".", 1)[1] in {media!r})
print(json.dumps({{"seconds": seconds, "cpu": cpu, "modules": len(new), "models": models,
                  "media": media}}))
"""


CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def one_run(variant: str) -> dict[str, object]:
    setup, timed = VARIANTS[variant]
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM.format(setup=setup, timed=timed, media=MEDIA)],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE.parent,
        env=CHILD_ENV,
        preexec_fn=pinned(CLIENT_CPU),
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    results: dict[str, list[dict[str, object]]] = {}
    for variant in VARIANTS:
        one_run(variant)  # untimed: writes the .pyc files an installed package has
    for _ in range(args.rounds):
        for variant in VARIANTS:
            results.setdefault(variant, []).append(one_run(variant))

    def ms(variant: str, key: str = "cpu") -> list[float]:
        return [float(r[key]) * 1e3 for r in results[variant]]  # type: ignore[arg-type]

    sdk = importlib.util.find_spec("together")
    if sdk is not None and sdk.origin is not None:
        # The official SDK's together/__init__.py: `import together.generated` runs it first.
        print(f"WARNING: `together` is a regular package here ({sdk.origin}); measure in an")
        print("environment without the official SDK (pip install -e '.[bench]').\n")
    print(machine_line() + f"; {args.rounds} interleaved rounds, a fresh interpreter each.\n")
    print(
        "| what is timed | CPU, median | CPU spread (min-max) | wall, median "
        "| modules loaded | models loaded | upload/stream/download modules |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for variant in VARIANTS:
        times = ms(variant)
        last = results[variant][-1]
        print(
            f"| `{variant}` | {statistics.median(times):.1f} ms | "
            f"{min(times):.1f}-{max(times):.1f} ms | "
            f"{statistics.median(ms(variant, 'seconds')):.1f} ms | "
            f"{last['modules']} | {len(last['models'])} | "  # type: ignore[arg-type]
            f"{', '.join(last['media']) or 'none'} |"  # type: ignore[arg-type]
        )
    extra = statistics.median(ms(OURS)) - statistics.median(ms(BASELINE))
    print(f"\n`{OURS}` costs {extra:+.1f} ms CPU over `{BASELINE}` (medians; target: <= +40 ms).")
    ready = statistics.median(ms(READY)) - statistics.median(ms(READY_BASELINE))
    print(f"`{READY}` costs {ready:+.1f} ms CPU over `{READY_BASELINE}` (medians).")
    print(f"Load average {os.getloadavg()[0]:.1f} at the end.")
    for variant in VARIANTS:
        if variant.startswith("first use"):
            print(f"\n{variant} loads: {', '.join(results[variant][-1]['models'])}")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
