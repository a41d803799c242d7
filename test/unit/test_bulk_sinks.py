"""Rows reaching the sinks: one width per output, refused rows in JSON lines, resumed JSON
lines, and the decoder the runtime caches (review-1 items 1, 11, 12, 17, 18)."""

from __future__ import annotations

import contextlib
import errno
import io
import json
import math
import os
import struct
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest
from bulk_support import fake_client, refusal, vectors_of

from together.bulk import (
    ArrayCollector,
    JsonLinesWriter,
    NpyWriter,
    ResumeError,
    SinkWriteError,
    embed_many,
    open_job,
)
from together.bulk.decoding import rows_decoder
from together.bulk.sinks import open_sink
from together.generated._runtime.exceptions import MalformedResponseException
from together.generated._runtime.response_decoding import _cached_result_spec

TEXTS = [f"t{i}" for i in range(6)]


def narrowing_server() -> object:
    """4-dimensional vectors for the first request, 1-dimensional ones after it."""
    calls = []

    def answer(texts: list[str]) -> tuple[int, object]:
        calls.append(texts)
        return 200, vectors_of(texts, 4 if len(calls) == 1 else 1)

    return answer


@pytest.mark.parametrize("sink_type", [None, NpyWriter, JsonLinesWriter])
async def test_rows_of_another_width_are_a_malformed_answer(
    tmp_path: Path, sink_type: type | None
) -> None:
    client, _ = fake_client(narrowing_server())  # type: ignore[arg-type]
    sink = None if sink_type is None else sink_type(tmp_path / "v.out")
    async with client:
        with pytest.raises(MalformedResponseException, match="1 dimensions after rows of 4"):
            await embed_many(client, TEXTS, model="m", batch_size=3, concurrency=1, sink=sink)
    if sink is not None:
        assert sink.rows == 3
        sink.close()


async def test_rows_of_another_width_are_typed_as_an_answer_of_status_200() -> None:
    # MalformedResponseException's promise: an ApiException with the success status, whose
    # body is bytes and headers a mapping (here the answer itself was well-formed).
    client, _ = fake_client(narrowing_server())  # type: ignore[arg-type]
    async with client:
        with pytest.raises(MalformedResponseException) as caught:
            await embed_many(client, TEXTS, model="m", batch_size=3, concurrency=1)
    assert caught.value.status == 200
    assert caught.value.body == b""  # no bytes of an answer to show: each answer was fine
    assert isinstance(caught.value.headers, Mapping)
    assert str(caught.value) == (
        "the API answered vectors of 1 dimensions after rows of 4: the answer does not fit "
        "the output"
    )


async def test_a_refused_text_of_a_streamed_input_keeps_the_rows_float32() -> None:
    # a generator: the rows are kept as blocks and joined at the end, the NaN block among them
    def answer(texts: list[str]) -> tuple[int, object]:
        if "BAD" in texts:
            return 400, refusal("too long", "input")
        return 200, vectors_of(texts)

    client, _ = fake_client(answer)
    streamed = (text for text in ["a", "BAD", "c"])
    async with client:
        rows = await embed_many(client, streamed, model="m", batch_size=1, skip_rejected=True)
    assert rows is not None and rows.dtype == np.float32 and rows.shape == (3, 4)
    assert [math.isnan(row[0]) for row in rows] == [False, True, False]


async def test_a_resumed_output_keeps_its_width(tmp_path: Path) -> None:
    output = tmp_path / "v.jsonl"
    with open_job(output, {"model": "m"}) as job:
        job.sink.write(np.ones((2, 4), dtype=np.float32))
    Path(f"{output}.progress.jsonl").write_text(
        '{"job": {"model": "m"}}\n{"rows": 2, "sha256": null}\n'
    )
    job = open_job(output, {"model": "m"})
    client, _ = fake_client(lambda texts: (200, vectors_of(texts, 3)))
    async with client:
        with pytest.raises(MalformedResponseException, match="3 dimensions after rows of 4"):
            await embed_many(client, ["a", "b", "c"], model="m", sink=job.sink, skip=2)
    job.close()


