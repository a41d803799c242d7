"""Rows kept in memory as one float32 array (what ``embed_many`` returns without a sink)."""

from __future__ import annotations

from together.bulk.decoding import Rows
from together.generated._runtime.vectors import import_numpy

__all__ = ["ArrayCollector"]


class ArrayCollector:
    """Keeps the rows in memory as one float32 array.

    When the number of texts is known (a list, say), the array is allocated once at its
    final size and filled in place; otherwise blocks are joined at the end.
    """

    def __init__(self, expected_rows: int | None = None) -> None:
        self.expected_rows = expected_rows
        self.parts: list[Rows] = []
        self._filled: Rows | None = None
        self.rows = 0
        self.dimensions: int | None = None

    def write(self, rows: Rows) -> None:
        if self.dimensions is None:
            self.dimensions = int(rows.shape[1])
        elif rows.shape[1] != self.dimensions:
            raise ValueError(f"rows of {rows.shape[1]} dimensions after rows of {self.dimensions}")
        if self.expected_rows is not None and self._filled is None and not self.parts:
            np = import_numpy()
            self._filled = np.empty((self.expected_rows, rows.shape[1]), dtype=np.float32)
        end = self.rows + rows.shape[0]
        if self._filled is not None and end <= self._filled.shape[0]:
            self._filled[self.rows : end] = rows
        else:  # more rows than announced: fall back to blocks
            if self._filled is not None:
                self.parts.append(self._filled[: self.rows])
                self._filled = None
            self.parts.append(rows)
        self.rows = end

    def close(self) -> None:
        pass

    def array(self) -> Rows:
        if self._filled is not None:
            return self._filled[: self.rows]
        np = import_numpy()
        if not self.parts:
            return np.empty((0, 0), dtype=np.float32)  # type: ignore[no-any-return]
        return np.concatenate(self.parts)  # type: ignore[no-any-return]
