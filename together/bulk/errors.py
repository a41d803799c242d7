"""What can stop a bulk job, each as its own exception type."""

from __future__ import annotations

import errno
from pathlib import Path

from together.generated import ApiException

__all__ = ["InputRejectedError", "OutputInUseError", "ResumeError", "SinkWriteError"]


class SinkWriteError(OSError):
    """The output file could not be written (disk full, read-only file system, ...).

    ``str()`` names the file and the cause; ``filename`` is the file, ``errno`` the OS error.
    """

    def __init__(self, path: Path, cause: OSError) -> None:
        reason = cause.strerror or str(cause) or type(cause).__name__
        super().__init__(cause.errno or errno.EIO, f"cannot write {path}: {reason}", str(path))

    def __str__(self) -> str:
        return str(self.strerror)


class InputRejectedError(Exception):
    """The API refused one input for good (a 4xx that retrying cannot change).

    ``index`` is the position of the text in the input (0-based; row ``index`` of the
    output), ``cause`` the API's answer.
    """

    def __init__(self, index: int, cause: ApiException) -> None:
        self.index = index
        self.cause = cause
        super().__init__(f"text {index} was refused: {describe_api_error(cause)}")


class ResumeError(ValueError):
    """An interrupted job cannot be resumed as asked (different input, job or a damaged file)."""


class OutputInUseError(Exception):
    """Another run (of this program or another process) is writing the same output now."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path} is in use by another run; wait for it to end, or stop it")


def describe_api_error(error: ApiException) -> str:
    """``BadRequestException (400): input.0: too long`` -- the class, status and message."""
    return f"{type(error).__name__} {error}"
