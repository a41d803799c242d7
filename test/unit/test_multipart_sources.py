"""multipart/form-data bodies (RFC 7578): file sources, sizes that change, part headers.

The bytes are read back with the standard library's MIME parser, and every body whose
length is announced is checked against that length: a ``Content-Length`` that does not
match the bytes sent breaks the request.
"""

from __future__ import annotations

import email.parser
import email.policy
import io
import os
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from together.generated import ApiValueError
from together.generated._runtime import multipart
from together.generated._runtime.multipart import FileInput, MultipartBody, encode_multipart


class Upload(BaseModel):
    purpose: str | None = None
    file: FileInput | None = None
    files: list[FileInput] | None = None
    url_or_file: FileInput | str | None = None
    note: str | None = None
    count: int | None = None
    flag: bool | None = None
    nested: dict[str, Any] | None = None


class Aliased(BaseModel):
    model_config = {"populate_by_name": True}

    training_file: FileInput = Field(alias="training-file")
    quoted: str | None = Field(default=None, alias='say "hi"')


FILES = ("file", "files", "url_or_file", "training-file")


def encode(model: Any, adapter: TypeAdapter[Any] | None = None) -> MultipartBody:
    return encode_multipart(
        adapter or TypeAdapter(type(model)), model, FILES, operation_id="upload", boundary="bnd"
    )


async def body_bytes(body: MultipartBody) -> bytes:
    return b"".join([piece async for piece in body.stream()])


async def parts(body: MultipartBody) -> list[Any]:
    raw = await body_bytes(body)
    if body.content_length is not None:
        assert len(raw) == body.content_length
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {body.content_type}\r\n\r\n".encode() + raw
    )
    assert message.is_multipart()
    return list(message.iter_parts())


def described(part: Any) -> tuple[Any, ...]:
    return (
        part.get_param("name", header="content-disposition"),
        part.get_filename(),
        part.get("Content-Type"),
        part.get_payload(decode=True),
    )


# ------------------------------------------------------------------ the wire format


async def test_the_exact_bytes_of_a_text_and_a_file_part() -> None:
    # RFC 7578 section 4: each part has a Content-Disposition of form-data with the field's
    # name; a file part also a filename and a Content-Type; CRLF line ends; the body ends
    # with the boundary followed by "--".
    body = encode(Upload(purpose="fine-tune", file=("a.bin", b"\x00\x01")))
    assert body.content_type == "multipart/form-data; boundary=bnd"
    expected = (
        b"--bnd\r\n"
        b'Content-Disposition: form-data; name="purpose"\r\n'
        b"\r\n"
        b"fine-tune\r\n"
        b"--bnd\r\n"
        b'Content-Disposition: form-data; name="file"; filename="a.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n"
        b"\r\n"
        b"\x00\x01\r\n"
        b"--bnd--\r\n"
    )
    assert await body_bytes(body) == expected
    assert body.content_length == len(expected)
    assert repr(body) == f"MultipartBody(2 parts, length={len(expected)})"


async def test_a_body_of_no_properties_is_only_the_closing_boundary() -> None:
    body = encode(Upload())
    assert await body_bytes(body) == b"--bnd--\r\n"
    assert body.content_length == len(b"--bnd--\r\n")
    assert body.replayable


def test_the_default_boundary_is_random_and_valid() -> None:
    # RFC 2046 5.1.1: 1 to 70 characters from a restricted set; RFC 7578 4.1: it must not
    # occur in the content, which a long random value makes as good as certain.
    adapter = TypeAdapter(Upload)
    model = Upload(purpose="p")
    one = encode_multipart(adapter, model, FILES, operation_id="upload")
    two = encode_multipart(adapter, model, FILES, operation_id="upload")
    assert one.boundary != two.boundary
    for boundary in (one.boundary, two.boundary):
        assert re.fullmatch(r"[0-9A-Za-z'()+_,./:=?-]{1,70}", boundary)
        assert len(boundary) >= 32
        assert one.content_type.endswith(f"boundary={one.boundary}")


