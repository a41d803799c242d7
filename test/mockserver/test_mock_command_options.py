"""``together-mock``'s options, read in-process: each flag lands in the option the table of
docs/mock-server.md ("Running it", "Fault injection") names, with the defaults it gives, and a
bad spec or a busy port is a one-line message with exit status 2, never a traceback."""

from __future__ import annotations

import asyncio
import io
import json
import signal
import socket
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from together.mock import MockOptions, cli
from together.mock.faults import FaultOptions

SPEC = """
openapi: 3.1.0
info: {title: tiny, version: "1"}
servers: [{url: "http://localhost/v9"}]
paths:
  /ping:
    get:
      responses:
        "200": {content: {application/json: {schema: {const: pong}}}}
"""


def parsed(*argv: str) -> MockOptions:
    return cli.options_from(cli.build_parser().parse_args(list(argv)))


def test_without_flags_the_documented_defaults() -> None:
    args = cli.build_parser().parse_args([])
    assert (args.host, args.port) == ("127.0.0.1", 8080)
    options = cli.options_from(args)
    assert options.api_key is None
    assert (options.max_inputs, options.max_input_chars) == (512, 32_000)
    assert options.spec_path is None and options.data_dir is None
    assert options.shuffle is False
    assert options.dimensions["BAAI/bge-base-en-v1.5"] == 768
    assert options.chat_models == [
        "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "Qwen/Qwen2.5-7B-Instruct-Turbo",
        "mistralai/Mixtral-8x7B-Instruct-v0.1",
    ]
    assert options.faults == FaultOptions(
        fail_rate=0.0,
        fail_statuses=[429, 503, 504],
        script=[],
        retry_after=None,
        latency_ms=0.0,
        stall_seconds=30.0,
        seed=None,
    )


