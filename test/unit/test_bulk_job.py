"""The progress journal of a bulk job: checkpoints made durable after their rows, at most
once per interval, and the last one kept when the job stops."""

from __future__ import annotations

import errno
import fcntl
import gc
import io
import json
import os
import warnings
from pathlib import Path

import numpy as np
import pytest
from multidict import CIMultiDict

from together.bulk import (
    Checkpoint,
    InputRejectedError,
    NpyWriter,
    OutputInUseError,
    ResumeError,
    SinkWriteError,
    open_job,
)
from together.bulk.files import OutputLock, sync_directory
from together.bulk.journal import ProgressJournal
from together.generated.exceptions import BadRequestException


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def journal_rows(output: Path) -> list[int]:
    lines = Path(f"{output}.progress.jsonl").read_text().splitlines()
    return [json.loads(line)["rows"] for line in lines[1:]]


def test_checkpoints_are_throttled_and_the_last_is_kept_on_close(tmp_path: Path) -> None:
    output = tmp_path / "v.npy"
    job = open_job(output, {"model": "m"})
    clock = Clock()
    job.clock, job.sync_interval = clock, 1.0
    synced: list[tuple[int, int]] = []  # (rows fsynced, the journal's last checkpoint then)
    sync = job.sink.sync

    def record_sync() -> None:
        synced.append((job.sink.rows, journal_rows(output)[-1]))
        sync()

    job.sink.sync = record_sync  # type: ignore[method-assign]
    for batch in range(1, 6):
        job.sink.write(np.ones((2, 3), dtype=np.float32))
        job.checkpoint(Checkpoint(2 * batch, f"digest {batch}"))
        clock.now += 0.4
    assert journal_rows(output) == [0, 2, 8]  # t=0 and t=1.2; rows 10 not yet durable
    assert synced == [(2, 0), (8, 2)]  # rows fsynced before the checkpoint vouching for them
    job.close()
    assert journal_rows(output) == [0, 2, 8, 10]
    assert synced == [(2, 0), (8, 2), (10, 8)]

    again = open_job(output, {"model": "m"})
    assert again.resumed and again.start == Checkpoint(10, "digest 5")
    again.close()


def test_resume_keeps_only_rows_a_checkpoint_vouches_for(tmp_path: Path) -> None:
    output = tmp_path / "v.npy"
    job = open_job(output, {"model": "m"})
    job.sink.write(np.ones((4, 3), dtype=np.float32))
    job.checkpoint(Checkpoint(4, "four"))
    job.sink.write(np.ones((3, 3), dtype=np.float32))  # written, never vouched for
    job.sink.close()
    job.journal.close()
    job.lock.release()  # the process died: its lock goes with it
    again = open_job(output, {"model": "m"})
    assert again.start == Checkpoint(4, "four") and again.sink.rows == 4
    again.close()
    assert np.load(output).shape == (4, 3)


# ------------------------------------------------ review-1 items 3, 2, 13, 14: the job's files


