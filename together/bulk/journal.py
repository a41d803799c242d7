"""The progress journal of a bulk job: what it is, and how far its output can be trusted.

``OUTPUT.progress.jsonl`` holds the job on its first line (model and whatever else shapes the
rows) and then one :class:`~together.bulk.batching.Checkpoint` per line. A checkpoint is
appended and fsynced only after the rows it vouches for are fsynced, so after any crash the
journal never claims rows the output does not hold; a torn last line is ignored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

from together.bulk.batching import Checkpoint
from together.bulk.errors import ResumeError, SinkWriteError
from together.bulk.files import sync_directory

__all__ = ["ProgressJournal", "journal_path"]


def journal_path(output: Path) -> Path:
    return output.with_name(output.name + ".progress.jsonl")


class ProgressJournal:
    """An open journal, appending checkpoints."""

    def __init__(self, path: Path, handle: BinaryIO) -> None:
        self.path = path
        self._file = handle

    @classmethod
    def create(cls, path: Path, job: Mapping[str, Any], checkpoint: Checkpoint) -> ProgressJournal:
        """A new journal holding ``job`` and ``checkpoint``, replacing any old one atomically."""
        temporary = path.with_name(path.name + ".tmp")
        try:
            with temporary.open("wb") as handle:
                handle.write(_line({"job": dict(job)}) + _line(_checkpoint_record(checkpoint)))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
            journal = cls(path, path.open("ab"))
        except OSError as exc:
            raise SinkWriteError(path, exc) from exc
        try:
            sync_directory(path)  # the rename itself survives a crash
        except BaseException:
            journal.close()
            raise
        return journal

    @staticmethod
    def read(path: Path) -> tuple[dict[str, Any], list[Checkpoint]]:
        """The job and its checkpoints; :class:`ResumeError` when the file is damaged."""
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise ResumeError(f"cannot read {path}: {exc.strerror or exc}") from exc
        lines = content.split(b"\n")
        lines.pop()  # after the last newline: empty, or a line torn by a crash
        try:
            records = [json.loads(line) for line in lines]
            job = records[0]["job"]
            checkpoints = [Checkpoint(int(r["rows"]), str(r["sha256"])) for r in records[1:]]
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise ResumeError(
                f"{path} is damaged ({type(exc).__name__}: {exc}); it is not a progress "
                "journal of together-embed"
            ) from exc
        if not isinstance(job, dict) or any(c.rows < 0 for c in checkpoints):
            raise ResumeError(f"{path} is damaged; it is not a progress journal of together-embed")
        return job, checkpoints

    def append(self, checkpoint: Checkpoint) -> None:
        try:
            self._file.write(_line(_checkpoint_record(checkpoint)))
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as exc:
            raise SinkWriteError(self.path, exc) from exc

    def close(self) -> None:
        if not self._file.closed:
            try:
                self._file.close()
            except OSError as exc:
                raise SinkWriteError(self.path, exc) from exc

    def remove(self) -> None:
        self.close()
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            raise SinkWriteError(self.path, exc) from exc


def _checkpoint_record(checkpoint: Checkpoint) -> dict[str, Any]:
    return {"rows": checkpoint.rows, "sha256": checkpoint.fingerprint}


def _line(record: Mapping[str, Any]) -> bytes:
    return json.dumps(record, sort_keys=True).encode() + b"\n"