async def test_empty_vectors_are_a_malformed_answer() -> None:
    client, _ = fake_client(lambda texts: (200, vectors_of(texts, 0)))
    async with client:
        with pytest.raises(MalformedResponseException, match="empty"):
            await embed_many(client, ["a", "b"], model="m")


async def test_a_refused_row_is_null_in_json_lines(tmp_path: Path) -> None:
    def answer(texts: list[str]) -> tuple[int, object]:
        if "BAD" in texts:
            return 400, refusal("too long", "input")
        return 200, vectors_of(texts)

    client, _ = fake_client(answer)
    sink = JsonLinesWriter(tmp_path / "v.jsonl")
    async with client:
        await embed_many(client, ["a", "BAD", "c"], model="m", sink=sink, skip_rejected=True)
    sink.close()

    def refuse(constant: str) -> None:
        raise ValueError(constant)

    lines = [json.loads(line, parse_constant=refuse) for line in sink.path.read_text().splitlines()]
    assert lines[1] == {"index": 1, "embedding": None}
    assert lines[0]["embedding"] == [1.0] * 4 and lines[2]["embedding"] == [1.0] * 4


@pytest.mark.parametrize("suffix", [".npy", ".jsonl"])
async def test_a_resumed_job_can_skip_a_refused_text(tmp_path: Path, suffix: str) -> None:
    def answer(texts: list[str]) -> tuple[int, object]:
        if "BAD" in texts:
            return 400, refusal("too long")
        return 200, vectors_of(texts)

    output = tmp_path / f"v{suffix}"
    client, _ = fake_client(answer)
    async with client:
        job = open_job(output, {"model": "m"})
        await embed_many(
            client, ["a", "b", "c"], model="m", sink=job.sink, on_checkpoint=job.checkpoint
        )
        job.close()  # interrupted after three texts
        job = open_job(output, {"model": "m"})
        assert job.start.rows == 3
        await embed_many(
            client,
            ["a", "b", "c", "BAD"],
            model="m",
            sink=job.sink,
            resume=job.start,
            on_checkpoint=job.checkpoint,
            skip_rejected=True,
        )
        job.finish()
    if suffix == ".npy":
        rows = np.load(output)
        assert rows.shape == (4, 4) and math.isnan(rows[3, 0])
    else:
        assert json.loads(output.read_text().splitlines()[3]) == {"index": 3, "embedding": None}


def test_a_resumed_json_lines_output_knows_its_width_past_refused_rows(tmp_path: Path) -> None:
    output = tmp_path / "v.jsonl"
    writer = JsonLinesWriter(output)
    writer.write(np.ones((2, 5), dtype=np.float32))
    writer.write(np.full((2, 5), np.nan, dtype=np.float32))
    writer.close()
    resumed = JsonLinesWriter(output, resume=True)
    resumed.close()
    assert resumed.rows == 4 and resumed.dimensions == 5


def _bytes_read_by_this_process() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def test_a_resumed_json_lines_output_is_read_once(tmp_path: Path) -> None:
    output = tmp_path / "v.jsonl"
    with open_job(output, {"model": "m"}) as job:
        job.sink.write(np.random.default_rng(1).random((3000, 32), dtype=np.float32))
    with output.open("ab") as handle:
        handle.write(b'{"index": 3000, "embe')  # torn by a crash
    Path(f"{output}.progress.jsonl").write_text(
        '{"job": {"model": "m"}}\n{"rows": 3000, "sha256": null}\n'
    )
    size = output.stat().st_size
    before = _bytes_read_by_this_process()
    job = open_job(output, {"model": "m"})
    read = _bytes_read_by_this_process() - before
    assert job.sink.rows == 3000 and job.sink.dimensions == 32
    job.close()
    assert read < 1.5 * size  # one pass over the output (three before)
    assert output.read_bytes().count(b"\n") == 3000 and output.read_bytes().endswith(b"]}\n")


