"""Texts read lazily and cut into batches, with the running fingerprint of the input.

A plain iterable (a file, standard input, a generator) is read in a worker thread, a batch
(or a block of texts to skip) a hop: a producer that pauses never stalls the event loop, where
requests in flight would time out, and the input is read no further ahead than without the
thread (a batch, and the one text that shows it is full). Lists and tuples are read directly,
async iterables on the loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from together.bulk.errors import ResumeError
from together.bulk.fingerprint import InputFingerprint

__all__ = ["Batch", "Checkpoint", "batches"]


@dataclass(frozen=True)
class Checkpoint:
    """A point a job can be resumed from: the first ``rows`` texts are embedded and written,
    and ``fingerprint`` is the :class:`~together.bulk.fingerprint.InputFingerprint` digest of
    exactly those texts (``None``: not checked)."""

    rows: int
    fingerprint: str | None


@dataclass(frozen=True)
class Batch:
    """Texts ``first .. first + len(texts) - 1`` of the input, and the input's checkpoint once
    they are written."""

    texts: list[str]
    checkpoint: Checkpoint

    @property
    def first(self) -> int:
        """The position of the first text in the input."""
        return self.checkpoint.rows - len(self.texts)


async def batches(
    texts: Iterable[str] | AsyncIterable[str],
    batch_size: int,
    max_chars: int,
    resume: Checkpoint,
) -> AsyncIterator[Batch]:
    """Batches of at most ``batch_size`` texts and ``max_chars`` characters, after the first
    ``resume.rows`` texts -- which are read, hashed and checked against ``resume.fingerprint``
    before any batch is made (:class:`~together.bulk.errors.ResumeError` if they differ)."""
    source = _Source(texts)
    fingerprint = InputFingerprint()
    position = 0
    while position < resume.rows:  # hashed a block at a time
        block = await source.take(min(4096, resume.rows - position), position)
        fingerprint.add(block)
        position += len(block)
        if not block:
            raise ResumeError(
                f"the input has {position} texts, but {resume.rows} rows were already "
                "written from an earlier input"
            )
    _check_resume(fingerprint, resume)
    carry: list[str] = []
    while True:
        batch, carry = await source.fill(carry, batch_size, max_chars, position)
        if not batch:
            return
        position += len(batch)
        fingerprint.add(batch)
        yield Batch(batch, Checkpoint(position, fingerprint.digest()))
        if not carry:
            return


def _check_resume(fingerprint: InputFingerprint, resume: Checkpoint) -> None:
    if resume.fingerprint is not None and fingerprint.digest() != resume.fingerprint:
        raise ResumeError(
            f"the first {resume.rows} texts of the input are not the ones the "
            f"{resume.rows} rows already written were made from"
        )


class _Source:
    """The input's texts, taken a block or a batch at a time (see the module's doc)."""

    def __init__(self, texts: Iterable[str] | AsyncIterable[str]) -> None:
        self._async: AsyncIterator[str] | None = None
        self._sync: Iterator[str] | None = None
        self._in_memory = isinstance(texts, list | tuple)
        if isinstance(texts, AsyncIterable):
            self._async = aiter(texts)
        else:
            self._sync = iter(texts)

    async def take(self, count: int, position: int) -> list[str]:
        """The next ``count`` texts (fewer at the end of the input)."""
        if self._sync is not None:
            if self._in_memory:
                return _checked(list(islice(self._sync, count)), position)
            block = await asyncio.to_thread(lambda: list(islice(self._sync or (), count)))
            return _checked(block, position)
        assert self._async is not None
        block = []
        async for text in self._async:
            block.append(text)
            if len(block) == count:
                break
        return _checked(block, position)

    async def fill(
        self, carry: list[str], batch_size: int, max_chars: int, position: int
    ) -> tuple[list[str], list[str]]:
        """(the next batch, starting with ``carry``; the text read after it that did not fit,
        in a list -- empty at the end of the input)."""
        if self._sync is not None:
            if self._in_memory:
                return _fill(self._sync, carry, batch_size, max_chars, position)
            sync = self._sync
            return await asyncio.to_thread(_fill, sync, carry, batch_size, max_chars, position)
        assert self._async is not None
        batch = _Batch(carry, batch_size, max_chars, position)
        async for text in self._async:
            if not batch.takes(text):
                return batch.texts, [text]
        return batch.texts, []


def _fill(
    texts: Iterator[str], carry: list[str], batch_size: int, max_chars: int, position: int
) -> tuple[list[str], list[str]]:
    """:meth:`_Source.fill` for a plain iterator (in a worker thread)."""
    batch = _Batch(carry, batch_size, max_chars, position)
    for text in texts:
        if not batch.takes(text):
            return batch.texts, [text]
    return batch.texts, []


class _Batch:
    """A batch being filled: at most ``batch_size`` texts and ``max_chars`` characters (a text
    longer than that still gets a batch of its own)."""

    def __init__(self, carry: list[str], batch_size: int, max_chars: int, position: int) -> None:
        self.texts = list(carry)
        self.chars = sum(map(len, self.texts))
        self.batch_size = batch_size
        self.max_chars = max_chars
        self.position = position

    def takes(self, text: str) -> bool:
        """Add ``text`` if it fits; ``False`` (and nothing added) when the batch is full."""
        _check(text, self.position + len(self.texts))
        if self.texts and (
            len(self.texts) >= self.batch_size or self.chars + len(text) > self.max_chars
        ):
            return False
        self.texts.append(text)
        self.chars += len(text)
        return True


def _checked(block: list[str], position: int) -> list[str]:
    for offset, text in enumerate(block):
        _check(text, position + offset)
    return block


def _check(text: object, position: int) -> None:
    if not isinstance(text, str):
        raise TypeError(f"text {position} is {type(text).__name__}, not str")
