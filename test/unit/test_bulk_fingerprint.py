"""The input fingerprint and the batches that carry it: what resume checks against."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from together.bulk import Checkpoint, ResumeError
from together.bulk.batching import batches
from together.bulk.fingerprint import InputFingerprint


def digest(*chunks: list[str]) -> str:
    fingerprint = InputFingerprint()
    for chunk in chunks:
        fingerprint.add(chunk)
    return fingerprint.digest()


def test_the_digest_fixes_the_sequence_not_the_chunks() -> None:
    assert digest(["ab", "c"]) != digest(["a", "bc"])
    assert digest(["ab", "c"]) != digest(["abc"])
    assert digest(["", "x"]) != digest(["x"])
    assert digest(["ab", "c", "d"]) == digest(["ab"], ["c", "d"]) == digest(["ab", "c"], ["d"])
    assert digest([]) == InputFingerprint().digest()


def _as_documented(texts: list[str]) -> str:
    """The module's doc: SHA-256 of the texts' UTF-8 bytes run together, SHA-256 of their
    lengths in characters (8 bytes each, little-endian), and SHA-256 of the two digests."""
    joined = hashlib.sha256("".join(texts).encode("utf-8", "surrogatepass")).digest()
    lengths = hashlib.sha256(b"".join(len(t).to_bytes(8, "little") for t in texts)).digest()
    return hashlib.sha256(joined + lengths).hexdigest()


@pytest.mark.parametrize(
    "texts", [[], ["ab", "c"], ["", "x", "é ü"], ["emoji \U0001f600", "a" * 70_000]]
)
def test_the_digest_is_the_documented_one_so_old_journals_still_match(texts: list[str]) -> None:
    assert digest(texts) == _as_documented(texts)
    assert digest(texts[:1], texts[1:]) == _as_documented(texts)  # batched otherwise


def test_a_text_with_a_lone_surrogate_is_fingerprinted() -> None:
    # surrogateescape'd bytes of a non-UTF-8 input, or a str from anywhere: hashed, not an error
    assert digest(["a\udcff"]) == _as_documented(["a\udcff"])
    assert digest(["a\udcff"]) != digest(["a\udcfe"])


async def test_checkpoints_carry_the_digest_of_exactly_the_texts_before_them() -> None:
    texts = [f"t{i}" for i in range(7)]
    made = [b async for b in batches(texts, 3, 10_000, Checkpoint(0, digest([])))]
    assert [(b.first, b.texts) for b in made] == [(0, texts[:3]), (3, texts[3:6]), (6, texts[6:])]
    assert [b.checkpoint for b in made] == [
        Checkpoint(3, digest(texts[:3])),
        Checkpoint(6, digest(texts[:6])),
        Checkpoint(7, digest(texts)),
    ]


async def test_resume_reads_past_the_rows_written_whatever_the_batch_size() -> None:
    texts = [f"t{i}" for i in range(10)]
    start = Checkpoint(4, digest(texts[:4]))
    made = [b async for b in batches(texts, 5, 10_000, start)]
    assert [b.first for b in made] == [4, 9]
    assert made[-1].checkpoint == Checkpoint(10, digest(texts))


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (["t0", "changed", "t2", "t3", "t4"], "the first 3 texts of the input are not the ones"),
        (["t0", "t1"], "the input has 2 texts, but 3 rows were already written"),
    ],
)
async def test_resume_refuses_other_texts(texts: list[str], message: str) -> None:
    start = Checkpoint(3, digest(["t0", "t1", "t2"]))
    with pytest.raises(ResumeError, match=message):
        _ = [b async for b in batches(texts, 2, 10_000, start)]


async def test_a_slow_plain_iterable_does_not_stall_requests_in_flight() -> None:
    # review-1 item 4: a producer that pauses (a slow pipe, a cursor) is read off the loop.
    def slow_texts() -> Iterator[str]:
        for i in range(6):
            if i == 3:
                time.sleep(1.0)
            yield f"text {i}"

    gaps: list[float] = []

    async def heartbeat() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.02)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    beating = asyncio.create_task(heartbeat())
    made = [b async for b in batches(slow_texts(), 2, 1000, Checkpoint(0, None))]
    beating.cancel()
    assert [b.texts for b in made] == [
        ["text 0", "text 1"],
        ["text 2", "text 3"],
        ["text 4", "text 5"],
    ]
    assert gaps and max(gaps) < 0.5  # the loop went on while the producer slept


async def _async_texts(texts: list[object]) -> AsyncIterator[object]:
    for text in texts:
        await asyncio.sleep(0)
        yield text


async def test_resume_reads_past_the_rows_written_of_an_async_input() -> None:
    texts = [f"t{i}" for i in range(10)]
    start = Checkpoint(4, digest(texts[:4]))
    made = [b async for b in batches(_async_texts(texts), 5, 10_000, start)]  # type: ignore[arg-type]
    assert [(b.first, b.texts) for b in made] == [(4, texts[4:9]), (9, texts[9:])]
    assert made[-1].checkpoint == Checkpoint(10, digest(texts))
    changed = ["t0", "t1", "other", *texts[3:]]
    with pytest.raises(ResumeError, match="the first 4 texts of the input are not the ones"):
        _ = [b async for b in batches(_async_texts(changed), 5, 10_000, start)]  # type: ignore[arg-type]
    with pytest.raises(ResumeError, match="the input has 3 texts, but 4 rows were already"):
        _ = [b async for b in batches(_async_texts(texts[:3]), 5, 10_000, start)]  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["list", "generator", "async"])
@pytest.mark.parametrize("resume_rows", [0, 3])
async def test_a_text_that_is_not_a_string_is_named_by_its_position(
    kind: str, resume_rows: int
) -> None:
    texts: list[object] = ["t0", "t1", "t2", "t3", 4, "t5"]
    if resume_rows:
        texts[1], texts[4] = b"bytes", "t4"  # the bad one is among the texts skipped
    source: object = {
        "list": texts,
        "generator": (t for t in texts),
        "async": _async_texts(texts),
    }[kind]
    start = Checkpoint(resume_rows, None)
    with pytest.raises(TypeError) as caught:
        _ = [b async for b in batches(source, 2, 10_000, start)]  # type: ignore[arg-type]
    expected = "text 1 is bytes, not str" if resume_rows else "text 4 is int, not str"
    assert str(caught.value) == expected


@pytest.mark.parametrize("kind", ["list", "generator"])
async def test_resume_reads_exactly_the_rows_written_when_they_are_many(kind: str) -> None:
    # thousands of rows written: read past in blocks, never a text further
    texts = [f"t{i}" for i in range(10_000)]
    start = Checkpoint(9_000, digest(texts[:9_000]))
    source = texts if kind == "list" else (text for text in texts)
    made = [b async for b in batches(source, 600, 10_000, start)]
    assert [(b.first, len(b.texts)) for b in made] == [(9_000, 600), (9_600, 400)]
    assert made[-1].checkpoint == Checkpoint(10_000, digest(texts))


async def test_lists_and_tuples_are_read_directly_not_in_a_worker_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the module's doc: only a plain iterable (a file, a pipe) needs the worker thread
    async def no_thread(*args: object, **kwargs: object) -> object:
        raise AssertionError("a worker thread was used")

    monkeypatch.setattr(asyncio, "to_thread", no_thread)
    texts = [f"t{i}" for i in range(7)]
    for source in (texts, tuple(texts)):
        made = [b async for b in batches(source, 3, 10_000, Checkpoint(2, digest(texts[:2])))]
        assert [b.texts for b in made] == [texts[2:5], texts[5:]]
    with pytest.raises(AssertionError, match="worker thread"):  # the patch is in effect
        _ = [b async for b in batches(iter(texts), 3, 10_000, Checkpoint(0, None))]