def test_the_decoder_of_a_batch_size_is_one_object() -> None:
    assert rows_decoder(128) is rows_decoder(128)
    assert rows_decoder(128) is not rows_decoder(127)
    before = _cached_result_spec.cache_info().hits
    for _ in range(3):
        _cached_result_spec(rows_decoder(64))
    assert _cached_result_spec.cache_info().hits >= before + 2


# ------------------------------------------------ the writer an output's extension chooses


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("v.npy", NpyWriter),
        ("V.NPY", NpyWriter),
        ("v.jsonl", JsonLinesWriter),
        ("v.Jsonl", JsonLinesWriter),
        ("v.ndjson", JsonLinesWriter),
        ("v.JSON", JsonLinesWriter),
    ],
)
def test_the_output_format_follows_the_extension_in_any_case(
    tmp_path: Path, name: str, kind: type
) -> None:
    sink = open_sink(tmp_path / name)
    sink.close()
    assert type(sink) is kind


def test_an_unknown_extension_is_refused_in_words(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as caught:
        open_sink(tmp_path / "v.CSV")
    assert str(caught.value) == "unknown output format '.csv': use .npy or .jsonl"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["v.npy", "v.jsonl"])
def test_an_output_is_continued_only_when_resume_is_asked(tmp_path: Path, name: str) -> None:
    first = open_sink(tmp_path / name)
    first.write(np.ones((2, 3), dtype=np.float32))
    first.close()
    resumed = open_sink(tmp_path / name, resume=True)
    assert (resumed.rows, resumed.dimensions) == (2, 3)
    resumed.close()
    anew = open_sink(tmp_path / name)
    assert (anew.rows, anew.dimensions) == (0, None)
    anew.close()


# ------------------------------------------------ the .npy writer: resume, header, bounds, failures


def _npy_header(path: Path) -> tuple[tuple[int, ...], bool, np.dtype]:
    """The header as numpy itself reads it (not as the writer wrote it)."""
    with path.open("rb") as handle:
        version = np.lib.format.read_magic(handle)
        assert version == (1, 0)
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
        assert handle.tell() == 128  # the rows start where numpy expects them
    return shape, fortran, dtype


def test_the_npy_header_counts_the_rows_after_every_write(tmp_path: Path) -> None:
    path = tmp_path / "v.npy"
    writer = NpyWriter(path)
    assert _npy_header(path) == ((0, 0), False, np.dtype("<f4"))
    first = np.arange(6, dtype=np.float64).reshape(2, 3)  # converted to float32
    writer.write(first)  # type: ignore[arg-type]  # float64 rows are the point
    assert _npy_header(path) == ((2, 3), False, np.dtype("<f4"))
    writer.write(np.full((1, 3), 7.5, dtype=np.float32))
    assert _npy_header(path) == ((3, 3), False, np.dtype("<f4"))
    assert path.stat().st_size == 128 + 3 * 3 * 4
    assert np.load(path).tolist() == [[0, 1, 2], [3, 4, 5], [7.5, 7.5, 7.5]]
    writer.close()


@pytest.mark.parametrize("rows", [0, 3, 12_345])
def test_the_npy_header_is_byte_for_byte_the_one_numpy_writes(tmp_path: Path, rows: int) -> None:
    # numpy's own writer as the oracle: the dict first, then the spaces, then the newline
    path = tmp_path / "v.npy"
    writer = NpyWriter(path)
    if rows:
        writer.write(np.zeros((rows, 3), dtype=np.float32))
    writer.close()
    saved = io.BytesIO()
    np.save(saved, np.zeros((rows, 3 if rows else 0), dtype=np.float32))
    assert path.read_bytes()[:128] == saved.getvalue()[:128]


