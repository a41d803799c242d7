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


class SpecErrors(Exception):
    """Several refusals, gathered by ``--keep-going`` so that one run reports them all."""

    def __init__(self, errors: list[SpecError]) -> None:
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} refusals; first: {self.errors[0]}")


class Refusals:
    """Where refusals go: raised at once, or (``keep_going``) gathered and raised at the end.

    Each stage guards one unit of work (a schema, an operation, a model) so that a refusal
    skips that unit only; nothing reaches the output while any refusal stands, because
    :meth:`raise_if_any` runs before anything is written.
    """

    def __init__(self, *, keep_going: bool = False) -> None:
        self.keep_going = keep_going
        self.errors: list[SpecError] = []

    def guard(self) -> _Guard:
        return _Guard(self)

    def raise_if_any(self) -> None:
        if self.errors:
            raise SpecErrors(self.errors)


class _Guard:
    """``with refusals.guard():`` — a SpecError inside is kept (keep-going) or re-raised."""

    def __init__(self, refusals: Refusals) -> None:
        self.refusals = refusals
        #: Whether the guarded block was refused.
        self.refused = False

    def __enter__(self) -> _Guard:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> bool:
        if isinstance(exc, SpecError) and self.refusals.keep_going:
            if str(exc) not in {str(e) for e in self.refusals.errors}:
                self.refusals.errors.append(exc)
            self.refused = True
            return True
        return False