async def test_text_values_follow_the_form_rules() -> None:
    model = Upload(note="héllo\nworld", count=0, flag=True, nested={"a": [1, None], "b": 1.5})
    got = {p.get_param("name", header="content-disposition"): p for p in await parts(encode(model))}
    assert got["note"].get_payload(decode=True) == "héllo\nworld".encode()
    assert got["count"].get_payload(decode=True) == b"0"
    assert got["flag"].get_payload(decode=True) == b"true"
    assert got["nested"].get_payload(decode=True) == b'{"a":[1,null],"b":1.5}'
    assert all(p.get("Content-Type") is None for p in got.values())


async def test_properties_set_to_none_are_not_sent() -> None:
    model = Upload(purpose=None, note="n", file=None)
    assert [described(p)[0] for p in await parts(encode(model))] == ["note"]


async def test_wire_names_and_quotes_in_names() -> None:
    model = Aliased(training_file=b"x", quoted="v")
    raw = await body_bytes(encode(model))
    assert b'name="training-file"; filename="training-file"' in raw
    assert b'name="say %22hi%22"' in raw


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("data.json", "application/json"),
        ("notes.txt", "text/plain"),
        ("photo.png", "image/png"),
        ("data.unknownext", "application/octet-stream"),
        ("no-extension", "application/octet-stream"),
    ],
)
async def test_the_content_type_of_a_file_part_follows_its_name(
    filename: str, content_type: str
) -> None:
    (part,) = await parts(encode(Upload(file=(filename, b"x"))))
    assert described(part) == ("file", filename, content_type, b"x")


async def test_a_content_type_given_in_the_tuple_is_used_as_given() -> None:
    (part,) = await parts(encode(Upload(file=("data.json", b"{}", "application/jsonl"))))
    assert part.get("Content-Type") == "application/jsonl"


def test_a_body_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ApiValueError, match=r"upload\(\): a multipart body must be an object"):
        encode_multipart(TypeAdapter(list[int]), [1, 2], (), operation_id="upload")


async def test_a_dict_body_sends_its_files() -> None:
    adapter = TypeAdapter(dict[str, Any])
    value = {"purpose": "p", "file": ("a.txt", b"abc")}
    body = encode_multipart(adapter, value, FILES, operation_id="upload", boundary="bnd")
    assert [described(p) for p in await parts(body)] == [
        ("purpose", None, None, b"p"),
        ("file", "a.txt", "text/plain", b"abc"),
    ]


async def test_a_list_holding_a_url_is_sent_as_text_not_as_files() -> None:
    adapter = TypeAdapter(dict[str, Any])
    value = {"files": ["https://x.test/a.wav", b"raw"]}
    body = encode_multipart(adapter, value, FILES, operation_id="upload", boundary="bnd")
    (part,) = await parts(body)
    assert part.get_filename() is None


async def test_a_url_in_a_file_or_url_property_is_a_text_part() -> None:
    (part,) = await parts(encode(Upload(url_or_file="https://x.test/a.wav")))
    assert described(part) == ("url_or_file", None, None, b"https://x.test/a.wav")


async def test_a_file_property_that_is_not_declared_a_file_is_text() -> None:
    # Only the operation's file fields become file parts.
    body = encode_multipart(
        TypeAdapter(Upload), Upload(note="a.txt"), ("file",), operation_id="upload", boundary="b"
    )
    (part,) = await parts(body)
    assert described(part) == ("note", None, None, b"a.txt")


# ------------------------------------------------------------------ sources


