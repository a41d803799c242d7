"""together-embed --output run in this process (``run_bulk``) against the local server in a
thread: what the command says and does for each outcome of docs/bulk.md, "Failures and what
the command says", and for resuming and ``--restart``. The same paths as a child process are
in test_bulk_failures.py and test_bulk_interrupt.py; here they are fast, and reach every line
of the command's code."""

from __future__ import annotations

import io
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from bulk_support import MODEL, Stdin, expected_rows, sentences, threaded_server, write_lines

from support import TOKEN
from together.cli.bulk import run_bulk
from together.cli.embed import build_parser
from together.mock import FaultOptions, MockOptions, MockServer

OTHER_MODEL = "BAAI/bge-large-en-v1.5"
TEXTS = sentences(50)


def run(
    monkeypatch: pytest.MonkeyPatch,
    server: MockServer | None,
    *argv: str,
    stdin: Stdin | None = None,
    key: str = TOKEN,
) -> tuple[int, str]:
    """(exit status, everything said on stderr) of ``together-embed ARGV``."""
    monkeypatch.setenv("TOGETHER_API_KEY", key)
    url = server.url if server is not None else "http://127.0.0.1:9/v1"  # never reached
    monkeypatch.setenv("TOGETHER_BASE_URL", url)
    stderr = io.StringIO()
    args = build_parser().parse_args(list(argv))
    code = run_bulk(args, stdin if stdin is not None else Stdin(tty=True), stderr)
    return code, stderr.getvalue()


def failing_after(rows: int, fault: int | str = 503) -> MockOptions:
    """A server that answers ``rows`` texts in batches of 10, then ``fault`` ten times: enough to outlast the client's two retries of the two batches that may be in
    flight (their requests take turns at the script)."""
    script: list[int | str | None] = [None] * (rows // 10)
    script += [fault] * 10
    return MockOptions(api_key=TOKEN, faults=FaultOptions(script=script, retry_after=0.01))


def batches_of_ten(source: Path, output: Path, *extra: str) -> tuple[str, ...]:
    return (
        "--input", str(source), "--output", str(output),
        "--batch-size", "10", "--concurrency", "1", *extra,
    )  # fmt: skip


def interrupted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: int, suffix: str = ".npy"
) -> tuple[Path, Path]:
    """The state a job that failed after ``rows`` texts leaves (checked on the way)."""
    source = write_lines(tmp_path / "texts.txt", TEXTS)
    output = tmp_path / f"vectors{suffix}"
    with threaded_server(failing_after(rows)) as server:
        code, said = run(monkeypatch, server, *batches_of_ten(source, output))
    assert code == 1, said
    assert "ServiceUnavailableException" in said
    assert said.endswith(
        f"together-embed: {rows} texts are in {output}; run the same command to resume\n"
    )
    assert Path(f"{output}.progress.jsonl").exists()
    return source, output


def npy_rows(output: Path) -> np.ndarray:
    rows: np.ndarray = np.load(output)
    return rows


def jsonl_rows(output: Path) -> np.ndarray:
    lines = [json.loads(line) for line in output.read_text().splitlines()]
    assert [line["index"] for line in lines] == list(range(len(lines)))
    return np.array([line["embedding"] for line in lines], dtype=np.float32)


# ------------------------------------------------------------------ a job that runs to its end


@pytest.mark.parametrize("suffix", [".npy", ".jsonl"])
def test_a_job_writes_every_row_and_says_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    source = write_lines(tmp_path / "texts.txt", TEXTS)
    output = tmp_path / f"vectors{suffix}"
    with threaded_server() as server:
        code, said = run(monkeypatch, server, *batches_of_ten(source, output))
        assert server.stats()["/v1/embeddings"] == {"200": 5}
    assert code == 0, said
    last_count, done = said.splitlines()
    assert last_count.startswith("together-embed: 50/50 texts (100%), ")
    assert done == f"together-embed: 50 embeddings ({MODEL}) in {output}"
    rows = npy_rows(output) if suffix == ".npy" else jsonl_rows(output)
    assert np.allclose(rows, expected_rows(TEXTS), atol=1e-6)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["texts.txt", output.name]


