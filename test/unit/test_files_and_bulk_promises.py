"""Promises of docs/streaming-and-files.md and docs/bulk.md that no other test pinned.

Each test names the page and section it holds to (docs/testing.md maps every promise to its
test). Expected values are the docs' own literals.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np
import pytest
from aioresponses import aioresponses
from bulk_support import fake_client, vectors_of

import together.generated
from support import HOST, TOKEN, recorded, sent_calls
from together.bulk import embed_many, open_job
from together.cli.lines import file_lines
from together.generated import ApiClient, Configuration

CHAT_URL = f"{HOST}/chat/completions"
SPEECH_URL = f"{HOST}/audio/speech"
SSE = {"Content-Type": "text/event-stream"}
CHUNK = {
    "id": "c1",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "m",
    "choices": [
        {"index": 0, "delta": {"role": "assistant", "content": "hi"}, "finish_reason": None}
    ],
}
CHAT = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
SPEECH = {"model": "m", "input": "Hello", "voice": "v"}


def timeouts(mocked: aioresponses) -> list[aiohttp.ClientTimeout]:
    return [call.kwargs["timeout"] for call in sent_calls(mocked)]


def settings() -> Configuration:
    # reliability.md#timeouts-and-transport-errors: the settings the stream limits come from
    return Configuration(
        host=HOST, access_token=TOKEN, retries=0, total_timeout=30.0, connect_timeout=3.0
    )


# ------------------------------------------------------------ streaming-and-files.md: timeouts


async def test_a_stream_limits_silence_not_its_length_unless_told(mocked: aioresponses) -> None:
    """streaming-and-files.md#streamed-answers, "Timeouts": by default connecting
    (`connect_timeout`) and each wait for the next piece (`total_timeout` seconds of silence),
    not the stream's total length; a `_request_timeout` number bounds the whole stream; a
    `(connect, read)` pair bounds connecting and each read."""
    body = f"data: {json.dumps(CHUNK)}\n\ndata: [DONE]\n\n"
    mocked.post(CHAT_URL, body=body, headers=SSE, repeat=True)
    async with ApiClient(settings()) as client:
        chat = together.generated.ChatApi(client)
        for timeout in (None, 7.0, (2.0, 5.0)):
            async with await chat.chat_completions_stream(CHAT, _request_timeout=timeout) as s:
                assert [c.choices[0].delta.content async for c in s] == ["hi"]
    default, number, pair = timeouts(mocked)
    assert (default.total, default.connect, default.sock_read) == (None, 3.0, 30.0)
    assert number.total == 7.0
    assert (pair.connect, pair.sock_read) == (2.0, 5.0)


async def test_a_download_has_the_timeouts_of_a_stream(
    mocked: aioresponses, tmp_path: Path
) -> None:
    """streaming-and-files.md#downloads: "Timeouts are as for streams (connecting, and each
    wait for the next piece)"."""
    mocked.post(SPEECH_URL, body=b"RIFF....", headers={"Content-Type": "audio/wav"})
    async with ApiClient(settings()) as client:
        audio = together.generated.AudioApi(client)
        written = await audio.audio_speech_to_file(SPEECH, tmp_path / "hello.wav")
    assert written == 8 and (tmp_path / "hello.wav").read_bytes() == b"RIFF...."
    (default,) = timeouts(mocked)
    assert (default.total, default.connect, default.sock_read) == (None, 3.0, 30.0)


async def test_the_stream_form_does_not_change_the_callers_dict(mocked: aioresponses) -> None:
    """streaming-and-files.md#streamed-answers: "`stream` ... set to `true` — on a copy: your
    model or dict is not changed"."""
    mocked.post(CHAT_URL, body="data: [DONE]\n\n", headers=SSE)
    request: dict[str, Any] = {**CHAT}
    async with ApiClient(settings()) as client:
        stream = await together.generated.ChatApi(client).chat_completions_stream(request)
        async with stream:
            assert [c async for c in stream] == []
    assert request == CHAT and "stream" not in request
    ((call,),) = recorded(mocked).values()
    assert json.loads(call.kwargs["data"])["stream"] is True


# ------------------------------------------------------------ bulk.md#rows-and-lines