@pytest.mark.parametrize("kind", [NpyWriter, JsonLinesWriter])
def test_a_writer_made_without_resume_replaces_what_was_there(tmp_path: Path, kind: type) -> None:
    path = tmp_path / "v.out"
    first = kind(path)
    first.write(np.ones((2, 3), dtype=np.float32))
    first.close()
    again = kind(path)
    assert (again.rows, again.dimensions) == (0, None)
    again.write(np.zeros((1, 5), dtype=np.float32))
    again.close()
    assert again.rows == 1


@pytest.mark.parametrize("kind", [NpyWriter, JsonLinesWriter])
def test_rows_that_cannot_be_made_durable_name_the_file(
    tmp_path: Path, kind: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "v.out"
    writer = kind(path)
    writer.write(np.ones((1, 3), dtype=np.float32))

    def failing_fsync(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(SinkWriteError) as caught:
        writer.sync()
    assert str(caught.value) == f"cannot write {path}: Input/output error"
    assert (caught.value.errno, caught.value.filename) == (errno.EIO, str(path))
    writer.close()


@pytest.mark.parametrize("kind", [NpyWriter, JsonLinesWriter])
def test_a_close_that_fails_names_the_file(tmp_path: Path, kind: type) -> None:
    path = tmp_path / "v.out"
    writer = kind(path)
    writer._file.close()
    writer._file = Path("/dev/full").open("r+b")  # noqa: SIM115 (its last bytes cannot land)
    writer._file.write(b"x")  # buffered: written out by close()
    with pytest.raises(SinkWriteError) as caught:
        writer.close()
    assert str(caught.value) == f"cannot write {path}: No space left on device"


def test_a_npy_row_of_another_width_is_refused(tmp_path: Path) -> None:
    writer = NpyWriter(tmp_path / "v.npy")
    writer.write(np.ones((1, 3), dtype=np.float32))
    with pytest.raises(ValueError, match=r"^rows of 2 dimensions after rows of 3$"):
        writer.write(np.ones((1, 2), dtype=np.float32))
    writer.close()
    assert np.load(tmp_path / "v.npy").shape == (1, 3)


def _npy_with(path: Path, header_rows: int, rows_on_disk: float, width: int = 3) -> np.ndarray:
    """A .npy whose header (laid out as numpy's format 1.0 says, 128 bytes in all) counts
    ``header_rows`` and that holds ``rows_on_disk`` rows (a fraction: a torn last row)."""
    rows = np.arange(10 * width, dtype=np.float32).reshape(10, width) + 1
    text = f"{{'descr': '<f4', 'fortran_order': False, 'shape': ({header_rows}, {width}), }}"
    header = b"\x93NUMPY\x01\x00" + struct.pack("<H", 118) + text.ljust(117).encode() + b"\n"
    path.write_bytes(header + rows.tobytes()[: int(rows_on_disk * width * 4)])
    return rows


@pytest.mark.parametrize(
    ("header_rows", "rows_on_disk", "kept"),
    [
        (4, 4.5, 4),  # a torn block after the rows the header counts: cut off
        (6, 4.5, 4),  # the header counts rows the file is too short to hold
        (6, 4.0, 4),
        (4, 4.0, 4),
        (0, 2.0, 0),
    ],
)
def test_a_resumed_npy_keeps_only_complete_counted_rows(
    tmp_path: Path, header_rows: int, rows_on_disk: float, kept: int
) -> None:
    path = tmp_path / "v.npy"
    rows = _npy_with(path, header_rows, rows_on_disk)
    resumed = NpyWriter(path, resume=True)
    assert resumed.rows == kept
    assert resumed.dimensions == (3 if kept else None)
    resumed.write(np.zeros((1, 3), dtype=np.float32))
    resumed.close()
    assert path.stat().st_size == 128 + (kept + 1) * 3 * 4
    assert np.load(path).tolist() == [*rows[:kept].tolist(), [0, 0, 0]]


def test_a_resumed_npy_that_was_never_written_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "v.npy"
    path.touch()  # created by the lock, then the run died
    resumed = NpyWriter(path, resume=True)
    assert (resumed.rows, resumed.dimensions) == (0, None)
    resumed.close()
    assert np.load(path).shape == (0, 0)
    absent = NpyWriter(tmp_path / "absent.npy", resume=True)  # nothing there: a new file
    absent.close()
    assert np.load(tmp_path / "absent.npy").shape == (0, 0)


def test_truncating_a_npy_keeps_the_first_rows_and_forgets_the_width_at_zero(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v.npy"
    writer = NpyWriter(path)
    writer.write(np.arange(12, dtype=np.float32).reshape(4, 3))
    for bad in (5, -1):
        with pytest.raises(ValueError) as caught:
            writer.truncate(bad)
        assert str(caught.value) == f"cannot keep {bad} rows of {path}: it has 4"
    writer.truncate(4)
    writer.truncate(2)
    assert np.load(path).tolist() == [[0, 1, 2], [3, 4, 5]]
    assert path.stat().st_size == 128 + 2 * 3 * 4
    writer.truncate(0)
    assert np.load(path).shape == (0, 0)
    writer.write(np.ones((1, 5), dtype=np.float32))  # no rows left: any width again
    writer.close()
    assert np.load(path).shape == (1, 5)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x93NUMPZ\x01\x00v\x00" + b" " * 118, "is not a .npy file this writer made"),
        (b"\x93NUMPY\x01\x00", "is not a .npy file this writer made"),  # cut in its magic
        (b"\x93NUMPY\x01\x00v", "is not a .npy file this writer made"),
    ],
)
def test_a_file_that_is_not_a_npy_is_not_resumed(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "v.npy"
    path.write_bytes(content)
    with pytest.raises(ResumeError) as caught:
        NpyWriter(path, resume=True)
    assert str(caught.value) == f"{path} {message}"
    assert path.read_bytes() == content  # left as it was


def test_a_npy_of_another_kind_is_not_resumed(tmp_path: Path) -> None:
    path = tmp_path / "v.npy"
    np.save(path, np.ones((5, 3), dtype=np.float64))
    with pytest.raises(ResumeError) as caught:
        NpyWriter(path, resume=True)
    assert str(caught.value) == f"{path} is not a float32 .npy file this writer made"
    np.save(path, np.ones((5, 3), dtype=np.float32))  # numpy's own
    resumed = NpyWriter(path, resume=True)  # the same layout: it can be continued
    assert (resumed.rows, resumed.dimensions) == (5, 3)
    resumed.close()
    big = tmp_path / "big.npy"  # a header longer than 128 bytes
    np.save(big, np.ones((1,) * 40, dtype=np.float32))
    with pytest.raises(ResumeError, match=r"not a float32 \.npy file this writer made"):
        NpyWriter(big, resume=True)
    damaged = tmp_path / "damaged.npy"
    writer = NpyWriter(damaged)
    writer.close()
    damaged.write_bytes(damaged.read_bytes().replace(b"(0, 0)", b"(x, 0)"))
    with pytest.raises(ResumeError) as caught:
        NpyWriter(damaged, resume=True)
    assert str(caught.value) == f"{damaged} has a damaged .npy header"


@pytest.mark.parametrize(
    ("array", "shape"),
    [
        (np.ones((2, 3, 4), dtype=np.float32), "(2, 3, 4)"),  # read as 2 rows of 3 before
        (np.ones((5,), dtype=np.float32), "(5,)"),
        (np.float32(1.5), "()"),
        (np.ones((1, 2, 1, 1), dtype=np.float32), "(1, 2, 1, 1)"),
    ],
)
def test_a_npy_that_is_not_rows_of_vectors_is_not_resumed(
    tmp_path: Path, array: np.ndarray, shape: str
) -> None:
    path = tmp_path / "v.npy"
    np.save(path, array)
    before = path.read_bytes()
    with pytest.raises(ResumeError) as caught:
        NpyWriter(path, resume=True)
    assert str(caught.value) == f"{path} holds an array of shape {shape}, not (rows, dimensions)"
    assert path.read_bytes() == before  # nothing cut off


@pytest.mark.parametrize("shape", ["(-3, 3)", "(3, -1)", "(True, 3)", "(2.0, 3)", "[2, 3]"])
def test_a_npy_header_with_a_shape_numpy_cannot_have_is_not_resumed(
    tmp_path: Path, shape: str
) -> None:
    path = tmp_path / "v.npy"
    text = f"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}"
    path.write_bytes(
        b"\x93NUMPY\x01\x00" + struct.pack("<H", 118) + text.ljust(117).encode() + b"\n"
    )
    with pytest.raises(ResumeError) as caught:
        NpyWriter(path, resume=True)
    assert str(caught.value) == f"{path} holds an array of shape {shape}, not (rows, dimensions)"


def test_a_fortran_order_npy_is_not_resumed(tmp_path: Path) -> None:
    path = tmp_path / "v.npy"
    np.save(path, np.asfortranarray(np.arange(6, dtype=np.float32).reshape(3, 2)))
    before = path.read_bytes()
    with pytest.raises(ResumeError) as caught:
        NpyWriter(path, resume=True)
    assert str(caught.value) == f"{path} is a Fortran-order .npy file: rows cannot be added"
    assert path.read_bytes() == before


def test_a_npy_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    path = tmp_path / "v.npy"
    path.symlink_to("/dev/full")
    with pytest.raises(SinkWriteError) as caught:
        NpyWriter(path)
    assert str(caught.value) == f"cannot write {path}: No space left on device"
    missing = tmp_path / "no" / "v.npy"
    with pytest.raises(SinkWriteError) as caught:
        NpyWriter(missing)
    assert str(caught.value) == f"cannot write {missing}: No such file or directory"


def test_a_npy_write_that_fails_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "v.npy"
    writer = NpyWriter(path)
    writer.write(np.ones((1, 8), dtype=np.float32))
    writer._file.close()
    writer._file = Path("/dev/full").open("r+b")  # noqa: SIM115 (the disk fills up under it)
    with pytest.raises(SinkWriteError) as caught:
        writer.write(np.ones((2, 8), dtype=np.float32))
    assert str(caught.value) == f"cannot write {path}: No space left on device"
    assert caught.value.filename == str(path)
    with contextlib.suppress(SinkWriteError):
        writer.close()


# ------------------------------------------------ the JSON lines writer


def _json_lines(path: Path) -> list[object]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_json_lines_number_rows_from_where_the_file_ends(tmp_path: Path) -> None:
    path = tmp_path / "v.jsonl"
    writer = JsonLinesWriter(path)
    assert (writer.rows, writer.dimensions) == (0, None)
    writer.write(np.array([[0.5, 1.0], [2.0, 3.0]], dtype=np.float32))
    writer.close()
    resumed = JsonLinesWriter(path, resume=True)
    assert (resumed.rows, resumed.dimensions) == (2, 2)
    resumed.write(np.array([[4.0, np.nan], [6.0, 7.0]], dtype=np.float32))
    assert (resumed.rows, resumed.dimensions) == (4, 2)
    resumed.close()
    assert _json_lines(path) == [
        {"index": 0, "embedding": [0.5, 1.0]},
        {"index": 1, "embedding": [2.0, 3.0]},
        {"index": 2, "embedding": None},  # a NaN row: refused
        {"index": 3, "embedding": [6.0, 7.0]},
    ]


def test_a_new_json_lines_file_replaces_an_old_one(tmp_path: Path) -> None:
    path = tmp_path / "v.jsonl"
    path.write_text('{"index": 0, "embedding": [1.0]}\n' * 3)
    writer = JsonLinesWriter(path)
    writer.write(np.ones((1, 2), dtype=np.float32))
    writer.close()
    assert _json_lines(path) == [{"index": 0, "embedding": [1.0, 1.0]}]


def test_truncating_json_lines_keeps_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "v.jsonl"
    writer = JsonLinesWriter(path)
    writer.write(np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]], dtype=np.float32))
    writer.truncate(5)  # more than there are: all kept
    assert writer.rows == 3
    writer.truncate(2)
    assert (writer.rows, writer.dimensions) == (2, 2)
    writer.write(np.array([[9.0, 9.0]], dtype=np.float32))
    writer.truncate(0)
    assert (writer.rows, writer.dimensions) == (0, None)
    writer.write(np.array([[5.0]], dtype=np.float32))
    writer.close()
    assert _json_lines(path) == [{"index": 0, "embedding": [5.0]}]