def test_texts_from_arguments_and_standard_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with threaded_server() as server:
        code, said = run(monkeypatch, server, "alpha", "beta", "--output", str(tmp_path / "a.npy"))
        assert code == 0, said
        lines = [b"one\n", b"two\r\n", b"\n", b"four"]
        code, said = run(
            monkeypatch, server, "--output", str(tmp_path / "s.npy"), stdin=Stdin(lines)
        )
        assert code == 0, said
    assert np.allclose(np.load(tmp_path / "a.npy"), expected_rows(["alpha", "beta"]), atol=1e-6)
    from_stdin = expected_rows(["one", "two", "", "four"])
    assert np.allclose(np.load(tmp_path / "s.npy"), from_stdin, atol=1e-6)


def test_the_batch_size_and_concurrency_limits_are_inclusive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_lines(tmp_path / "texts.txt", sentences(3))
    with threaded_server() as server:
        for n, extra in enumerate(
            [("--batch-size", "1"), ("--batch-size", "512"), ("--concurrency", "1")]
        ):
            output = tmp_path / f"v{n}.npy"
            code, said = run(
                monkeypatch, server, "--input", str(source), "--output", str(output), *extra
            )
            assert code == 0, said
            assert np.load(output).shape == (3, 768)
        # one text a request, then all three in one, then the default 128 at a time
        assert server.stats()["/v1/embeddings"] == {"200": 3 + 1 + 1}


def test_progress_lines_count_the_texts_kept_from_an_earlier_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, output = interrupted(tmp_path, monkeypatch, rows=20)
    with threaded_server() as server:
        code, said = run(
            monkeypatch, server, *batches_of_ten(source, output, "--progress-every", "1e-9")
        )
    assert code == 0, said
    counts = [line.split(" texts")[0] for line in said.splitlines() if "/50 texts" in line]
    assert counts[0] == "together-embed: 30/50"  # the 20 kept, and the first new batch
    assert counts[-1] == "together-embed: 50/50"
    assert "(100%)" in said


# ------------------------------------------------------------------ resuming and --restart


@pytest.mark.parametrize("suffix", [".npy", ".jsonl"])
def test_a_failed_job_resumes_without_embedding_a_text_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    source, output = interrupted(tmp_path, monkeypatch, rows=20, suffix=suffix)
    with threaded_server() as server:
        code, said = run(monkeypatch, server, *batches_of_ten(source, output))
        assert server.stats()["/v1/embeddings"] == {"200": 3}  # texts 21 to 50
    assert code == 0, said
    assert said.startswith(f"together-embed: resuming {output} after 20 texts\n")
    rows = npy_rows(output) if suffix == ".npy" else jsonl_rows(output)
    assert np.allclose(rows, expected_rows(TEXTS), atol=1e-6)
    assert not Path(f"{output}.progress.jsonl").exists()


def test_restart_embeds_everything_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, output = interrupted(tmp_path, monkeypatch, rows=20)
    changed = ["an edited first line", *TEXTS[1:]]  # which a resume would refuse
    write_lines(source, changed)
    with threaded_server() as server:
        code, said = run(monkeypatch, server, *batches_of_ten(source, output, "--restart"))
        assert server.stats()["/v1/embeddings"] == {"200": 5}
    assert code == 0, said
    assert "resuming" not in said
    assert np.allclose(np.load(output), expected_rows(changed), atol=1e-6)


