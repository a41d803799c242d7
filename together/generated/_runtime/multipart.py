"""File uploads: the ``FileInput`` field type and the ``multipart/form-data`` encoder.

Hand-written runtime (not generated). Generated models type a ``format: binary`` property as
:data:`FileInput`: a path (``str`` or :class:`os.PathLike`), ``bytes``, a binary file object,
or a ``(filename, content)`` / ``(filename, content, content_type)`` tuple. When such a body
is sent, :func:`encode_multipart` turns it into a :class:`MultipartBody` (RFC 7578):
every other property becomes a text part (JSON for objects and arrays, ``true``/``false``
for booleans) and every file a file part whose bytes are read from their source chunk by
chunk while the request is written, never held whole in memory.

Why not aiohttp's ``FormData``: it is consumed by one send and closes the file objects it is
given, so it can neither be retried nor leave a caller's file open. A
:class:`MultipartBody` makes a fresh byte stream for each attempt and opens a path only
while that attempt reads it; it can be sent again when every source can be re-read (a
path, bytes, or a seekable file object) — :attr:`MultipartBody.replayable`.
"""

from __future__ import annotations

import asyncio
import io
import mimetypes
import os
import re
import secrets
import stat
import threading
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Annotated, Any, Protocol, cast

from pydantic import BaseModel, PlainSerializer, PlainValidator, TypeAdapter, WithJsonSchema
from pydantic_core import to_json

from together.generated._runtime.exceptions import ApiValueError

__all__ = [
    "CHUNK_SIZE",
    "BinaryReader",
    "FileContent",
    "FileInput",
    "MultipartBody",
    "encode_multipart",
]

#: Bytes read from a file source at a time while uploading.
CHUNK_SIZE = 256 * 1024


class BinaryReader(Protocol):
    """A binary file object as an upload reads it: ``read(size)`` giving bytes.

    A file opened ``'rb'``, :class:`io.BytesIO`, and raw or buffered streams
    (:class:`io.RawIOBase`, which ``typing.IO`` leaves out) all are. ``seekable``, ``tell``
    and ``seek`` are used when the object has them (the upload can then be sent again).
    """

    def read(self, size: int = -1, /) -> bytes | None: ...


#: What a ``(filename, content)`` tuple may carry: the bytes, or a binary file object.
FileContent = bytes | BinaryReader

# A URL is never a path: a property typed "file or URL" (oneOf binary / uri) must see it as
# the URL, so FileInput refuses it and the other branch of the union takes it.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def _validate_file_input(value: Any) -> Any:
    """Check the shape of a file value; the file itself is looked at when it is sent."""
    if isinstance(value, str):
        if _URL.match(value):
            raise ValueError("a URL is not a file path")
        if not value:
            raise ValueError("an empty string is not a file path")
        return value
    if isinstance(value, os.PathLike):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, tuple):
        if len(value) not in (2, 3) or not isinstance(value[0], str):
            raise ValueError(
                "a file tuple is (filename, content) or (filename, content, content_type)"
            )
        if len(value) == 3 and not isinstance(value[2], str):
            raise ValueError("the content type in a file tuple must be a string")
        content = value[1]
        if isinstance(content, (bytes, bytearray, memoryview)):
            return (value[0], bytes(content), *value[2:])
        _check_file_object(content)
        return value
    _check_file_object(value)
    return value


def _check_file_object(value: Any) -> None:
    if isinstance(value, io.TextIOBase):
        raise ValueError("a file opened in text mode; open it in binary mode ('rb')")
    if not callable(getattr(value, "read", None)):
        raise ValueError(
            f"expected a path, bytes, a binary file object or a (filename, content) tuple, "
            f"not {type(value).__name__}"
        )


