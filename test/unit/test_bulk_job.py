"""The progress journal of a bulk job: checkpoints made durable after their rows, at most
once per interval, and the last one kept when the job stops."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from together.bulk import Checkpoint, open_job


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
    again = open_job(output, {"model": "m"})
    assert again.start == Checkpoint(4, "four") and again.sink.rows == 4
    again.close()
    assert np.load(output).shape == (4, 3)