def test_restart_overwrites_a_finished_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "v.npy"
    with threaded_server() as server:
        assert run(monkeypatch, server, "alpha", "beta", "--output", str(output))[0] == 0
        code, said = run(monkeypatch, server, "gamma", "--output", str(output))
        assert code == 2
        assert said.startswith(f"together-embed: error: {output} already exists and has no ")
        assert said.endswith("; --restart starts over\n") and said.count("\n") == 1
        assert np.load(output).shape == (2, 768)
        code, said = run(monkeypatch, server, "gamma", "--output", str(output), "--restart")
    assert code == 0, said
    assert np.allclose(np.load(output), expected_rows(["gamma"]), atol=1e-6)


def test_another_model_is_refused_naming_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, output = interrupted(tmp_path, monkeypatch, rows=20)
    before = output.read_bytes()
    code, said = run(monkeypatch, None, *batches_of_ten(source, output, "--model", OTHER_MODEL))
    assert code == 2
    assert said == (
        f"together-embed: error: {output} holds 20 rows of another job "
        f"(model {MODEL!r}, now {OTHER_MODEL!r}); --restart starts over\n"
    )
    assert output.read_bytes() == before


def test_another_model_with_no_row_written_starts_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, output = interrupted(tmp_path, monkeypatch, rows=0)
    with threaded_server() as server:
        code, said = run(
            monkeypatch, server, *batches_of_ten(source, output, "--model", OTHER_MODEL)
        )
    assert code == 0, said
    assert "resuming" not in said
    assert np.load(output).shape == (50, 1024)


def test_an_input_changed_before_the_checkpoint_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, output = interrupted(tmp_path, monkeypatch, rows=20)
    write_lines(source, [*TEXTS[:19], "line 20, edited", *TEXTS[20:]])
    code, said = run(monkeypatch, None, *batches_of_ten(source, output))
    assert code == 2
    assert said.endswith(
        "together-embed: error: the first 20 texts of the input are not the ones the 20 rows "
        "already written were made from; --restart starts over\n"
    )
    assert np.load(output).shape == (20, 768)


def test_an_input_changed_after_the_checkpoint_is_fine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, output = interrupted(tmp_path, monkeypatch, rows=20)
    changed = [*TEXTS[:20], "line 21, edited", *TEXTS[21:]]
    write_lines(source, changed)
    with threaded_server() as server:
        code, said = run(monkeypatch, server, *batches_of_ten(source, output))
    assert code == 0, said
    assert np.allclose(np.load(output), expected_rows(changed), atol=1e-6)


def test_a_damaged_journal_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, output = interrupted(tmp_path, monkeypatch, rows=20)
    Path(f"{output}.progress.jsonl").write_text(
        '{"job": {"version": 1}}\n{"rows": -1, "sha256": ""}\n'
    )
    code, said = run(monkeypatch, None, *batches_of_ten(source, output))
    assert (code, said.count("\n")) == (2, 1)
    assert f"{output}.progress.jsonl is damaged" in said and "--restart starts over" in said


def test_a_npy_output_of_three_dimensions_is_refused_before_anything_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, output = interrupted(tmp_path, monkeypatch, rows=20)
    np.save(output, np.ones((20, 3, 4), dtype=np.float32))  # the journal vouches for 20 rows
    before = output.read_bytes()
    code, said = run(monkeypatch, None, *batches_of_ten(source, output))  # no server to reach
    assert (code, said) == (
        2,
        f"together-embed: error: {output} holds an array of shape (20, 3, 4), not (rows, "
        "dimensions); --restart starts over\n",
    )
    assert output.read_bytes() == before
    assert Path(f"{output}.progress.jsonl").exists()


# ------------------------------------------------------------------ interrupted: exit 130


