"""Instructions per small call, counted by valgrind: ``python bench/instructions.py``.

On a machine shared with other work, CPU time per call moves by 10-20 % from one block to
the next; the number of instructions a call executes does not (repeated runs agree within
about 0.3 %). Each variant runs in a process of its own under ``valgrind --tool=callgrind``
(not installed with the project: ``apt-get install valgrind``), against ``server.py`` (its
own process, not counted). Only the measured calls are counted: the variant makes its
warm-up calls, then runs the measured ones inside ``math.fsum`` (a C function nothing else
here calls), and callgrind collects inside that function only (``--toggle-collect``).

``--stream`` counts streamed chat completions instead (``/stream/v1``, per chunk, against
aiohttp's line reader + orjson); ``--no-network`` the generated client alone, answered by a
fake transport.

Instructions are not time: this runtime's Python code runs at fewer instructions per cycle
than pydantic's decoding of the floats, so a share of instructions understates its share
of CPU time. ``--cache-sim`` adds callgrind's cache and branch simulation (first-level
cache misses and mispredicted branches per call), which explains the difference; see
bench/README.md, "What each microsecond of the small call is".
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MODEL = "bench-model"
TEXTS = ["The quick brown fox jumps over the lazy dog"]
VARIANTS = ("raw aiohttp + orjson", "raw aiohttp + pydantic", "together.generated")
#: ``--no-network``: the client's own work alone, answered by a fake transport with the bytes
#: the server sends. Steadier than the network variants (within about 1,000 instructions
#: from run to run, against about 3,000-6,000): the measure of one change to the runtime.
NO_NETWORK = "together.generated, fake transport"
#: ``--stream``: whole streamed chat completions (server.py's ``/stream/v1``, 1,000 chunks
#: each), counted per chunk; the target of issue 11 is <= 1.3x the raw line reader.
STREAM_VARIANTS = ("stream: raw aiohttp lines + orjson", "stream: together.generated")
STREAM_MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
STREAM_MESSAGES = [{"role": "user", "content": "Tell me a long story."}]
EVENTS = {
    "Ir": "instructions",
    "I1mr": "L1 instruction misses",
    "D1mr": "L1 data read misses",
    "D1mw": "L1 data write misses",
    "Bcm": "mispredicted conditional branches",
    "Bim": "mispredicted indirect branches",
}


async def _calls(
    variant: str, url: str
) -> tuple[Callable[[int], Awaitable[None]], Callable[[], Awaitable[None]]]:
    """The variant's loop of calls (sessions kept open across calls, as a client would)
    and how to close it."""
    import aiohttp
    import orjson

    import together.generated
    from together.generated import EmbeddingsRequest
    from together.generated.models.embeddings_response import EmbeddingsResponse

    headers = {"Authorization": "Bearer bench", "Content-Type": "application/json"}
    if variant == NO_NETWORK:
        return await _fake_transport_calls(url)
    if variant in STREAM_VARIANTS:
        return await _stream_calls(variant, url)
    if variant == "together.generated":
        configuration = together.generated.Configuration(host=url, access_token="bench")
        client = together.generated.ApiClient(configuration)
        api = together.generated.EmbeddingsApi(client)

        async def generated(calls: int) -> None:
            for _ in range(calls):
                response = await api.embeddings(EmbeddingsRequest(model=MODEL, input=TEXTS))
                assert response.data

        return generated, client.close
    session = aiohttp.ClientSession()

    async def raw(calls: int) -> None:  # as clients.py's raw variants, with one session
        for _ in range(calls):
            body = orjson.dumps({"model": MODEL, "input": TEXTS})
            async with session.post(url + "/embeddings", data=body, headers=headers) as response:
                if variant == "raw aiohttp + orjson":
                    assert orjson.loads(await response.read())["data"]
                else:
                    assert EmbeddingsResponse.model_validate_json(await response.read()).data

    return raw, session.close


async def _fake_transport_calls(
    url: str,
) -> tuple[Callable[[int], Awaitable[None]], Callable[[], Awaitable[None]]]:
    """The generated client's calls answered, without a network, by what the server sends."""
    import aiohttp

    import together.generated
    from together.generated import EmbeddingsRequest
    from together.generated._runtime.rest import PreparedRequest, RequestTimeout, RESTResponse

    async with (
        aiohttp.ClientSession() as session,
        session.post(url + "/embeddings", json={"model": MODEL, "input": TEXTS}) as response,
    ):
        answer = RESTResponse(
            response.status,
            response.reason,
            response.headers,
            await response.read(),
            response.headers.get("Content-Type"),
        )

    class Answering:
        closed = False

        async def request(
            self, request: PreparedRequest, *, timeout: RequestTimeout = None
        ) -> RESTResponse:
            return answer

        async def open(self, request: PreparedRequest, *, timeout: RequestTimeout = None) -> Any:
            raise NotImplementedError

        async def close(self) -> None:
            pass

    configuration = together.generated.Configuration(host=url, access_token="bench")
    client = together.generated.ApiClient(configuration, transport=Answering())
    api = together.generated.EmbeddingsApi(client)

    async def generated(calls: int) -> None:
        for _ in range(calls):
            response = await api.embeddings(EmbeddingsRequest(model=MODEL, input=TEXTS))
            assert response.data

    return generated, client.close