def test_each_flag_lands_in_its_option(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    options = parsed(
        "--spec", str(spec), "--data-dir", str(tmp_path / "files"),
        "--chat-model", "me/chat-a", "--chat-model", "me/chat-b", "--shuffle",
        "--api-key", "k-1", "--model", "me/embed=12", "--model", "org/name=with=3",
        "--model", "tiny=1",
        "--max-inputs", "7", "--max-input-chars", "99",
        "--fail-rate", "0.25", "--fail-statuses", "503,drop,stall",
        "--script", "429,ok,truncate", "--retry-after", "1.5", "--latency-ms", "20",
        "--stall-seconds", "2.5", "--seed", "42",
    )  # fmt: skip
    assert options.spec_path == spec
    assert options.data_dir == tmp_path / "files"
    assert options.chat_models[-2:] == ["me/chat-a", "me/chat-b"]
    assert len(options.chat_models) == 5  # the three defaults are kept
    assert options.shuffle is True
    assert options.api_key == "k-1"
    assert options.dimensions["me/embed"] == 12
    assert options.dimensions["org/name=with"] == 3  # the last "=" splits
    assert options.dimensions["tiny"] == 1
    assert options.dimensions["WhereIsAI/UAE-Large-V1"] == 1024  # the defaults are kept
    assert (options.max_inputs, options.max_input_chars) == (7, 99)
    assert options.faults == FaultOptions(
        fail_rate=0.25,
        fail_statuses=[503, "drop", "stall"],
        script=[429, None, "truncate"],
        retry_after=1.5,
        latency_ms=20.0,
        stall_seconds=2.5,
        seed=42,
    )


def test_ok_in_the_fault_list_is_left_out() -> None:
    assert parsed("--fail-rate", "1", "--fail-statuses", "ok,504").faults.fail_statuses == [504]


@pytest.mark.parametrize(
    "value", ["me/embed", "=12", "me/embed=", "me/embed=0", "me/e=-3", "x=1.5"]
)
def test_a_model_without_name_and_positive_dimensions_is_refused(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.build_parser().parse_args(["--model", value])
    assert exited.value.code == 2
    assert f"expected MODEL=DIMENSIONS, got {value!r}" in capsys.readouterr().err


HELP = """\
usage: together-mock [-h] [--spec SPEC] [--data-dir DATA_DIR] [--chat-model MODEL] [--shuffle]
                     [--host HOST] [--port PORT] [--api-key API_KEY] [--model MODEL=DIM]
                     [--max-inputs MAX_INPUTS] [--max-input-chars MAX_INPUT_CHARS]
                     [--fail-rate FAIL_RATE] [--fail-statuses FAIL_STATUSES] [--script SCRIPT]
                     [--retry-after RETRY_AFTER] [--latency-ms LATENCY_MS]
                     [--stall-seconds STALL_SECONDS] [--seed SEED]

A local server speaking the Together API of an OpenAPI document (stand-in vectors and replies, not
a model), with fault injection for testing clients.

options:
  -h, --help            show this help message and exit
  --spec SPEC           OpenAPI document to serve (default: the package's openapi.yaml)
  --data-dir DATA_DIR   keep uploaded files here (default: in memory)
  --chat-model MODEL    also serve MODEL for chat and completions (repeatable)
  --shuffle             answer embeddings with data items out of order (each keeps its index)
  --host HOST           address to bind (default: loopback)
  --port PORT           port; 0 picks a free one (default 8080)
  --api-key API_KEY     require this bearer token (default: any token)
  --model MODEL=DIM     serve MODEL with DIM dimensions (repeatable)
  --max-inputs MAX_INPUTS
                        most inputs per request
  --max-input-chars MAX_INPUT_CHARS
                        most characters per input

fault injection:
  --fail-rate FAIL_RATE
                        share of requests (0..1) that fail
  --fail-statuses FAIL_STATUSES
                        faults to draw from: statuses and drop, stall, truncate, error-event
                        (default 429,503,504)
  --script SCRIPT       faults for the first requests in order, e.g. 503,503,ok
  --retry-after RETRY_AFTER
                        Retry-After seconds on 429/503 answers
  --latency-ms LATENCY_MS
                        delay added to every answer, and between the chunks of a stream
  --stall-seconds STALL_SECONDS
                        how long a stall lasts
  --seed SEED           seed of the random faults and of the synthesized answers
"""


def test_the_help_names_every_option_its_default_and_the_fault_group(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The help is the command's manual: the defaults it states are the ones applied
    (``test_without_flags_the_documented_defaults``)."""
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit) as exited:
        cli.build_parser().parse_args(["--help"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == HELP


def test_a_missing_spec_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such.yaml"
    assert cli.main(["--spec", str(missing), "--port", "0"]) == 2
    assert capsys.readouterr() == ("", f"together-mock: --spec: no such file: {missing}\n")


def test_a_spec_that_is_not_yaml_is_refused_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("paths: [unclosed\n")
    assert cli.main(["--spec", str(broken), "--port", "0"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("together-mock: ")
    assert "Traceback" not in err


def test_a_busy_port_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert cli.main(["--spec", str(spec), "--port", str(port)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("together-mock: ") and str(port) in err
    assert err.count("\n") == 1


async def test_serving_prints_the_url_and_answers_until_stopped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    args = cli.build_parser().parse_args(["--spec", str(spec), "--port", "0", "--api-key", "k"])
    serving = asyncio.ensure_future(cli._serve(args))
    try:
        for _ in range(500):
            out = capsys.readouterr().out
            if out:
                break
            await asyncio.sleep(0.01)
        prefix = "together-mock listening on http://127.0.0.1:"
        assert out.startswith(prefix) and out.endswith("/v9\n")
        url = out.removeprefix("together-mock listening on ").strip()
        reader, writer = await asyncio.open_connection("127.0.0.1", int(url.split(":")[2][:-3]))
        writer.write(b"GET /v9/ping HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n\r\n")
        assert (await reader.readline()).startswith(b"HTTP/1.1 200")
        writer.close()
        await writer.wait_closed()
        assert not serving.done()
    finally:
        serving.cancel()
        with pytest.raises(asyncio.CancelledError):
            await serving


def test_host_and_port_are_read_and_a_port_must_be_a_number(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = cli.build_parser().parse_args(["--host", "127.0.0.2", "--port", "9000"])
    assert (args.host, args.port) == ("127.0.0.2", 9000)
    with pytest.raises(SystemExit) as exited:
        cli.build_parser().parse_args(["--port", "eighty"])
    assert exited.value.code == 2
    assert "--port: invalid int value: 'eighty'" in capsys.readouterr().err


def test_ctrl_c_stops_a_server_that_announced_itself_on_a_pipe_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parent reading ``together-mock``'s standard output through a pipe (block-buffered)
    gets the URL line while the server runs, on the address ``--host`` names; Ctrl-C then
    ends the command with exit status 0."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    pipe = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(pipe, encoding="utf-8"))
    seen: dict[str, object] = {}

    def client() -> None:
        deadline = time.monotonic() + 10
        while not pipe.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
        seen["line"] = pipe.getvalue().decode()
        if seen["line"]:
            url = str(seen["line"]).rsplit(" ", 1)[-1].strip()
            request = urllib.request.Request(url + "/ping", headers={"Authorization": "Bearer k"})
            with urllib.request.urlopen(request, timeout=10) as answer:
                seen["answer"] = json.loads(answer.read())
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    # Ctrl-C as a terminal delivers it: a process started in the background by a
    # non-interactive shell (CI, mutmut's runs) inherits SIGINT ignored.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        helper = threading.Thread(target=client, daemon=True)
        helper.start()
        status = cli.main(["--spec", str(spec), "--host", "127.0.0.2", "--port", "0"])
        helper.join(10)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert status == 0
    assert str(seen["line"]).startswith("together-mock listening on http://127.0.0.2:")
    assert seen["answer"] == "pong"
