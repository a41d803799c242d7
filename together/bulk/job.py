"""A resumable bulk job: an output file, its progress journal and where to start.

``open_job`` works from whatever an earlier run left: nothing, an empty or torn output, a
journal without output, a journal of another job or input. It keeps the longest prefix of
rows that both the output holds completely and a checkpoint vouches for, cuts off the rest,
and hands ``embed_many`` that checkpoint, which re-reads the input's first rows and refuses
to go on if they are not the texts those rows came from.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from together.bulk.batching import Checkpoint
from together.bulk.errors import ResumeError
from together.bulk.files import OutputLock, sync_directory
from together.bulk.fingerprint import InputFingerprint
from together.bulk.journal import ProgressJournal, journal_path
from together.bulk.sinks import ResumableSink, open_sink

__all__ = ["BulkJob", "open_job"]


@dataclass
class BulkJob:
    """Pass :attr:`sink`, :attr:`start` (as ``resume``) and :meth:`checkpoint` (as
    ``on_checkpoint``) to ``embed_many``; :meth:`finish` when it returns, :meth:`close` if not
    (``with open_job(...) as job:`` does that). The output is locked until then."""

    sink: ResumableSink
    journal: ProgressJournal
    start: Checkpoint
    resumed: bool
    lock: OutputLock
    #: Seconds between durable checkpoints: an fsync costs ~10 ms on a disk, so one per
    #: batch would stall a fast job; a crash re-embeds at most this much work.
    sync_interval: float = 1.0
    clock: Callable[[], float] = time.monotonic
    _pending: Checkpoint | None = field(default=None, init=False)
    _last_sync: float = field(default=float("-inf"), init=False)
    #: "open", then "finished" or "closed": a second finish() or close() (say finish() inside
    #: ``with open_job(...)``, whose exit finishes again) must not touch closed files.
    _state: str = field(default="open", init=False)

    def checkpoint(self, checkpoint: Checkpoint) -> None:
        """Note that ``checkpoint`` is reached; make it durable if the last one is old."""
        self._pending = checkpoint
        if self.clock() - self._last_sync >= self.sync_interval:
            self._persist()

    def _persist(self) -> None:
        """Rows first, then the record that vouches for them: both durable, in that order."""
        if self._pending is None:
            return
        self.sink.sync()
        self.journal.append(self._pending)
        self._pending = None
        self._last_sync = self.clock()

    def close(self) -> None:
        """Close after an interruption or a failure, keeping the last checkpoint reached.
        Does nothing once the job is finished or closed."""
        if self._state != "open":
            return
        self._state = "closed"
        try:
            # If the disk is what failed, the last durable checkpoint stays the one to resume.
            with contextlib.suppress(OSError):
                self._persist()
            self.sink.close()
        finally:
            try:
                self.journal.close()
            finally:
                self.lock.release()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """:meth:`finish` when the block succeeded, :meth:`close` (resumable) when not."""
        if exc_type is None:
            self.finish()
        else:
            self.close()

    def finish(self) -> None:
        """The job is done: make the output durable, then remove the journal. Until the
        output is on disk the journal stays: a crash in between leaves a resumable job.
        Does nothing once finished; refused once closed unfinished (the journal stays)."""
        if self._state == "finished":
            return
        if self._state == "closed":
            raise ValueError(
                f"the job writing {self.sink.path} was closed unfinished; run it again to resume"
            )
        try:
            self.sink.sync()
            self.sink.close()
            sync_directory(self.sink.path)
            self.journal.remove()
        except BaseException:
            self.close()
            raise
        self._state = "finished"
        self.lock.release()


def open_job(output: Path, job: Mapping[str, Any], *, restart: bool = False) -> BulkJob:
    """Open ``output`` for the job described by ``job`` (a JSON-able mapping of everything
    that shapes the rows, e.g. the model), resuming an earlier run of the same job unless
    ``restart``.

    :class:`~together.bulk.errors.OutputInUseError` while another run writes ``output``;
    :class:`ResumeError` if the journal is damaged, or belongs to another job and vouches for
    rows, or if ``output`` is not empty and has no journal (a finished job: ``restart``
    overwrites it); :class:`~together.bulk.errors.SinkWriteError` if a file cannot be
    written. On any failure nothing is left open, and no journal is made."""
    lock = OutputLock(output)
    sink: ResumableSink | None = None
    try:
        path = journal_path(output)
        nothing = Checkpoint(0, InputFingerprint().digest())
        if not restart and path.exists():
            recorded_job, checkpoints = ProgressJournal.read(path)
            written = max((c.rows for c in checkpoints), default=0)
            if recorded_job == dict(job):
                sink = open_sink(output, resume=True)
                usable = [c for c in [nothing, *checkpoints] if c.rows <= sink.rows]
                start = max(usable, key=lambda c: c.rows)
                sink.truncate(start.rows)
                journal = ProgressJournal.create(path, job, start)
                return BulkJob(sink, journal, start, True, lock)
            if written:
                changed = ", ".join(
                    f"{key} {recorded_job.get(key)!r}, now {job.get(key)!r}"
                    for key in sorted(set(recorded_job) | set(job))
                    if recorded_job.get(key) != job.get(key)
                )
                raise ResumeError(f"{output} holds {written} rows of another job ({changed})")
        elif not restart and lock.size:
            raise ResumeError(
                f"{output} already exists and has no progress journal (a finished job's "
                "output, or another file): it is not overwritten"
            )
        sink = open_sink(output)
        return BulkJob(sink, ProgressJournal.create(path, job, nothing), nothing, False, lock)
    except BaseException:
        if sink is not None:
            with contextlib.suppress(OSError):
                sink.close()
        lock.release(remove=lock.created)
        raise
