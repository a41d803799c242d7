"""The README's bulk commands work as written (item 8 of issue 8)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
from bulk_support import expected_rows

from support import REPOSITORY

README = (REPOSITORY / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end]


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("TOGETHER_")}


def test_the_main_job_install_brings_what_the_bulk_example_needs() -> None:
    setup = blocks(section("Set-up"), "sh")[0]
    main_job = next(line for line in setup.splitlines() if "together-embed" in line)
    extras = re.search(r"-e '\.\[([a-z,]+)\]'", main_job)
    assert extras, main_job
    declared = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]
    requirements = [
        requirement
        for extra in extras.group(1).split(",")
        for requirement in declared["optional-dependencies"][extra]
    ]
    assert any(re.match(r"numpy\b", requirement) for requirement in requirements), requirements
    # the distribution is not on the package index: no command may install it from there
    assert "pip install 'together-generated" not in README


def test_the_python_example_runs_as_written(tmp_path: Path) -> None:
    (code,) = blocks(section("Arrays and bulk embedding"), "python")
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(1000, 768)"
    texts = [f"sentence number {i}" for i in range(1000)]
    assert np.allclose(np.load(tmp_path / "vectors.npy"), expected_rows(texts), atol=1e-6)


def test_the_command_line_example_runs_as_written(tmp_path: Path) -> None:
    (commands,) = blocks(section("Arrays and bulk embedding"), "sh")
    (tmp_path / ".venv").symlink_to(sys.prefix)  # the README's .venv
    done = subprocess.run(
        ["sh", "-e", "-c", commands],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    texts = [f"sentence number {i}" for i in range(1, 5001)]
    assert np.allclose(np.load(tmp_path / "vectors.npy"), expected_rows(texts), atol=1e-6)