async def _stream_calls(
    variant: str, url: str
) -> tuple[Callable[[int], Awaitable[None]], Callable[[], Awaitable[None]]]:
    """Whole streams, read as stream.py's variants read them (one session kept open)."""
    if variant == "stream: together.generated":
        import together.generated
        from together.generated.models.chat_completion_request import ChatCompletionRequest

        configuration = together.generated.Configuration(host=url, access_token="bench")
        client = together.generated.ApiClient(configuration)
        api = together.generated.ChatApi(client)

        async def generated(streams: int) -> None:
            for _ in range(streams):
                request = ChatCompletionRequest(
                    model=STREAM_MODEL, messages=STREAM_MESSAGES, stream=True
                )
                async with await api.chat_completions_stream(request) as stream:
                    async for chunk in stream:
                        assert chunk.choices[0].delta.content is not None

        return generated, client.close
    import aiohttp
    import orjson

    headers = {"Authorization": "Bearer bench", "Content-Type": "application/json"}
    session = aiohttp.ClientSession()

    async def raw(streams: int) -> None:
        for _ in range(streams):
            body = orjson.dumps(
                {"model": STREAM_MODEL, "messages": STREAM_MESSAGES, "stream": True}
            )
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

    return raw, session.close


def child(variant: str, url: str, calls: int) -> None:
    """Runs under valgrind: warm up, switch instrumentation on, make the counted calls."""
    loop = asyncio.new_event_loop()
    run, close = loop.run_until_complete(_calls(variant, url))
    loop.run_until_complete(run(2 if variant in STREAM_VARIANTS else 30))  # imports, caches
    switch = subprocess.Popen(
        ["callgrind_control", "-i", "on", str(os.getpid())], stdout=subprocess.DEVNULL
    )
    while switch.poll() is None:  # callgrind acts on the command between instructions
        sum(range(1000))

    def counted() -> object:
        loop.run_until_complete(run(calls))
        yield 0.0

    math.fsum(counted())  # type: ignore[arg-type]
    loop.run_until_complete(close())
    loop.close()


def count(variant: str, url: str, calls: int, cache_sim: bool, per: int = 1) -> dict[str, float]:
    """Each event's count per call (or per chunk: ``per`` chunks a call)."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "callgrind.out"
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            "--collect-atstart=no",
            "--toggle-collect=math_fsum",
            f"--callgrind-out-file={out}",
            *(["--cache-sim=yes", "--branch-sim=yes"] if cache_sim else []),
            sys.executable,
            __file__,
            "--child",
            variant,
            url,
            str(calls),
        ]
        # One hash seed for every variant and run: str hashes (dict and set layouts, their
        # probing) otherwise differ per process and move a call by thousands of instructions.
        env = {**os.environ, "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0")}
        subprocess.run(command, check=True, capture_output=True, cwd=HERE, env=env)
        names: list[str] = []
        totals: list[int] = []
        for line in out.read_text().splitlines():
            if line.startswith("events:"):
                names = line.split()[1:]
            elif line.startswith(("summary:", "totals:")) and not totals:
                totals = [int(value) for value in line.split()[1:]]
    return {name: value / (calls * per) for name, value in zip(names, totals, strict=False)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="counted calls per variant")
    parser.add_argument("--cache-sim", action="store_true", help="add cache and branch misses")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=VARIANTS + STREAM_VARIANTS,
        help="leave a variant out (repeatable); without raw + pydantic no ratio is printed",
    )
    parser.add_argument(
        "--no-network",
        action="store_true",
        help=f"count only {NO_NETWORK!r}: the runtime's own work, steadier (see NO_NETWORK)",
    )
    parser.add_argument(
        "--stream",
        action="store_true",
        help="streamed chat completions instead, per chunk (--calls counts streams of 1,000)",
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        variant, url, calls = args.child
        child(variant, url, int(calls))
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    sys.path.insert(0, str(HERE))
    from run import machine_line, start_server
    from server import STREAM_CHUNKS

    if args.stream:
        variants, path, per, unit = STREAM_VARIANTS, "stream", STREAM_CHUNKS, "chunk"
        reference_name = STREAM_VARIANTS[0]
    else:
        variants = (NO_NETWORK,) if args.no_network else VARIANTS
        path, per, unit, reference_name = "small", 1, "call", "raw aiohttp + pydantic"
    server, base = start_server()
    try:
        counts = {
            v: count(v, f"{base}/{path}/v1", args.calls, args.cache_sim, per)
            for v in variants
            if v not in args.skip
        }
    finally:
        server.terminate()
        server.wait()
    reference = counts.get(reference_name)
    events = [e for e in EVENTS if e in next(iter(counts.values()))]
    what = "streams" if args.stream else "calls"
    print(machine_line() + f"; {args.calls} counted {what} per variant, under callgrind.\n")
    print(
        "| variant | "
        + " | ".join(f"{EVENTS[e]} per {unit}" for e in events)
        + f" | instructions, ratio to {reference_name.removeprefix('stream: ')} |"
    )
    print("| --- | " + " | ".join("---" for _ in events) + " | --- |")
    for variant, values in counts.items():
        cells = " | ".join(f"{values[e]:,.0f}" for e in events)
        ratio = "-" if reference is None else f"{values['Ir'] / reference['Ir']:.3f}x"
        print(f"| {variant} | {cells} | {ratio} |")


if __name__ == "__main__":
    main()
