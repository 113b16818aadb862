"""SIGINT and SIGTERM as a request to stop a long-running command (`watch`, `serve`), taken without a lock.

A signal handler runs in the main thread between any two of its bytecodes: while that thread holds a lock,
and inside another handler. The handlers used to call `threading.Event.set()`, which takes the event's
lock; two signals close together (a Ctrl-C that `timeout` or a wrapper passes on after the terminal sent it
too) hung the watcher for good: the second handler waited, inside the first one's `with`, for the lock the
first held. So the handler here only sets a flag, and the main thread looks at it between short waits.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

POLL_S = 0.2  # how soon the main thread sees a signal: a wait a signal cannot cut short (Windows) ends by then


class StopSignals:
    """While entered in the main thread, SIGINT and SIGTERM set `requested`. `wait()` returns once one came or
    `stop` is set (by another thread). On leaving, the handlers before are put back; after a signal, the program
    is ending, and both are ignored instead. Entered in another thread it installs nothing (Python allows
    handlers in the main thread only): `wait()` then waits for `stop` alone."""

    def __init__(self, stop: threading.Event | None = None) -> None:
        self.stop = stop or threading.Event()
        self.requested = False
        self._previous: dict[int, Any] = {}

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True  # and nothing that takes a lock: see the module's docstring

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._on_signal)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            # A signal asked the program to end: more of them (a burst that outlasts the stop) are ignored until it
            # has, where the handlers before would end it by the signal (SPEC 5: exit 0). Ignored, not left to
            # `_on_signal`: Python gives a signal handled in Python back to the default as it exits.
            signal.signal(sig, signal.SIG_IGN if self.requested else handler)
        self._previous.clear()

    def wait(self) -> None:
        """Until a signal came or `stop` is set."""
        while not self.requested and not self.stop.wait(POLL_S):
            pass
