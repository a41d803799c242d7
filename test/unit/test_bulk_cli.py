"""together-embed --output, run in-process for what is decided before anything is sent."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import numpy as np
import pytest

import together.cli.embed
from together.bulk import open_job
from together.cli.bulk import run_bulk
from together.cli.embed import build_parser, read_texts
from together.cli.lines import InputDecodeError, file_lines


def run(monkeypatch: pytest.MonkeyPatch, *argv: str) -> tuple[int, str]:
    monkeypatch.setenv("TOGETHER_API_KEY", "k")
    monkeypatch.setenv("TOGETHER_BASE_URL", "https://127.0.0.1:9/v1")  # never reached
    stderr = io.StringIO()
    code = run_bulk(build_parser().parse_args(list(argv)), io.StringIO(), stderr)
    return code, stderr.getvalue()


def test_a_second_run_on_a_busy_output_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "v.npy"
    running = open_job(output, {"version": 1, "model": "BAAI/bge-base-en-v1.5"})
    running.sink.write(np.ones((2, 3), dtype=np.float32))
    code, said = run(monkeypatch, "alpha", "--output", str(output))
    running.finish()
    assert code == 2
    assert (
        said
        == f"together-embed: error: {output} is in use by another run; wait for it to end, or stop it\n"
    )
    assert np.load(output).shape == (2, 3)


def test_a_finished_output_is_refused_without_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "v.npy"
    np.save(output, np.ones((5, 3), dtype=np.float32))
    code, said = run(monkeypatch, "alpha", "--output", str(output))
    assert code == 2
    assert "has no progress journal" in said and "--restart" in said
    assert said.count("\n") == 1
    assert np.load(output).shape == (5, 3)


def test_both_modes_split_lines_the_same_way(tmp_path: Path) -> None:
    # review-1 item 21: line n is text n, with or without --output (lines end at \n only).
    raw = b"alpha\r beta\xe2\x80\xa8gamma\n\n   \nwindows\r\nlast"
    expected = ["alpha\r beta\u2028gamma", "", "   ", "windows", "last"]
    source = tmp_path / "texts.txt"
    source.write_bytes(raw)
    assert list(file_lines(source)) == expected  # what bulk mode embeds
    from_file = build_parser().parse_args(["--input", str(source)])
    assert read_texts(from_file, io.TextIOWrapper(io.BytesIO(b""))) == expected
    from_stdin = build_parser().parse_args([])
    assert read_texts(from_stdin, io.TextIOWrapper(io.BytesIO(raw))) == expected


def test_the_main_job_names_a_line_that_is_not_utf8(tmp_path: Path) -> None:
    source = tmp_path / "texts.txt"
    source.write_bytes(b"fine\nbad \xff\n")
    with pytest.raises(InputDecodeError, match="line 2"):
        read_texts(build_parser().parse_args(["--input", str(source)]), io.StringIO())


def test_bulk_mode_reports_on_the_stderr_it_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    given: list[object] = []

    @asynccontextmanager
    async def api_host(stream: object) -> AsyncIterator[tuple[str, str]]:
        given.append(stream)
        raise KeyboardInterrupt  # stop there: nothing is sent
        yield "", ""  # pragma: no cover

    monkeypatch.setattr(together.cli.embed, "api_host", api_host)
    monkeypatch.setenv("TOGETHER_API_KEY", "k")
    stderr = io.StringIO()
    args = build_parser().parse_args(["alpha", "--output", str(tmp_path / "v.npy")])
    assert run_bulk(args, io.StringIO(), stderr) == 130
    assert given == [stderr]
