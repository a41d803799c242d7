"""``together-embed TEXT...``: embed texts and show how similar they are.

With ``TOGETHER_API_KEY`` set, calls the Together API (host: ``TOGETHER_BASE_URL`` or the
spec's server). Without it, starts the local mock server in-process on a free loopback port
and says so on stderr, so the command works offline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import together.generated
from together.generated import EmbeddingsRequest, OpenApiException

if TYPE_CHECKING:
    from together.bulk import RowSink

DEFAULT_MODEL = "BAAI/bge-base-en-v1.5"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="together-embed",
        description="Embed texts through the Together API (or, without TOGETHER_API_KEY, "
        "through the local mock server) and print their cosine similarities, or, with "
        "--output, write the vectors of many texts to a file.",
    )
    add = parser.add_argument
    add("texts", nargs="*", metavar="TEXT", help="texts to embed")
    add("--input", "--file", dest="file", type=Path, help="read texts from FILE, one per line")
    add("--model", default=DEFAULT_MODEL, help=f"embedding model (default {DEFAULT_MODEL})")
    add("--json", action="store_true", help="print one JSON object per text instead")
    bulk = parser.add_argument_group("bulk embedding (with --output)").add_argument
    bulk("--output", type=Path, help="write the vectors to FILE (.npy or .jsonl), in input order")
    bulk("--batch-size", type=int, default=128, help="inputs per request (default 128)")
    bulk("--concurrency", type=int, default=4, help="requests in flight (default 4)")
    bulk("--restart", action="store_true", help="start over, not resume an interrupted job")
    return parser


def read_texts(args: argparse.Namespace, stdin: TextIO) -> list[str]:
    texts = list(args.texts)
    if args.file is not None:
        texts += [line.rstrip("\n") for line in args.file.read_text(encoding="utf-8").splitlines()]
    elif not texts and not stdin.isatty():
        texts += [line.rstrip("\n") for line in stdin]
    return [t for t in texts if t.strip()]


@asynccontextmanager
async def api_host(stderr: TextIO) -> AsyncIterator[tuple[str | None, str]]:
    """(host, token): the real API when a key is set, else a local mock server."""
    key = os.environ.get("TOGETHER_API_KEY")
    if key:
        yield None, key  # Configuration picks TOGETHER_BASE_URL or the spec's server
        return
    try:
        from together.mock import MockServer
    except ImportError as exc:  # the server extra is not installed
        raise SystemExit(
            "together-embed: TOGETHER_API_KEY is not set and the local server cannot start "
            f"({exc}); install it with: pip install 'together-generated[server]'"
        ) from exc
    async with MockServer() as server:
        print(
            f"TOGETHER_API_KEY is not set: using the local mock server at {server.url} "
            "(deterministic stand-in vectors, not a neural model).",
            file=stderr,
        )
        yield server.url, "mock-key"


async def embed_texts(
    texts: Sequence[str], model: str, stderr: TextIO
) -> tuple[str, list[list[float]]]:
    async with api_host(stderr) as (host, token):
        configuration = together.generated.Configuration(host=host, access_token=token)
        async with together.generated.ApiClient(configuration) as api_client:
            api = together.generated.EmbeddingsApi(api_client)
            response = await api.embeddings(EmbeddingsRequest(model=model, input=list(texts)))
    vectors = [item.embedding for item in sorted(response.data, key=lambda d: d.index)]
    return response.model, vectors


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norms = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norms if norms else 0.0


def format_report(model: str, texts: Sequence[str], vectors: Sequence[Sequence[float]]) -> str:
    labels = [f"[{i}]" for i in range(len(texts))]
    lines = [
        f"model: {model}",
        f"count: {len(vectors)}",
        f"dimensions: {len(vectors[0]) if vectors else 0}",
        "",
        *(f"{label} {text}" for label, text in zip(labels, texts, strict=True)),
        "",
        "cosine similarity:",
        "     " + "".join(f"{label:>8}" for label in labels),
    ]
    for label, a in zip(labels, vectors, strict=True):
        lines.append(f"{label:>5}" + "".join(f"{cosine(a, b):8.3f}" for b in vectors))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.output is not None:
        return run_bulk(args)
    texts = read_texts(args, sys.stdin)
    if not texts:
        print(
            "together-embed: no texts given (arguments, --file or standard input)", file=sys.stderr
        )
        return 2
    try:
        model, vectors = asyncio.run(embed_texts(texts, args.model, sys.stderr))
    except OpenApiException as exc:
        print(f"together-embed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    if args.json:
        for i, (text, vector) in enumerate(zip(texts, vectors, strict=True)):
            print(json.dumps({"index": i, "model": model, "text": text, "embedding": vector}))
    else:
        print(format_report(model, texts, vectors))
    return 0


def run_bulk(args: argparse.Namespace) -> int:
    """Embed a file (or the given texts) into ``--output``, resuming an interrupted run."""
    from together.bulk import open_sink  # needs numpy, which only the bulk mode does

    texts: Iterable[str]
    if args.file is not None:
        total: int | None = count_lines(args.file)
        texts = iter_lines(args.file)
    else:
        texts = read_texts(args, sys.stdin)
        total = len(texts)
    progress_file = args.output.with_name(args.output.name + ".progress.json")
    job = {"model": args.model, "input": str(args.file.resolve()) if args.file else None}
    resume = (
        not args.restart
        and args.output.exists()
        and progress_file.exists()
        and json.loads(progress_file.read_text(encoding="utf-8")) == job
    )
    try:
        sink = open_sink(args.output, resume=resume)
    except ValueError as exc:
        print(f"together-embed: {exc}", file=sys.stderr)
        return 2
    progress_file.write_text(json.dumps(job), encoding="utf-8")
    if resume:
        print(f"together-embed: resuming {args.output} after {sink.rows} texts", file=sys.stderr)
    bar = ProgressBar(total, sys.stderr)
    try:
        asyncio.run(bulk_embed(texts, args, sink, bar))
    except (OpenApiException, KeyboardInterrupt) as exc:
        bar.finish()
        reason = (
            "interrupted" if isinstance(exc, KeyboardInterrupt) else f"{type(exc).__name__}: {exc}"
        )
        print(f"together-embed: {reason}", file=sys.stderr)
        print(
            f"together-embed: {sink.rows} texts are in {args.output}; run again to resume",
            file=sys.stderr,
        )
        return 130 if isinstance(exc, KeyboardInterrupt) else 1
    finally:
        sink.close()
    bar.finish()
    progress_file.unlink()
    print(
        f"together-embed: {sink.rows} embeddings ({args.model}) in {args.output}", file=sys.stderr
    )
    return 0


async def bulk_embed(
    texts: Iterable[str], args: argparse.Namespace, sink: RowSink, bar: ProgressBar
) -> None:
    from together.bulk import embed_many

    async with api_host(sys.stderr) as (host, token):
        configuration = together.generated.Configuration(host=host, access_token=token)
        async with together.generated.ApiClient(configuration) as api_client:
            await embed_many(
                api_client,
                texts,
                model=args.model,
                batch_size=args.batch_size,
                concurrency=args.concurrency,
                skip=sink.rows,
                sink=sink,
                on_progress=bar.update,
            )


def count_lines(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return sum(1 for line in handle if line.strip())


def iter_lines(path: Path) -> Iterator[str]:
    """The non-blank lines of ``path``, read as they are needed (the file may be large)."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield line.rstrip("\n")


class ProgressBar:
    """A one-line progress bar on a terminal (nothing when stderr is not one)."""

    def __init__(self, total: int | None, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.live = stream.isatty()
        self.started = time.monotonic()

    def update(self, done: int) -> None:
        if not self.live:
            return
        rate = done / max(time.monotonic() - self.started, 1e-9)
        if self.total:
            filled = int(30 * done / self.total)
            bar = "#" * filled + "-" * (30 - filled)
            text = f"[{bar}] {done:,}/{self.total:,} texts ({done / self.total:.0%}), {rate:,.0f}/s"
        else:
            text = f"{done:,} texts, {rate:,.0f}/s"
        self.stream.write("\r" + text)
        self.stream.flush()

    def finish(self) -> None:
        if self.live:
            self.stream.write("\n")
            self.stream.flush()


if __name__ == "__main__":
    sys.exit(main())
