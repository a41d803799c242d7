"""The benchmark's server answers what the spec promises, so the benchmarks measure real work.

bench/ is a set of scripts, not a package: these tests import bench/server.py from its
folder and talk to its app over loopback with this client. No timing here: performance
figures live in bench/README.md.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

import together.generated
from together.generated.models.chat_completion_chunk import ChatCompletionChunk

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))
import server as bench_server  # noqa: E402  (bench/server.py)

sys.path.remove(str(BENCH))


@pytest.fixture
async def base_url() -> AsyncIterator[str]:
    runner = web.AppRunner(bench_server.create_app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


def client(url: str) -> together.generated.ApiClient:
    return together.generated.ApiClient(
        together.generated.Configuration(host=url, access_token="bench", retries=0)
    )


async def test_stream_is_1000_typed_chunks_then_done(base_url: str) -> None:
    async with client(f"{base_url}/stream/v1") as api_client:
        api = together.generated.ChatApi(api_client)
        request = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True}
        async with await api.chat_completions_stream(request) as stream:
            chunks = [chunk async for chunk in stream]
    assert len(chunks) == 1000
    assert all(isinstance(chunk, ChatCompletionChunk) for chunk in chunks)
    assert all(chunk.choices[0].delta.content for chunk in chunks)
    assert [c.choices[0].finish_reason for c in chunks[-2:]] == [None, "stop"]
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 1000


def test_stream_events_end_with_done_and_are_separate_events() -> None:
    events = bench_server.chat_stream_events(3)
    assert len(events) == 4
    assert events[-1] == b"data: [DONE]\n\n"
    assert all(e.startswith(b"data: {") and e.endswith(b"}\n\n") for e in events[:-1])


async def test_upload_counts_the_file_bytes(base_url: str, tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_bytes(b'{"text": "a"}\n' * 10_000)
    async with client(f"{base_url}/upload/v1") as api_client:
        answer = await together.generated.FilesApi(api_client).post_files_upload(
            {"purpose": "fine-tune", "file_name": "train.jsonl", "file": str(path)}
        )
    assert answer.bytes == 140_000
    assert answer.filename == "train.jsonl"


async def test_small_and_large_embeddings_have_their_sizes(base_url: str) -> None:
    for kind, count, dimensions in (("small", 1, 768), ("large", 256, 1024)):
        async with client(f"{base_url}/{kind}/v1") as api_client:
            answer = await together.generated.EmbeddingsApi(api_client).embeddings(
                {"model": "m", "input": ["a"]}
            )
        assert len(answer.data) == count
        assert {len(item.embedding) for item in answer.data} == {dimensions}
