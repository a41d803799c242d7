"""FileInput as a model field, and the multipart/form-data encoding of a body."""

from __future__ import annotations

import email.parser
import email.policy
import io
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from together.generated import ApiValueError
from together.generated._runtime.multipart import FileInput, MultipartBody, encode_multipart


class Upload(BaseModel):
    purpose: str
    file_name: str | None = None
    file: FileInput
    extra: list[FileInput] | None = None
    check: bool | None = None
    limits: dict[str, int] | None = None
    tags: list[str] | None = None
    count: int | None = None
    ratio: float | None = None
    url_or_file: FileInput | str | None = None
    renamed: str | None = Field(default=None, alias="wire-name")


ADAPTER = TypeAdapter(Upload)
FILES = ("file", "extra", "url_or_file")


async def body_bytes(body: MultipartBody) -> bytes:
    return b"".join([piece async for piece in body.stream()])


async def parts(body: MultipartBody) -> list[Any]:
    """The parts of ``body``, read by the standard library's MIME parser."""
    raw = await body_bytes(body)
    if body.content_length is not None:
        assert len(raw) == body.content_length
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {body.content_type}\r\n\r\n".encode() + raw
    )
    return list(message.iter_parts())


def encode(model: Upload) -> MultipartBody:
    return encode_multipart(ADAPTER, model, FILES, operation_id="upload", boundary="b0undary")


# ------------------------------------------------------------------ FileInput as a field


