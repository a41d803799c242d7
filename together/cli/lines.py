"""Input lines for bulk embedding: line *n* of the input is text *n*, always.

Lines end at ``\\n`` only (a ``\\r\\n`` ending loses its ``\\r``; a bare ``\\r`` inside a line
is part of the text). Blank and whitespace-only lines are texts like any other, so row *i* of
the output is line *i + 1* of the input. A UTF-8 byte order mark at the start is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["InputDecodeError", "check_lines", "file_lines", "lines_of"]


class InputDecodeError(ValueError):
    """A line of the input is not UTF-8."""


def lines_of(raw_lines: Iterable[bytes], source: str) -> Iterator[str]:
    """The texts of ``raw_lines`` (bytes as a binary file yields them)."""
    for number, raw in enumerate(raw_lines, 1):
        if raw.endswith(b"\n"):
            raw = raw[:-1]
            if raw.endswith(b"\r"):
                raw = raw[:-1]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputDecodeError(
                f"{source}, line {number}: not UTF-8 ({exc.reason} at byte {exc.start + 1} "
                "of the line)"
            ) from None
        if number == 1 and text.startswith("\ufeff"):
            text = text[1:]
        yield text


def file_lines(path: Path) -> Iterator[str]:
    """The texts of the file at ``path``, read as they are needed (the file may be large)."""
    with path.open("rb") as handle:
        yield from lines_of(handle, str(path))


def check_lines(path: Path) -> int:
    """The number of texts in ``path``, reading it once; :class:`InputDecodeError` names the
    first line that is not UTF-8."""
    return sum(1 for _ in file_lines(path))
