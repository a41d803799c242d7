"""The console scripts: together-embed (the README's main job) and together-mock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import REPOSITORY, TOKEN, run_embed
from together.cli.embed import cosine, format_report
from together.mock import MockServer


def test_offline_main_job_uses_the_local_server() -> None:
    done = run_embed("The cat sat on the mat", "A cat sat on a mat", "Stock markets fell")
    assert done.returncode == 0, done.stderr
    assert "TOGETHER_API_KEY is not set: using the local mock server" in done.stderr
    assert "not a neural model" in done.stderr
    lines = done.stdout.splitlines()
    assert lines[:3] == ["model: BAAI/bge-base-en-v1.5", "count: 3", "dimensions: 768"]
    assert "cosine similarity:" in done.stdout


def test_json_lines_from_a_file(tmp_path: Path) -> None:
    texts = tmp_path / "texts.txt"
    texts.write_text("first line\n\nsecond line\n", encoding="utf-8")
    done = run_embed("--file", str(texts), "--json", "--model", "BAAI/bge-large-en-v1.5")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["text"] for r in rows] == ["first line", "", "second line"]  # as --output reads it
    assert {len(r["embedding"]) for r in rows} == {1024}


def test_texts_from_stdin() -> None:
    done = run_embed("--json", stdin="alpha\nbeta\n")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 2


def test_no_texts_is_a_usage_error() -> None:
    done = run_embed(stdin="")
    assert done.returncode == 2
    assert "no texts given" in done.stderr


async def test_with_a_key_it_calls_the_configured_host(mock_server: MockServer) -> None:
    import asyncio

    env = {"TOGETHER_API_KEY": TOKEN, "TOGETHER_BASE_URL": mock_server.url}
    done = await asyncio.to_thread(run_embed, "hello", "world", env=env)
    assert done.returncode == 0, done.stderr
    assert "mock server" not in done.stderr  # it used the given host, as for the real API
    assert mock_server.stats()["/v1/embeddings"] == {"200": 1}
    # The wrong key holds letters no hex request id has, so its absence is the key's, not chance's
    # ("bad" once appeared inside the echoed request id).
    wrong_key = "tk-wrong-key-zq"
    wrong = await asyncio.to_thread(run_embed, "hello", env={**env, "TOGETHER_API_KEY": wrong_key})
    assert wrong.returncode == 1
    assert "UnauthorizedException" in wrong.stderr and wrong_key not in wrong.stderr


def test_report_formatting() -> None:
    report = format_report("m", ["a", "b"], [[1.0, 0.0], [0.0, 1.0]])
    assert "  [0]   1.000   0.000" in report
    assert cosine([3.0, 4.0], [3.0, 4.0]) == pytest.approx(1.0)
    assert cosine([0.0], [0.0]) == 0.0


def test_together_mock_picks_a_free_port_and_prints_its_url() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "together.mock", "--port", "0", "--fail-rate", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPOSITORY,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("together-mock listening on http://127.0.0.1:")
        assert line.rstrip().endswith("/v1")
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_together_mock_rejects_bad_options() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "together.mock", "--fail-rate", "2"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        cwd=REPOSITORY,
    )
    assert done.returncode == 2
    assert "fail_rate" in done.stderr


def test_an_unreadable_input_is_one_line(tmp_path: Path) -> None:
    missing = run_embed("--input", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        f"together-embed: error: cannot read {tmp_path / 'nope.txt'}: No such file or directory"
    ]
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes(b"caf\xe9\n")
    undecodable = run_embed("--input", str(latin1))
    assert undecodable.returncode == 2
    assert len(undecodable.stderr.strip().splitlines()) == 1
    assert "not UTF-8" in undecodable.stderr


def test_bad_option_values_are_one_line() -> None:
    done = run_embed("a", "--output", "x.npy", "--concurrency", "many")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "together-embed: error: argument --concurrency: invalid int value: 'many' (see --help)"
    ]


def test_bulk_standard_input_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    output = tmp_path / "v.npy"
    done = subprocess.run(
        [sys.executable, "-m", "together.cli.embed", "--output", str(output)],
        input=b"fine\ncaf\xe9\n",
        capture_output=True,
        timeout=60,
        check=False,
        cwd=REPOSITORY,
        env={k: v for k, v in os.environ.items() if not k.startswith("TOGETHER_")},
    )
    stderr = done.stderr.decode()
    assert done.returncode == 2, stderr
    assert "standard input, line 2: not UTF-8" in stderr
    assert "Traceback" not in stderr
