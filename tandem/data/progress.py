"""Progress reporting shared by the long-running commands (import, demo build).

A long task calls `report(fraction, message)`; the CLI prints a bar on stderr, the
dashboard draws `st.progress`. Tasks never print directly.
"""

from __future__ import annotations

import sys
import time
from typing import Callable

Progress = Callable[[float, str], None]


def silent(fraction: float, message: str) -> None:
    """A progress callback that shows nothing (tests, library use)."""


class TerminalBar:
    """A one-line progress bar on stderr: `[#####     ]  50%  building activities (12.3 s)`."""

    def __init__(self, stream=None, width: int = 30):
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.perf_counter()
        self.interactive = getattr(self.stream, "isatty", lambda: False)()
        self._last_message = None

    def __call__(self, fraction: float, message: str) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        filled = round(fraction * self.width)
        elapsed = time.perf_counter() - self.started
        line = f"[{'#' * filled}{' ' * (self.width - filled)}] {fraction:4.0%}  {message} ({elapsed:.1f} s)"
        if self.interactive:
            self.stream.write("\r\033[K" + line + ("\n" if fraction >= 1.0 else ""))
        elif message != self._last_message:  # logs and pipes: one line per step
            self.stream.write(line + "\n")
        self._last_message = message
        self.stream.flush()
