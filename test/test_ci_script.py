""".ci/run stops at the first failing step, fails on "no tests", and runs the README's command.

The script is run for real (bash) in a scratch copy of the repository layout, with a stand-in
Python whose ``-m venv`` writes a fake ``.venv/bin/{pip,python,ruff}``: each records its
arguments and exits with the status the test asks for, so a step can be made to fail without
installing anything.
"""

from __future__ import annotations

import configparser
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from support import REPOSITORY

CI_SCRIPT = REPOSITORY / ".ci" / "run"
README = REPOSITORY / "README.md"

# The stand-in interpreter. `-m venv DIR` writes the fake tools into DIR/bin; each tool
# appends "<name> <args>" to $CI_LOG and exits with $FAIL_<NAME> (default 0).
FAKE_PYTHON = r"""#!/usr/bin/env bash
set -eu
if [ "$1 $2" = "-m venv" ]; then
    mkdir -p "$3/bin"
    for tool in pip python ruff; do
        cat > "$3/bin/$tool" <<'EOF'
#!/usr/bin/env bash
name=$(basename "$0")
if [ "$name" = python ]; then name="python-$2"; fi
echo "$name $*" >> "$CI_LOG"
var="FAIL_$(echo "$name" | tr 'a-z-' 'A-Z_')"
exit "${!var:-0}"
EOF
        chmod +x "$3/bin/$tool"
    done
    echo "venv $3" >> "$CI_LOG"
    exit 0
fi
echo "unexpected: $*" >&2
exit 99
"""


def _run_ci(tmp_path: Path, **fail: int) -> tuple[int, list[str], str]:
    """Run a copy of .ci/run; ``fail`` maps a step (pip, python_pytest, ...) to its exit code."""
    work = tmp_path / "repo"
    (work / ".ci").mkdir(parents=True)
    shutil.copy(CI_SCRIPT, work / ".ci" / "run")
    fake = tmp_path / "fake-python"
    fake.write_text(FAKE_PYTHON, encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "ci.log"
    log.touch()
    env = {
        "PATH": os.environ["PATH"],
        "PYTHON": str(fake),
        "CI_LOG": str(log),
        **{f"FAIL_{step.upper()}": str(code) for step, code in fail.items()},
    }
    completed = subprocess.run(
        ["bash", str(work / ".ci" / "run")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    steps = [line.split(" ", 1)[0] for line in log.read_text(encoding="utf-8").splitlines()]
    return completed.returncode, steps, completed.stderr


@pytest.fixture(autouse=True)
def _needs_bash() -> None:
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")


def test_all_steps_pass_in_order(tmp_path: Path) -> None:
    code, steps, _ = _run_ci(tmp_path)
    assert code == 0
    assert steps == ["venv", "pip", "python-pytest", "python-codegen", "ruff", "ruff"]


def test_a_failed_install_fails_the_run_and_skips_the_tests(tmp_path: Path) -> None:
    # The bug this pins: `venv && pip install && pytest` under `set -e` went on past a
    # failed install and exited 0.
    code, steps, _ = _run_ci(tmp_path, pip=1)
    assert code == 1
    assert steps == ["venv", "pip"]


def test_failing_tests_fail_the_run_before_the_other_checks(tmp_path: Path) -> None:
    code, steps, _ = _run_ci(tmp_path, python_pytest=1)
    assert code == 1
    assert steps == ["venv", "pip", "python-pytest"]


def test_no_tests_collected_fails_the_run(tmp_path: Path) -> None:
    code, steps, stderr = _run_ci(tmp_path, python_pytest=5)
    assert code == 5
    assert steps == ["venv", "pip", "python-pytest"]
    assert "no tests" in stderr


def test_codegen_drift_fails_the_run(tmp_path: Path) -> None:
    code, steps, _ = _run_ci(tmp_path, python_codegen=1)
    assert code == 1
    assert steps == ["venv", "pip", "python-pytest", "python-codegen"]


def _readme_test_command() -> str:
    """The README's test command: the shell line that runs pytest."""
    lines = [
        line.strip()
        for line in README.read_text(encoding="utf-8").splitlines()
        if "-m pytest" in line and not line.lstrip().startswith("#")
    ]
    assert len(lines) == 1, lines
    return lines[0]


def _script_commands() -> list[str]:
    return [
        line.strip()
        for line in CI_SCRIPT.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def test_ci_runs_each_step_of_the_readme_test_command() -> None:
    readme_steps = [step.strip() for step in _readme_test_command().split("&&")]
    assert readme_steps[0].startswith("python3.11 ")
    expected = ['"$PYTHON"' + readme_steps[0][len("python3.11") :], *readme_steps[1:]]
    commands = _script_commands()
    positions = []
    for step in expected:
        matches = [i for i, line in enumerate(commands) if line.startswith(step)]
        assert matches, f".ci/run does not run the README's step {step!r}"
        positions.append(matches[0])
    assert positions == sorted(positions), "the steps run in the README's order"


def test_ci_chains_no_commands_with_and() -> None:
    assert [line for line in _script_commands() if "&&" in line] == []


def test_tox_runs_the_checks_ci_runs() -> None:
    # README, Development: "`tox` runs the same checks as CI: `tox -e tests,lint,type,codegen`".
    tox = configparser.ConfigParser()
    tox.read(REPOSITORY / "tox.ini", encoding="utf-8")
    tox_commands = {
        line.strip().replace("{posargs}", "").strip()
        for env in ("tests", "lint", "type", "codegen")
        for line in tox[f"testenv:{env}"]["commands"].splitlines()
        if line.strip()
    }
    ci_commands = {
        line.replace(".venv/bin/", "").split(" || ")[0]
        for line in _script_commands()
        if line.startswith(".venv/bin/") and "pip install" not in line
    }
    assert ci_commands == {
        "python -m pytest",
        "python -m codegen --check",
        "ruff check .",
        "ruff format --check .",
    }
    assert ci_commands <= tox_commands
