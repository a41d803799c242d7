"""The README's Python examples run as written, against the local server.

The code is read from README.md, not copied here, so an edit there that breaks it fails this
test. The only change made to it: the quick start's host literal becomes the local server's
URL (and its token comes from TOGETHER_API_KEY, as it says).
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import os
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import together.generated
from support import REPOSITORY, TOKEN
from together.mock import MockServer

README = REPOSITORY / "README.md"
QUICK_START_HOST = '"https://api.together.xyz/v1"'


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def block_containing(marker: str) -> str:
    (block,) = [b for b in python_blocks() if marker in b]
    return block


async def test_quick_start_runs_as_written(mock_server: MockServer) -> None:
    code = block_containing("asyncio.run(main())")
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


async def test_bulk_example_runs_as_written(
    mock_server: MockServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = block_containing("embed_many(")
    monkeypatch.chdir(tmp_path)
    lines = [f"text number {i}" for i in range(300)]
    Path("texts.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # What the example takes as given: a configuration and some texts.
    namespace: dict[str, object] = {
        "together": together,
        "configuration": together.generated.Configuration(host=mock_server.url, access_token=TOKEN),
        "texts": lines[:10],
    }
    compiled = compile(code, "README.md", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(compiled, namespace)  # top-level await: a coroutine to await
    if inspect.iscoroutine(result):
        await result
    vectors = namespace["vectors"]
    assert isinstance(vectors, np.ndarray)
    assert (vectors.shape, vectors.dtype) == ((10, 768), np.float32)  # bge-base: 768
    streamed = np.load(tmp_path / "vectors.npy")
    assert streamed.shape == (300, 768)
    # on_progress=print: counts of texts done, the last one all of them.
    assert capsys.readouterr().out.split()[-1] == "10"
