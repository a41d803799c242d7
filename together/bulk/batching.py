"""Texts read lazily and cut into batches, with the running fingerprint of the input."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from dataclasses import dataclass

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
    fingerprint = InputFingerprint()
    skipped: list[str] = []  # hashed a block at a time
    batch: list[str] = []
    chars = 0
    position = 0
    if resume.rows == 0:
        _check_resume(fingerprint, resume)
    async for text in _aiter(texts):
        if not isinstance(text, str):
            raise TypeError(f"text {position} is {type(text).__name__}, not str")
        position += 1
        if position <= resume.rows:
            skipped.append(text)
            if len(skipped) >= 4096 or position == resume.rows:
                fingerprint.add(skipped)
                skipped = []
            if position == resume.rows:
                _check_resume(fingerprint, resume)
            continue
        if batch and (len(batch) >= batch_size or chars + len(text) > max_chars):
            yield _batch(fingerprint, batch, position - 1)
            batch, chars = [], 0
        batch.append(text)
        chars += len(text)
    if position < resume.rows:
        raise ResumeError(
            f"the input has {position} texts, but {resume.rows} rows were already written "
            "from an earlier input"
        )
    if batch:
        yield _batch(fingerprint, batch, position)


def _batch(fingerprint: InputFingerprint, texts: list[str], end: int) -> Batch:
    """Texts ``end - len(texts) .. end - 1``, hashed into ``fingerprint``."""
    fingerprint.add(texts)
    return Batch(texts, Checkpoint(end, fingerprint.digest()))


def _check_resume(fingerprint: InputFingerprint, resume: Checkpoint) -> None:
    if resume.fingerprint is not None and fingerprint.digest() != resume.fingerprint:
        raise ResumeError(
            f"the first {resume.rows} texts of the input are not the ones the "
            f"{resume.rows} rows already written were made from"
        )


#: A plain iterable is read in a worker thread, at most this many texts or this many seconds
#: a hop: a producer that blocks (a slow pipe, a database cursor) never stalls the event loop,
#: where requests in flight would time out, and a hop costs little per text.
READ_BLOCK_TEXTS = 1024
READ_BLOCK_SECONDS = 0.05


async def _aiter(texts: Iterable[str] | AsyncIterable[str]) -> AsyncIterator[str]:
    if isinstance(texts, AsyncIterable):
        async for text in texts:
            yield text
    elif isinstance(texts, list | tuple):  # already in memory: nothing to wait for
        for text in texts:
            yield text
    else:
        iterator = iter(texts)
        while True:
            block, exhausted = await asyncio.to_thread(_read_block, iterator)
            for text in block:
                yield text
            if exhausted:
                return


def _read_block(iterator: Iterator[str]) -> tuple[list[str], bool]:
    """(the next texts, whether the input ended): runs in a worker thread."""
    block: list[str] = []
    deadline = time.monotonic() + READ_BLOCK_SECONDS
    for text in iterator:
        block.append(text)
        if len(block) >= READ_BLOCK_TEXTS or time.monotonic() >= deadline:
            return block, False
    return block, True
