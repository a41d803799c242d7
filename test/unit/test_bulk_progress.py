"""together-embed's progress report: lines on a non-terminal, the rate of this run only."""

from __future__ import annotations

import io

from together.cli.progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_non_terminal_gets_a_plain_line_every_interval() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(1000, stream, interval=5.0, clock=clock)
    for second in range(1, 13):
        clock.now += 1
        progress.update(second * 10)
    progress.finish()
    lines = stream.getvalue().splitlines()
    assert lines == [
        "together-embed: 50/1,000 texts (5%), 10/s",
        "together-embed: 100/1,000 texts (10%), 10/s",
        "together-embed: 120/1,000 texts (12%), 10/s",
    ]


def test_after_a_resume_the_rate_counts_only_this_run() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(None, stream, already=40_000, interval=1.0, clock=clock)
    clock.now += 2
    progress.update(40_100)
    assert stream.getvalue() == "together-embed: 40,100 texts, 50/s\n"


def test_nothing_done_prints_no_final_line() -> None:
    stream = io.StringIO()
    Progress(10, stream, already=10, clock=Clock()).finish()
    assert stream.getvalue() == ""


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_one_redrawn_bar() -> None:
    stream, clock = Terminal(), Clock()
    progress = Progress(100, stream, clock=clock)
    clock.now += 1
    progress.update(50)
    clock.now += 0.05
    progress.update(60)  # within a tenth of a second: not redrawn
    progress.finish()
    assert stream.getvalue() == (
        "\r[###############---------------] 50/100 texts (50%), 50/s"
        "\r[##################------------] 60/100 texts (60%), 57/s\n"
    )