def test_a_resumed_json_lines_file_is_cut_to_its_complete_lines(tmp_path: Path) -> None:
    path = tmp_path / "v.jsonl"
    path.write_bytes(
        b'{"index": 0, "embedding": [1.0, 2.0, 3.0]}\n'
        b'{"index": 1, "embedding": null}\n'
        b"damaged, but a whole line\n"
        b'{"index": 3, "embedd'
    )
    resumed = JsonLinesWriter(path, resume=True)
    assert resumed.rows == 3
    assert resumed.dimensions == 3  # from the last line that holds a vector
    resumed.close()
    assert path.read_bytes().endswith(b"damaged, but a whole line\n")
    only_refused = tmp_path / "refused.jsonl"
    only_refused.write_bytes(b'{"index": 0, "embedding": null}\n[1, 2]\n')
    resumed = JsonLinesWriter(only_refused, resume=True)
    assert (resumed.rows, resumed.dimensions) == (2, None)
    resumed.close()


def test_json_lines_that_cannot_be_written_are_named(tmp_path: Path) -> None:
    path = tmp_path / "v.jsonl"
    path.symlink_to("/dev/full")
    writer = JsonLinesWriter(path)
    with pytest.raises(SinkWriteError) as caught:
        writer.write(np.ones((2, 2), dtype=np.float32))
    assert str(caught.value) == f"cannot write {path}: No space left on device"
    with contextlib.suppress(SinkWriteError):
        writer.close()
    missing = tmp_path / "no" / "v.jsonl"
    for resume in (False, True):
        with pytest.raises(SinkWriteError) as caught:
            JsonLinesWriter(missing, resume=resume)
        assert str(caught.value) == f"cannot write {missing}: No such file or directory"


