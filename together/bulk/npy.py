"""A ``.npy`` file written row block by row block, valid after every block, resumable."""

from __future__ import annotations

import ast
import os
import struct
from pathlib import Path
from typing import BinaryIO

from together.bulk.decoding import Rows
from together.bulk.errors import ResumeError, SinkWriteError
from together.bulk.files import SinkFile, close_quietly

__all__ = ["NpyWriter"]

_MAGIC = b"\x93NUMPY\x01\x00"
_ROW_ITEM_BYTES = 4  # float32


class NpyWriter(SinkFile):
    """Streams float32 rows into a ``.npy`` file whose header always tells the rows written.

    Each :meth:`write` puts the rows' bytes after the last row and *then* rewrites the
    fixed-size header with the new count, so a crash leaves a file whose header counts only
    complete rows (bytes after them are a torn block). ``resume=True`` opens an existing file,
    keeps the rows that are complete on disk (never more than the header counts, never rows the
    file is too short to hold) and cuts off the rest. A failed write raises
    :class:`~together.bulk.errors.SinkWriteError` naming the file.
    """

    HEADER_SIZE = 128  # bytes, magic included: a multiple of 64, as numpy wants

    def __init__(self, path: Path, *, resume: bool = False) -> None:
        self.path = path
        self.rows = 0
        self.dimensions: int | None = None
        try:
            existing = resume and path.exists()
            self._file: BinaryIO = path.open("r+b" if existing else "w+b")
        except OSError as exc:
            raise SinkWriteError(path, exc) from exc
        try:
            if existing:
                self._resume()
            else:
                self._write_header()
        except OSError as exc:
            close_quietly(self._file)
            raise SinkWriteError(path, exc) from exc
        except BaseException:
            close_quietly(self._file)
            raise

    def _resume(self) -> None:
        size = os.fstat(self._file.fileno()).st_size
        if size == 0:  # created, never written
            self._write_header()
            return
        header_rows, dimensions = self._read_shape()
        present = (size - self.HEADER_SIZE) // (dimensions * _ROW_ITEM_BYTES) if dimensions else 0
        self.dimensions = dimensions or None
        self.rows = min(header_rows, present)
        self.truncate(self.rows)

    def _read_shape(self) -> tuple[int, int]:
        """The (rows, dimensions) of the header; :class:`ResumeError` naming the file for any
        other array: another dtype or header size, Fortran order, a shape that is not 2-D."""
        self._file.seek(0)
        prefix = self._file.read(10)
        if prefix[:8] != _MAGIC or len(prefix) < 10:
            raise ResumeError(f"{self.path} is not a .npy file this writer made")
        (length,) = struct.unpack("<H", prefix[8:10])
        if 10 + length != self.HEADER_SIZE:
            raise ResumeError(f"{self.path} is not a float32 .npy file this writer made")
        try:
            # numpy writes the header as a Python literal (and reads it with literal_eval).
            header = ast.literal_eval(self._file.read(length).decode("latin-1"))
        except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
            raise ResumeError(f"{self.path} has a damaged .npy header") from exc
        if not isinstance(header, dict) or header.get("descr") != "<f4":
            raise ResumeError(f"{self.path} is not a float32 .npy file this writer made")
        if header.get("fortran_order") is not False:
            # Column by column: rows appended after them would scramble the array.
            raise ResumeError(f"{self.path} is a Fortran-order .npy file: rows cannot be added")
        shape = header.get("shape")
        if not (
            isinstance(shape, tuple)
            and len(shape) == 2
            and all(type(size) is int and size >= 0 for size in shape)
        ):
            raise ResumeError(
                f"{self.path} holds an array of shape {shape!r}, not (rows, dimensions)"
            )
        rows, dimensions = shape
        return rows, dimensions

    def truncate(self, rows: int) -> None:
        """Keep only the first ``rows`` rows (resuming: never more than are complete on disk)."""
        if not 0 <= rows <= self.rows:
            raise ValueError(f"cannot keep {rows} rows of {self.path}: it has {self.rows}")
        try:
            self.rows = rows
            if rows == 0:
                self.dimensions = None
            width = (self.dimensions or 0) * _ROW_ITEM_BYTES
            self._file.truncate(self.HEADER_SIZE + rows * width)
            self._write_header()
        except OSError as exc:
            raise SinkWriteError(self.path, exc) from exc

    def write(self, rows: Rows) -> None:
        if self.dimensions is None:
            self.dimensions = int(rows.shape[1])
        if rows.shape[1] != self.dimensions:
            raise ValueError(f"rows of {rows.shape[1]} dimensions after rows of {self.dimensions}")
        try:
            self._file.seek(self.HEADER_SIZE + self.rows * self.dimensions * _ROW_ITEM_BYTES)
            self._file.write(rows.astype("<f4", copy=False).tobytes())
            self._file.flush()  # the rows reach the file before the header counts them
            self.rows += rows.shape[0]
            self._write_header()
        except OSError as exc:
            raise SinkWriteError(self.path, exc) from exc

    def _write_header(self) -> None:
        shape = f"({self.rows}, {self.dimensions or 0})"
        text = f"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}"
        text = text.ljust(self.HEADER_SIZE - 10 - 1) + "\n"
        self._file.seek(0)
        self._file.write(_MAGIC + struct.pack("<H", len(text)) + text.encode("latin-1"))
        self._file.flush()
