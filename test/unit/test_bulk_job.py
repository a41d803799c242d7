"""The progress journal of a bulk job: checkpoints made durable after their rows, at most
once per interval, and the last one kept when the job stops."""

from __future__ import annotations

import gc
import json
import os
import warnings
from pathlib import Path

import numpy as np
import pytest

from together.bulk import Checkpoint, OutputInUseError, ResumeError, SinkWriteError, open_job


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