def test_ctrl_c_stops_the_job_with_130_and_it_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    output = tmp_path / "v.npy"
    texts = sentences(400)

    def lines_then_ctrl_c() -> Iterator[bytes]:
        for number, text in enumerate(texts, 1):
            if number == 201:  # read ahead of the rows written: some are in flight
                os.kill(os.getpid(), signal.SIGINT)
            yield text.encode() + b"\n"

    args = ("--output", str(output), "--batch-size", "10", "--concurrency", "2")
    options = MockOptions(api_key=TOKEN, faults=FaultOptions(latency_ms=20))
    # Ctrl-C as a terminal sends it, to Python's own handler (a test runner may have its own)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    request.addfinalizer(lambda: signal.signal(signal.SIGINT, previous))
    with threaded_server(options) as server:
        code, said = run(monkeypatch, server, *args, stdin=Stdin(lines_then_ctrl_c()))
        assert code == 130, said
        kept = np.load(output).shape[0]
        assert 0 < kept < 400
        assert said.endswith(
            f"together-embed: interrupted\n"
            f"together-embed: {kept} texts are in {output}; run the same command to resume\n"
        )
        lines = [text.encode() + b"\n" for text in texts]
        code, said = run(monkeypatch, server, *args, stdin=Stdin(lines))
    assert code == 0, said
    assert "resuming" in said
    assert np.allclose(np.load(output), expected_rows(texts), atol=1e-6)


# ------------------------------------------------------------------ failures: exit 1, advice


@pytest.mark.parametrize(
    ("fault", "advice"),
    [
        (403, "check TOGETHER_API_KEY, then run the same command to resume"),
        (404, "check --model (another model needs --restart: its rows differ)"),
        (405, "the API refuses this request as it is: fix the cause before running again"),
        (451, "the API refuses this request as it is: fix the cause before running again"),
        (408, "run the same command to resume"),
        (409, "run the same command to resume"),
        (429, "run the same command to resume"),
        (500, "run the same command to resume"),
        ("drop", "run the same command to resume"),
    ],
)
def test_each_failure_says_what_to_do_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: int | str, advice: str
) -> None:
    source = write_lines(tmp_path / "texts.txt", TEXTS)
    output = tmp_path / "v.npy"
    with threaded_server(failing_after(20, fault)) as server:
        code, said = run(monkeypatch, server, *batches_of_ten(source, output))
    assert code == 1, said
    assert said.endswith(f"together-embed: 20 texts are in {output}; {advice}\n")
    assert np.load(output).shape == (20, 768)


def test_a_wrong_key_and_an_unknown_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write_lines(tmp_path / "texts.txt", TEXTS)
    output = tmp_path / "v.npy"
    with threaded_server() as server:
        code, said = run(monkeypatch, server, *batches_of_ten(source, output), key="wrong")
        assert code == 1
        assert said.startswith("together-embed: UnauthorizedException: ")
        assert said.endswith(
            f"together-embed: 0 texts are in {output}; check TOGETHER_API_KEY, then run the "
            "same command to resume\n"
        )
        code, said = run(monkeypatch, server, *batches_of_ten(source, output, "--model", "nope"))
    assert code == 1
    assert said.endswith("together-embed: nothing was written; check --model nope\n")


def test_a_refusal_of_every_request_is_not_blamed_on_a_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the same 422 for the batch, both its halves and its shortest text: the request's fault
    source = write_lines(tmp_path / "texts.txt", TEXTS)
    output = tmp_path / "v.npy"
    with threaded_server(failing_after(10, 422)) as server:
        code, said = run(monkeypatch, server, *batches_of_ten(source, output))
    assert code == 1, said
    assert "UnprocessableEntityException" in said and "was refused" not in said
    assert said.endswith(
        f"together-embed: 10 texts are in {output}; the API refuses this request as it is: "
        "fix the cause before running again\n"
    )


# ------------------------------------------------------------------ a line the API refuses


def long_line_at(tmp_path: Path, number: int) -> tuple[Path, list[str]]:
    texts = sentences(30)
    texts[number - 1] = "x" * 200  # over the server's 100 characters below
    return write_lines(tmp_path / "texts.txt", texts), texts


SHORT_INPUTS = MockOptions(api_key=TOKEN, max_input_chars=100)