@pytest.mark.parametrize(
    "value",
    [
        "data.jsonl",
        Path("data.jsonl"),
        b"raw",
        bytearray(b"raw"),
        io.BytesIO(b"x"),
        ("a.txt", b"x"),
        ("a.txt", io.BytesIO(b"x"), "text/plain"),
    ],
    ids=["str", "path", "bytes", "bytearray", "file", "pair", "triple"],
)
def test_file_input_accepts_every_documented_form(value: Any) -> None:
    model = Upload(purpose="fine-tune", file=value)
    assert model.file is not None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (io.StringIO("text"), "binary mode"),
        (42, "expected a path, bytes"),
        ("https://example.com/a.wav", "URL"),
        ("", "empty"),
        (("a.txt",), "filename, content"),
        ((1, b"x"), "filename, content"),
        (("a.txt", b"x", 5), "content type"),
        (("a.txt", "text content"), "expected a path, bytes"),
    ],
)
def test_file_input_refuses_other_values(value: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Upload(purpose="p", file=value)


def test_file_or_url_takes_a_url_as_text_and_a_path_as_a_file() -> None:
    assert Upload(purpose="p", file=b"", url_or_file="https://x.test/a.wav").url_or_file == (
        "https://x.test/a.wav"
    )


def test_a_model_with_files_dumps_to_json_without_their_bytes() -> None:
    model = Upload(purpose="p", file=("a.txt", b"secret bytes"))
    assert model.model_dump(mode="json")["file"] == "a.txt"
    assert "secret" not in model.model_dump_json()
    schema = Upload.model_json_schema()["properties"]["file"]
    assert schema == {"format": "binary", "title": "File", "type": "string"}


# ------------------------------------------------------------------ encoding


async def test_text_fields_follow_the_form_rules(tmp_path: Path) -> None:
    model = Upload(
        purpose="fine-tune",
        file=b"x",
        check=False,
        limits={"a": 1},
        tags=["x", "y"],
        count=3,
        ratio=0.5,
        **{"wire-name": 'quote"d'},
    )
    fields = {
        p.get_param("name", header="content-disposition"): p for p in await parts(encode(model))
    }
    assert {name: fields[name].get_content() for name in fields if name != "file"} == {
        "purpose": "fine-tune",
        "check": "false",
        "limits": '{"a":1}',
        "tags": '["x","y"]',
        "count": "3",
        "ratio": "0.5",
        "wire-name": 'quote"d',
    }
    assert fields["check"].get_content_type() == "text/plain"  # no Content-Type: a text part
    assert "file_name" not in fields  # unset: not sent
    assert Upload(purpose="p", file=b"", check=True).check is True
    text = await parts(encode(Upload(purpose="p", file=b"", check=True)))
    assert [
        p.get_content()
        for p in text
        if p.get_param("name", header="content-disposition") == "check"
    ] == ["true"]


async def test_each_kind_of_file_source(tmp_path: Path) -> None:
    on_disk = tmp_path / "train.jsonl"
    on_disk.write_bytes(b'{"text": "a"}\n' * 3)
    seekable = io.BytesIO(b"skip|from object")
    seekable.seek(5)  # sent from the current position
    model = Upload(
        purpose="p",
        file=str(on_disk),
        extra=[
            b"\x00\x01raw",
            seekable,
            ("notes.md", b"# hi", "text/markdown"),
            on_disk,
        ],
    )
    got = [
        (
            p.get_param("name", header="content-disposition"),
            p.get_filename(),
            p.get_content_type(),
            p.get_payload(decode=True),
        )
        for p in await parts(encode(model))
    ]
    assert got == [
        ("purpose", None, "text/plain", b"p"),
        ("file", "train.jsonl", "application/octet-stream", b'{"text": "a"}\n' * 3),
        ("extra", "extra", "application/octet-stream", b"\x00\x01raw"),
        ("extra", "extra", "application/octet-stream", b"from object"),
        ("extra", "notes.md", "text/markdown", b"# hi"),
        ("extra", "train.jsonl", "application/octet-stream", b'{"text": "a"}\n' * 3),
    ]
    assert not seekable.closed  # the caller's file object stays theirs


async def test_a_body_from_replayable_sources_streams_the_same_bytes_twice(tmp_path: Path) -> None:
    on_disk = tmp_path / "a.bin"
    on_disk.write_bytes(b"0123456789" * 1000)
    model = Upload(purpose="p", file=on_disk, extra=[io.BytesIO(b"obj"), b"bytes"])
    body = encode(model)
    assert body.replayable
    assert await body_bytes(body) == await body_bytes(body)


class Unseekable(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


async def test_an_unseekable_source_is_sent_once_without_a_length() -> None:
    body = encode(Upload(purpose="p", file=Unseekable(b"stream")))
    assert not body.replayable
    assert body.content_length is None  # sent chunked
    assert b"stream" in await body_bytes(body)
    with pytest.raises(OSError, match="only once"):
        await body_bytes(body)


def test_a_missing_path_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    with pytest.raises(ApiValueError, match=r"upload\(\): 'file': no such file"):
        encode(Upload(purpose="p", file=tmp_path / "absent.jsonl"))
    with pytest.raises(ApiValueError, match="is a directory"):
        encode(Upload(purpose="p", file=tmp_path))


async def test_a_file_that_shrinks_during_the_upload_stops_it(tmp_path: Path) -> None:
    on_disk = tmp_path / "a.bin"
    on_disk.write_bytes(b"x" * 1000)
    body = encode(Upload(purpose="p", file=on_disk))
    on_disk.write_bytes(b"x" * 10)
    with pytest.raises(OSError, match="became shorter"):
        await body_bytes(body)


async def test_a_path_is_read_in_chunks_not_whole(tmp_path: Path) -> None:
    from together.generated._runtime import multipart

    on_disk = tmp_path / "big.bin"
    on_disk.write_bytes(b"z" * (3 * multipart.CHUNK_SIZE + 5))
    body = encode(Upload(purpose="p", file=on_disk))
    pieces = [piece async for piece in body.stream()]
    assert max(len(piece) for piece in pieces) <= multipart.CHUNK_SIZE
    assert sum(piece.count(b"z") for piece in pieces) == 3 * multipart.CHUNK_SIZE + 5


def test_a_url_in_a_file_or_url_property_is_sent_as_text() -> None:
    body = encode(Upload(purpose="p", file=b"", url_or_file="https://x.test/a.wav"))
    assert body.replayable


async def test_names_with_quotes_and_newlines_cannot_break_the_headers() -> None:
    model = Upload(purpose="p", file=('evil".txt\r\nX-Injected: 1', b"x"))
    raw = await body_bytes(encode(model))
    assert b"X-Injected: 1\r\n" not in raw
    assert b'filename="evil%22.txt%0D%0AX-Injected: 1"' in raw
