"""A real together-embed process interrupted (Ctrl-C, kill -9) mid-job, then resumed: the
final array must equal an uninterrupted run's and the vectors computed directly."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import numpy as np
import pytest
from bulk_support import expected_rows, sentences, server_env, write_lines

from support import REPOSITORY, TOKEN, run_embed
from together.mock import FaultOptions, MockOptions, MockServer

TEXTS = sentences(1500)
PROGRESS = re.compile(r"together-embed: ([\d,]+)/1,500 texts")


async def start_embed(server: MockServer, *args: str) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOGETHER_")}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "together.cli.embed", *args,
        env={**env, **server_env(server)},
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
        cwd=REPOSITORY,
    )  # fmt: skip


async def wait_for_progress(process: asyncio.subprocess.Process, rows: int) -> list[str]:
    """stderr lines until the progress report shows at least ``rows`` texts done."""
    assert process.stderr is not None
    seen: list[str] = []
    async with asyncio.timeout(60):
        while True:
            line = (await process.stderr.readline()).decode()
            assert line, "together-embed ended before the interruption: " + "".join(seen)
            seen.append(line)
            match = PROGRESS.search(line)
            if match and int(match.group(1).replace(",", "")) >= rows:
                return seen


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL])
async def test_an_interrupted_job_resumes_to_the_same_array(
    tmp_path: Path, how: signal.Signals
) -> None:
    source = write_lines(tmp_path / "texts.txt", TEXTS)
    output = tmp_path / "vectors.npy"
    reference = tmp_path / "reference.npy"
    args = ("--input", str(source), "--batch-size", "10", "--concurrency", "2")
    # Slow answers so the job is still running when it is interrupted.
    options = MockOptions(api_key=TOKEN, faults=FaultOptions(latency_ms=15))
    async with MockServer(options) as server:
        process = await start_embed(
            server, *args, "--output", str(output), "--progress-every", "0.05"
        )
        await wait_for_progress(process, 200)
        process.send_signal(how)
        assert process.stderr is not None
        async with asyncio.timeout(60):
            rest = (await process.stderr.read()).decode()
            code = await process.wait()
        if how == signal.SIGINT:
            assert code == 130, rest
            assert "interrupted" in rest and "run the same command to resume" in rest
            assert "Traceback" not in rest
        else:
            assert code == -signal.SIGKILL
        written_before = np.load(output).shape[0]
        assert 200 <= written_before < 1500

        env = server_env(server)
        resumed = await asyncio.to_thread(run_embed, *args, "--output", str(output), env=env)
        uninterrupted = await asyncio.to_thread(
            run_embed, *args, "--output", str(reference), env=env
        )
    assert resumed.returncode == 0, resumed.stderr
    match = re.search(r"resuming .* after ([\d,]+) texts", resumed.stderr)
    assert match, resumed.stderr
    assert 0 < int(match.group(1).replace(",", "")) <= written_before
    assert uninterrupted.returncode == 0, uninterrupted.stderr
    final = np.load(output)
    assert np.array_equal(final, np.load(reference))
    assert np.allclose(final, expected_rows(TEXTS), atol=1e-6)
    assert not Path(f"{output}.progress.jsonl").exists()
