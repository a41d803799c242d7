"""Progress of a bulk job on stderr: a live bar on a terminal, periodic lines elsewhere."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """Reports texts done out of ``total`` (if known) and the rate of *this* run.

    ``already`` is the number of texts an earlier run embedded: shown in the count, left out
    of the rate. On a terminal a one-line bar is redrawn at most ten times a second;
    elsewhere (a log file, a pipe) a plain line is printed every ``interval`` seconds.
    """

    def __init__(
        self,
        total: int | None,
        stream: TextIO,
        *,
        already: int = 0,
        interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.stream = stream
        self.already = already
        self.clock = clock
        self.live = stream.isatty()
        self.interval = 0.1 if self.live else interval
        self.started = clock()
        self.last_shown = self.started
        self.done = already

    def update(self, done: int) -> None:
        self.done = done
        now = self.clock()
        if now - self.last_shown < self.interval:
            return
        self.last_shown = now
        self._show(now)

    def text(self, now: float | None = None) -> str:
        elapsed = max((self.clock() if now is None else now) - self.started, 1e-9)
        rate = (self.done - self.already) / elapsed
        if self.total:
            share = f" ({self.done / self.total:.0%})"
            count = f"{self.done:,}/{self.total:,} texts{share}"
        else:
            count = f"{self.done:,} texts"
        return f"{count}, {rate:,.0f}/s"

    def _show(self, now: float) -> None:
        if self.live:
            bar = ""
            if self.total:
                filled = int(30 * self.done / self.total)
                bar = "[" + "#" * filled + "-" * (30 - filled) + "] "
            self.stream.write("\r" + bar + self.text(now))
        else:
            self.stream.write("together-embed: " + self.text(now) + "\n")
        self.stream.flush()

    def finish(self) -> None:
        """End the bar's line (a terminal) or print the last count (elsewhere)."""
        if self.live:
            self._show(self.clock())
            self.stream.write("\n")
        elif self.done != self.already:
            self.stream.write("together-embed: " + self.text() + "\n")
        self.stream.flush()
