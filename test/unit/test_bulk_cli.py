"""together-embed --output, run in-process for what is decided before anything is sent."""

from __future__ import annotations

import errno
import importlib.util
import io
import json
import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from bulk_support import MODEL, Stdin, expected_rows, threaded_server
from multidict import CIMultiDict

import together.cli.embed
from support import TOKEN
from together.bulk import Rejected, SinkWriteError, open_job
from together.cli.bulk import run_bulk
from together.cli.embed import build_parser, cosine, format_report, main, read_texts
from together.cli.lines import InputDecodeError, file_lines, lines_of
from together.cli.rejected import RejectedLog
from together.generated.exceptions import BadRequestException
from together.mock import FaultOptions, MockOptions

OTHER_MODEL = "BAAI/bge-large-en-v1.5"


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


# ------------------------------------------------ the main job (no --output), in this process


def main_job(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *argv: str,
    stdin: Stdin | None = None,
    env: dict[str, str] | None = None,
) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of ``together-embed ARGV``."""
    monkeypatch.delenv("TOGETHER_API_KEY", raising=False)
    monkeypatch.delenv("TOGETHER_BASE_URL", raising=False)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "stdin", stdin if stdin is not None else Stdin(tty=True))
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_main_job_prints_the_similarities_of_the_texts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = main_job(monkeypatch, capsys, "a cat", "a cat", "")
    assert code == 0, err
    assert err.startswith(
        "TOGETHER_API_KEY is not set: using the local mock server at http://127.0.0.1:"
    )
    assert err.endswith("/v1 (deterministic stand-in vectors, not a neural model).\n")
    lines = out.splitlines()
    assert lines[:8] == [
        "model: BAAI/bge-base-en-v1.5",
        "count: 3",
        "dimensions: 768",
        "",
        "[0] a cat",
        "[1] a cat",
        "[2] ",
        "",
    ]
    assert lines[8:10] == ["cosine similarity:", "          [0]     [1]     [2]"]
    same = lines[10].split()
    assert lines[10].startswith("  [0]   1.000   1.000 ") and same[0] == "[0]"
    assert lines[11].startswith("  [1]   1.000   1.000 ")
    assert len(lines) == 13


def test_the_main_job_as_json_lines_from_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "texts.txt"
    source.write_bytes(b"first\n\nthird\r\n")
    code, out, _ = main_job(
        monkeypatch, capsys, "--input", str(source), "--json", "--model", OTHER_MODEL
    )
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["index"], r["model"], r["text"]) for r in rows] == [
        (0, OTHER_MODEL, "first"),
        (1, OTHER_MODEL, ""),
        (2, OTHER_MODEL, "third"),
    ]
    vectors = np.array([r["embedding"] for r in rows], dtype=np.float32)
    assert np.allclose(vectors, expected_rows(["first", "", "third"], OTHER_MODEL), atol=1e-6)


def test_the_main_job_reads_standard_input_after_the_arguments(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = main_job(monkeypatch, capsys, "--json", stdin=Stdin([b"one\n", b"two"]))
    assert code == 0
    assert [json.loads(line)["text"] for line in out.splitlines()] == ["one", "two"]
    code, out, _ = main_job(monkeypatch, capsys, "arg", "--json", stdin=Stdin([b"ignored\n"]))
    assert [json.loads(line)["text"] for line in out.splitlines()] == ["arg"]


def test_the_main_job_with_a_key_calls_the_configured_host(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with threaded_server() as server:
        env = {"TOGETHER_API_KEY": TOKEN, "TOGETHER_BASE_URL": server.url}
        code, out, err = main_job(monkeypatch, capsys, "hello", "--json", env=env)
        assert server.stats()["/v1/embeddings"] == {"200": 1}
        assert (code, err) == (0, "")
        code, out, err = main_job(
            monkeypatch, capsys, "hello", env={**env, "TOGETHER_API_KEY": "wrong"}
        )
    assert code == 1 and out == ""
    assert err.startswith("together-embed: UnauthorizedException: (401)")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "stdin_lines", "said"),
    [
        ([], None, "together-embed: no texts given (arguments, --file or standard input)\n"),
        ([], [], "together-embed: no texts given (arguments, --file or standard input)\n"),
        (
            ["--batch-size", "x", "--output", "v.npy"],
            None,
            "together-embed: error: argument --batch-size: invalid int value: 'x' (see --help)\n",
        ),
        (
            ["--on-error", "retry", "a"],
            None,
            "together-embed: error: argument --on-error: invalid choice: 'retry' (choose from "
            "stop, skip) (see --help)\n",
        ),
    ],
)
def test_the_main_job_refuses_bad_arguments_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    stdin_lines: list[bytes] | None,
    said: str,
) -> None:
    stdin = Stdin(tty=True) if stdin_lines is None else Stdin(stdin_lines)
    code, out, err = main_job(monkeypatch, capsys, *argv, stdin=stdin)
    assert (code, out) == (2, "")
    assert err.replace("'stop', 'skip'", "stop, skip") == said


def test_the_main_job_names_an_input_it_cannot_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.txt"
    code, _, err = main_job(monkeypatch, capsys, "--input", str(missing))
    assert (code, err) == (
        2,
        f"together-embed: error: cannot read {missing}: No such file or directory\n",
    )
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes(b"ok\ncaf\xe9 au lait\n")
    code, _, err = main_job(monkeypatch, capsys, "--input", str(latin1))
    assert (code, err) == (
        2,
        f"together-embed: error: {latin1}, line 2: not UTF-8 (invalid continuation byte at "
        "byte 4 of the line)\n",
    )


def test_the_main_job_reports_an_unknown_model_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = main_job(monkeypatch, capsys, "a", "--model", "nope")
    assert (code, out) == (1, "")
    assert err.splitlines()[-1].startswith("together-embed: NotFoundException: (404)")


# The command's manual, at 100 columns: every option, what it does and its default (the
# defaults stated are those applied: test_bulk_options_default_as_documented).
EMBED_HELP = """\
usage: together-embed [-h] [--input FILE] [--model MODEL] [--json] [--output OUTPUT]
                      [--batch-size BATCH_SIZE] [--concurrency CONCURRENCY] [--restart]
                      [--on-error {stop,skip}] [--progress-every SECONDS]
                      [TEXT ...]

