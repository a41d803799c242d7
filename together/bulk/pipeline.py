"""``embed_many``: batches in flight with bounded concurrency, rows written in input order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Callable, Iterable, Sized
from dataclasses import dataclass

from together.bulk.batching import Batch, Checkpoint, batches
from together.bulk.decoding import Rows, rows_operation
from together.bulk.errors import InputRejectedError
from together.bulk.memory import ArrayCollector
from together.bulk.sinks import RowSink
from together.generated import ApiClient, ApiException, EmbeddingsRequest, MalformedResponseError
from together.generated.vectors import import_numpy

__all__ = ["MAX_BATCH_SIZE", "Rejected", "embed_many"]

#: The most inputs one request may carry (the local server's default limit).
MAX_BATCH_SIZE = 512

#: Statuses that say "this request's content is wrong": the same inputs will fail again.
INPUT_ERROR_STATUSES = frozenset({400, 413, 422})


@dataclass(frozen=True)
class Rejected:
    """Text ``index`` of the input, which the API refused with ``error``."""

    index: int
    error: ApiException


Segment = Rows | Rejected


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

    Row *i* is text *i*. ``skip`` leaves out the first texts (already embedded by an
    interrupted run); ``resume`` does the same and also checks that they are the texts that
    run embedded (:class:`~together.bulk.errors.ResumeError` if not), before sending anything.
    ``on_progress(done)`` gets the number of texts written so far (skipped ones included);
    ``on_checkpoint`` gets a :class:`Checkpoint` after each write, to resume from later.

    A text the API refuses for good (400, 413 or 422 about the input) is found by splitting
    its batch, and raises :class:`~together.bulk.errors.InputRejectedError` with its index;
    with ``skip_rejected=True`` its row is NaN instead and ``on_rejected`` is told. Any other
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
    writer = _OrderedWriter(out, on_progress, on_checkpoint, on_rejected)
    operation = rows_operation()
    slots = asyncio.Semaphore(concurrency)

    async def request(texts: list[str]) -> Rows:
        async with slots:
            answer = await api_client.call_api(
                operation, None, EmbeddingsRequest(model=model, input=texts)
            )
        rows = answer.data
        if rows.shape[0] != len(texts):
            raise MalformedResponseError(
                f"{len(texts)} inputs but {rows.shape[0]} embeddings",
                status=answer.status_code,
                headers=answer.headers,
                body=answer.raw_data,
                content_type=answer.headers.get("Content-Type"),
            )
        return rows

    async def isolate(first: int, texts: list[str], error: ApiException) -> list[Segment]:
        """Find the refused texts by halving: the others still get their rows."""
        if len(texts) == 1:
            if not skip_rejected:
                raise InputRejectedError(first, error) from error
            return [Rejected(first, error)]
        segments: list[Segment] = []
        middle = len(texts) // 2
        for offset, half in ((0, texts[:middle]), (middle, texts[middle:])):
            try:
                segments.append(await request(half))
            except ApiException as exc:
                if not _about_the_input(exc):
                    raise
                segments += await isolate(first + offset, half, exc)
        return segments

    async def embed(number: int, batch: Batch) -> None:
        try:
            try:
                segments: list[Segment] = [await request(batch.texts)]
            except ApiException as exc:
                if not _about_the_input(exc):
                    raise
                segments = await isolate(batch.first, batch.texts, exc)
                if len(segments) == len(batch.texts) > 1 and all(
                    isinstance(s, Rejected) for s in segments
                ):
                    raise exc from None  # every text refused: the request is wrong, not a text
            await writer.finish(number, segments, batch.checkpoint)
        except asyncio.CancelledError:
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
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return None if collector is None else collector.array()


def _about_the_input(error: ApiException) -> bool:
    """A 400/413/422 that names no parameter, or names ``input``: some text is at fault."""
    if error.status not in INPUT_ERROR_STATUSES:
        return False
    param = getattr(getattr(error.data, "error", None), "param", None)
    return param is None or str(param).startswith("input")


def _reap(tasks: set[asyncio.Task[None]]) -> None:
    """Forget finished batches; raise the first failure."""
    for task in [t for t in tasks if t.done()]:
        tasks.discard(task)
        task.result()


class _OrderedWriter:
    """Writes finished batches to the sink in input order, and holds back the reader while
    too many batches are unwritten (bounded memory). The first failure of any batch, the
    sink's included, wakes the reader at once."""

    def __init__(
        self,
        out: RowSink,
        on_progress: Callable[[int], None] | None,
        on_checkpoint: Callable[[Checkpoint], None] | None,
        on_rejected: Callable[[Rejected], None] | None,
    ) -> None:
        self.out = out
        self.on_progress = on_progress
        self.on_checkpoint = on_checkpoint
        self.on_rejected = on_rejected
        self.room = asyncio.Condition()
        self.finished: dict[int, tuple[list[Segment], Checkpoint]] = {}
        self.next_to_write = 0
        self.failure: BaseException | None = None
        self.dimensions: int | None = getattr(out, "dimensions", None)
        self.held: list[Rejected] = []  # refused texts before the first row: width unknown

    async def wait_for_room(self, number: int, window: int) -> None:
        async with self.room:
            while self.failure is None and number - self.next_to_write >= window:
                await self.room.wait()
            if self.failure is not None:
                raise self.failure

    async def fail(self, error: BaseException) -> None:
        async with self.room:
            if self.failure is None:
                self.failure = error
            self.room.notify_all()

    async def finish(self, number: int, segments: list[Segment], checkpoint: Checkpoint) -> None:
        async with self.room:
            self.finished[number] = (segments, checkpoint)
            while self.next_to_write in self.finished:
                ready, reached = self.finished.pop(self.next_to_write)
                self._write(ready)
                self.next_to_write += 1
                if self.on_checkpoint is not None and not self.held:
                    self.on_checkpoint(reached)
                if self.on_progress is not None:
                    self.on_progress(reached.rows)
            self.room.notify_all()

    def _write(self, segments: list[Segment]) -> None:
        np = import_numpy()
        for segment in segments:
            if isinstance(segment, Rejected):
                if self.on_rejected is not None:
                    self.on_rejected(segment)
                self.held.append(segment)
            else:
                self.dimensions = int(segment.shape[1])
            if self.held and self.dimensions is not None:
                nan = np.full((len(self.held), self.dimensions), np.nan, dtype=np.float32)
                self.held.clear()
                self.out.write(nan)
            if not isinstance(segment, Rejected):
                self.out.write(segment)

    def check_complete(self) -> None:
        if self.held:  # every text so far was refused: there is no row width to give them
            first = self.held[0]
            raise InputRejectedError(first.index, first.error) from first.error