def _describe_file_input(value: Any) -> str:
    """How a file value shows in a JSON dump of its model (the bytes are never dumped)."""
    if isinstance(value, tuple):
        return str(value[0])
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value) if isinstance(os.fspath(value), str) else repr(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return f"<file {getattr(value, 'name', type(value).__name__)}>"


#: A file to upload: a path, bytes, a binary file object, or a ``(filename, content)`` /
#: ``(filename, content, content_type)`` tuple. Usable as a pydantic field annotation.
FileInput = Annotated[
    str
    | os.PathLike[str]
    | bytes
    | BinaryReader
    | tuple[str, FileContent]
    | tuple[str, FileContent, str],
    PlainValidator(_validate_file_input),
    PlainSerializer(_describe_file_input, when_used="json"),
    WithJsonSchema({"type": "string", "format": "binary"}),
]


# ------------------------------------------------------------------------------ sources


class _Source(Protocol):
    """Where one file part's bytes come from."""

    @property
    def size(self) -> int | None: ...

    @property
    def replayable(self) -> bool: ...

    def chunks(self) -> AsyncIterator[bytes]: ...


@dataclass(slots=True)
class _BytesSource:
    data: bytes
    size: int
    replayable: bool = True

    async def chunks(self) -> AsyncIterator[bytes]:
        yield self.data


@dataclass(slots=True)
class _PathSource:
    """A file on disk: opened for each attempt, read in chunks, closed after."""

    path: str
    size: int | None
    replayable: bool = True

    async def chunks(self) -> AsyncIterator[bytes]:
        remaining = self.size if self.size is not None else -1
        with await _open_for_reading(self.path) as file:
            while remaining != 0:
                want = CHUNK_SIZE if remaining < 0 else min(CHUNK_SIZE, remaining)
                chunk = await asyncio.to_thread(file.read, want)
                if not chunk:
                    break
                if remaining > 0:
                    remaining -= len(chunk)
                yield chunk
        if remaining > 0:
            # The request announced a length it can no longer send: stop it rather than hang.
            raise OSError(f"{self.path} became shorter while it was being uploaded")


async def _open_for_reading(path: str) -> IO[bytes]:
    """``open(path, "rb")`` in a thread of its own: opening a named pipe waits until a writer
    connects, and the event loop must not wait with it. A daemon thread, not the loop's
    executor, so a pipe nobody ever writes to holds up neither ``asyncio.run``'s exit nor the
    interpreter's; a file opened after the upload was cancelled is closed there."""
    loop = asyncio.get_running_loop()
    opened: asyncio.Future[IO[bytes]] = loop.create_future()

    def deliver(file: IO[bytes] | None, error: Exception | None) -> None:
        if opened.cancelled():
            if file is not None:
                file.close()
        elif file is not None:
            opened.set_result(file)
        else:
            opened.set_exception(error or OSError(f"cannot open {path}"))

    def open_file() -> None:
        file: IO[bytes] | None = None
        error: Exception | None = None
        try:
            file = open(path, "rb")  # noqa: SIM115 - closed by the caller or by deliver()
        except Exception as exc:  # handed to the awaiting coroutine
            error = exc
        try:
            loop.call_soon_threadsafe(deliver, file, error)
        except RuntimeError:  # the loop is closed: nobody is waiting for the file
            if file is not None:
                file.close()

    threading.Thread(target=open_file, name=f"together-open {path}", daemon=True).start()
    return await opened


@dataclass(slots=True)
class _ObjectSource:
    """A caller's binary file object: read from ``start`` (seeked back to on a retry)."""

    file: BinaryReader
    start: int | None
    size: int | None
    replayable: bool = False
    _used: bool = False

    async def chunks(self) -> AsyncIterator[bytes]:
        if self._used:
            if self.start is None:
                raise OSError("a file object that cannot seek can be sent only once")
            cast(IO[bytes], self.file).seek(self.start)  # start is set only when it seeks
        self._used = True
        remaining = self.size if self.size is not None else -1
        while remaining != 0:
            want = CHUNK_SIZE if remaining < 0 else min(CHUNK_SIZE, remaining)
            chunk = await asyncio.to_thread(self.file.read, want)
            if not chunk:
                break
            if not isinstance(chunk, bytes):
                raise OSError("the file object returned text; open it in binary mode ('rb')")
            if remaining > 0:
                remaining -= len(chunk)
            yield chunk
        if remaining > 0:
            raise OSError("the file object ended before its announced size")


def _object_source(reader: BinaryReader) -> _ObjectSource:
    """A source for ``reader``, with its size and start when it can seek (never closed here)."""
    file = cast(IO[bytes], reader)  # seekable() is asked for, not assumed
    try:
        seekable = bool(file.seekable())
    except (AttributeError, OSError, ValueError):
        seekable = False
    if not seekable:
        return _ObjectSource(reader, None, None)
    start = file.tell()
    end = file.seek(0, os.SEEK_END)
    file.seek(start)
    return _ObjectSource(reader, start, max(0, end - start), replayable=True)


# ------------------------------------------------------------------------------ the body


@dataclass(frozen=True, slots=True)
class _Part:
    headers: bytes
    text: bytes | None = None
    source: _Source | None = None

    @property
    def size(self) -> int | None:
        if self.source is None:
            return len(self.headers) + len(self.text or b"") + 2
        if self.source.size is None:
            return None
        return len(self.headers) + self.source.size + 2


class MultipartBody:
    """A ``multipart/form-data`` request body that streams its files.

    Send it by passing :meth:`stream` (a fresh async iterator of bytes) as the request data,
    with :attr:`content_type` (it carries the boundary) and, when every size is known,
    :attr:`content_length`.
    """

    def __init__(self, parts: list[_Part], boundary: str) -> None:
        self._parts = parts
        self.boundary = boundary
        self._closing = f"--{boundary}--\r\n".encode("ascii")

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    @property
    def content_length(self) -> int | None:
        total = len(self._closing)
        for part in self._parts:
            size = part.size
            if size is None:
                return None
            total += size
        return total

    @property
    def replayable(self) -> bool:
        """Whether the body can be sent again (every file source can be re-read)."""
        return all(part.source is None or part.source.replayable for part in self._parts)

    async def stream(self) -> AsyncIterator[bytes]:
        """The body's bytes, files read chunk by chunk as the request is written."""
        for part in self._parts:
            if part.source is None:
                yield part.headers + (part.text or b"") + b"\r\n"
                continue
            yield part.headers
            async for chunk in part.source.chunks():
                yield chunk
            yield b"\r\n"
        yield self._closing

    def __repr__(self) -> str:
        return f"MultipartBody({len(self._parts)} parts, length={self.content_length})"


def _quote(value: str) -> str:
    # The HTML form encoding of names in Content-Disposition (what browsers send).
    return value.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _part_headers(
    boundary: str, name: str, filename: str | None, content_type: str | None
) -> bytes:
    disposition = f'form-data; name="{_quote(name)}"'
    if filename is not None:
        disposition += f'; filename="{_quote(filename)}"'
    lines = [f"--{boundary}", f"Content-Disposition: {disposition}"]
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def _form_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return to_json(value).decode("utf-8")


def _file_part(boundary: str, name: str, value: Any, operation_id: str) -> _Part:
    """The part for one file value; a missing or unreadable path is refused here."""
    filename: str | None = None
    content_type: str | None = None
    if isinstance(value, tuple):
        filename, content = value[0], value[1]
        content_type = value[2] if len(value) == 3 else None
        value = content
    source: _Source
    if isinstance(value, (str, os.PathLike)):
        path = os.fspath(value)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        source = _PathSource(path, _readable_file_size(path, name, operation_id))
        filename = filename or os.path.basename(path)
    elif isinstance(value, (bytes, bytearray, memoryview)):
        source = _BytesSource(bytes(value), len(value))
    else:
        source = _object_source(value)
        own_name = getattr(value, "name", None)
        if filename is None and isinstance(own_name, str) and own_name:
            filename = os.path.basename(own_name)
    filename = filename or name
    if content_type is None:
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return _Part(_part_headers(boundary, name, filename, content_type), source=source)


def _readable_file_size(path: str, name: str, operation_id: str) -> int | None:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ApiValueError(f"{operation_id}(): {name!r}: no such file: {path!r}") from None
    except OSError as exc:
        raise ApiValueError(f"{operation_id}(): {name!r}: cannot read {path!r}: {exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise ApiValueError(f"{operation_id}(): {name!r}: {path!r} is a directory, not a file")
    if not os.access(path, os.R_OK):
        raise ApiValueError(f"{operation_id}(): {name!r}: {path!r} is not readable")
    # A regular file has a size known now; a pipe or device is read to its end (chunked).
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def encode_multipart(
    adapter: TypeAdapter[Any],
    model: Any,
    file_fields: Iterable[str],
    *,
    operation_id: str,
    boundary: str | None = None,
) -> MultipartBody:
    """The ``multipart/form-data`` body of a validated ``model``.

    ``file_fields`` are the wire names of the file properties; a list there sends one part
    per file. Unset and ``None`` properties are not sent. Raises :class:`ApiValueError`
    for a file path that does not exist or cannot be read, before anything is sent.
    """
    boundary = boundary or f"together-{secrets.token_hex(16)}"
    files = set(file_fields)
    texts = adapter.dump_python(model, mode="json", by_alias=True, exclude_unset=True)
    originals = _wire_values(model)
    if not isinstance(texts, Mapping):
        raise ApiValueError(f"{operation_id}(): a multipart body must be an object")
    parts: list[_Part] = []
    for name, text_value in texts.items():
        if text_value is None:
            continue
        value = originals.get(name, text_value)
        if name in files and _is_file_value(value):
            values = value if isinstance(value, list) else [value]
            parts.extend(_file_part(boundary, name, item, operation_id) for item in values)
        else:
            text = _form_text(text_value).encode("utf-8")
            parts.append(_Part(_part_headers(boundary, name, None, None), text=text))
    return MultipartBody(parts, boundary)


def _wire_values(model: Any) -> Mapping[str, Any]:
    """The body's property values as given, by wire name.

    Not a pydantic dump: that would turn a file object (an iterator) into a list-like.
    """
    if isinstance(model, BaseModel):
        values = {}
        for name, info in type(model).model_fields.items():
            if name in model.model_fields_set:
                wire = info.serialization_alias or info.alias or name
                values[wire] = getattr(model, name)
        return values
    return model if isinstance(model, Mapping) else {}


def _is_file_value(value: Any) -> bool:
    """Whether a file property holds a file (else, e.g. a URL, it is sent as text)."""
    if isinstance(value, list):
        return all(_is_file_value(item) for item in value)
    if isinstance(value, str):
        return not _URL.match(value)
    return isinstance(value, (os.PathLike, bytes, bytearray, memoryview, tuple)) or callable(
        getattr(value, "read", None)
    )
