"""mypy --strict over the package (generated code included), the generator and the tests
(test/, with its helpers and the fake transport whose types prove the transport seam), in one
run; and py.typed shipped."""

from __future__ import annotations

import subprocess
import sys

from support import REPOSITORY


def test_mypy_strict_is_clean() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "together", "codegen", "test"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_py_typed_is_shipped() -> None:
    assert (REPOSITORY / "together" / "generated" / "py.typed").exists()
