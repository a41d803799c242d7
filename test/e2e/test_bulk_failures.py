"""Bulk embedding when things go wrong: a full disk, a failed first batch, a changed input,
a torn output, a refused line, bad arguments, a missing extra (issue 8)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from bulk_support import MODEL, expected_rows, sentences, server_env, write_lines

from support import REPOSITORY, TOKEN, run_embed
from together.bulk import NpyWriter, embed_many
from together.generated import ApiClient, Configuration
from together.mock import FaultOptions, MockOptions, MockServer

ROW_BYTES = 768 * 4


# ------------------------------------------------------------------ 1: a sink that cannot write


async def test_a_full_disk_fails_the_job_at_once_naming_the_file(
    mock_server: MockServer, tmp_path: Path
) -> None:
    output = tmp_path / "vectors.npy"
    output.symlink_to("/dev/full")  # every write: ENOSPC, as on a full disk
    async with ApiClient(Configuration(host=mock_server.url, access_token=TOKEN)) as client:
        with pytest.raises(OSError) as caught:
            sink = NpyWriter(output)
            async with asyncio.timeout(30):
                await embed_many(client, sentences(5000), model=MODEL, batch_size=10, sink=sink)
    assert not isinstance(caught.value, TimeoutError)
    assert str(output) in str(caught.value) and "No space left" in str(caught.value)


class _FailsOnThirdWrite:
    """A sink whose disk fills up after two batches (while the reader waits for room)."""

    def __init__(self) -> None:
        self.rows = 0
        self.dimensions: int | None = None
        self.writes = 0

    def write(self, rows: np.ndarray) -> None:
        self.writes += 1
        if self.writes == 3:
            raise OSError(28, "No space left on device")
        self.rows += rows.shape[0]

    def close(self) -> None:
        pass


async def test_a_sink_failing_mid_job_stops_embed_many_at_once(mock_server: MockServer) -> None:
    sink = _FailsOnThirdWrite()
    async with ApiClient(Configuration(host=mock_server.url, access_token=TOKEN)) as client:
        with pytest.raises(OSError, match="No space left"):
            async with asyncio.timeout(30):
                await embed_many(
                    client, sentences(5000), model=MODEL, batch_size=10, concurrency=1, sink=sink
                )
    assert sink.rows == 20
    # the job stopped: far fewer requests than 500 batches
    assert mock_server.stats()["/v1/embeddings"]["200"] < 20


def _limit_file_size() -> None:  # runs in the child: files may not grow past 1 MiB
    resource.setrlimit(resource.RLIMIT_FSIZE, (2**20, 2**20))


def test_the_command_stops_with_one_message_when_the_disk_fills_mid_job(tmp_path: Path) -> None:
    source = write_lines(tmp_path / "texts.txt", sentences(5000))
    output = tmp_path / "vectors.npy"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "together.cli.embed",
            "--input",
            str(source),
            "--output",
            str(output),
        ],
        env={k: v for k, v in os.environ.items() if not k.startswith("TOGETHER_")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=REPOSITORY,
        preexec_fn=_limit_file_size,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"cannot write {output}: File too large" in done.stderr
    rows = np.load(output).shape[0]
    assert 0 < rows < 5000 and f"{rows:,} texts are in {output}" in done.stderr


def test_the_command_reports_a_full_disk_before_embedding(tmp_path: Path) -> None:
    output = tmp_path / "vectors.npy"
    output.symlink_to("/dev/full")
    done = run_embed("alpha", "beta", "--output", str(output), timeout=60)
    assert done.returncode != 0
    assert f"cannot write {output}: No space left on device" in done.stderr
    assert "Traceback" not in done.stderr


# ------------------------------------------------------------------ helpers: an interrupted job


async def interrupted_job(
    tmp_path: Path, texts: list[str], *, rows_before_failure: int, extra: tuple[str, ...] = ()
) -> tuple[Path, Path]:
    """Run together-embed over ``texts`` (batches of 10, one at a time) against a server that
    answers 503 for good after ``rows_before_failure`` rows: the state a failed run leaves."""
    source = write_lines(tmp_path / "texts.txt", texts)
    output = tmp_path / "vectors.npy"
    # the 503s: 1 try + 2 retries
    script: list[int | str | None] = [*[None] * (rows_before_failure // 10), *[503] * 3]
    options = MockOptions(api_key=TOKEN, faults=FaultOptions(script=script, retry_after=0.01))
    async with MockServer(options) as server:
        done = await asyncio.to_thread(
            run_embed,
            "--input", str(source), "--output", str(output),
            "--batch-size", "10", "--concurrency", "1", *extra,
            env=server_env(server),
        )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "to resume" in done.stderr
    assert np.load(output).shape == (rows_before_failure, 768)
    return source, output


def resume(source: Path, output: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_embed(
        "--input", str(source), "--output", str(output), "--batch-size", "10", *extra, timeout=60
    )


# ------------------------------------------------------------------ 2: failure before any row


async def test_a_job_that_failed_before_its_first_row_resumes(tmp_path: Path) -> None:
    texts = sentences(600)
    source = write_lines(tmp_path / "texts.txt", texts)
    output = tmp_path / "vectors.npy"
    args = ("--input", str(source), "--output", str(output), "--batch-size", "10")
    async with MockServer(MockOptions(api_key=TOKEN)) as server:
        env = server_env(server)
        refused = await asyncio.to_thread(
            run_embed, *args, env={**env, "TOGETHER_API_KEY": "wrong"}, timeout=60
        )
        assert refused.returncode == 1, refused.stderr
        again = await asyncio.to_thread(run_embed, *args, env=env, timeout=60)
    assert again.returncode == 0, again.stderr
    assert np.allclose(np.load(output), expected_rows(texts), atol=1e-6)
    assert "Traceback" not in refused.stderr
    assert "UnauthorizedException" in refused.stderr
    assert "check TOGETHER_API_KEY, then run the same command to resume" in refused.stderr


# ------------------------------------------------------------------ 3: a changed input


async def test_resume_refuses_an_input_that_changed(tmp_path: Path) -> None:
    texts = sentences(100)
    source, output = await interrupted_job(tmp_path, texts, rows_before_failure=20)
    changed = [*texts[:5], "a line edited since", *texts[6:]]
    write_lines(source, changed)
    refused = resume(source, output)
    assert refused.returncode == 2, refused.stderr
    assert "the first 20 texts of the input are not the ones" in refused.stderr
    assert "--restart" in refused.stderr
    assert np.load(output).shape == (20, 768)  # nothing mixed in
    restarted = resume(source, output, "--restart")
    assert restarted.returncode == 0, restarted.stderr
    assert np.allclose(np.load(output), expected_rows(changed), atol=1e-6)


async def test_resume_of_the_same_input_embeds_only_the_rest(tmp_path: Path) -> None:
    texts = sentences(100)
    source, output = await interrupted_job(tmp_path, texts, rows_before_failure=30)
    async with MockServer(MockOptions(api_key=TOKEN)) as server:
        done = await asyncio.to_thread(
            run_embed, "--input", str(source), "--output", str(output), "--batch-size", "10",
            env=server_env(server),
        )  # fmt: skip
        assert server.stats()["/v1/embeddings"] == {"200": 7}
    assert done.returncode == 0, done.stderr
    assert "resuming" in done.stderr and "after 30 texts" in done.stderr
    assert np.allclose(np.load(output), expected_rows(texts), atol=1e-6)
    assert not output.with_name("vectors.npy.progress.jsonl").exists()


async def test_resume_of_positional_texts_checks_them_too(tmp_path: Path) -> None:
    output = tmp_path / "v.jsonl"
    options = MockOptions(api_key=TOKEN, faults=FaultOptions(script=[None, 503, 503, 503]))
    async with MockServer(options) as server:
        env = server_env(server)
        first = await asyncio.to_thread(
            run_embed, "one", "two", "three", "--output", str(output), "--batch-size", "1",
            "--concurrency", "1", env=env,
        )  # fmt: skip
        assert first.returncode == 1, first.stderr
        other = await asyncio.to_thread(
            run_embed, "uno", "dos", "tres", "--output", str(output), env=env
        )
    assert other.returncode == 2, other.stderr
    assert "--restart" in other.stderr


async def test_resume_refuses_another_model(tmp_path: Path) -> None:
    source, output = await interrupted_job(tmp_path, sentences(50), rows_before_failure=20)
    refused = resume(source, output, "--model", "BAAI/bge-large-en-v1.5")
    assert refused.returncode == 2, refused.stderr
    assert "holds 20 rows of another job" in refused.stderr and "--restart" in refused.stderr
    assert np.load(output).shape == (20, 768)


async def test_restart_starts_over(tmp_path: Path) -> None:
    texts = sentences(50)
    source, output = await interrupted_job(tmp_path, texts, rows_before_failure=20)
    async with MockServer(MockOptions(api_key=TOKEN)) as server:
        done = await asyncio.to_thread(
            run_embed, "--input", str(source), "--output", str(output), "--batch-size", "10",
            "--restart", env=server_env(server),
        )  # fmt: skip
        assert server.stats()["/v1/embeddings"] == {"200": 5}  # all of it, again
    assert done.returncode == 0, done.stderr
    assert "resuming" not in done.stderr
    assert np.allclose(np.load(output), expected_rows(texts), atol=1e-6)


# ------------------------------------------------------------------ 5: a torn output


async def test_a_npy_shorter_than_its_header_resumes_from_its_last_complete_batch(
    tmp_path: Path,
) -> None:
    texts = sentences(60)
    source, output = await interrupted_job(tmp_path, texts, rows_before_failure=30)
    with output.open("r+b") as handle:  # a crash lost the last 1.5 rows the header counts
        handle.truncate(os.path.getsize(output) - ROW_BYTES * 3 // 2)
    done = resume(source, output)
    assert done.returncode == 0, done.stderr
    # back to a checkpoint (a batch boundary) that the cut file still holds completely
    said = re.search(r"after (\d+) texts", done.stderr)
    assert said is not None, done.stderr
    resumed_after = int(said.group(1))
    assert resumed_after in (10, 20), done.stderr
    written = np.load(output)
    assert not np.any(np.all(written == 0, axis=1))
    assert np.allclose(written, expected_rows(texts), atol=1e-6)


@pytest.mark.parametrize("suffix", [".npy", ".jsonl"])
async def test_a_torn_last_row_is_cut_off_on_resume(tmp_path: Path, suffix: str) -> None:
    texts = sentences(45)
    source = write_lines(tmp_path / "texts.txt", texts)
    output = tmp_path / f"vectors{suffix}"
    options = MockOptions(api_key=TOKEN, faults=FaultOptions(script=[None, None, 503, 503, 503]))
    async with MockServer(options) as server:
        first = await asyncio.to_thread(
            run_embed, "--input", str(source), "--output", str(output), "--batch-size", "10",
            "--concurrency", "1", env=server_env(server), timeout=60,
        )  # fmt: skip
    assert first.returncode == 1, first.stderr
    with output.open("ab") as handle:  # half a row, as a kill mid-write leaves
        handle.write(b"\x01" * (ROW_BYTES // 2) if suffix == ".npy" else b'{"index": 20, "emb')
    done = resume(source, output)
    assert done.returncode == 0, done.stderr
    if suffix == ".npy":
        written = np.load(output)
    else:
        lines = [json.loads(line) for line in output.read_text().splitlines()]
        assert [line["index"] for line in lines] == list(range(45))
        written = np.array([line["embedding"] for line in lines], dtype=np.float32)
    assert np.allclose(written, expected_rows(texts), atol=1e-6)


# ------------------------------------------------------------------ 6: a line the API refuses


def test_a_refused_line_is_named_and_can_be_skipped(tmp_path: Path) -> None:
    texts = sentences(100)
    texts[56] = "word " * 8000  # line 57: 40,000 characters, over the server's 32,000
    source = write_lines(tmp_path / "texts.txt", texts)
    output = tmp_path / "vectors.npy"
    stopped = resume(source, output)
    assert stopped.returncode == 1, stopped.stderr
    assert "line 57 was refused by the API" in stopped.stderr
    assert "--on-error skip" in stopped.stderr
    assert "Traceback" not in stopped.stderr
    assert np.load(output).shape[0] <= 56

    skipped = resume(source, output, "--on-error", "skip")
    assert skipped.returncode == 0, skipped.stderr
    written = np.load(output)
    assert written.shape == (100, 768)
    assert np.isnan(written[56]).all()
    others = [i for i in range(100) if i != 56]
    assert np.allclose(written[others], expected_rows([texts[i] for i in others]), atol=1e-6)
    listed = [
        json.loads(line) for line in Path(f"{output}.rejected.jsonl").read_text().splitlines()
    ]
    assert [(entry["line"], entry["status"]) for entry in listed] == [(57, 400)]


# ------------------------------------------------------------------ 4: row i is line i


def test_every_line_is_a_row(tmp_path: Path) -> None:
    source = tmp_path / "texts.txt"
    source.write_bytes(b"alpha\n\n   \nbefore\rafter\nwindows\r\nlast without newline")
    output = tmp_path / "vectors.npy"
    done = run_embed("--input", str(source), "--output", str(output), timeout=60)
    assert done.returncode == 0, done.stderr
    texts = ["alpha", "", "   ", "before\rafter", "windows", "last without newline"]
    assert np.allclose(np.load(output), expected_rows(texts), atol=1e-6)


# ------------------------------------------------------------------ 7: bad arguments


def _bad_arguments(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    good = write_lines(tmp_path / "texts.txt", sentences(3))
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes(b"fine\nalso fine\ncaf\xe9\n")
    same = write_lines(tmp_path / "texts.jsonl", sentences(3))
    out = str(tmp_path / "out.npy")
    inp = ["--input", str(good)]
    return {
        "batch size 0": ([*inp, "--output", out, "--batch-size", "0"], "--batch-size"),
        "batch size over the limit": ([*inp, "--output", out, "--batch-size", "513"], "512"),
        "batch size not a number": ([*inp, "--output", out, "--batch-size", "x"], "--batch-size"),
        "concurrency 0": ([*inp, "--output", out, "--concurrency", "0"], "--concurrency"),
        "missing input": (["--input", str(tmp_path / "nope.txt"), "--output", out], "nope.txt"),
        "not UTF-8": (["--input", str(latin1), "--output", out], "line 3: not UTF-8"),
        "no output folder": ([*inp, "--output", str(tmp_path / "no" / "out.npy")], "folder"),
        "unknown format": ([*inp, "--output", str(tmp_path / "out.csv")], "unknown output format"),
        "output is the input": (
            ["--input", str(same), "--output", str(same)],
            "is the input file",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "batch size 0",
        "batch size over the limit",
        "batch size not a number",
        "concurrency 0",
        "missing input",
        "not UTF-8",
        "no output folder",
        "unknown format",
        "output is the input",
    ],
)
def test_bad_arguments_get_one_line_and_no_files(tmp_path: Path, case: str) -> None:
    args, expected = _bad_arguments(tmp_path)[case]
    before = sorted(tmp_path.rglob("*"))
    done = run_embed(*args, timeout=60)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert expected in done.stderr and done.stderr.startswith("together-embed: error:")
    assert sorted(tmp_path.rglob("*")) == before
    assert (tmp_path / "texts.jsonl").read_text().splitlines() == sentences(3)


def test_a_damaged_progress_journal_is_one_line(tmp_path: Path) -> None:
    source = write_lines(tmp_path / "texts.txt", sentences(3))
    output = tmp_path / "out.npy"
    output.write_bytes(b"\x93NUMPY")
    for name in ("out.npy.progress.jsonl", "out.npy.progress.json"):  # this and the old name
        (tmp_path / name).write_text("{not json", encoding="utf-8")
    done = run_embed("--input", str(source), "--output", str(output), timeout=60)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "out.npy.progress.jsonl is damaged" in done.stderr and "--restart" in done.stderr
    assert output.read_bytes() == b"\x93NUMPY"  # left as it was


# ------------------------------------------------------------------ 8: a missing extra


def test_bulk_without_numpy_is_one_line(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['numpy'] = None; "  # import numpy now fails
        "from together.cli.embed import main; "
        f"sys.exit(main(['alpha', '--output', {str(tmp_path / 'v.npy')!r}]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={k: v for k, v in os.environ.items() if not k.startswith("TOGETHER_")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=REPOSITORY,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "needs numpy" in done.stderr and "pip install -e '.[numpy]'" in done.stderr
    assert not (tmp_path / "v.npy").exists()
