"""``embed_many``: batches in flight with bounded concurrency, rows written in input order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Callable, Iterable, Sized

from together.bulk.batching import Batch, Checkpoint, batches
from together.bulk.decoding import Rows
from together.bulk.memory import ArrayCollector
from together.bulk.ordering import OrderedWriter
from together.bulk.sending import BatchSender, Rejected, Segment
from together.bulk.sinks import RowSink
from together.generated import ApiClient
from together.generated._runtime.vectors import import_numpy

__all__ = ["MAX_BATCH_SIZE", "Rejected", "embed_many"]

#: The most inputs one request may carry (the local server's default limit).
MAX_BATCH_SIZE = 512


async def embed_many(
    api_client: ApiClient,
    texts: Iterable[str] | AsyncIterable[str],
    *,
    model: str,
    batch_size: int = 128,
    concurrency: int = 4,
    max_batch_chars: int = 400_000,
    skip: int = 0,
    resume: Checkpoint | None = None,
    sink: RowSink | None = None,
    on_progress: Callable[[int], None] | None = None,
    on_checkpoint: Callable[[Checkpoint], None] | None = None,
    skip_rejected: bool = False,
    on_rejected: Callable[[Rejected], None] | None = None,
) -> Rows | None:
    """Embed every text; return a float32 array (n, dim), or write to ``sink`` and return None.

    Row *i* is text *i*. A request carries at most ``batch_size`` texts (1 to 512; 128 by
    default) and ``max_batch_chars`` characters (400 000 by default; a longer text is sent
    alone); at most ``concurrency`` requests (4 by default) are in flight. ``skip`` leaves
    out the first texts (already embedded by an interrupted run); ``resume`` does the same
    and also checks that they are the texts that run embedded
    (:class:`~together.bulk.errors.ResumeError` if not), before sending anything.
    ``on_progress(done)`` gets the number of texts written so far (skipped ones included);
    ``on_checkpoint`` gets a :class:`Checkpoint` after each write, to resume from later.

    A text the API refuses for good (400, 413 or 422 about the input) is found by splitting
    its batch, and raises :class:`~together.bulk.errors.InputRejectedError` with its index;
    with ``skip_rejected=True`` its row is NaN instead and ``on_rejected`` is told. A refusal
    of the whole request (the same answer for both halves of a batch and for its shortest text
    alone) is raised as it is. Rows of another width than the first are a
    ``MalformedResponseException``. Any other
    failure (after the client's retries), or a sink that cannot write, cancels the batches in
    flight and is raised at once; rows already written stay written.
    """
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ValueError(f"batch_size must be between 1 and {MAX_BATCH_SIZE}, not {batch_size}")
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, not {concurrency}")
    if skip and resume is not None:
        raise ValueError("give skip or resume, not both")
    import_numpy()  # fail now, not after the first batch, when numpy is missing
    start = resume if resume is not None else Checkpoint(skip, None)
    collector: ArrayCollector | None = None
    out: RowSink
    if sink is None:
        expected = len(texts) - start.rows if isinstance(texts, Sized) else None
        out = collector = ArrayCollector(expected)
    else:
        out = sink
    writer = OrderedWriter(out, on_progress, on_checkpoint, on_rejected)
    sender = BatchSender(api_client, model, concurrency, skip_rejected)

    stopping = False  # set when embed_many cancels its batches itself

    async def embed(number: int, batch: Batch) -> None:
        try:
            segments: list[Segment] = await sender.segments(batch.first, batch.texts)
            await writer.finish(number, segments, batch.checkpoint)
        except asyncio.CancelledError as exc:
            if not stopping:  # cancelled by someone else: this batch will never be written
                await writer.fail(exc)
            raise
        except BaseException as exc:
            await writer.fail(exc)
            raise

    window = 2 * concurrency  # batches in flight or finished but not yet written
    tasks: set[asyncio.Task[None]] = set()
    try:
        number = 0
        async for batch in batches(texts, batch_size, max_batch_chars, start):
            await writer.wait_for_room(number, window)
            _reap(tasks)
            tasks.add(asyncio.create_task(embed(number, batch)))
            number += 1
        while tasks:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            _reap(tasks)
        writer.check_complete()
    except BaseException:
        stopping = True
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return None if collector is None else collector.array()


def _reap(tasks: set[asyncio.Task[None]]) -> None:
    """Forget finished batches; raise the first failure."""
    for task in [t for t in tasks if t.done()]:
        tasks.discard(task)
        task.result()