# ------------------------------------------------ rows kept in memory


def test_an_announced_number_of_rows_is_filled_in_place(tmp_path: Path) -> None:
    collector = ArrayCollector(4)
    collector.write(np.array([[1, 1], [2, 2]], dtype=np.float32))
    collector.write(np.array([[3, 3], [4, 4]], dtype=np.float32))
    assert collector.array().tolist() == [[1, 1], [2, 2], [3, 3], [4, 4]]
    assert collector.array().dtype == np.float32


@pytest.mark.parametrize("expected", [None, 0, 1, 2, 3, 9])
def test_rows_in_memory_are_all_kept_whatever_was_announced(expected: int | None) -> None:
    collector = ArrayCollector(expected)
    for value in (1, 2, 3):
        collector.write(np.full((1, 2), value, dtype=np.float32))
    assert collector.rows == 3 and collector.dimensions == 2
    assert collector.array().tolist() == [[1, 1], [2, 2], [3, 3]]


def test_rows_in_memory_have_one_width() -> None:
    collector = ArrayCollector()
    assert collector.array().shape == (0, 0)
    collector.write(np.ones((1, 3), dtype=np.float32))
    with pytest.raises(ValueError, match=r"^rows of 2 dimensions after rows of 3$"):
        collector.write(np.ones((1, 2), dtype=np.float32))
    collector.close()
    assert ArrayCollector(5).array().shape == (0, 0)


