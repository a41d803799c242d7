"""The file-system steps of bulk jobs: the output's lock, durable names, and the errors that
name the file at fault."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from multidict import CIMultiDict

from together.bulk import InputRejectedError, OutputInUseError, SinkWriteError
from together.bulk.files import OutputLock, sync_directory
from together.generated.exceptions import BadRequestException


def test_the_lock_is_exclusive_until_released(tmp_path: Path) -> None:
    path = tmp_path / "v.npy"
    first = OutputLock(path)
    assert first.created and first.size == 0
    with pytest.raises(OutputInUseError) as caught:
        OutputLock(path)
    assert caught.value.path == path
    assert str(caught.value) == f"{path} is in use by another run; wait for it to end, or stop it"
    first.release()
    first.release()  # twice is once
    second = OutputLock(path)
    assert not second.created  # it was there already
    second.release()
    assert path.exists()


def test_a_lock_sees_the_size_of_what_it_locks(tmp_path: Path) -> None:
    path = tmp_path / "v.npy"
    path.write_bytes(b"12345")
    lock = OutputLock(path)
    assert (lock.created, lock.size) == (False, 5)
    lock.release(remove=True)
    assert not path.exists()


def test_releasing_with_remove_deletes_only_while_held(tmp_path: Path) -> None:
    path = tmp_path / "v.npy"
    lock = OutputLock(path)
    lock.release()
    lock.release(remove=True)  # released already: the file is no longer this run's
    assert path.exists()
    lock = OutputLock(path)
    path.unlink()
    lock.release(remove=True)  # gone already: nothing to report
    assert not path.exists()


def test_a_lock_that_cannot_be_taken_is_named(tmp_path: Path) -> None:
    path = tmp_path / "no" / "v.npy"
    with pytest.raises(SinkWriteError) as caught:
        OutputLock(path)
    assert str(caught.value) == f"cannot write {path}: No such file or directory"
    assert caught.value.errno == errno.ENOENT and caught.value.filename == str(path)


def test_syncing_a_folder_that_is_gone_names_it(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    with pytest.raises(SinkWriteError) as caught:
        sync_directory(folder / "v.npy")
    assert str(caught.value) == f"cannot write {folder}: No such file or directory"
    sync_directory(tmp_path / "v.npy")  # an existing folder: fine


def test_a_write_error_names_the_file_and_keeps_the_cause() -> None:
    path = Path("/data/v.npy")
    full = SinkWriteError(path, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    assert str(full) == "cannot write /data/v.npy: No space left on device"
    assert (full.errno, full.filename) == (errno.ENOSPC, "/data/v.npy")
    # a cause without errno or strerror: its text, or at least its type, and EIO
    bare = SinkWriteError(path, OSError("disk gone"))
    assert (str(bare), bare.errno) == ("cannot write /data/v.npy: disk gone", errno.EIO)
    nothing = SinkWriteError(path, BlockingIOError())
    assert str(nothing) == "cannot write /data/v.npy: BlockingIOError"


def test_a_refused_text_names_its_index_and_the_answer() -> None:
    answer = BadRequestException(400, "Bad Request", body=b"{}", headers=CIMultiDict())
    refused = InputRejectedError(56, answer)
    assert (refused.index, refused.cause) == (56, answer)
    assert str(refused) == f"text 56 was refused: BadRequestException {answer}"
