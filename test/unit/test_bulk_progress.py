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


def test_without_a_total_a_terminal_gets_a_count_without_a_bar() -> None:
    stream, clock = Terminal(), Clock()
    progress = Progress(None, stream, clock=clock)
    clock.now += 0.5
    progress.update(7)
    progress.finish()
    assert stream.getvalue() == "\r7 texts, 14/s\r7 texts, 14/s\n"


def test_the_bar_is_full_at_the_end_and_counts_texts_kept_before() -> None:
    stream, clock = Terminal(), Clock()
    progress = Progress(1_000_000, stream, already=250_000, clock=clock)
    clock.now += 2
    progress.update(1_000_000)
    assert stream.getvalue() == (
        "\r[##############################] 1,000,000/1,000,000 texts (100%), 375,000/s"
    )


def test_a_plain_line_waits_for_the_whole_interval_by_default() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(10, stream, clock=clock)
    clock.now += 9.9
    progress.update(5)
    assert stream.getvalue() == ""
    clock.now += 0.1
    progress.update(6)
    assert stream.getvalue() == "together-embed: 6/10 texts (60%), 1/s\n"


def test_the_last_line_is_printed_when_this_run_did_something() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(10, stream, already=4, interval=100.0, clock=clock)
    clock.now += 3
    progress.update(10)  # within the interval: not shown yet
    assert stream.getvalue() == ""
    progress.finish()
    assert stream.getvalue() == "together-embed: 10/10 texts (100%), 2/s\n"


def test_a_rate_at_the_very_start_is_finite() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(10, stream, interval=0.0, clock=clock)
    progress.update(0)
    assert stream.getvalue() == "together-embed: 0/10 texts (0%), 0/s\n"


class Ticking:
    """A clock one second later each time it is read."""

    def __init__(self) -> None:
        self.now = 99.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


def test_the_rate_shown_is_of_the_moment_the_clock_was_read_for_it() -> None:
    # One reading of the clock per update: it both decides whether to show a line and
    # times the rate shown, so a line never mixes two moments.
    for stream, expected in (
        (io.StringIO(), "together-embed: 10 texts, 10/s\n"),
        (Terminal(), "\r10 texts, 10/s"),
    ):
        progress = Progress(None, stream, interval=1.0, clock=Ticking())  # started at 100
        progress.update(10)  # the clock reads 101: 10 texts in 1 s
        assert stream.getvalue() == expected
    assert Progress(None, io.StringIO(), clock=Ticking()).text(now=102.0) == "0 texts, 0/s"
    progress = Progress(None, io.StringIO(), clock=Ticking())
    progress.done = 20
    assert progress.text(now=102.0) == "20 texts, 10/s"  # 2 s given, not the clock's 1 s
