"""Finished batches written to the sink in input order, with a bound on those waiting."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from together.bulk.batching import Checkpoint
from together.bulk.decoding import Rows
from together.bulk.errors import InputRejectedError
from together.bulk.sending import Rejected, Segment
from together.bulk.sinks import RowSink
from together.generated._runtime.exceptions import MalformedResponseException
from together.generated._runtime.vectors import import_numpy

__all__ = ["OrderedWriter"]


class OrderedWriter:
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
                self._check_width(segment)
            if self.held and self.dimensions is not None:
                nan = np.full((len(self.held), self.dimensions), np.nan, dtype=np.float32)
                self.held.clear()
                self.out.write(nan)
            if not isinstance(segment, Rejected):
                self.out.write(segment)

    def _check_width(self, rows: Rows) -> None:
        """Every row of an output has one width: the first batch's (or the resumed file's)."""
        width = int(rows.shape[1])
        if self.dimensions is None:
            self.dimensions = width
        elif width != self.dimensions:
            raise MalformedResponseException(
                f"the API answered vectors of {width} dimensions after rows of "
                f"{self.dimensions}: the answer does not fit the output",
                status=200,
                headers={},
                body=b"",
                content_type=None,
            )

    def check_complete(self) -> None:
        if self.held:  # every text so far was refused: there is no row width to give them
            first = self.held[0]
            raise InputRejectedError(first.index, first.error) from first.error
