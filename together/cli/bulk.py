"""``together-embed --output FILE``: embed a file (or stdin, or the given texts) in bulk.

Everything that can be checked is checked before any output exists (exit 2, one line). An
interrupted or failed job leaves the rows written so far and a progress journal; the same
command resumes it, after checking that the input's first lines are the ones already
embedded. Messages say what to do next, and suggest a resume only when one can succeed.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

import together.generated
from together.bulk import (
    BulkJob,
    InputRejectedError,
    OutputInUseError,
    ResumeError,
    SinkWriteError,
    embed_many,
    open_job,
)
from together.bulk.pipeline import MAX_BATCH_SIZE
from together.bulk.sinks import OUTPUT_SUFFIXES
from together.cli.lines import InputDecodeError, check_lines, file_lines, lines_of
from together.cli.progress import Progress
from together.cli.rejected import RejectedLog
from together.generated import (
    ApiException,
    ForbiddenException,
    NotFoundException,
    OpenApiException,
    UnauthorizedException,
)

__all__ = ["run_bulk"]

PROG = "together-embed"
#: What makes the rows of a job; a journal of another job is not resumed.
JOB_VERSION = 1
NUMPY_MISSING = (
    f"{PROG}: --output needs numpy, which is not installed; from the repository: "
    ".venv/bin/pip install -e '.[numpy]'"
)


#: Error statuses a rerun of the same request meets again (RETRY_STATUSES are the others).
PERMANENT_STATUSES = frozenset(range(400, 500)) - {408, 409, 429}


class UsageError(Exception):
    """Bad arguments: reported in one line, exit status 2, no output created."""


def say(stderr: TextIO, text: str) -> None:
    print(f"{PROG}: {text}", file=stderr, flush=True)


def run_bulk(args: argparse.Namespace, stdin: TextIO, stderr: TextIO) -> int:
    try:
        texts, total, unit = _check(args, stdin)
    except UsageError as exc:
        say(stderr, f"error: {exc}")
        return 2
    job_description = {"version": JOB_VERSION, "model": args.model}
    try:
        job = open_job(args.output, job_description, restart=args.restart)
    except OutputInUseError as exc:
        say(stderr, f"error: {exc}")
        return 2
    except ResumeError as exc:
        say(stderr, f"error: {exc}; --restart starts over")
        return 2
    except SinkWriteError as exc:  # not an argument: the disk, say
        say(stderr, str(exc))
        return 1
    except ValueError as exc:
        say(stderr, f"error: {exc}")
        return 2
    if job.resumed:
        say(stderr, f"resuming {args.output} after {job.start.rows:,} texts")
    progress = Progress(total, stderr, already=job.start.rows, interval=args.progress_every)
    code, summary = 1, ""
    try:
        code, summary = _run(args, job, texts, unit, progress, stderr)
    finally:
        try:
            if code == 0:
                job.finish()
            else:
                job.close()
        except SinkWriteError as exc:
            say(stderr, str(exc))
            if code == 0:
                # Every row was sent, but the output is not known to be on disk: not done.
                say(stderr, _make_room(job, args))
                code = 1
    if code == 0:
        say(stderr, summary)  # only once the output is finished and on disk
    return code


def _make_room(job: BulkJob, args: argparse.Namespace) -> str:
    return f"{job.sink.rows:,} texts are in {args.output}; make room, then run again to resume"


def _check(args: argparse.Namespace, stdin: TextIO) -> tuple[Iterable[str], int | None, str]:
    """(texts, how many if known, what a text is called) -- or UsageError."""
    if not 1 <= args.batch_size <= MAX_BATCH_SIZE:
        raise UsageError(
            f"--batch-size must be between 1 and {MAX_BATCH_SIZE}, not {args.batch_size}"
        )
    if args.concurrency < 1:
        raise UsageError(f"--concurrency must be at least 1, not {args.concurrency}")
    if args.progress_every <= 0:
        raise UsageError("--progress-every must be a positive number of seconds")
    output: Path = args.output
    if output.suffix.lower() not in OUTPUT_SUFFIXES:
        raise UsageError(f"unknown output format {output.suffix!r} of {output}: use .npy or .jsonl")
    if not output.parent.is_dir():
        raise UsageError(f"the folder of {output} does not exist")
    if output.is_dir():
        raise UsageError(f"{output} is a folder")
    if importlib.util.find_spec("numpy") is None:
        raise UsageError(NUMPY_MISSING.removeprefix(f"{PROG}: "))
    if not os.environ.get("TOGETHER_API_KEY"):
        try:
            import together.mock  # noqa: F401
        except ImportError as exc:
            raise UsageError(
                f"TOGETHER_API_KEY is not set and the local server cannot start ({exc}); "
                "from the repository: .venv/bin/pip install -e '.[server]'"
            ) from None
    if args.file is not None:
        if args.texts:
            raise UsageError("give texts or --input, not both")
        if output.exists() and args.file.exists() and output.samefile(args.file):
            raise UsageError(f"--output {output} is the input file")
        try:
            total = check_lines(args.file)
        except OSError as exc:
            raise UsageError(f"cannot read {args.file}: {exc.strerror or exc}") from None
        except InputDecodeError as exc:
            raise UsageError(str(exc)) from None
        if total == 0:
            raise UsageError(f"{args.file} is empty")
        return file_lines(args.file), total, "line"
    if args.texts:
        return list(args.texts), len(args.texts), "text"
    if stdin.isatty():
        raise UsageError("no texts given (arguments, --input or standard input)")
    return lines_of(stdin.buffer, "standard input"), None, "line"


def _run(
    args: argparse.Namespace,
    job: BulkJob,
    texts: Iterable[str],
    unit: str,
    progress: Progress,
    stderr: TextIO,
) -> tuple[int, str]:
    """The exit status, and on success the summary to print once the job is finished."""
    try:
        rejected = RejectedLog(args.output, kept_rows=job.start.rows)
    except SinkWriteError as exc:
        say(stderr, f"error: {exc}")
        return 1, ""
    try:
        asyncio.run(_embed(args, job, texts, progress, rejected, stderr))
    except KeyboardInterrupt:
        progress.finish()
        say(stderr, "interrupted")
        say(stderr, f"{job.sink.rows:,} texts are in {args.output}; run the same command to resume")
        return 130, ""
    except ResumeError as exc:
        say(stderr, f"error: {exc}; --restart starts over")
        return 2, ""
    except InputRejectedError as exc:
        progress.finish()
        number = exc.index + 1
        say(stderr, f"{unit} {number} was refused by the API: {exc.cause}")
        say(
            stderr,
            f"{job.sink.rows:,} texts are in {args.output}. Fix {unit} {number} and run the "
            "same command to resume, or add --on-error skip to give refused lines a NaN row "
            f"and list them in {args.output.name}.rejected.jsonl",
        )
        return 1, ""
    except InputDecodeError as exc:
        progress.finish()
        say(stderr, f"error: {exc}")
        say(stderr, f"{job.sink.rows:,} texts are in {args.output}; fix the input and run again")
        return 2, ""
    except SinkWriteError as exc:
        progress.finish()
        say(stderr, str(exc))
        say(stderr, _make_room(job, args))
        return 1, ""
    except OpenApiException as exc:
        progress.finish()
        say(stderr, f"{type(exc).__name__}: {exc}")
        say(stderr, _advice(exc, args, job.sink.rows))
        return 1, ""
    progress.finish()
    note = (
        f" ({rejected.count} refused: NaN rows, listed in {rejected.path})"
        if rejected.count
        else ""
    )
    return 0, f"{job.sink.rows:,} embeddings ({args.model}) in {args.output}{note}"


def _advice(error: OpenApiException, args: argparse.Namespace, rows: int) -> str:
    kept = f"{rows:,} texts are in {args.output}"
    if isinstance(error, UnauthorizedException | ForbiddenException):
        return f"{kept}; check TOGETHER_API_KEY, then run the same command to resume"
    if isinstance(error, NotFoundException):
        if rows:
            return f"{kept}; check --model (another model needs --restart: its rows differ)"
        return f"nothing was written; check --model {args.model}"
    if isinstance(error, ApiException) and error.status in PERMANENT_STATUSES:
        return f"{kept}; the API refuses this request as it is: fix the cause before running again"
    return f"{kept}; run the same command to resume"


async def _embed(
    args: argparse.Namespace,
    job: BulkJob,
    texts: Iterable[str],
    progress: Progress,
    rejected: RejectedLog,
    stderr: TextIO,
) -> None:
    from together.cli.embed import api_host  # the main job's module: imported when needed

    async with api_host(stderr) as (host, token):
        configuration = together.generated.Configuration(host=host, access_token=token)
        async with together.generated.ApiClient(configuration) as api_client:
            await embed_many(
                api_client,
                texts,
                model=args.model,
                batch_size=args.batch_size,
                concurrency=args.concurrency,
                resume=job.start,
                sink=job.sink,
                on_progress=progress.update,
                on_checkpoint=job.checkpoint,
                skip_rejected=args.on_error == "skip",
                on_rejected=rejected.add,
            )