@pytest.mark.parametrize(
    "lines",
    [
        [None, [1.0, 2.0, 3.0]],
        [[1.0, 2.0, 3.0], None],
        [None, [1.0, 2.0, 3.0], None],
    ],
)
def test_a_resumed_json_lines_file_finds_its_width_wherever_the_vectors_are(
    tmp_path: Path, lines: list[list[float] | None]
) -> None:
    path = tmp_path / "v.jsonl"
    path.write_text(
        "".join(json.dumps({"index": i, "embedding": e}) + "\n" for i, e in enumerate(lines))
    )
    resumed = JsonLinesWriter(path, resume=True)
    assert (resumed.rows, resumed.dimensions) == (len(lines), 3)
    resumed.close()


def test_json_lines_that_cannot_be_cut_back_are_named(tmp_path: Path) -> None:
    path = tmp_path / "v.jsonl"
    writer = JsonLinesWriter(path)
    writer._file.close()
    writer._file = Path("/dev/null").open("r+b")  # noqa: SIM115 (a file that cannot be cut)
    with pytest.raises(SinkWriteError) as caught:
        writer.truncate(0)
    assert str(caught.value) == f"cannot write {path}: Invalid argument"
    writer.close()


@pytest.mark.parametrize("header_rows", [0, 3])
def test_a_resumed_npy_without_a_width_has_no_rows(tmp_path: Path, header_rows: int) -> None:
    path = tmp_path / "v.npy"
    _npy_with(path, header_rows, 0, width=0)  # a header of (n, 0), no data
    resumed = NpyWriter(path, resume=True)
    assert (resumed.rows, resumed.dimensions) == (0, None)
    resumed.close()
    assert np.load(path).shape == (0, 0)


