"""``OUTPUT.rejected.jsonl``: the lines the API refused, with ``--on-error skip``.

One JSON object a line: ``{"line": 57, "row": 56, "status": 400, "error": "..."}``. The row
of a refused line holds NaN. On resume, entries after the rows kept are dropped (they are
refused again if they still fail), so each line is listed once.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from together.bulk import Rejected, SinkWriteError

__all__ = ["RejectedLog", "rejected_path"]


def rejected_path(output: Path) -> Path:
    return output.with_name(output.name + ".rejected.jsonl")


class RejectedLog:
    def __init__(self, output: Path, *, kept_rows: int) -> None:
        self.path = rejected_path(output)
        self.count = 0
        try:
            if kept_rows and self.path.exists():
                # Bytes: an entry damaged on disk (even one that is not UTF-8) is dropped.
                lines = self.path.read_bytes().splitlines(keepends=True)
                kept = [line for line in lines if _row_of(line) < kept_rows]
                self.path.write_bytes(b"".join(kept))
                self.count = len(kept)
            else:
                self.path.unlink(missing_ok=True)
        except OSError as exc:
            raise SinkWriteError(self.path, exc) from exc

    def add(self, rejected: Rejected) -> None:
        error = rejected.error
        record = {
            "line": rejected.index + 1,
            "row": rejected.index,
            "status": error.status,
            "error": str(error),
        }
        entry = (json.dumps(record) + "\n").encode()  # ASCII: json.dumps escapes the rest
        try:
            with self.path.open("ab") as handle:
                handle.write(entry)
        except OSError as exc:
            raise SinkWriteError(self.path, exc) from exc
        self.count += 1


def _row_of(line: bytes) -> float:
    """The row an entry is about; a torn or damaged entry sorts after every row (dropped)."""
    try:
        return int(json.loads(line)["row"]) if line.endswith(b"\n") else math.inf
    except (ValueError, KeyError, TypeError):  # UnicodeDecodeError is a ValueError
        return math.inf
