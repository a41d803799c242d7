"""Bulk embedding against the local server: order, batching, concurrency, sinks, resume."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

import together.generated
from support import TOKEN, run_embed
from together.bulk import JsonLinesWriter, NpyWriter, embed_many, open_sink
from together.generated import ApiClient, Configuration, ServiceUnavailableException
from together.mock import FaultOptions, MockOptions, MockServer

MODEL = "BAAI/bge-base-en-v1.5"


def texts(n: int) -> list[str]:
    return [f"sentence {i} about topic {i % 7}" for i in range(n)]


async def one_by_one(client: ApiClient, items: list[str]) -> np.ndarray:
    api = together.generated.EmbeddingsApi(client)
    rows = []
    for text in items:
        rows.append((await api.embeddings({"model": MODEL, "input": text})).to_numpy()[0])
    return np.array(rows)


async def test_order_and_values_match_single_calls(
    server_api: together.generated.EmbeddingsApi,
) -> None:
    client = server_api.api_client
    items = texts(301)
    progress: list[int] = []
    array = await embed_many(
        client, items, model=MODEL, batch_size=16, concurrency=5, on_progress=progress.append
    )
    assert array is not None and array.shape == (301, 768) and array.dtype == np.float32
    assert np.allclose(
        array[[0, 150, 300]],
        await one_by_one(client, [items[0], items[150], items[300]]),
        atol=1e-6,
    )
    assert progress[-1] == 301 and progress == sorted(progress)


async def test_batches_respect_size_and_characters(mock_server: MockServer) -> None:
    async with ApiClient(Configuration(host=mock_server.url, access_token=TOKEN)) as client:
        items = ["x" * 100] * 50
        await embed_many(client, items, model=MODEL, batch_size=20, max_batch_chars=1000)
    # 10 texts of 100 characters per batch: 5 requests
    assert mock_server.stats()["/v1/embeddings"] == {"200": 5}


async def test_async_iterables_and_generators(mock_server: MockServer) -> None:
    async def produce() -> AsyncIterator[str]:
        for text in texts(40):
            await asyncio.sleep(0)
            yield text

    async with ApiClient(Configuration(host=mock_server.url, access_token=TOKEN)) as client:
        from_async = await embed_many(client, produce(), model=MODEL, batch_size=7)
        from_generator = await embed_many(client, (t for t in texts(40)), model=MODEL, batch_size=9)
    assert from_async is not None and from_generator is not None
    assert np.array_equal(from_async, from_generator)


async def test_retries_carry_batches_through_faults() -> None:
    options = MockOptions(
        faults=FaultOptions(
            fail_rate=0.3, fail_statuses=[503, 429, "drop"], retry_after=0.01, seed=3
        )
    )
    async with MockServer(options) as server:
        configuration = Configuration(
            host=server.url,
            access_token=TOKEN,
            retries=8,
            retry_initial_backoff=0.01,
            retry_max_backoff=0.05,
        )
        async with ApiClient(configuration) as client:
            array = await embed_many(client, texts(500), model=MODEL, batch_size=10, concurrency=8)
    assert array is not None and array.shape == (500, 768)


async def test_a_failed_batch_stops_the_job_and_keeps_what_was_written(tmp_path: Path) -> None:
    options = MockOptions(faults=FaultOptions(script=[None, None, 503]))
    async with (
        MockServer(options) as server,
        ApiClient(Configuration(host=server.url, access_token=TOKEN, retries=0)) as client,
    ):
        sink = NpyWriter(tmp_path / "out.npy")
        with pytest.raises(ServiceUnavailableException):
            await embed_many(
                client, texts(100), model=MODEL, batch_size=10, concurrency=1, sink=sink
            )
        sink.close()
    assert np.load(tmp_path / "out.npy").shape == (20, 768)


@pytest.mark.parametrize("suffix", [".npy", ".jsonl"])
async def test_sinks_stream_and_resume(
    mock_server: MockServer, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"vectors{suffix}"
    items = texts(95)
    async with ApiClient(Configuration(host=mock_server.url, access_token=TOKEN)) as client:
        whole = await embed_many(client, items, model=MODEL, batch_size=10)
        first = open_sink(path)
        await embed_many(client, items[:42], model=MODEL, batch_size=10, sink=first)
        first.close()
        if suffix == ".jsonl":  # an interruption mid-line leaves a partial last line
            with path.open("ab") as handle:
                handle.write(b'{"index": 42, "embedd')
        second = open_sink(path, resume=True)
        assert second.rows == 42
        await embed_many(client, items, model=MODEL, batch_size=10, skip=second.rows, sink=second)
        second.close()
    assert mock_server.stats()["/v1/embeddings"]["200"] == 10 + 5 + 6  # nothing embedded twice
    if suffix == ".npy":
        written = np.load(path)
    else:
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        assert [line["index"] for line in lines] == list(range(95))
        written = np.array([line["embedding"] for line in lines], dtype=np.float32)
    assert whole is not None and np.allclose(written, whole, atol=1e-6)


def test_sink_choice_and_bad_arguments(tmp_path: Path) -> None:
    for name, kind in (("a.npy", NpyWriter), ("a.jsonl", JsonLinesWriter)):
        sink = open_sink(tmp_path / name)
        sink.close()
        assert isinstance(sink, kind)
    with pytest.raises(ValueError):
        open_sink(tmp_path / "a.csv")
    empty = NpyWriter(tmp_path / "empty.npy")
    empty.close()
    assert np.load(tmp_path / "empty.npy").shape == (0, 0)


async def test_bad_batch_settings(server_api: together.generated.EmbeddingsApi) -> None:
    for kwargs in ({"batch_size": 0}, {"batch_size": 10_000}, {"concurrency": 0}):
        with pytest.raises(ValueError):
            await embed_many(server_api.api_client, ["a"], model=MODEL, **kwargs)  # type: ignore[arg-type]


def test_cli_bulk_to_npy_and_resume(tmp_path: Path) -> None:
    source = tmp_path / "texts.txt"
    source.write_text("\n".join(texts(260)) + "\n", encoding="utf-8")
    output = tmp_path / "vectors.npy"
    done = run_embed(
        "--input", str(source), "--output", str(output), "--batch-size", "50", "--concurrency", "3"
    )
    assert done.returncode == 0, done.stderr
    assert "260 embeddings" in done.stderr
    full = np.load(output)
    assert full.shape == (260, 768)
    assert not (tmp_path / "vectors.npy.progress.json").exists()

    # An interrupted run: the first 100 rows and the progress note are on disk.
    partial = NpyWriter(output)
    partial.write(full[:100])
    partial.close()
    (tmp_path / "vectors.npy.progress.json").write_text(
        json.dumps({"model": MODEL, "input": str(source.resolve())}), encoding="utf-8"
    )
    resumed = run_embed("--input", str(source), "--output", str(output), "--batch-size", "50")
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming" in resumed.stderr and "after 100 texts" in resumed.stderr
    assert np.allclose(np.load(output), full, atol=1e-6)


def test_cli_bulk_to_json_lines_from_arguments(tmp_path: Path) -> None:
    output = tmp_path / "v.jsonl"
    done = run_embed("alpha", "beta", "--output", str(output))
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["index"] for line in output.read_text().splitlines()] == [0, 1]
    bad = run_embed("alpha", "--output", str(tmp_path / "v.csv"))
    assert bad.returncode == 2 and "unknown output format" in bad.stderr


@pytest.mark.parametrize(
    "body",
    [
        b'{"object": "list", "model": "m"}',
        b'{"object": "list", "model": "m", "data": [{"index": 1, "embedding": [1.0]}]}',
        b'{"object": "list", "model": "m", "data": [{"index": 0, "embedding": [1.0]}, {"index": 1, "embedding": [1.0, 2.0]}]}',
        b'{"object": "list", "model": "m", "data": [{"index": 0, "embedding": ["x"]}]}',
        b'{"object": "list", "model": "m", "data": [{"index": 0}]}',
        b'{"object": "list", "model": "m", "data": []}',
        b"not json",
        b"[]",
    ],
)
async def test_malformed_answers_to_bulk_are_typed(body: bytes) -> None:
    from aioresponses import aioresponses

    from together.generated import MalformedResponseError

    with aioresponses() as mocked:
        mocked.post("https://bulk.test/v1/embeddings", body=body, content_type="application/json")
        async with ApiClient(
            Configuration(host="https://bulk.test/v1", access_token=TOKEN, retries=0)
        ) as client:
            with pytest.raises(MalformedResponseError) as caught:
                await embed_many(client, ["a"], model=MODEL)
    assert caught.value.body == body