Embed texts through the Together API (or, without TOGETHER_API_KEY, through the local mock server)
and print their cosine similarities, or, with --output, write the vectors of many texts to a file.

positional arguments:
  TEXT                  texts to embed

options:
  -h, --help            show this help message and exit
  --input FILE, --file FILE
                        read texts from FILE, one per line
  --model MODEL         embedding model (default BAAI/bge-base-en-v1.5)
  --json                print one JSON object per text instead

bulk embedding (with --output):
  --output OUTPUT       write the vectors to FILE (.npy or .jsonl), in input order
  --batch-size BATCH_SIZE
                        inputs per request (default 128)
  --concurrency CONCURRENCY
                        requests in flight (default 4)
  --restart             start over: overwrite OUTPUT (even a finished one) instead of resuming
  --on-error {stop,skip}
                        a line the API refuses (say, too long): stop there (default), or skip it:
                        its row is NaN and it is listed in OUTPUT.rejected.jsonl
  --progress-every SECONDS
                        when stderr is not a terminal, print progress this often (default 10)
"""


def test_the_help_names_every_option_what_it_does_and_its_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["--help"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == EMBED_HELP


def test_bulk_options_default_as_documented() -> None:
    args = build_parser().parse_args(["--output", "v.npy"])
    assert (args.batch_size, args.concurrency, args.progress_every) == (128, 4, 10.0)
    assert (args.on_error, args.restart, args.model) == ("stop", False, MODEL)
    assert build_parser().parse_args(["--file", "t.txt"]).file == Path("t.txt")


def test_cosine_and_the_report_of_edge_cases() -> None:
    assert cosine([3.0, 4.0], [6.0, 8.0]) == pytest.approx(1.0)
    assert cosine([1.0, 0.0], [0.0, 2.0]) == 0.0
    assert cosine([1.0, 0.0], [-1.0, 0.0]) == pytest.approx(-1.0)
    assert cosine([0.0, 0.0], [1.0, 1.0]) == 0.0  # no direction: no similarity
    with pytest.raises(ValueError):
        cosine([1.0], [1.0, 2.0])
    assert format_report("m", [], []).splitlines()[:3] == ["model: m", "count: 0", "dimensions: 0"]


def test_the_main_job_hands_output_to_bulk_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "v.npy"
    with threaded_server() as server:
        env = {"TOGETHER_API_KEY": TOKEN, "TOGETHER_BASE_URL": server.url}
        code, out, err = main_job(monkeypatch, capsys, "alpha", "--output", str(output), env=env)
    assert (code, out) == (0, "")
    assert err.endswith(f"together-embed: 1 embeddings ({MODEL}) in {output}\n")
    assert np.allclose(np.load(output), expected_rows(["alpha"]), atol=1e-6)


# ------------------------------------------------ OUTPUT.rejected.jsonl


def _refused(index: int) -> Rejected:
    answer = BadRequestException(400, "Bad Request", body=b'{"error": {}}', headers=CIMultiDict())
    return Rejected(index, answer)


def test_the_rejected_list_holds_line_row_status_and_error(tmp_path: Path) -> None:
    output = tmp_path / "v.npy"
    log = RejectedLog(output, kept_rows=0)
    assert log.path == tmp_path / "v.npy.rejected.jsonl" and log.count == 0
    assert not log.path.exists()  # made with the first refused line only
    log.add(_refused(56))
    log.add(_refused(70))
    assert log.count == 2
    entries = [json.loads(line) for line in log.path.read_text().splitlines()]
    assert entries == [
        {"line": 57, "row": 56, "status": 400, "error": '(400) Bad Request: {"error": {}}'},
        {"line": 71, "row": 70, "status": 400, "error": '(400) Bad Request: {"error": {}}'},
    ]


def test_a_new_job_starts_a_new_rejected_list(tmp_path: Path) -> None:
    output = tmp_path / "v.npy"
    path = tmp_path / "v.npy.rejected.jsonl"
    path.write_text('{"line": 3, "row": 2, "status": 400, "error": "x"}\n')
    assert RejectedLog(output, kept_rows=0).count == 0
    assert not path.exists()
    assert RejectedLog(output, kept_rows=10).count == 0  # resumed, nothing listed: fine
    assert not path.exists()


def test_a_resumed_job_keeps_the_entries_of_the_rows_it_keeps(tmp_path: Path) -> None:
    output = tmp_path / "v.npy"
    path = tmp_path / "v.npy.rejected.jsonl"
    path.write_text(
        '{"line": 3, "row": 2, "status": 400, "error": "a"}\n'
        "not json\n"
        '{"line": 9, "row": 8, "status": 400, "error": "b"}\n'
        '{"line": 10, "row": 9, "status": 400, "error": "c"}\n'
        '{"line": 11, "row": "x", "status": 400, "error": "d"}\n'
        '{"line": 12, "status": 400}\n'
        '{"line": 4, "row": 3, "status": 400, "err'  # torn by a crash
    )
    log = RejectedLog(output, kept_rows=9)  # rows 0..8 kept: rows 9 and on are embedded again
    assert log.count == 2
    assert [json.loads(line)["row"] for line in path.read_text().splitlines()] == [2, 8]


def test_a_rejected_list_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    output = tmp_path / "v.npy"
    log = RejectedLog(output, kept_rows=0)
    log.path.mkdir()
    with pytest.raises(SinkWriteError) as caught:
        log.add(_refused(1))
    assert str(caught.value) == f"cannot write {log.path}: Is a directory"
    assert log.count == 0
    with pytest.raises(SinkWriteError) as caught:
        RejectedLog(output, kept_rows=5)
    assert str(caught.value) == f"cannot write {log.path}: Is a directory"


def test_a_report_with_fewer_vectors_than_texts_is_refused() -> None:
    # an answer short of a vector must not print a table that pairs texts with wrong rows
    with pytest.raises(ValueError):
        format_report("m", ["a", "b"], [[1.0, 0.0]])


def test_the_main_job_names_a_line_of_standard_input_that_is_not_utf8(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = main_job(monkeypatch, capsys, stdin=Stdin([b"ok\n", b"\xff\n"]))
    assert (code, err) == (
        2,
        "together-embed: error: standard input, line 2: not UTF-8 (invalid start byte at byte "
        "1 of the line)\n",
    )


def test_bulk_mode_reads_standard_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "v.npy"
    with threaded_server() as server:
        env = {"TOGETHER_API_KEY": TOKEN, "TOGETHER_BASE_URL": server.url}
        code, _, err = main_job(
            monkeypatch, capsys, "--output", str(output), stdin=Stdin([b"x\n", b"y\n"]), env=env
        )
    assert code == 0, err
    assert np.allclose(np.load(output), expected_rows(["x", "y"]), atol=1e-6)


def test_a_last_entry_without_its_newline_is_dropped_on_resume(tmp_path: Path) -> None:
    # complete JSON, but its newline never reached the disk: appending would join two entries
    output = tmp_path / "v.npy"
    path = tmp_path / "v.npy.rejected.jsonl"
    path.write_text(
        '{"line": 3, "row": 2, "status": 400, "error": "a"}\n'
        '{"line": 4, "row": 3, "status": 400, "error": "b"}'
    )
    log = RejectedLog(output, kept_rows=9)
    assert log.count == 1
    log.add(_refused(5))
    assert [json.loads(line)["row"] for line in path.read_text().splitlines()] == [2, 5]


def test_a_byte_order_mark_is_dropped_from_the_first_line_only() -> None:
    lines = [b"\xef\xbb\xbfab\n", b"\xef\xbb\xbfcd\n"]
    assert list(lines_of(lines, "standard input")) == ["ab", "\ufeffcd"]


def test_bulk_mode_without_a_key_runs_against_the_local_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "v.npy"
    code, _, err = main_job(monkeypatch, capsys, "alpha", "beta", "--output", str(output))
    assert code == 0, err
    assert "TOGETHER_API_KEY is not set: using the local mock server" in err
    assert np.allclose(np.load(output), expected_rows(["alpha", "beta"]), atol=1e-6)


def test_a_rejected_entry_that_is_not_utf8_is_dropped_and_the_others_kept(tmp_path: Path) -> None:
    # damaged by hand or by the disk: dropped like a torn entry, never a traceback
    output = tmp_path / "v.npy"
    path = tmp_path / "v.npy.rejected.jsonl"
    path.write_bytes(
        b'{"line": 3, "row": 2, "status": 400, "error": "a"}\n'
        b'{"line": 4, "row": 3, "status": 400, "error": "caf\xe9"}\n'
        b'{"line": 5, "row": 4, "status": 400, "error": "c"}\n'
    )
    log = RejectedLog(output, kept_rows=9)
    assert log.count == 2
    assert path.read_bytes() == (
        b'{"line": 3, "row": 2, "status": 400, "error": "a"}\n'
        b'{"line": 5, "row": 4, "status": 400, "error": "c"}\n'
    )


# ------------------------------------------------ bulk mode: what it needs, what it says


def bulk(
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    *argv: str,
    stdin: Stdin | None = None,
    stderr: io.StringIO | None = None,
) -> tuple[int, str]:
    """(exit status, stderr) of ``together-embed ARGV --output ...`` against ``url``."""
    monkeypatch.setenv("TOGETHER_API_KEY", TOKEN)
    monkeypatch.setenv("TOGETHER_BASE_URL", url)
    said = stderr if stderr is not None else io.StringIO()
    args = build_parser().parse_args(list(argv))
    code = run_bulk(args, stdin if stdin is not None else Stdin(tty=True), said)
    return code, said.getvalue()


NOWHERE = "http://127.0.0.1:9/v1"  # never reached


def test_without_numpy_bulk_mode_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "numpy" else real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    code, said = bulk(monkeypatch, NOWHERE, "alpha", "--output", str(tmp_path / "v.npy"))
    assert (code, said) == (
        2,
        "together-embed: error: --output needs numpy, which is not installed; from the "
        "repository: .venv/bin/pip install -e '.[numpy]'\n",
    )
    assert list(tmp_path.iterdir()) == []


def test_without_a_key_bulk_mode_needs_the_local_server_and_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "together.mock", None)  # the [server] extra missing
    output = tmp_path / "v.npy"
    monkeypatch.delenv("TOGETHER_API_KEY", raising=False)
    stderr = io.StringIO()
    code = run_bulk(build_parser().parse_args(["alpha", "--output", str(output)]), Stdin(), stderr)
    assert code == 2
    said = stderr.getvalue()
    assert said.startswith(
        "together-embed: error: TOGETHER_API_KEY is not set and the local server cannot start ("
    )
    assert said.endswith("); from the repository: .venv/bin/pip install -e '.[server]'\n")
    assert "together.mock" in said and said.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_with_a_key_bulk_mode_does_not_need_the_local_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "together.mock", None)

    @asynccontextmanager
    async def api_host(stream: object) -> AsyncIterator[tuple[str, str]]:
        raise KeyboardInterrupt  # got as far as calling the API: stop there
        yield "", ""  # pragma: no cover

    monkeypatch.setattr(together.cli.embed, "api_host", api_host)
    code, said = bulk(monkeypatch, NOWHERE, "alpha", "--output", str(tmp_path / "v.npy"))
    assert code == 130, said


def test_a_journal_of_another_job_version_is_refused_naming_the_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # docs/bulk.md: the journal's first line is the job (the model, and the version of the
    # rules); another version with rows written is refused. This command's jobs are version 1.
    output = tmp_path / "v.npy"
    np.save(output, np.ones((2, 768), dtype=np.float32))
    journal = tmp_path / "v.npy.progress.jsonl"
    journal.write_text(
        json.dumps({"job": {"version": 2, "model": MODEL}})
        + "\n"
        + json.dumps({"rows": 2, "sha256": "0" * 64})
        + "\n"
    )
    code, said = bulk(monkeypatch, NOWHERE, "alpha", "beta", "--output", str(output))
    assert (code, said) == (
        2,
        f"together-embed: error: {output} holds 2 rows of another job (version 2, now 1); "
        "--restart starts over\n",
    )


def test_a_refused_line_of_standard_input_is_named_as_a_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [b"fine\n", b"x" * 200 + b"\n", b"also fine\n"]
    with threaded_server(MockOptions(api_key=TOKEN, max_input_chars=100)) as server:
        code, said = bulk(
            monkeypatch, server.url, "--output", str(tmp_path / "v.npy"), stdin=Stdin(lines)
        )
    assert code == 1
    assert "together-embed: line 2 was refused by the API: " in said
    assert "Fix line 2 and run the same command to resume" in said


def test_the_rate_of_a_resumed_job_counts_only_the_texts_of_this_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [f"text {n}" for n in range(101)]
    source = tmp_path / "texts.txt"
    source.write_text("".join(text + "\n" for text in texts))
    output = tmp_path / "v.npy"
    argv: tuple[str, ...] = ("--input", str(source), "--output", str(output), "--batch-size", "10")
    argv += ("--concurrency", "1")
    script: list[int | str | None] = [*[None] * 10, *[503] * 10]
    hundred_then_503 = FaultOptions(script=script, retry_after=0.01)
    with threaded_server(MockOptions(api_key=TOKEN, faults=hundred_then_503)) as server:
        code, said = bulk(monkeypatch, server.url, *argv)
    assert code == 1 and np.load(output).shape == (100, 768), said
    slow = FaultOptions(latency_ms=200)  # the one text left takes at least 0.2 s
    with threaded_server(MockOptions(api_key=TOKEN, faults=slow)) as server:
        code, said = bulk(monkeypatch, server.url, *argv)
    assert code == 0, said
    resuming, count, done = said.splitlines()
    assert resuming == f"together-embed: resuming {output} after 100 texts"
    assert count.startswith("together-embed: 101/101 texts (100%), ") and count.endswith("/s")
    rate = int(count.rsplit(", ", 1)[1].removesuffix("/s").replace(",", ""))
    assert rate <= 5  # 1 text in >= 0.2 s; the 100 kept from the first run are not counted
    assert done == f"together-embed: 101 embeddings ({MODEL}) in {output}"


def fsync_of(
    monkeypatch: pytest.MonkeyPatch, output: Path, failing: Callable[[], bool]
) -> list[int]:
    """``os.fsync`` of ``output`` fails with ENOSPC while ``failing()``; other files sync."""
    real_fsync = os.fsync
    calls: list[int] = []

    def fsync(fd: int) -> None:
        status = os.fstat(fd)
        if output.exists() and os.path.samestat(status, output.stat()):
            calls.append(fd)
            if failing():
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return calls


def test_a_disk_that_fails_while_rows_are_written_is_exit_1_with_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "v.npy"
    calls = fsync_of(monkeypatch, output, lambda: True)
    with threaded_server() as server:
        code, said = bulk(monkeypatch, server.url, "alpha", "beta", "--output", str(output))
    assert calls  # the rows were written, then made durable: that failed
    assert (code, said) == (
        1,
        f"together-embed: cannot write {output}: No space left on device\n"
        f"together-embed: 2 texts are in {output}; make room, then run again to resume\n",
    )
    assert (tmp_path / "v.npy.progress.jsonl").exists()  # resumable


class Said(io.StringIO):
    """stderr that remembers whether the job has said every text was sent (100%)."""

    done = False

    def write(self, text: str) -> int:
        self.done = self.done or "(100%)" in text
        return super().write(text)


def test_a_disk_that_fails_at_the_last_fsync_is_exit_1_never_done_and_resumable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "v.npy"
    stderr = Said()
    disk_full = True
    fsync_of(monkeypatch, output, lambda: stderr.done and disk_full)
    with threaded_server() as server:
        code, said = bulk(
            monkeypatch, server.url, "alpha", "beta", "--output", str(output), stderr=stderr
        )
    assert code == 1
    assert said.startswith("together-embed: 2/2 texts (100%), ")
    # Never "2 embeddings ... in v.npy" (done) before the output is known to be on disk.
    assert said.endswith(
        f"/s\ntogether-embed: cannot write {output}: No space left on device\n"
        f"together-embed: 2 texts are in {output}; make room, then run again to resume\n"
    )
    assert " embeddings (" not in said
    assert (tmp_path / "v.npy.progress.jsonl").exists()  # not finished: a rerun resumes
    disk_full = False  # room made
    with threaded_server() as server:
        code, said = bulk(monkeypatch, server.url, "alpha", "beta", "--output", str(output))
    assert code == 0, said
    assert said.splitlines()[0] == f"together-embed: resuming {output} after 2 texts"
    assert said.splitlines()[-1] == f"together-embed: 2 embeddings ({MODEL}) in {output}"