def test_a_npy_that_cannot_be_cut_back_is_named(tmp_path: Path) -> None:
    path = tmp_path / "v.npy"
    writer = NpyWriter(path)
    writer._file.close()
    writer._file = Path("/dev/null").open("r+b")  # noqa: SIM115 (a file that cannot be cut)
    with pytest.raises(SinkWriteError) as caught:
        writer.truncate(0)
    assert str(caught.value) == f"cannot write {path}: Invalid argument"
    writer.close()


def test_a_new_json_lines_file_can_be_cut_back_at_once(tmp_path: Path) -> None:
    writer = JsonLinesWriter(tmp_path / "v.jsonl")
    writer.truncate(0)
    assert (writer.rows, writer.dimensions) == (0, None)
    writer.close()


def test_no_rows_in_memory_is_an_empty_float32_array() -> None:
    empty = ArrayCollector().array()
    assert empty.shape == (0, 0) and empty.dtype == np.float32


@pytest.mark.parametrize(
    ("failure", "raised"),
    [
        (OSError(errno.EIO, "Input/output error"), SinkWriteError),
        (KeyboardInterrupt(), KeyboardInterrupt),
    ],
)
def test_a_resume_whose_scan_fails_closes_the_file_and_says_which(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failure: BaseException,
    raised: type[BaseException],
) -> None:
    import together.bulk.jsonl as jsonl

    output = tmp_path / "v.jsonl"
    output.write_bytes(b"[1.0]\n[2.0]\n")
    scanned: list[io.BufferedRandom] = []

    def failing_scan(file: io.BufferedRandom) -> object:
        scanned.append(file)
        raise failure

    monkeypatch.setattr(jsonl, "_line_ends", failing_scan)
    with pytest.raises(raised) as caught:
        JsonLinesWriter(output, resume=True)
    assert len(scanned) == 1 and scanned[0].closed  # no file left open behind the error
    if raised is SinkWriteError:
        error = caught.value
        assert isinstance(error, OSError)
        assert str(error) == f"cannot write {output}: Input/output error"
        assert (error.errno, error.filename) == (errno.EIO, str(output))
        assert error.__cause__ is failure
    assert output.read_bytes() == b"[1.0]\n[2.0]\n"  # nothing cut on a failed scan
