"""A quiet progress counter on stderr for work that may take more than a second or two."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Prints ``"<label> 12/36"`` to ``stream`` once the work has run for ``delay`` seconds.

    On a terminal the counter rewrites one line; elsewhere (logs, pipes) it
    prints a line about every ``every`` seconds and the last count, so a slow
    render is never silent and a fast one prints nothing.
    """

    def __init__(
        self,
        total: int,
        label: str = "frame",
        *,
        stream: TextIO | None = None,
        delay: float = 1.0,
        every: float = 2.0,
        enabled: bool = True,
    ) -> None:
        self.total = total
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.delay = delay
        self.every = every
        self.enabled = enabled
        self.start = time.monotonic()
        self.last = -1.0
        self.shown = False
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def step(self, done: int) -> None:
        """Reports that ``done`` of ``total`` items are finished."""
        now = time.monotonic()
        if not self.enabled or now - self.start < self.delay:
            return
        if self.tty:
            self.stream.write(f"\r{self.label} {done}/{self.total}")
        elif now - self.last >= self.every or done == self.total:
            self.stream.write(f"{self.label} {done}/{self.total}\n")
            self.last = now
        else:
            return
        self.stream.flush()
        self.shown = True

    def note(self, text: str) -> None:
        """A one-line message, only when the counter is showing (e.g. ``"writing GIF"``)."""
        if self.shown:
            self.stream.write(("\r" if self.tty else "") + text + ("" if self.tty else "\n"))
            self.stream.flush()

    def close(self) -> None:
        """Ends the counter's line on a terminal."""
        if self.shown and self.tty:
            self.stream.write("\n")
            self.stream.flush()
