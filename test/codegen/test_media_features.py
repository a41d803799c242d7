"""Streams, uploads, downloads, text answers and skipped upgrades, from a small inline spec:
the generated methods and their declarations, used against mocked HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aioresponses import aioresponses
from feature_specs import MEDIA_SPEC as SPEC

from support import recorded, sent_calls
from together.generated import ApiClient, ApiValueError, Configuration

HOST = "http://media.test/v1"
SSE = {"Content-Type": "text/event-stream"}


def events(*items: Any) -> bytes:
    return b"".join(
        f"data: {item if isinstance(item, str) else json.dumps(item)}\n\n".encode()
        for item in items
    )


async def test_a_json_or_stream_operation_has_both_methods(
    generated: Any, mocked: aioresponses
) -> None:
    pkg = generated(SPEC)
    chat_module = __import__(f"{pkg.__name__}.api.chat_api", fromlist=["_CHAT_OPERATION"])
    assert chat_module._CHAT_OPERATION.stream_flag == "stream"
    assert set(chat_module._CHAT_OPERATION.stream_responses) == {"200"}
    mocked.post(f"{HOST}/chat", payload={"text": "whole"})
    mocked.post(f"{HOST}/chat", body=events({"delta": "a"}, {"delta": "b"}, "[DONE]"), headers=SSE)
    async with ApiClient(Configuration(host=HOST, retries=0)) as client:
        api = pkg.ChatApi(client)
        answer = await api.chat(pkg.ChatRequest(prompt="hi"))
        assert isinstance(answer, pkg.ChatAnswer) and answer.text == "whole"
        async with await api.chat_stream(pkg.ChatRequest(prompt="hi")) as stream:
            chunks = [chunk async for chunk in stream]
    assert [type(c) for c in chunks] == [pkg.ChatChunk, pkg.ChatChunk]
    assert [c.delta for c in chunks] == ["a", "b"]
    streamed = sent_calls(mocked)[1]
    assert json.loads(streamed.kwargs["data"]) == {"prompt": "hi", "stream": True}


async def test_a_stream_only_operation_has_no_plain_method(
    generated: Any, mocked: aioresponses
) -> None:
    pkg = generated(SPEC)
    assert not hasattr(pkg.ChatApi, "events")
    assert not hasattr(pkg.ChatApi, "events_with_http_info")
    mocked.get(f"{HOST}/events", body=events({"n": 1}, {"n": 2}), headers=SSE)
    async with (
        ApiClient(Configuration(host=HOST, retries=0)) as client,
        await pkg.ChatApi(client).events_stream() as stream,
    ):
        assert [tick.n async for tick in stream] == [1, 2]


async def test_binary_answers_come_as_bytes_or_into_a_file(
    generated: Any, mocked: aioresponses, tmp_path: Path
) -> None:
    pkg = generated(SPEC)
    mocked.get(f"{HOST}/files/f1/content", body=b"\x00\x01bytes")
    mocked.get(f"{HOST}/files/f1/content", body=b"\x00\x01bytes")
    mocked.get(f"{HOST}/files/f1/text", body="some text", content_type="text/plain")
    target = tmp_path / "out.bin"
    async with ApiClient(Configuration(host=HOST, retries=0)) as client:
        api = pkg.FilesApi(client)
        assert await api.file_content("f1") == b"\x00\x01bytes"
        assert await api.file_content_to_file("f1", target) == 7
        assert await api.file_text("f1") == "some text"
    assert target.read_bytes() == b"\x00\x01bytes"
    assert not hasattr(pkg.FilesApi, "file_text_to_file")  # text is not a download


async def test_a_multipart_body_declares_its_files(generated: Any, mocked: aioresponses) -> None:
    pkg = generated(SPEC)
    files_module = __import__(f"{pkg.__name__}.api.files_api", fromlist=["_UPLOAD_OPERATION"])
    body = files_module._UPLOAD_OPERATION.body
    assert body.content_type == "multipart/form-data"
    assert body.file_fields == ("file",)
    assert body.model is pkg.UploadRequest
    request = pkg.UploadRequest(file=("a.txt", b"hello"), purpose="fine-tune")
    mocked.post(f"{HOST}/files", payload={"id": "file-1"})
    async with ApiClient(Configuration(host=HOST, retries=0)) as client:
        api = pkg.FilesApi(client)
        assert (await api.upload(request)).id == "file-1"
        with pytest.raises(ApiValueError):
            await api.upload(pkg.UploadRequest(file="/no/such/file", purpose="x"))
    ((_, calls),) = recorded(mocked).items()
    assert calls[0].kwargs["headers"]["Content-Type"].startswith("multipart/form-data")


def test_upgrades_are_skipped_by_name_and_reason(generated: Any, tmp_path: Path) -> None:
    pkg = generated(SPEC)
    assert not hasattr(pkg.ChatApi, "live")
    assert any("operation 'live' skipped: answers 101" in w for w in pkg.__codegen_warnings__)
    index = (tmp_path / f"{pkg.__name__}_docs" / "README.md").read_text()
    assert "## Skipped operations" in index
    assert "`live` | **GET** /live | Chat | answers 101" in index
    page = (tmp_path / f"{pkg.__name__}_docs" / "ChatApi.md").read_text()
    assert "async with await api_instance.chat_stream(" in page
    assert "async for chunk in stream:" in page
