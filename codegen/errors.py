"""The one error the generator raises for a spec it cannot turn into correct code."""

from __future__ import annotations


def escape_pointer_token(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def join_pointer(pointer: str, *tokens: str | int) -> str:
    return pointer + "".join("/" + escape_pointer_token(str(t)) for t in tokens)


class SpecError(Exception):
    """The spec is invalid, or uses a feature the generator does not support.

    Generation stops rather than emit code that is silently wrong; the message names the
    JSON pointer of the offending node and the keyword concerned.
    """

    def __init__(self, pointer: str, keyword: str, message: str, *, source: str = "") -> None:
        self.pointer = pointer or "/"
        self.keyword = keyword
        self.message = message
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.source}#{self.pointer}: '{self.keyword}': {self.message}"
