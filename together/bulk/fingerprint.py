"""A running hash of the texts a job has embedded, to recognise the same input on resume.

Every text is hashed as its UTF-8 length (8 bytes, little-endian) followed by its bytes, so
``["ab", "c"]`` and ``["a", "bc"]`` differ. The digest after *n* texts identifies the first *n*
texts of an input, whatever its source (a file, standard input or a list).
"""

from __future__ import annotations

import hashlib

__all__ = ["InputFingerprint"]


class InputFingerprint:
    """SHA-256 over the texts seen so far; :meth:`digest` can be read at any point."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.count = 0

    def add(self, text: str) -> None:
        data = text.encode("utf-8", "surrogatepass")
        self._hash.update(len(data).to_bytes(8, "little"))
        self._hash.update(data)
        self.count += 1

    def digest(self) -> str:
        return self._hash.hexdigest()
