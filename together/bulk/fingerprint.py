"""A running hash of the texts a job has embedded, to recognise the same input on resume.

The texts are hashed as two streams: their UTF-8 bytes run together, and their lengths in
characters (8 bytes each, little-endian). Together these fix the sequence exactly --
``["ab", "c"]`` and ``["a", "bc"]`` differ -- and both streams can be fed a whole batch at a
time, which keeps the cost to well under a second per million short texts. The digest after *n*
texts identifies the first *n* texts of an input, whatever its source, and does not depend on
how the texts were batched.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Sequence

__all__ = ["InputFingerprint"]


class InputFingerprint:
    """SHA-256 over the texts seen so far; :meth:`digest` can be read at any point."""

    def __init__(self) -> None:
        self._text = hashlib.sha256()
        self._lengths = hashlib.sha256()

    def add(self, texts: Sequence[str]) -> None:
        """Append ``texts`` (in order) to the texts seen."""
        self._text.update("".join(texts).encode("utf-8", "surrogatepass"))
        self._lengths.update(array("Q", map(len, texts)).tobytes())

    def digest(self) -> str:
        return hashlib.sha256(self._text.digest() + self._lengths.digest()).hexdigest()