def test_a_byte_order_mark_at_the_start_is_dropped(tmp_path: Path) -> None:
    """bulk.md#rows-and-lines: "A UTF-8 byte order mark at the start is dropped." (only at
    the start: one later in the file is text)."""
    source = tmp_path / "texts.txt"
    source.write_bytes(b"\xef\xbb\xbffirst\nsecond \xef\xbb\xbf\n")
    assert list(file_lines(source)) == ["first", "second \ufeff"]


# ------------------------------------------------------------ bulk.md#output


@pytest.mark.parametrize("suffix", [".jsonl", ".ndjson", ".json"])
async def test_every_json_lines_suffix_gets_one_object_per_line(
    tmp_path: Path, suffix: str
) -> None:
    """bulk.md#output: "`.jsonl` (or `.ndjson`, `.json`): one `{"index": i, "embedding":
    [...]}` per line, strict JSON"; the progress journal is removed when the job is done."""
    output = tmp_path / f"vectors{suffix}"
    texts = ["a", "b", "c"]
    client, _ = fake_client(lambda batch: (200, vectors_of(batch, 2)))
    async with client:
        with open_job(output, {"model": "m"}) as job:
            await embed_many(
                client,
                texts,
                model="m",
                batch_size=2,
                sink=job.sink,
                resume=job.start,
                on_checkpoint=job.checkpoint,
            )
    lines = output.read_text().splitlines()
    # vectors_of gives text i of a batch the vector [i + 1] * 2: batches ["a", "b"], ["c"]
    assert [json.loads(line) for line in lines] == [
        {"index": 0, "embedding": [1.0, 1.0]},
        {"index": 1, "embedding": [2.0, 2.0]},
        {"index": 2, "embedding": [1.0, 1.0]},
    ]
    assert not Path(f"{output}.progress.jsonl").exists()


async def test_an_npy_output_is_float32_n_by_dim(tmp_path: Path) -> None:
    """bulk.md#output: "`.npy`: a float32 matrix (n, dim)"."""
    output = tmp_path / "vectors.npy"
    client, _ = fake_client(lambda batch: (200, vectors_of(batch, 3)))
    async with client:
        with open_job(output, {"model": "m"}) as job:
            await embed_many(client, ["a", "b"], model="m", sink=job.sink, resume=job.start)
    array = np.load(output)
    assert array.dtype == np.float32 and array.shape == (2, 3)


# ------------------------------------------------------------ bulk.md#resuming


async def test_lines_edited_after_the_checkpoint_are_embedded_as_edited(tmp_path: Path) -> None:
    """bulk.md#resuming: "Editing lines *after* the checkpoint is fine: they have not been
    embedded yet"; lines before it are checked (`ResumeError`)."""
    from together.bulk import ResumeError
    from together.generated import UnauthorizedException

    output = tmp_path / "vectors.jsonl"
    texts = ["a", "b", "c", "d"]
    calls: list[list[str]] = []

    def first_batch_only(batch: list[str]) -> tuple[int, object]:
        calls.append(batch)
        if len(calls) > 1:
            return 401, {"error": {"message": "bad key", "type": "auth"}}
        return 200, vectors_of(batch, 2)

    client, _ = fake_client(first_batch_only)
    async with client:
        with pytest.raises(UnauthorizedException), open_job(output, {"model": "m"}) as job:
            await embed_many(
                client, texts, model="m", batch_size=2, concurrency=1,
                sink=job.sink, resume=job.start, on_checkpoint=job.checkpoint,
            )  # fmt: skip
    assert len(output.read_text().splitlines()) == 2

    edited_before = ["A", "b", "c", "d"]
    client, _ = fake_client(lambda batch: (200, vectors_of(batch, 2)))
    async with client:
        with pytest.raises(ResumeError), open_job(output, {"model": "m"}) as job:
            await embed_many(
                client, edited_before, model="m", batch_size=2,
                sink=job.sink, resume=job.start, on_checkpoint=job.checkpoint,
            )  # fmt: skip

    edited_after = ["a", "b", "c", "D and more"]
    client, sent = fake_client(lambda batch: (200, vectors_of(batch, 2)))
    async with client:
        with open_job(output, {"model": "m"}) as job:
            assert job.start.rows == 2
            await embed_many(
                client, edited_after, model="m", batch_size=2,
                sink=job.sink, resume=job.start, on_checkpoint=job.checkpoint,
            )  # fmt: skip
    assert sent.sent == [["c", "D and more"]]
    assert [json.loads(line)["index"] for line in output.read_text().splitlines()] == [0, 1, 2, 3]