def test_a_refused_line_is_named_with_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, _ = long_line_at(tmp_path, 17)
    output = tmp_path / "v.npy"
    with threaded_server(SHORT_INPUTS) as server:
        code, said = run(monkeypatch, server, *batches_of_ten(source, output))
        code_args, said_args = run(
            monkeypatch, server, "fine", "x" * 200, "--output", str(tmp_path / "a.npy")
        )
    assert code == 1, said
    assert "together-embed: line 17 was refused by the API: " in said
    assert said.endswith(
        f"together-embed: 10 texts are in {output}. Fix line 17 and run the same command to "
        "resume, or add --on-error skip to give refused lines a NaN row and list them in "
        "v.npy.rejected.jsonl\n"
    )
    assert np.load(output).shape == (10, 768)
    assert code_args == 1 and "together-embed: text 2 was refused by the API: " in said_args


def test_on_error_skip_gives_a_nan_row_and_lists_the_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, texts = long_line_at(tmp_path, 17)
    output = tmp_path / "v.npy"
    rejected = Path(f"{output}.rejected.jsonl")
    with threaded_server(SHORT_INPUTS) as server:
        code, said = run(monkeypatch, server, *batches_of_ten(source, output))
        assert code == 1
        code, said = run(monkeypatch, server, *batches_of_ten(source, output, "--on-error", "skip"))
    assert code == 0, said
    assert said.endswith(
        f"together-embed: 30 embeddings ({MODEL}) in {output} (1 refused: NaN rows, listed in "
        f"{rejected})\n"
    )
    rows = np.load(output)
    assert np.isnan(rows[16]).all()
    others = [i for i in range(30) if i != 16]
    assert np.allclose(rows[others], expected_rows([texts[i] for i in others]), atol=1e-6)
    [entry] = [json.loads(line) for line in rejected.read_text().splitlines()]
    assert (entry["line"], entry["row"], entry["status"]) == (17, 16, 400)
    assert "at most 100 characters" in entry["error"]


def test_a_resume_lists_each_refused_line_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, _ = long_line_at(tmp_path, 5)
    texts = sentences(30)
    texts[4] = texts[24] = "x" * 200  # lines 5 and 25
    write_lines(source, texts)
    output = tmp_path / "v.npy"
    rejected = Path(f"{output}.rejected.jsonl")
    # batch 1 and the 8 requests that find its line 5, batch 2, then a 503 for good
    script: list[int | str | None] = [*[None] * 10, *[503] * 10]
    options = MockOptions(
        api_key=TOKEN, max_input_chars=100, faults=FaultOptions(script=script, retry_after=0.01)
    )
    skip = ("--on-error", "skip")
    with threaded_server(options) as server:
        code, said = run(monkeypatch, server, *batches_of_ten(source, output, *skip))
    assert code == 1, said
    assert [json.loads(line)["line"] for line in rejected.read_text().splitlines()] == [5]
    with threaded_server(SHORT_INPUTS) as server:
        code, said = run(monkeypatch, server, *batches_of_ten(source, output, *skip))
    assert code == 0, said
    assert [json.loads(line)["line"] for line in rejected.read_text().splitlines()] == [5, 25]
    assert said.endswith(f"(2 refused: NaN rows, listed in {rejected})\n")