async def test_file_names_of_each_source(tmp_path: Path) -> None:
    on_disk = tmp_path / "report.pdf"
    on_disk.write_bytes(b"%PDF")
    with open(on_disk, "rb") as opened, open(on_disk, "rb") as second:
        model = Upload(
            files=[
                str(on_disk),
                on_disk,
                opened,
                io.BytesIO(b"anonymous"),
                ("given.pdf", second),
                b"raw",
            ]
        )
        got = [described(p) for p in await parts(encode(model))]
    assert [(name, filename, ctype) for name, filename, ctype, _ in got] == [
        ("files", "report.pdf", "application/pdf"),
        ("files", "report.pdf", "application/pdf"),
        ("files", "report.pdf", "application/pdf"),
        ("files", "files", "application/octet-stream"),
        ("files", "given.pdf", "application/pdf"),
        ("files", "files", "application/octet-stream"),
    ]
    assert [payload for *_, payload in got] == [b"%PDF"] * 3 + [b"anonymous", b"%PDF", b"raw"]


async def test_a_file_object_without_a_usable_name_is_named_after_the_field(
    tmp_path: Path,
) -> None:
    on_disk = tmp_path / "x.bin"
    on_disk.write_bytes(b"fd")
    descriptor = os.open(on_disk, os.O_RDONLY)
    with open(descriptor, "rb") as by_descriptor:  # its name is the number
        empty_name = io.BytesIO(b"e")
        empty_name.name = ""
        model = Upload(files=[by_descriptor, empty_name])
        got = [described(p) for p in await parts(encode(model))]
    assert got == [
        ("files", "files", "application/octet-stream", b"fd"),
        ("files", "files", "application/octet-stream", b"e"),
    ]


async def test_a_path_given_as_bytes_is_read(tmp_path: Path) -> None:
    class BytesPath(os.PathLike[bytes]):
        def __fspath__(self) -> bytes:
            return os.fsencode(tmp_path / "b.txt")

    (tmp_path / "b.txt").write_bytes(b"by bytes path")
    (part,) = await parts(encode(Upload(file=BytesPath())))
    assert described(part) == ("file", "b.txt", "text/plain", b"by bytes path")


async def test_bytes_like_values_are_sent_as_bytes() -> None:
    model = Upload(files=[bytearray(b"ba"), memoryview(b"mv"), ("t.bin", bytearray(b"tb"))])
    assert isinstance(model.files, list)
    assert model.files[0] == b"ba" and model.files[1] == b"mv"
    assert model.files[2] == ("t.bin", b"tb")
    got = [described(p)[3] for p in await parts(encode(model))]
    assert got == [b"ba", b"mv", b"tb"]


async def test_a_seekable_object_positioned_past_its_end_sends_nothing() -> None:
    source = io.BytesIO(b"abc")
    source.seek(10)
    body = encode(Upload(file=source))
    (part,) = await parts(body)
    assert described(part)[3] == b""


async def test_a_seekable_object_is_sent_again_from_where_it_was(tmp_path: Path) -> None:
    source = io.BytesIO(b"head|tail")
    source.seek(5)
    body = encode(Upload(file=source))
    first = await body_bytes(body)
    assert source.tell() == 9
    assert await body_bytes(body) == first
    assert b"\r\n\r\ntail\r\n" in first


