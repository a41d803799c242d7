"""Where finished rows go, and the file writer for an output path."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from together.bulk.decoding import Rows
from together.bulk.jsonl import JsonLinesWriter
from together.bulk.npy import NpyWriter

__all__ = ["OUTPUT_SUFFIXES", "ResumableSink", "RowSink", "open_sink"]

#: The output formats by file extension.
OUTPUT_SUFFIXES = (".npy", ".jsonl", ".ndjson", ".json")


class RowSink(Protocol):
    """Where finished rows go, in input order. ``dimensions`` is the width of the rows it
    holds (``None`` before the first row): rows of another width are refused."""

    rows: int
    dimensions: int | None

    def write(self, rows: Rows) -> None: ...

    def close(self) -> None: ...


class ResumableSink(RowSink, Protocol):
    """A file sink a later run can continue: it can make its rows durable and cut back."""

    path: Path

    def sync(self) -> None: ...

    def truncate(self, rows: int) -> None: ...


def open_sink(path: Path, *, resume: bool = False) -> NpyWriter | JsonLinesWriter:
    """The writer for ``path``'s extension: ``.npy``, or ``.jsonl`` / ``.ndjson`` / ``.json``."""
    suffix = path.suffix.lower()
    if suffix == ".npy":
        return NpyWriter(path, resume=resume)
    if suffix in OUTPUT_SUFFIXES:
        return JsonLinesWriter(path, resume=resume)
    raise ValueError(f"unknown output format {suffix!r}: use .npy or .jsonl")
