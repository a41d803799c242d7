"""``together-mock --spec``, ``--shuffle``, ``--chat-model`` and ``--data-dir`` from the
command line; a missing or broken spec is refused with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from support import REPOSITORY, SHARED_SPECS

SPEC_2026 = SHARED_SPECS / "together-openapi-2026-04.yaml"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "together.mock", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=REPOSITORY,
    )


def test_a_missing_spec_is_refused() -> None:
    done = run("--spec", "no/such/spec.yaml", "--port", "0")
    assert (done.returncode, done.stderr) == (
        2,
        "together-mock: --spec: no such file: no/such/spec.yaml\n",
    )


def test_a_spec_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("paths: [unclosed\n")
    done = run("--spec", str(broken), "--port", "0")
    assert done.returncode == 2
    assert done.stderr.startswith("together-mock: ")
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(not SPEC_2026.exists(), reason="../shared/specs/ is absent")
def test_serves_the_given_spec_with_the_given_options(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "together.mock",
            "--port",
            "0",
            "--spec",
            str(SPEC_2026),
            "--chat-model",
            "my/chat-model",
            "--shuffle",
            "--data-dir",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPOSITORY,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().rsplit(" ", 1)[-1].strip()
        headers = {"Authorization": "Bearer k", "Content-Type": "application/json"}

        def post(path: str, body: object) -> dict[str, Any]:
            request = urllib.request.Request(
                url + path, data=json.dumps(body).encode(), headers=headers
            )
            with urllib.request.urlopen(request, timeout=10) as answer:
                parsed: dict[str, Any] = json.loads(answer.read())
                return parsed

        chat = post(
            "/chat/completions",
            {"model": "my/chat-model", "messages": [{"role": "user", "content": "hi"}]},
        )
        assert chat["model"] == "my/chat-model"
        texts = [str(i) for i in range(12)]
        vectors = post("/embeddings", {"model": "BAAI/bge-base-en-v1.5", "input": texts})
        indexes = [item["index"] for item in vectors["data"]]
        assert indexes != list(range(12)) and sorted(indexes) == list(range(12))
    finally:
        process.terminate()
        process.communicate(timeout=10)
