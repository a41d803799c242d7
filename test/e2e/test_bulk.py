"""Bulk embedding against the local server: order, batching, concurrency, sinks, resume."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import numpy as np
import pytest
from aiohttp import web
from aioresponses import aioresponses
from bulk_support import MODEL, expected_rows
from bulk_support import sentences as texts

import together.generated
from support import TOKEN, embeddings_payload, run_embed
from together.bulk import JsonLinesWriter, NpyWriter, embed_many, open_sink
from together.generated import ApiClient, Configuration, ServiceUnavailableException
from together.mock import FaultOptions, MockOptions, MockServer


async def test_order_and_values_match_the_vectors_computed_directly(
    server_api: together.generated.EmbeddingsApi,
) -> None:
    client = server_api.api_client
    items = texts(301)
    progress: list[int] = []
    array = await embed_many(
        client, items, model=MODEL, batch_size=16, concurrency=5, on_progress=progress.append
    )
    assert array is not None and array.shape == (301, 768) and array.dtype == np.float32
    assert np.allclose(array, expected_rows(items), atol=1e-6)
    assert progress == [min(16 * k, 301) for k in range(1, 20)]


async def test_rows_follow_each_answers_index_not_its_order() -> None:
    vectors = [[float(i), 1.0] for i in range(4)]
    shuffled = embeddings_payload(vectors)
    shuffled["data"] = [shuffled["data"][i] for i in (2, 0, 3, 1)]  # type: ignore[index]
    with aioresponses() as mocked:
        mocked.post("https://bulk.test/v1/embeddings", payload=shuffled)
        async with ApiClient(
            Configuration(host="https://bulk.test/v1", access_token=TOKEN, retries=0)
        ) as client:
            array = await embed_many(client, ["a", "b", "c", "d"], model=MODEL)
    assert array is not None
    assert array.tolist() == vectors


@pytest.mark.parametrize("suffix", [None, ".npy", ".jsonl"])
async def test_rows_follow_the_index_when_the_server_shuffles_its_answers(
    tmp_path: Path, suffix: str | None
) -> None:
    items = texts(60)
    async with (
        MockServer(MockOptions(api_key=TOKEN, shuffle=True, faults=FaultOptions(seed=1))) as server,
        ApiClient(Configuration(host=server.url, access_token=TOKEN)) as client,
    ):
        sink = None if suffix is None else open_sink(tmp_path / f"v{suffix}")
        array = await embed_many(
            client, items, model=MODEL, batch_size=12, concurrency=3, sink=sink
        )
        if sink is not None:
            sink.close()
    if suffix == ".npy":
        array = np.load(tmp_path / "v.npy")
    elif suffix == ".jsonl":
        lines = [json.loads(line) for line in (tmp_path / "v.jsonl").read_text().splitlines()]
        assert [line["index"] for line in lines] == list(range(60))
        array = np.array([line["embedding"] for line in lines], dtype=np.float32)
    assert array is not None
    assert np.allclose(array, expected_rows(items), atol=1e-6)


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_the_local_server_sees_at_most_the_concurrency_in_flight(concurrency: int) -> None:
    options = MockOptions(api_key=TOKEN, faults=FaultOptions(latency_ms=30))
    async with (
        MockServer(options) as server,
        ApiClient(Configuration(host=server.url, access_token=TOKEN)) as client,
    ):
        await embed_many(client, texts(120), model=MODEL, batch_size=10, concurrency=concurrency)
        assert server.peak_in_flight == concurrency


async def _counting_server(
    delay: float, first_delay: float | None = None
) -> tuple[web.AppRunner, str, dict[str, int]]:
    """An embeddings server that counts requests in flight (and the most at once)."""
    seen = {"in_flight": 0, "most": 0, "requests": 0}

    async def answer(request: web.Request) -> web.Response:
        body = await request.json()
        seen["requests"] += 1
        seen["in_flight"] += 1
        seen["most"] = max(seen["most"], seen["in_flight"])
        slow = first_delay is not None and seen["requests"] == 1
        await asyncio.sleep(first_delay if slow and first_delay is not None else delay)
        seen["in_flight"] -= 1
        return web.json_response(embeddings_payload([[1.0, 0.0]] * len(body["input"])))

    app = web.Application()
    app.router.add_post("/v1/embeddings", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/v1", seen


async def test_no_more_requests_in_flight_than_the_concurrency() -> None:
    runner, url, seen = await _counting_server(delay=0.02)
    try:
        async with ApiClient(Configuration(host=url, access_token=TOKEN)) as client:
            await embed_many(client, texts(400), model=MODEL, batch_size=10, concurrency=3)
    finally:
        await runner.cleanup()
    assert seen["requests"] == 40
    assert seen["most"] == 3


async def test_batches_waiting_to_be_written_are_bounded() -> None:
    """The first batch is slow, all others fast: the reader must stop pulling texts rather
    than pile up finished batches behind it (memory stays about 2 x concurrency batches)."""
    runner, url, _ = await _counting_server(delay=0.0, first_delay=1.0)
    pulled = 0
    most_ahead = 0

    class Sink:
        rows = 0
        dimensions: int | None = None

        def write(self, rows: np.ndarray) -> None:
            self.rows += rows.shape[0]

        def close(self) -> None:
            pass

    sink = Sink()

    def produce() -> Iterator[str]:
        nonlocal pulled, most_ahead
        for text in texts(2000):
            pulled += 1
            most_ahead = max(most_ahead, pulled - sink.rows)
            yield text

    try:
        async with ApiClient(Configuration(host=url, access_token=TOKEN)) as client:
            await embed_many(
                client, produce(), model=MODEL, batch_size=10, concurrency=4, sink=sink
            )
    finally:
        await runner.cleanup()
    assert sink.rows == 2000
    # 2 x 4 batches of 10 unwritten, the batch being filled, and the text read to see it full
    assert most_ahead <= (2 * 4 + 1) * 10 + 1


async def test_the_npy_file_is_valid_after_every_batch(
    mock_server: MockServer, tmp_path: Path
) -> None:
    path = tmp_path / "vectors.npy"
    shapes: list[tuple[int, ...]] = []
    sink = NpyWriter(path)
    async with ApiClient(Configuration(host=mock_server.url, access_token=TOKEN)) as client:
        await embed_many(
            client,
            texts(35),
            model=MODEL,
            batch_size=10,
            sink=sink,
            on_progress=lambda done: shapes.append(np.load(path).shape),  # before close
        )
    sink.close()
    assert shapes == [(10, 768), (20, 768), (30, 768), (35, 768)]


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
    assert np.allclose(from_async, expected_rows(texts(40)), atol=1e-6)
    assert np.allclose(from_generator, expected_rows(texts(40)), atol=1e-6)


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
    assert whole is not None and np.allclose(written, expected_rows(items), atol=1e-6)


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


def test_cli_bulk_to_npy(tmp_path: Path) -> None:
    source = tmp_path / "texts.txt"
    source.write_text("\n".join(texts(260)) + "\n", encoding="utf-8")
    output = tmp_path / "vectors.npy"
    done = run_embed(
        "--input", str(source), "--output", str(output), "--batch-size", "50", "--concurrency", "3"
    )
    assert done.returncode == 0, done.stderr
    assert "260 embeddings" in done.stderr
    assert np.allclose(np.load(output), expected_rows(texts(260)), atol=1e-6)
    assert not (tmp_path / "vectors.npy.progress.jsonl").exists()


def test_cli_bulk_to_json_lines_from_arguments(tmp_path: Path) -> None:
    output = tmp_path / "v.jsonl"
    done = run_embed("alpha", "beta", "--output", str(output))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    assert [row["index"] for row in rows] == [0, 1]
    assert np.allclose([row["embedding"] for row in rows], expected_rows(["alpha", "beta"]))
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
        # Strict numbers, as the spec's `number` says: bulk skips the models, not their checks.
        b'{"object": "list", "model": "m", "data": [{"index": 0, "embedding": ["0.5"]}]}',
        b'{"object": "list", "model": "m", "data": [{"index": 0, "embedding": [NaN]}]}',
        b'{"object": "list", "model": "m", "data": [{"index": 0, "embedding": [Infinity]}]}',
        b'{"object": "list", "model": "m", "data": [{"index": 0, "embedding": [1e999]}]}',
        b'{"object": "list", "model": "m", "data": [{"index": 0, "embedding": [1e39]}]}',
        b'{"object": "list", "model": "m", "data": [{"index": 0, "embedding": [true]}]}',
    ],
)
async def test_malformed_answers_to_bulk_are_typed(body: bytes) -> None:
    from together.generated import MalformedResponseError

    with aioresponses() as mocked:
        mocked.post("https://bulk.test/v1/embeddings", body=body, content_type="application/json")
        async with ApiClient(
            Configuration(host="https://bulk.test/v1", access_token=TOKEN, retries=0)
        ) as client:
            with pytest.raises(MalformedResponseError) as caught:
                await embed_many(client, ["a"], model=MODEL)
    assert caught.value.body == body


async def test_a_sink_failure_wakes_a_reader_waiting_for_room() -> None:
    """The first batch is slow and every later one already finished when its write fails:
    no other batch will ever wake the reader, so the failure itself must."""
    runner, url, _ = await _counting_server(delay=0.0, first_delay=0.5)

    class FullDisk:
        rows = 0
        dimensions: int | None = None

        def write(self, rows: np.ndarray) -> None:
            raise OSError(28, "No space left on device")

        def close(self) -> None:
            pass

    try:
        async with ApiClient(Configuration(host=url, access_token=TOKEN)) as client:
            with pytest.raises(OSError, match="No space left"):
                async with asyncio.timeout(20):
                    await embed_many(
                        client,
                        texts(2000),
                        model=MODEL,
                        batch_size=10,
                        concurrency=4,
                        sink=FullDisk(),
                    )
    finally:
        await runner.cleanup()
