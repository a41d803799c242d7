"""Rows reaching the sinks: one width per output, refused rows in JSON lines, resumed JSON
lines, and the decoder the runtime caches (review-1 items 1, 11, 12, 17, 18)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from bulk_support import fake_client, refusal, vectors_of

from together.bulk import JsonLinesWriter, NpyWriter, embed_many, open_job
from together.bulk.decoding import rows_decoder
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
