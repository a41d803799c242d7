"""The docs cite tests that exist: docs/testing.md's promise table, and every test the
hand-written pages and the README name.

The table "Promises and the tests that pin them" in docs/testing.md cites each test as
`` `folder/test_file.py::test_name` `` (relative to ``test/``). A renamed or deleted test
makes this fail, so the table can never again point at a test that is gone.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from support import REPOSITORY

TESTS = REPOSITORY / "test"
TESTING_PAGE = REPOSITORY / "docs" / "testing.md"
SECTION = "## Promises and the tests that pin them"
#: The hand-written pages (the others under docs/ are generated) and the README.
HAND_WRITTEN = [
    "README.md",
    "docs/runtime.md",
    "docs/reliability.md",
    "docs/streaming-and-files.md",
    "docs/spec-changes.md",
    "docs/bulk.md",
    "docs/mock-server.md",
    "docs/testing.md",
]

CODE = re.compile(r"`([^`\n]+)`")
CITATION = re.compile(r"^(?P<file>(?:[\w-]+/)*test_\w+\.py)(?:::(?P<name>[\w:]+)(?:\[[^\]]+\])?)?$")
BARE_NAME = re.compile(
    r"^(?:(?P<file>(?:[\w-]+/)*test_\w+\.py)::)?(?P<name>test_\w+)(?:\[[^\]]+\])?$"
)


@cache
def defined_tests(path: Path) -> frozenset[str]:
    """``test_x`` and ``Class::test_x`` defined in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    for node in tree.body:
        if isinstance(node, functions) and node.name.startswith("test"):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)  # a helper class a page points at (e.g. FakeTransport)
            for sub in node.body:
                if isinstance(sub, functions) and sub.name.startswith("test"):
                    names.add(f"{node.name}::{sub.name}")
    return frozenset(names)


@cache
def every_test_name() -> frozenset[str]:
    names: set[str] = set()
    for path in TESTS.rglob("test_*.py"):
        names |= defined_tests(path)
    return frozenset(names)


def resolve(file: str) -> Path | None:
    """A cited file, relative to ``test/`` (or to the repository, ``test/...``)."""
    for base in (TESTS, REPOSITORY):
        if (base / file).is_file():
            return base / file
    if "/" not in file:  # a bare file name, as the pages' prose gives it: the one file so named
        found = sorted(TESTS.rglob(file))
        if len(found) == 1:
            return found[0]
    return None


def promise_table() -> list[str]:
    text = TESTING_PAGE.read_text(encoding="utf-8")
    assert SECTION in text, f"docs/testing.md has no section {SECTION!r}"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return [row for row in rows if not row.startswith(("| promise |", "| --- |"))]


def cells_of(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split(" | ")]


def test_the_promise_table_has_rows_and_each_cites_a_test() -> None:
    rows = promise_table()
    assert len(rows) >= 150, len(rows)
    for row in rows:
        cells = cells_of(row)
        assert len(cells) == 3, row  # promise (page#section) | test | how it would fail
        promise, tests, failure = cells
        assert "#" in promise or promise.startswith("spec-changes.md:"), f"no section: {row}"
        cited = [c for c in CODE.findall(tests) if CITATION.match(c)]
        assert cited or tests.startswith("measurement"), f"no test cited: {row}"
        assert failure, f"no way to fail given: {row}"


def test_every_test_the_promise_table_cites_exists() -> None:
    missing = []
    for row in promise_table():
        for code in CODE.findall(row):
            if code.startswith("::test"):
                missing.append(f"{code} (write the file too: path::name)")
                continue
            match = CITATION.match(code)
            if match is None:
                continue
            path = resolve(match["file"])
            if path is None:
                missing.append(f"{code} (no such file)")
            elif match["name"] and match["name"] not in defined_tests(path):
                missing.append(code)
    assert missing == []


@pytest.mark.parametrize("page", HAND_WRITTEN)
def test_every_test_a_page_names_exists(page: str) -> None:
    """Tables such as reliability.md's "Adversarial cases" name tests without their file."""
    missing = []
    for code in CODE.findall((REPOSITORY / page).read_text(encoding="utf-8")):
        if code.startswith("::"):
            code = code[2:]
        cited = CITATION.match(code)
        bare = BARE_NAME.match(code)
        if cited is not None:
            path = resolve(cited["file"])
            if path is None or (cited["name"] and cited["name"] not in defined_tests(path)):
                missing.append(code)
        elif bare is not None and bare["name"] not in every_test_name():
            missing.append(code)
    assert missing == []


def test_the_checker_finds_a_test_that_is_gone() -> None:
    """The checks above would see a stale citation (they are not vacuous)."""
    here = Path(__file__)
    assert "test_the_checker_finds_a_test_that_is_gone" in defined_tests(here)
    assert "test_order_and_values_match_single_calls" not in every_test_name()
    assert CITATION.match("e2e/test_bulk.py::test_order_and_values_match_single_calls")
    assert resolve("e2e/test_bulk.py") is not None and resolve("e2e/no_such.py") is None
