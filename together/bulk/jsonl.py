"""A JSON lines file of ``{"index": i, "embedding": [...]}``, one row a line, resumable."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import BinaryIO

from together.bulk.decoding import Rows
from together.bulk.errors import SinkWriteError
from together.bulk.files import close_quietly

__all__ = ["JsonLinesWriter"]


class JsonLinesWriter:
    """Streams rows as JSON lines; ``resume=True`` keeps the complete lines of an existing
    file and cuts off a half-written last one."""

    def __init__(self, path: Path, *, resume: bool = False) -> None:
        self.path = path
        self.rows = 0
        self._file: BinaryIO
        try:
            existing = resume and path.exists()
            self._file = path.open("r+b" if existing else "wb")
        except OSError as exc:
            raise SinkWriteError(path, exc) from exc
        if existing:
            try:
                self.truncate(len(_line_ends(self._file)))
            except BaseException:
                close_quietly(self._file)
                raise

    def truncate(self, rows: int) -> None:
        """Keep only the first ``rows`` lines (at most the complete lines there are)."""
        try:
            self._file.flush()
            ends = _line_ends(self._file)
            end = ends[min(rows, len(ends)) - 1] if rows and ends else 0
            self._file.truncate(end)
            self._file.seek(end)
        except OSError as exc:
            raise SinkWriteError(self.path, exc) from exc
        self.rows = min(rows, len(ends))

    def write(self, rows: Rows) -> None:
        lines = [
            json.dumps({"index": self.rows + i, "embedding": row.tolist()}).encode() + b"\n"
            for i, row in enumerate(rows)
        ]
        try:
            self._file.write(b"".join(lines))
            self._file.flush()
        except OSError as exc:
            raise SinkWriteError(self.path, exc) from exc
        self.rows += len(lines)

    def sync(self) -> None:
        """Make the rows written so far durable (``fsync``)."""
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as exc:
            raise SinkWriteError(self.path, exc) from exc

    def close(self) -> None:
        if self._file.closed:
            return
        try:
            self._file.close()
        except OSError as exc:
            raise SinkWriteError(self.path, exc) from exc


def _line_ends(handle: BinaryIO) -> list[int]:
    """Byte offsets just after each complete (newline-terminated) line."""
    ends = []
    offset = 0
    handle.seek(0)
    for line in handle:
        offset += len(line)
        if line.endswith(b"\n"):
            ends.append(offset)
    return ends