class ReadOnly:
    """A file-like object with nothing but ``read`` (a socket's makefile, a custom reader)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._data.read(size)


class SeekRaises(ReadOnly):
    def seekable(self) -> bool:
        raise ValueError("I/O operation on closed file")


async def test_objects_that_cannot_say_whether_they_seek_are_sent_once() -> None:
    for source in (ReadOnly(b"plain"), SeekRaises(b"plain")):
        body = encode(Upload(file=source))
        assert body.content_length is None and not body.replayable
        (part,) = await parts(body)
        assert described(part)[3] == b"plain"
        with pytest.raises(OSError, match="can be sent only once"):
            await body_bytes(body)


async def test_an_unseekable_object_is_read_to_its_end_in_chunks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(multipart, "CHUNK_SIZE", 4)
    body = encode(Upload(file=ReadOnly(b"0123456789")))
    pieces = [piece async for piece in body.stream()]
    assert [p for p in pieces if p.isdigit()] == [b"0123", b"4567", b"89"]


async def test_an_object_that_reads_text_is_refused_while_sending() -> None:
    class TextReader:
        def read(self, size: int = -1) -> str:
            return "text"

    body = encode(Upload(file=TextReader()))
    with pytest.raises(OSError, match="returned text; open it in binary mode"):
        await body_bytes(body)


# ------------------------------------------------------------------ sizes that change


async def test_a_file_that_grows_during_the_upload_sends_the_announced_size(
    tmp_path: Path,
) -> None:
    on_disk = tmp_path / "log.jsonl"
    on_disk.write_bytes(b"a" * 10)
    body = encode(Upload(file=on_disk))
    announced = body.content_length
    on_disk.write_bytes(b"a" * 10 + b"b" * 5)  # appended after the length was announced
    (part,) = await parts(body)  # also checks the bytes against the announced length
    assert described(part)[3] == b"a" * 10
    assert announced == body.content_length


async def test_a_file_that_grows_is_read_in_chunks_up_to_its_announced_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(multipart, "CHUNK_SIZE", 4)
    on_disk = tmp_path / "d.bin"
    on_disk.write_bytes(b"0123456789")
    body = encode(Upload(file=on_disk))
    on_disk.write_bytes(b"0123456789XYZ")
    pieces = [piece async for piece in body.stream()]
    assert [p for p in pieces if p.isdigit()] == [b"0123", b"4567", b"89"]
    assert not any(b"X" in p for p in pieces)


async def test_a_file_emptied_during_the_upload_stops_it(tmp_path: Path) -> None:
    on_disk = tmp_path / "gone.bin"
    on_disk.write_bytes(b"data")
    body = encode(Upload(file=on_disk))
    on_disk.write_bytes(b"")
    with pytest.raises(OSError, match=r"gone\.bin became shorter while it was being uploaded"):
        await body_bytes(body)


async def test_an_empty_file_is_an_empty_part(tmp_path: Path) -> None:
    on_disk = tmp_path / "empty.txt"
    on_disk.write_bytes(b"")
    body = encode(Upload(file=on_disk))
    (part,) = await parts(body)
    assert described(part) == ("file", "empty.txt", "text/plain", b"")


async def test_a_file_object_that_shrinks_during_the_upload_stops_it(tmp_path: Path) -> None:
    on_disk = tmp_path / "f.bin"
    on_disk.write_bytes(b"x" * 100)
    with open(on_disk, "rb") as source:
        body = encode(Upload(file=source))
        os.truncate(on_disk, 10)
        with pytest.raises(OSError, match="ended before its announced size"):
            await body_bytes(body)


async def test_a_file_object_that_grows_sends_the_announced_size(tmp_path: Path) -> None:
    on_disk = tmp_path / "g.bin"
    on_disk.write_bytes(b"x" * 10)
    with open(on_disk, "rb") as source:
        body = encode(Upload(file=source))
        with open(on_disk, "ab") as more:
            more.write(b"y" * 10)
        (part,) = await parts(body)
    assert described(part)[3] == b"x" * 10


async def test_a_pipe_is_read_to_its_end_without_a_length(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    body = encode(Upload(file=fifo))
    assert body.content_length is None
    assert body.replayable  # a path: opened again for each attempt

    def write() -> None:
        with open(fifo, "wb") as writer:
            writer.write(b"through a pipe")

    writer = threading.Thread(target=write)
    writer.start()
    try:
        raw = await body_bytes(body)
    finally:
        writer.join(timeout=10)
    assert b'filename="pipe"\r\nContent-Type: application/octet-stream\r\n\r\n' in raw
    assert b"\r\n\r\nthrough a pipe\r\n--bnd--\r\n" in raw


# ------------------------------------------------------------------ refused paths


def test_a_path_that_cannot_be_looked_at_is_refused(tmp_path: Path) -> None:
    afile = tmp_path / "a.txt"
    afile.write_bytes(b"x")
    with pytest.raises(ApiValueError, match=r"upload\(\): 'file': cannot read .*a\.txt/inside"):
        encode(Upload(file=afile / "inside"))


def test_a_path_that_is_not_readable_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, for whom every file is readable: the refusal is simulated.
    locked = tmp_path / "locked.txt"
    locked.write_bytes(b"x")
    real_access = os.access

    def access(path: Any, mode: int, **kwargs: Any) -> bool:
        if os.fspath(path) == str(locked) and mode == os.R_OK:
            return False
        return real_access(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)
    with pytest.raises(ApiValueError, match=r"upload\(\): 'file': '.*locked\.txt' is not readable"):
        encode(Upload(file=locked))


def test_a_missing_file_in_a_list_is_refused_with_its_field(tmp_path: Path) -> None:
    with pytest.raises(ApiValueError, match=r"upload\(\): 'files': no such file: '.*absent'"):
        encode(Upload(files=[b"fine", tmp_path / "absent"]))


def test_a_directory_is_refused_with_its_field(tmp_path: Path) -> None:
    with pytest.raises(ApiValueError, match=r"upload\(\): 'file': '.*' is a directory, not a file"):
        encode(Upload(file=str(tmp_path)))


# ------------------------------------------------------------------ FileInput in a model


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (("given.txt", b"secret"), "given.txt"),
        ("dir/a.txt", "dir/a.txt"),
        (Path("dir/b.txt"), "dir/b.txt"),
        (b"secret!", "<7 bytes>"),
        (io.BytesIO(b"secret"), "<file BytesIO>"),
    ],
    ids=["tuple", "str", "path", "bytes", "anonymous-file"],
)
def test_a_json_dump_shows_what_the_file_is_never_its_bytes(value: Any, shown: str) -> None:
    model = Upload(file=value)
    assert model.model_dump(mode="json")["file"] == shown
    assert "secret" not in model.model_dump_json()


def test_a_json_dump_of_a_named_file_object_shows_its_name(tmp_path: Path) -> None:
    on_disk = tmp_path / "n.txt"
    on_disk.write_bytes(b"")
    with open(on_disk, "rb") as opened:
        assert Upload(file=opened).model_dump(mode="json")["file"] == f"<file {on_disk}>"


def test_a_json_dump_of_a_bytes_path_shows_its_repr() -> None:
    class BytesPath(os.PathLike[bytes]):
        def __fspath__(self) -> bytes:
            return b"raw/path"

        def __repr__(self) -> str:
            return "BytesPath(b'raw/path')"

    assert Upload(file=BytesPath()).model_dump(mode="json")["file"] == "BytesPath(b'raw/path')"


@pytest.mark.parametrize(
    "value",
    ["ftp://host/a.wav", "s3+https://bucket/x", "a://b"],
)
def test_any_url_scheme_is_not_a_path(value: str) -> None:
    with pytest.raises(ValidationError, match="a URL is not a file path"):
        Upload(file=value)


@pytest.mark.parametrize("value", ["C:\\data\\a.wav", "relative/a://b", "1http://x", "./a.wav"])
def test_strings_that_are_not_urls_are_paths(value: str) -> None:
    assert Upload(file=value).file == value


def test_the_tuple_forms_keep_their_shape() -> None:
    source = io.BytesIO(b"x")
    assert Upload(file=("a", source)).file == ("a", source)
    assert Upload(file=("a", b"x", "text/csv")).file == ("a", b"x", "text/csv")
    assert Upload(file=("a", bytearray(b"x"), "text/csv")).file == ("a", b"x", "text/csv")
    with pytest.raises(ValidationError, match="filename, content"):
        Upload(file=("a", b"x", "text/csv", "extra"))


# ------------------------------------------------------------------ exact boundaries


async def test_a_path_of_an_odd_size_is_read_to_its_last_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(multipart, "CHUNK_SIZE", 4)
    on_disk = tmp_path / "nine.bin"
    on_disk.write_bytes(b"123456789")
    (part,) = await parts(encode(Upload(file=on_disk)))
    assert described(part)[3] == b"123456789"


async def test_a_source_one_byte_short_stops_the_upload(tmp_path: Path) -> None:
    on_disk = tmp_path / "short.bin"
    on_disk.write_bytes(b"x" * 10)
    body = encode(Upload(file=on_disk))
    on_disk.write_bytes(b"x" * 9)
    with pytest.raises(OSError, match="became shorter"):
        await body_bytes(body)
    with open(on_disk, "wb") as out:
        out.write(b"y" * 10)
    with open(on_disk, "rb") as source:
        body = encode(Upload(file=source))
        os.truncate(on_disk, 9)
        with pytest.raises(OSError, match=r"^the file object ended before its announced size$"):
            await body_bytes(body)


def test_the_refusals_of_file_values_say_what_to_do() -> None:
    with pytest.raises(
        ValidationError,
        match=r"Value error, a file opened in text mode; open it in binary mode \('rb'\) \[",
    ):
        Upload(file=io.StringIO("text"))
    with pytest.raises(
        ValidationError,
        match=r"Value error, expected a path, bytes, a binary file object or a "
        r"\(filename, content\) tuple, not int \[",
    ):
        Upload(file=42)


async def test_the_messages_of_sources_that_cannot_be_sent() -> None:
    body = encode(Upload(file=ReadOnly(b"once")))
    await body_bytes(body)
    with pytest.raises(OSError, match=r"^a file object that cannot seek can be sent only once$"):
        await body_bytes(body)

    class TextReader:
        def read(self, size: int = -1) -> str:
            return "text"

    with pytest.raises(
        OSError, match=r"^the file object returned text; open it in binary mode \('rb'\)$"
    ):
        await body_bytes(encode(Upload(file=TextReader())))


async def test_an_empty_text_is_an_empty_part() -> None:
    (part,) = await parts(encode(Upload(note="")))
    assert described(part) == ("note", None, None, b"")


async def test_a_property_with_a_default_that_was_never_set_is_not_sent() -> None:
    class WithDefault(BaseModel):
        purpose: str = "fine-tune"
        file: FileInput

    (part,) = await parts(encode(WithDefault(file=b"x")))
    assert described(part)[0] == "file"


async def test_a_file_property_with_only_a_serialization_alias() -> None:
    class Renamed(BaseModel):
        data: FileInput = Field(serialization_alias="training-file")

    body = encode_multipart(
        TypeAdapter(Renamed),
        Renamed(data=b"abc"),
        ("training-file",),
        operation_id="u",
        boundary="b",
    )
    (part,) = await parts(body)
    assert described(part) == ("training-file", "training-file", "application/octet-stream", b"abc")


async def test_a_dataclass_body_is_sent_from_its_dump() -> None:
    import dataclasses

    @dataclasses.dataclass
    class Form:
        purpose: str

    body = encode_multipart(TypeAdapter(Form), Form("p"), FILES, operation_id="u", boundary="b")
    (part,) = await parts(body)
    assert described(part) == ("purpose", None, None, b"p")


async def test_a_number_in_a_file_property_of_a_dict_body_is_text() -> None:
    adapter = TypeAdapter(dict[str, Any])
    body = encode_multipart(adapter, {"file": 5}, FILES, operation_id="u", boundary="b")
    (part,) = await parts(body)
    assert described(part) == ("file", None, None, b"5")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://x.test/a", "a URL is not a file path"),
        (("a",), r"a file tuple is \(filename, content\) or \(filename, content, content_type\)"),
        (("a", b"x", 5), "the content type in a file tuple must be a string"),
    ],
)
def test_the_exact_refusals_of_file_shapes(value: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=f"Value error, {message} \\["):
        Upload(file=value)
