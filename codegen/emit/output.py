"""Formatting generated files (ruff) and writing them, or checking them against the tree."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from codegen.emit.render import GENERATED_MARKERS


class FormatError(RuntimeError):
    """ruff could not format the generated code: not installed, or the code is not Python."""


def ruff_steps(first_party: list[str]) -> list[list[str]]:
    """ruff's settings for generated code: sort the imports, then format.

    Given on the command line (``--isolated``) so that no configuration file can change the
    output: regeneration must be byte-identical everywhere.
    """
    common = ["--isolated", "--no-cache", "--quiet", "--line-length", "100"]
    isort = f"lint.isort.known-first-party = {sorted(first_party)!r}"
    return [
        ["check", *common, "--select", "I,RUF022", "--fix", "--config", isort],
        ["format", *common],
    ]


def format_python(files: Mapping[str, str], first_party: list[str]) -> dict[str, str]:
    """The files with every ``.py`` one formatted by ruff (one run a step for all files)."""
    result = dict(files)
    python = {path: text for path, text in files.items() if path.endswith(".py")}
    if not python:
        return result
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for path, text in python.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        for step in ruff_steps(first_party):
            # Run inside the tree so ruff's import sorting sees the generated package as
            # first-party.
            try:
                completed = subprocess.run(
                    [sys.executable, "-m", "ruff", *step, "."],
                    cwd=root,
                    capture_output=True,
                    text=True,
                    check=False,
                )
            except OSError as exc:  # the interpreter itself could not be started
                raise FormatError(f"ruff could not be run: {exc}") from None
            if completed.returncode != 0:
                output = (completed.stdout + completed.stderr).rstrip()
                raise FormatError(f"ruff could not format the generated code:\n{output}")
        for path in python:
            result[path] = (root / path).read_text(encoding="utf-8")
    return result


def is_generated(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as handle:
            first = handle.readline()
    except (OSError, UnicodeDecodeError):
        return False
    return first.startswith(GENERATED_MARKERS)


def differences(files: Mapping[str, str], root: Path, owned_dirs: list[str]) -> list[str]:
    """Paths (relative to ``root``) that differ from ``files``, are missing, or are stale."""
    problems = []
    for path, text in sorted(files.items()):
        target = root / path
        if not target.exists():
            problems.append(f"missing: {path}")
        elif target.read_text(encoding="utf-8") != text:
            problems.append(f"differs: {path}")
    for stale in _stale(files, root, owned_dirs):
        problems.append(f"stale: {stale}")
    return problems


def write(files: Mapping[str, str], root: Path, owned_dirs: list[str]) -> list[str]:
    """Write what changed, delete stale generated files; return the paths touched."""
    touched = []
    for path, text in sorted(files.items()):
        target = root / path
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        touched.append(path)
    for stale in _stale(files, root, owned_dirs):
        (root / stale).unlink()
        touched.append(stale)
    return touched


def _stale(files: Mapping[str, str], root: Path, owned_dirs: list[str]) -> list[str]:
    """Generated files (by their header) in ``owned_dirs`` that ``files`` does not hold."""
    # Compared as absolute paths: a folder may be given absolute (--docs-dir /tmp/g/docs).
    produced = {(root / path).absolute() for path in files}
    stale = []
    for directory in owned_dirs:
        base = root / directory
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if (
                path.is_file()
                and path.absolute() not in produced
                and "__pycache__" not in path.parts
                and is_generated(path)
            ):
                stale.append(_shown(path.absolute(), root.absolute()))
    return stale


def _shown(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when it is inside it, else as it is."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