# ------------------------------------------------------------------ bad arguments: exit 2


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--batch-size", "0"], "--batch-size must be between 1 and 512, not 0"),
        (["--batch-size", "513"], "--batch-size must be between 1 and 512, not 513"),
        (["--concurrency", "0"], "--concurrency must be at least 1, not 0"),
        (["--progress-every", "0"], "--progress-every must be a positive number of seconds"),
        (["--progress-every", "-1"], "--progress-every must be a positive number of seconds"),
        (["extra text"], "give texts or --input, not both"),
    ],
)
def test_bad_settings_are_one_line_and_make_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: list[str], message: str
) -> None:
    source = write_lines(tmp_path / "texts.txt", TEXTS)
    output = tmp_path / "v.npy"
    code, said = run(monkeypatch, None, "--input", str(source), "--output", str(output), *extra)
    assert (code, said) == (2, f"together-embed: error: {message}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["texts.txt"]


def test_bad_files_are_one_line_and_make_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_lines(tmp_path / "texts.txt", TEXTS)
    empty = write_lines(tmp_path / "empty.txt", [])
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes(b"fine\ncaf\xe9\n")
    (tmp_path / "folder.npy").mkdir()
    same = write_lines(tmp_path / "same.jsonl", TEXTS)
    out = str(tmp_path / "v.npy")
    cases = {
        "unknown format": (
            ["--input", str(source), "--output", str(tmp_path / "v.CSV")],
            f"unknown output format '.CSV' of {tmp_path / 'v.CSV'}: use .npy or .jsonl",
        ),
        "no folder": (
            ["--input", str(source), "--output", str(tmp_path / "no" / "v.npy")],
            f"the folder of {tmp_path / 'no' / 'v.npy'} does not exist",
        ),
        "a folder": (
            ["--input", str(source), "--output", str(tmp_path / "folder.npy")],
            f"{tmp_path / 'folder.npy'} is a folder",
        ),
        "missing input": (
            ["--input", str(tmp_path / "nope.txt"), "--output", out],
            f"cannot read {tmp_path / 'nope.txt'}: No such file or directory",
        ),
        "empty input": (["--input", str(empty), "--output", out], f"{empty} is empty"),
        "not UTF-8": (
            ["--input", str(latin1), "--output", out],
            f"{latin1}, line 2: not UTF-8 (unexpected end of data at byte 4 of the line)",
        ),
        "output is the input": (
            ["--input", str(same), "--output", str(same)],
            f"--output {same} is the input file",
        ),
    }
    before = sorted(tmp_path.rglob("*"))
    for name, (argv, message) in cases.items():
        code, said = run(monkeypatch, None, *argv)
        assert (code, said) == (2, f"together-embed: error: {message}\n"), name
    code, said = run(monkeypatch, None, "--output", out)  # standard input is a terminal
    assert (code, said) == (
        2,
        "together-embed: error: no texts given (arguments, --input or standard input)\n",
    )
    assert sorted(tmp_path.rglob("*")) == before
    assert same.read_text().splitlines() == TEXTS


def test_json_and_ndjson_outputs_are_json_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with threaded_server() as server:
        for name in ("v.ndjson", "v.json", "V.JSONL"):
            code, said = run(monkeypatch, server, "alpha", "--output", str(tmp_path / name))
            assert code == 0, said
            assert json.loads((tmp_path / name).read_text())["index"] == 0


def test_standard_input_that_is_not_utf8_stops_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "v.npy"
    lines = [text.encode() + b"\n" for text in sentences(25)] + [b"caf\xe9\n"]
    with threaded_server() as server:
        code, said = run(
            monkeypatch, server, "--output", str(output), "--batch-size", "10", stdin=Stdin(lines)
        )
    assert code == 2
    assert "together-embed: error: standard input, line 26: not UTF-8" in said
    kept = np.load(output).shape[0]
    assert said.endswith(
        f"together-embed: {kept} texts are in {output}; fix the input and run again\n"
    )


# ------------------------------------------------------------------ the disk


def test_an_output_that_cannot_be_written_is_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "v.npy"
    output.symlink_to("/dev/full")
    code, said = run(monkeypatch, None, "alpha", "--output", str(output))
    assert (code, said) == (1, f"together-embed: cannot write {output}: No space left on device\n")


def test_a_rejected_list_that_cannot_be_written_is_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "v.npy"
    Path(f"{output}.rejected.jsonl").mkdir()
    code, said = run(monkeypatch, None, "alpha", "--output", str(output))
    assert code == 1
    assert said.startswith(f"together-embed: error: cannot write {output}.rejected.jsonl: ")
    assert said.count("\n") == 1
