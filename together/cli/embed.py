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
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import NoReturn, TextIO

import together.generated
from together.cli.lines import InputDecodeError, file_lines, lines_of
from together.generated import EmbeddingsRequest, MalformedResponseException, OpenApiException

DEFAULT_MODEL = "BAAI/bge-base-en-v1.5"


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors in one line (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
    bulk(
        "--restart",
        action="store_true",
        help="start over: overwrite OUTPUT (even a finished one) instead of resuming",
    )
    bulk(
        "--on-error",
        choices=("stop", "skip"),
        default="stop",
        help="a line the API refuses (say, too long): stop there (default), or skip it: "
        "its row is NaN and it is listed in OUTPUT.rejected.jsonl",
    )
    bulk(
        "--progress-every",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="when stderr is not a terminal, print progress this often (default 10)",
    )
    return parser


def read_texts(args: argparse.Namespace, stdin: TextIO) -> list[str]:
    """The texts to compare: arguments, then the lines of ``--file`` or of stdin, split as
    bulk mode splits them (:mod:`together.cli.lines`: line *n* is text *n*, blank or not).
    ``OSError`` if the file cannot be read, :class:`InputDecodeError` names a non-UTF-8 line."""
    texts = list(args.texts)
    if args.file is not None:
        texts += file_lines(args.file)
    elif not texts and not stdin.isatty():
        texts += lines_of(stdin.buffer, "standard input")
    return texts


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
            f"({exc}); from the repository: .venv/bin/pip install -e '.[server]'"
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
            answer = await api.embeddings_with_http_info(
                EmbeddingsRequest(model=model, input=list(texts))
            )
    response = answer.data
    indices = sorted(item.index for item in response.data)
    if indices != list(range(len(texts))):
        # One vector per text, each index once: else the report would pair a text with
        # another's vector, or leave a text out, without a word.
        got = len(indices)
        problem = (
            f"{got} embedding{'s' if got != 1 else ''} for {len(texts)} texts"
            if got != len(texts)
            else f"indices {indices} for {len(texts)} texts"
        )
        raise MalformedResponseException(
            f"the answer does not match the texts sent: {problem}",
            status=answer.status_code,
            headers=answer.headers,
            body=answer.raw_data,
            content_type=answer.headers.get("Content-Type"),
        )
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
        from together.cli.bulk import run_bulk  # bulk mode needs numpy; the main job does not

        return run_bulk(args, sys.stdin, sys.stderr)
    try:
        texts = read_texts(args, sys.stdin)
    except OSError as exc:
        print(f"together-embed: error: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    except InputDecodeError as exc:
        print(f"together-embed: error: {exc}", file=sys.stderr)
        return 2
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


if __name__ == "__main__":
    sys.exit(main())
