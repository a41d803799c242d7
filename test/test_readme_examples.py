"""The README's Python examples run as written, against the local server (the bulk example:
test/e2e/test_bulk_readme.py).

The code is read from README.md, not copied here, so an edit there that breaks it fails this
test. The only change made to it: the quick start's host literal becomes the local server's
URL (and its token comes from TOGETHER_API_KEY, as it says).
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

from support import REPOSITORY, TOKEN
from together.mock import MockServer

README = REPOSITORY / "README.md"
QUICK_START_HOST = '"https://api.together.ai/v1"'


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def block_containing(marker: str) -> str:
    (block,) = [b for b in python_blocks() if marker in b]
    return block


async def test_quick_start_runs_as_written(mock_server: MockServer) -> None:
    code = block_containing("from together.generated.rest import ApiException")
    assert QUICK_START_HOST in code, "the README's quick start no longer names the API host"
    code = code.replace(QUICK_START_HOST, repr(mock_server.url))
    env = {**os.environ, "TOGETHER_API_KEY": TOKEN}
    env.pop("TOGETHER_BASE_URL", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=REPOSITORY,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, stderr.decode()
    # model BAAI/bge-large-en-v1.5: 1024 dimensions (docs/mock-server.md); input ["a", "b"].
    assert stdout.decode().splitlines() == ["0 1024", "1 1024"]


async def test_whole_api_tour_runs_as_written(tmp_path: Path) -> None:
    """The "whole API" example starts its own local server: run it as a user would."""
    code = block_containing("asyncio.run(tour())")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOGETHER_")}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, stderr.decode()
    reply, saved = stdout.decode().splitlines()
    # The local server's chat reply is built from the prompt (docs/mock-server.md).
    assert "Say hello" in reply
    wav = (tmp_path / "hello.wav").read_bytes()
    assert saved == f"{len(wav)} bytes in hello.wav"
    assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE"
