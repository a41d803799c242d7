"""File-system steps the bulk writers share: durable names, exclusive use, quiet closing."""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import IO, BinaryIO

from together.bulk.errors import OutputInUseError, SinkWriteError

__all__ = ["OutputLock", "SinkFile", "close_quietly", "sync_directory"]


def sync_directory(path: Path) -> None:
    """Make the names in ``path``'s folder durable (a rename, a new file): ``fsync`` of the
    folder, which is what makes a file's directory entry survive a crash."""
    folder = path.parent
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
    except OSError as exc:
        raise SinkWriteError(folder, exc) from exc


def close_quietly(handle: IO[bytes]) -> None:
    """Close a file that already failed: its unwritten buffer is lost either way, and the
    first error is the one to report."""
    with contextlib.suppress(OSError):
        handle.close()


class OutputLock:
    """Exclusive use of an output file while a job writes it (``flock``, released when the
    job ends or its process dies). The lock is on the output itself, which is written in
    place, never replaced -- unlike the journal, which is replaced by a rename."""

    def __init__(self, path: Path) -> None:
        self.path = path
        existed = path.exists()
        try:
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError as exc:
            raise SinkWriteError(path, exc) from exc
        self.created = not existed
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._fd)
            raise OutputInUseError(path) from None
        except OSError as exc:
            os.close(self._fd)
            raise SinkWriteError(path, exc) from exc
        self.size = os.fstat(self._fd).st_size

    def release(self, *, remove: bool = False) -> None:
        """Let another run use the output; ``remove`` deletes it first (a file this run
        created and never used)."""
        if self._fd < 0:
            return
        if remove:
            with contextlib.suppress(OSError):
                self.path.unlink()
        os.close(self._fd)
        self._fd = -1


class SinkFile:
    """What the file sinks share: the open file, making it durable, closing it."""

    path: Path
    _file: BinaryIO

    def sync(self) -> None:
        """Make the rows written so far durable (``fsync``)."""
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as exc:
            raise SinkWriteError(self.path, exc) from exc

    def close(self) -> None:
        if self._file.closed:
            return
        try:
            self._file.close()
        except OSError as exc:
            raise SinkWriteError(self.path, exc) from exc
