"""A JSON lines file of ``{"index": i, "embedding": [...]}``, one row a line, resumable.

A refused text (``skip_rejected``) has ``"embedding": null``: every line stays strict JSON
(a NaN is not JSON).
"""

from __future__ import annotations

import json
from array import array
from pathlib import Path
from typing import BinaryIO

from together.bulk.decoding import Rows
from together.bulk.errors import SinkWriteError
from together.bulk.files import SinkFile, close_quietly
from together.generated._runtime.vectors import import_numpy

__all__ = ["JsonLinesWriter"]


class JsonLinesWriter(SinkFile):
    """Streams rows as JSON lines; ``resume=True`` keeps the complete lines of an existing
    file and cuts off a half-written last one, reading the file once."""

    def __init__(self, path: Path, *, resume: bool = False) -> None:
        self.path = path
        self.rows = 0
        self.dimensions: int | None = None
        #: Byte offsets just after each complete line, from the one scan of a resumed file
        #: (8 bytes a line); ``None`` once rows are written after it.
        self._ends: array[int] | None = None
        self._file: BinaryIO
        try:
            existing = resume and path.exists()
            self._file = path.open("r+b" if existing else "w+b")  # truncate reads it
        except OSError as exc:
            raise SinkWriteError(path, exc) from exc
        if existing:
            try:
                self._ends = _line_ends(self._file)
                self.rows = len(self._ends)
                self.truncate(self.rows)
            except OSError as exc:
                close_quietly(self._file)
                raise SinkWriteError(path, exc) from exc
            except BaseException:
                close_quietly(self._file)
                raise

    def truncate(self, rows: int) -> None:
        """Keep only the first ``rows`` lines (at most the complete lines there are)."""
        try:
            self._file.flush()
            if self._ends is None:
                self._ends = _line_ends(self._file)
            ends = self._ends
            kept = min(rows, len(ends))
            end = ends[kept - 1] if kept else 0
            self._file.truncate(end)
            del ends[kept:]
            self.rows = kept
            self.dimensions = self._last_width()
            self._file.seek(end)
        except OSError as exc:
            raise SinkWriteError(self.path, exc) from exc

    def _last_width(self) -> int | None:
        """The length of the last kept vector (refused rows, ``null``, are passed over)."""
        ends = self._ends or array("Q")
        for line in range(len(ends) - 1, -1, -1):
            start = ends[line - 1] if line else 0
            self._file.seek(start)
            try:
                embedding = json.loads(self._file.read(ends[line] - start)).get("embedding")
            except (ValueError, AttributeError):
                continue  # a damaged line says nothing about the width
            if isinstance(embedding, list):
                return len(embedding)
        return None

    def write(self, rows: Rows) -> None:
        np = import_numpy()
        refused = np.isnan(rows).any(axis=1)  # the API's vectors are finite: NaN is a refusal
        lines = [
            json.dumps(
                {"index": self.rows + i, "embedding": None if refused[i] else row.tolist()}
            ).encode()
            + b"\n"
            for i, row in enumerate(rows)
        ]
        try:
            self._file.write(b"".join(lines))
            self._file.flush()
        except OSError as exc:
            raise SinkWriteError(self.path, exc) from exc
        self._ends = None
        self.rows += len(lines)
        self.dimensions = int(rows.shape[1])


def _line_ends(handle: BinaryIO) -> array[int]:
    """Byte offsets just after each complete (newline-terminated) line."""
    ends: array[int] = array("Q")
    offset = 0
    handle.seek(0)
    for line in handle:
        offset += len(line)
        if line.endswith(b"\n"):
            ends.append(offset)
    return ends
