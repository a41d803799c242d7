"""Binary downloads written to a file as they arrive.

Hand-written runtime (not generated). :func:`save_body` copies the body of an open 2xx
answer to a destination in chunks, never holding it whole. A path destination is written
to a temporary file beside it and renamed into place only when the whole body has arrived,
so a failed download (an error status, a connection cut, a cancelled task) leaves no
partial file behind and never clobbers an older complete one.
"""

from __future__ import annotations

import asyncio
import io
import os
import secrets
from typing import IO

import aiohttp

from together.generated._runtime.exceptions import (
    ApiConnectionError,
    ApiTimeoutError,
    ApiValueError,
)
from together.generated._runtime.open_response import OpenResponse

__all__ = ["Destination", "check_destination", "save_body"]

#: Where a download goes: a path, or a binary file object open for writing.
Destination = str | os.PathLike[str] | IO[bytes]

#: Bytes read from the connection at a time.
CHUNK_SIZE = 1024 * 1024


def check_destination(destination: Destination, operation_id: str) -> None:
    """Refuse a destination that cannot be written, before anything is sent."""
    if isinstance(destination, (str, os.PathLike)):
        path = os.fspath(destination)
        folder = os.path.dirname(os.path.abspath(path))
        if os.path.isdir(path):
            raise ApiValueError(f"{operation_id}(): destination {path!r} is a directory")
        if not os.path.isdir(folder):
            raise ApiValueError(f"{operation_id}(): the folder of {path!r} does not exist")
        if not os.access(folder, os.W_OK):
            raise ApiValueError(f"{operation_id}(): cannot write in the folder of {path!r}")
        name = os.path.basename(os.path.abspath(path))
        if len(os.fsencode(name)) > _name_max(folder):
            raise ApiValueError(
                f"{operation_id}(): the file name of {path!r} is too long for its file system"
            )
        return
    if isinstance(destination, io.TextIOBase):
        raise ApiValueError(
            f"{operation_id}(): the destination is open in text mode; open it with 'wb'"
        )
    if not callable(getattr(destination, "write", None)):
        raise ApiValueError(
            f"{operation_id}(): the destination must be a path or a binary file object, "
            f"not {type(destination).__name__}"
        )


async def save_body(response: OpenResponse, destination: Destination, description: str) -> int:
    """Write the body of ``response`` to ``destination``; the number of bytes written.

    The response is closed on return. At a path, the file appears only when complete; a
    file object receives the bytes as they come (a failure leaves what was written).
    """
    try:
        if isinstance(destination, (str, os.PathLike)):
            return await _save_to_path(response, os.fspath(destination), description)
        return await _copy(response, destination, description)
    finally:
        response.close()


async def _save_to_path(response: OpenResponse, path: str, description: str) -> int:
    handle, temporary = _create_temporary_beside(path)
    try:
        with os.fdopen(handle, "wb") as file:
            written = await _copy(response, file, description)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return written


def _create_temporary_beside(path: str) -> tuple[int, str]:
    """A new, empty file next to ``path``, open for writing: its descriptor and name.

    Created with mode 0666 like any file ``open()`` makes, so the kernel applies the
    process's umask: the finished download gets the permissions a new file would get,
    without reading the umask (``os.umask`` can only read it by setting it, and another
    thread's files would be created under the wrong mask meanwhile). ``O_EXCL`` makes the
    name ours alone, as ``mkstemp`` does, whose files are private (0600) instead.
    """
    folder, name = os.path.split(os.path.abspath(path))
    # The temporary name keeps a bounded start of the file's: a name near the file system's
    # limit must not overflow it once the dot, the random letters and ".part" are added.
    start = os.fsencode(name)[:_TEMPORARY_NAME_START].decode("utf-8", "ignore")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(_TEMPORARY_NAME_TRIES):
        temporary = os.path.join(folder, f".{start}.{secrets.token_hex(4)}.part")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path!r}")


async def _copy(response: OpenResponse, file: IO[bytes], description: str) -> int:
    written = 0
    while True:
        try:
            chunk = await response.content.read(CHUNK_SIZE)
        except TimeoutError as exc:
            raise ApiTimeoutError(f"{description}: timed out reading the download") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise ApiConnectionError(
                f"{description}: the connection broke after {written} bytes ({type(exc).__name__})"
            ) from exc
        if not chunk:
            return written
        # Disk writes go to a thread: a slow disk must not stall the event loop.
        await asyncio.to_thread(file.write, chunk)
        written += len(chunk)


#: Bytes of the file's name at the start of its temporary name.
_TEMPORARY_NAME_START = 100

#: Random names tried before giving up (each clash is a 1 in 4 billion chance).
_TEMPORARY_NAME_TRIES = 100


def _name_max(folder: str) -> int:
    """The longest file name (in bytes) the folder's file system takes (255 if unknown)."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # no pathconf on Windows
        return 255
