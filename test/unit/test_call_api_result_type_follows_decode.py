"""``ApiClient.call_api(..., decode=...)``: mypy infers the result each kind of ``decode``
gives at run time (docs/runtime.md#per-call-decoding): the operation's type without it,
``bytes``, a pydantic model class of the caller's, or what a parser returns."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from support import REPOSITORY

USAGE = """
import json
from typing import Any, assert_type

from pydantic import BaseModel

from together.generated import ApiClient, ApiResponse
from together.generated._runtime.operation import Operation, ResponseSpec


class Answer(BaseModel):
    ok: bool


class Mine(BaseModel):
    text: str


def count(raw: bytes) -> int:
    return len(raw)


OPERATION: Operation[Answer] = Operation(
    "ping", "GET", "/ping", responses={"200": ResponseSpec.json(Answer)}
)


async def calls(client: ApiClient) -> None:
    assert_type(await client.call_api(OPERATION), ApiResponse[Answer])
    assert_type(await client.call_api(OPERATION, decode=None), ApiResponse[Answer])
    assert_type(await client.call_api(OPERATION, decode=Mine), ApiResponse[Mine])
    assert_type(await client.call_api(OPERATION, {}, None, decode=Mine), ApiResponse[Mine])
    assert_type(await client.call_api(OPERATION, decode=bytes), ApiResponse[bytes])
    assert_type(await client.call_api(OPERATION, decode=count), ApiResponse[int])
    assert_type(await client.call_api(OPERATION, decode=json.loads), ApiResponse[Any])
    await client.call_api(OPERATION, decode="json")  # type: ignore[call-overload]
"""


def test_mypy_infers_the_result_of_each_decode_of_call_api(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    (tmp_path / "usage.py").write_text(USAGE, encoding="utf-8")
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(REPOSITORY / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path_factory.getbasetemp() / "call-api-mypy-cache"),
            "--strict",
            "--warn-unused-ignores",
            "usage.py",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "", "PYTHONPATH": str(REPOSITORY)},
        check=False,
    )
    assert checked.returncode == 0, checked.stdout[-4000:]
