"""``together-mock``: run the local Together-compatible server until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from pathlib import Path

import yaml

from together.mock.faults import FaultOptions, parse_faults
from together.mock.server import MockOptions, MockServer


def _dimension(text: str) -> tuple[str, int]:
    name, sep, dims = text.rpartition("=")
    if not sep or not name or not dims.isdigit() or int(dims) < 1:
        raise argparse.ArgumentTypeError(f"expected MODEL=DIMENSIONS, got {text!r}")
    return name, int(dims)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="together-mock",
        description="A local server speaking the Together API of an OpenAPI document "
        "(stand-in vectors and replies, not a model), with fault injection for testing clients.",
    )
    parser.add_argument(
        "--spec", type=Path, help="OpenAPI document to serve (default: the package's openapi.yaml)"
    )
    parser.add_argument(
        "--data-dir", type=Path, help="keep uploaded files here (default: in memory)"
    )
    parser.add_argument(
        "--chat-model",
        action="append",
        default=[],
        metavar="MODEL",
        help="also serve MODEL for chat and completions (repeatable)",
    )
    parser.add_argument(
        "--shuffle",
        action="store_true",
        help="answer embeddings with data items out of order (each keeps its index)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    parser.add_argument(
        "--port", type=int, default=8080, help="port; 0 picks a free one (default 8080)"
    )
    parser.add_argument("--api-key", help="require this bearer token (default: any token)")
    parser.add_argument(
        "--model",
        action="append",
        type=_dimension,
        default=[],
        metavar="MODEL=DIM",
        help="serve MODEL with DIM dimensions (repeatable)",
    )
    parser.add_argument("--max-inputs", type=int, default=512, help="most inputs per request")
    parser.add_argument(
        "--max-input-chars", type=int, default=32_000, help="most characters per input"
    )
    faults = parser.add_argument_group("fault injection")
    faults.add_argument(
        "--fail-rate", type=float, default=0.0, help="share of requests (0..1) that fail"
    )
    faults.add_argument(
        "--fail-statuses",
        type=parse_faults,
        default=[429, 503, 504],
        help="faults to draw from: statuses and drop, stall, truncate, error-event "
        "(default 429,503,504)",
    )
    faults.add_argument(
        "--script",
        type=parse_faults,
        default=[],
        help="faults for the first requests in order, e.g. 503,503,ok",
    )
    faults.add_argument("--retry-after", type=float, help="Retry-After seconds on 429/503 answers")
    faults.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="delay added to every answer, and between the chunks of a stream",
    )
    faults.add_argument("--stall-seconds", type=float, default=30.0, help="how long a stall lasts")
    faults.add_argument(
        "--seed", type=int, help="seed of the random faults and of the synthesized answers"
    )
    return parser


def options_from(args: argparse.Namespace) -> MockOptions:
    options = MockOptions(
        api_key=args.api_key,
        max_inputs=args.max_inputs,
        max_input_chars=args.max_input_chars,
        spec_path=args.spec,
        data_dir=args.data_dir,
        shuffle=args.shuffle,
        faults=FaultOptions(
            fail_rate=args.fail_rate,
            fail_statuses=[f for f in args.fail_statuses if f is not None],
            script=args.script,
            retry_after=args.retry_after,
            latency_ms=args.latency_ms,
            stall_seconds=args.stall_seconds,
            seed=args.seed,
        ),
    )
    options.dimensions.update(dict(args.model))
    options.chat_models += args.chat_model
    if options.spec_path is not None and not options.spec_path.is_file():
        raise ValueError(f"--spec: no such file: {options.spec_path}")
    return options


async def _serve(args: argparse.Namespace) -> None:
    async with MockServer(options_from(args), host=args.host, port=args.port) as server:
        print(f"together-mock listening on {server.url}", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        options_from(args)
    except ValueError as exc:
        print(f"together-mock: {exc}", file=sys.stderr)
        return 2
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve(args))
    except (OSError, ValueError, KeyError, yaml.YAMLError) as exc:  # a bad spec or a busy port
        print(f"together-mock: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