def _record_fsyncs_and_unlinks(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    events: list[tuple[str, str]] = []
    real_fsync, real_unlink = os.fsync, Path.unlink

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def unlink(self: Path, missing_ok: bool = False) -> None:
        events.append(("unlink", str(self)))
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(Path, "unlink", unlink)
    return events


def test_finish_makes_rows_and_folder_durable_before_removing_the_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "v.npy"
    job = open_job(output, {"model": "m"})
    job.sink.write(np.ones((3, 2), dtype=np.float32))  # no checkpoint since: not yet durable
    events = _record_fsyncs_and_unlinks(monkeypatch)
    job.finish()
    removed = events.index(("unlink", f"{output}.progress.jsonl"))
    assert ("fsync", str(output)) in events[:removed]
    assert ("fsync", str(tmp_path)) in events[:removed]  # the output's directory entry
    assert np.load(output).shape == (3, 2)


def test_a_new_journal_is_made_durable_in_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = _record_fsyncs_and_unlinks(monkeypatch)
    job = open_job(tmp_path / "v.npy", {"model": "m"})
    job.close()
    assert ("fsync", str(tmp_path)) in events  # after the rename: the journal's name is durable


def test_a_second_run_on_the_same_output_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    output = tmp_path / "v.npy"
    first = open_job(output, {"model": "m"})
    first.sink.write(np.ones((2, 3), dtype=np.float32))
    for restart in (False, True):
        with pytest.raises(OutputInUseError, match=f"{output} is in use by another"):
            open_job(output, {"model": "m"}, restart=restart)
    first.sink.write(np.full((1, 3), 3, dtype=np.float32))
    first.finish()
    assert np.load(output).tolist() == [[1, 1, 1], [1, 1, 1], [3, 3, 3]]
    again = open_job(output, {"model": "m"}, restart=True)  # the lock went with the first run
    again.close()


def test_a_failed_open_leaves_no_journal_and_no_open_file(tmp_path: Path) -> None:
    output = tmp_path / "v.npy"
    output.mkdir()  # the output cannot be opened (stands for EACCES or a read-only disk)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(SinkWriteError):
            open_job(output, {"model": "m"})
        output.rmdir()
        Path(f"{output}.progress.jsonl.tmp").mkdir()  # now the journal cannot be written
        with pytest.raises(SinkWriteError):
            open_job(output, {"model": "m"})
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.npy.progress.jsonl.tmp"]


def test_a_failed_resume_closes_the_output(tmp_path: Path) -> None:
    output = tmp_path / "v.npy"
    job = open_job(output, {"model": "m"})
    job.sink.write(np.ones((2, 3), dtype=np.float32))
    job.checkpoint(Checkpoint(2, "two"))
    job.close()
    Path(f"{output}.progress.jsonl.tmp").mkdir()  # the new journal cannot be written
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(SinkWriteError):
            open_job(output, {"model": "m"})
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert np.load(output).shape == (2, 3)


@pytest.mark.parametrize("suffix", [".npy", ".jsonl"])
def test_a_finished_output_is_not_overwritten_without_restart(tmp_path: Path, suffix: str) -> None:
    output = tmp_path / f"v{suffix}"
    with open_job(output, {"model": "m"}) as job:
        job.sink.write(np.ones((4, 3), dtype=np.float32))
    before = output.read_bytes()
    with pytest.raises(ResumeError, match="no progress journal"):
        open_job(output, {"model": "m"})
    assert output.read_bytes() == before
    assert not Path(f"{output}.progress.jsonl").exists()
    with open_job(output, {"model": "m"}, restart=True) as job:  # --restart overwrites
        job.sink.write(np.ones((1, 3), dtype=np.float32))
    assert output.stat().st_size < len(before)


# ------------------------------------------------ what the journal and the job say when they fail


class _FailingHandle(io.BytesIO):
    """A journal file on a disk that fails: writes (ENOSPC) or the deferred error at close (EIO,
    as NFS reports it)."""

    def __init__(self, *, fail_write: bool = False, fail_close: bool = False) -> None:
        super().__init__()
        self.fail_write, self.fail_close = fail_write, fail_close

    def write(self, data: object) -> int:
        if self.fail_write:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(data)  # type: ignore[arg-type]

    def close(self) -> None:
        if self.fail_close and not self.closed:
            super().close()
            raise OSError(errno.EIO, "Input/output error")
        super().close()


def test_a_checkpoint_that_cannot_be_written_names_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "v.npy.progress.jsonl"
    journal = ProgressJournal(path, _FailingHandle(fail_write=True))
    with pytest.raises(SinkWriteError) as caught:
        journal.append(Checkpoint(3, "three"))
    assert str(caught.value) == f"cannot write {path}: No space left on device"
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(path)


def test_a_journal_that_fails_at_close_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "v.npy.progress.jsonl"
    for end in (ProgressJournal.close, ProgressJournal.remove):
        journal = ProgressJournal(path, _FailingHandle(fail_close=True))
        with pytest.raises(SinkWriteError) as caught:
            end(journal)
        assert str(caught.value) == f"cannot write {path}: Input/output error"
        journal.close()  # closed once is closed: nothing more to report


def test_removing_a_journal_already_gone_is_fine_and_a_folder_in_its_place_is_named(
    tmp_path: Path,
) -> None:
    output = tmp_path / "v.npy"
    job = open_job(output, {"model": "m"})
    Path(f"{output}.progress.jsonl").unlink()
    job.finish()  # nothing to remove: done all the same
    assert np.load(output).shape == (0, 0)
    path = tmp_path / "w.npy.progress.jsonl"
    path.mkdir()
    (path / "inside").touch()
    journal = ProgressJournal(path, io.BytesIO())
    with pytest.raises(SinkWriteError) as caught:
        journal.remove()
    assert str(caught.value) == f"cannot write {path}: Is a directory"


def test_a_journal_that_cannot_be_made_is_named(tmp_path: Path) -> None:
    output = tmp_path / "v.npy"
    Path(f"{output}.progress.jsonl.tmp").mkdir()
    with pytest.raises(SinkWriteError) as caught:
        open_job(output, {"model": "m"})
    assert str(caught.value) == f"cannot write {output}.progress.jsonl: Is a directory"


@pytest.mark.parametrize(
    ("content", "damage"),
    [
        (b"{not json\n", "JSONDecodeError: "),
        (b'{"rows": 2, "sha256": "x"}\n', "KeyError: 'job'"),
        (b'{"job": {"model": "m"}}\n{"rows": "many", "sha256": "x"}\n', "ValueError: "),
        (b'{"job": {"model": "m"}}\n{"sha256": "x"}\n', "KeyError: 'rows'"),
        (b"", "IndexError: "),
    ],
)
def test_a_damaged_journal_says_what_is_wrong(tmp_path: Path, content: bytes, damage: str) -> None:
    path = tmp_path / "v.npy.progress.jsonl"
    path.write_bytes(content)
    with pytest.raises(ResumeError) as caught:
        ProgressJournal.read(path)
    said = str(caught.value)
    assert said.startswith(f"{path} is damaged ({damage}")
    assert said.endswith("); it is not a progress journal of together-embed")


@pytest.mark.parametrize(
    "content",
    [
        b'{"job": ["m"]}\n{"rows": 2, "sha256": "x"}\n',  # a job that is not an object
        b'{"job": {"model": "m"}}\n{"rows": -2, "sha256": "x"}\n',  # a negative row count
    ],
)
def test_a_journal_of_the_right_shape_with_wrong_values_is_damaged(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "v.npy.progress.jsonl"
    path.write_bytes(content)
    with pytest.raises(ResumeError) as caught:
        ProgressJournal.read(path)
    assert str(caught.value) == f"{path} is damaged; it is not a progress journal of together-embed"


def test_a_journal_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    path = tmp_path / "v.npy.progress.jsonl"
    path.mkdir()
    with pytest.raises(ResumeError) as caught:
        ProgressJournal.read(path)
    assert str(caught.value) == f"cannot read {path}: Is a directory"


@pytest.mark.parametrize("model", ["m", "another"])
def test_a_journal_cut_short_after_its_job_line_starts_over(tmp_path: Path, model: str) -> None:
    # kill -9 while the first checkpoint was appended: the job line and a torn line
    output = tmp_path / "v.npy"
    with open_job(output, {"model": "m"}) as job:
        job.sink.write(np.ones((2, 3), dtype=np.float32))
    Path(f"{output}.progress.jsonl").write_bytes(b'{"job": {"model": "m"}}\n{"rows": 2, "sh')
    again = open_job(output, {"model": model})
    assert again.start.rows == 0 and again.sink.rows == 0
    again.close()


def test_another_job_is_refused_naming_every_setting_that_changed(tmp_path: Path) -> None:
    output = tmp_path / "v.npy"
    first = {"version": 1, "model": "a", "dims": 8}
    job = open_job(output, first)
    job.sink.write(np.ones((3, 2), dtype=np.float32))
    job.checkpoint(Checkpoint(3, "three"))
    job.close()
    with pytest.raises(ResumeError) as caught:
        open_job(output, {"version": 1, "model": "b", "extra": True})
    assert str(caught.value) == (
        f"{output} holds 3 rows of another job "
        "(dims 8, now None, extra None, now True, model 'a', now 'b')"
    )
    assert np.load(output).shape == (3, 2)
    again = open_job(output, first)
    assert again.start.rows == 3  # still resumable as it was
    again.close()


def test_a_finished_output_is_refused_in_words(tmp_path: Path) -> None:
    output = tmp_path / "v.npy"
    output.write_bytes(b"something")
    with pytest.raises(ResumeError) as caught:
        open_job(output, {"model": "m"})
    assert str(caught.value) == (
        f"{output} already exists and has no progress journal (a finished job's output, or "
        "another file): it is not overwritten"
    )


def test_close_after_a_disk_failure_keeps_the_last_durable_checkpoint(tmp_path: Path) -> None:
    output = tmp_path / "v.npy"
    job = open_job(output, {"model": "m"})
    job.clock = Clock()
    job.sink.write(np.ones((2, 3), dtype=np.float32))
    job.checkpoint(Checkpoint(2, "two"))  # durable at once (the first)
    job.sink.write(np.ones((2, 3), dtype=np.float32))
    job.checkpoint(Checkpoint(4, "four"))  # pending: less than a second later
    job.journal._file.close()
    job.journal._file = _FailingHandle(fail_write=True)
    job.close()  # the disk failed: closing still closes, quietly
    assert isinstance(job.sink, NpyWriter) and job.sink._file.closed
    again = open_job(output, {"model": "m"})
    assert again.start == Checkpoint(2, "two") and np.load(output).shape == (2, 3)
    again.close()


def test_a_failed_open_reports_its_first_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "v.npy"
    Path(f"{output}.progress.jsonl.tmp").mkdir()  # the journal cannot be made...

    def close(self: NpyWriter) -> None:  # ...and the output's close fails too
        self._file.close()
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(NpyWriter, "close", close)
    with pytest.raises(SinkWriteError) as caught:
        open_job(output, {"model": "m"})
    assert str(caught.value) == f"cannot write {output}.progress.jsonl: Is a directory"
    assert not output.exists()


# ------------------------------------------------ the output lock, folder sync, errors naming the file


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


def test_a_lock_the_file_system_refuses_is_named_and_leaves_nothing_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # not "in use" (another run): a file system without locks, say
    def no_locks(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    path = tmp_path / "v.npy"
    open_before = len(os.listdir("/proc/self/fd"))
    with pytest.raises(SinkWriteError) as caught:
        OutputLock(path)
    assert str(caught.value) == f"cannot write {path}: No locks available"
    assert (caught.value.errno, caught.value.filename) == (errno.ENOLCK, str(path))
    assert len(os.listdir("/proc/self/fd")) == open_before


def test_an_output_the_lock_creates_is_not_executable(tmp_path: Path) -> None:
    # made as any data file is (0o666 less the umask), as open() would make it
    previous = os.umask(0o022)
    try:
        lock = OutputLock(tmp_path / "v.npy")
    finally:
        os.umask(previous)
    lock.release()
    assert (tmp_path / "v.npy").stat().st_mode & 0o777 == 0o644


def test_syncing_a_folder_that_is_gone_names_it(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    with pytest.raises(SinkWriteError) as caught:
        sync_directory(folder / "v.npy")
    assert str(caught.value) == f"cannot write {folder}: No such file or directory"
    sync_directory(tmp_path / "v.npy")  # an existing folder: fine


def test_syncing_a_folder_that_is_a_file_names_it(tmp_path: Path) -> None:
    # a folder's names are what is made durable: a file in its place is an error, not an fsync
    not_a_folder = tmp_path / "file"
    not_a_folder.write_bytes(b"x")
    with pytest.raises(SinkWriteError) as caught:
        sync_directory(not_a_folder / "v.npy")
    assert str(caught.value) == f"cannot write {not_a_folder}: Not a directory"
    assert caught.value.errno == errno.ENOTDIR


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


def test_finish_inside_the_with_block_is_not_done_twice(tmp_path: Path) -> None:
    # The docstring tells users to call finish() when embed_many returns; doing it inside
    # `with open_job(...)` must not fail when the block's exit finishes again.
    output = tmp_path / "v.npy"
    with open_job(output, {"model": "m"}) as job:
        job.sink.write(np.ones((2, 3), dtype=np.float32))
        job.finish()
    assert np.load(output).shape == (2, 3)
    assert not Path(f"{output}.progress.jsonl").exists()
    job.close()  # closing a finished job changes nothing
    assert np.load(output).shape == (2, 3)
    with open_job(output, {"model": "m"}, restart=True) as again:  # the lock was released
        again.sink.write(np.ones((1, 3), dtype=np.float32))
    assert np.load(output).shape == (1, 3)


def test_a_closed_job_cannot_be_finished(tmp_path: Path) -> None:
    # close() keeps the journal for a resume; a finish() after it would claim a job done
    # that is not, so it is refused in words, and the journal stays.
    output = tmp_path / "v.jsonl"
    job = open_job(output, {"model": "m"})
    job.close()
    job.close()  # a second close is harmless
    with pytest.raises(ValueError, match="closed unfinished"):
        job.finish()
    assert Path(f"{output}.progress.jsonl").exists()
