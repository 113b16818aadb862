"""While `watch` or `serve` runs: read each calendar of `[[calendars]]` at start and then every `poll`
(SPEC 7). The notes it writes reach the index through the watcher, like any other save.

One thread, with its own `Journal` for each round (the settings and the date in force then; its sync is the
watcher's quick handshake, not a scan). A calendar that fails is reported once, retried after a wait that
doubles up to eight times its `poll`, and said to be back when it is; nothing it does stops the watcher.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reljournal.app import Journal
from reljournal.calendars.sync import Synced, sync_one
from reljournal.config import CalendarSettings, load_settings

MAX_BACKOFF = 8  # times the calendar's `poll`


@dataclass
class _Due:
    at: float
    failures: int = 0
    error: str | None = None  # the last failure reported


class CalendarPoller:
    def __init__(self, root: Path, today: str | None, echo: Callable[[str, bool], None], *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.root = root
        self.today = today  # `--today` when it was given: the window stays where it is
        self._echo = echo
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._due: dict[str, _Due] = {}
        self.rounds = 0  # calendars read, for tests

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="reljournal-calendars", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def _calendars(self) -> tuple[CalendarSettings, ...]:
        settings, problems = load_settings(self.root)
        return () if problems else settings.calendars

    def _run(self) -> None:
        while not self._stop.is_set():
            calendars = self._calendars()
            now = self._clock()
            for calendar in calendars:
                due = self._due.setdefault(calendar.name, _Due(now))
                if now >= due.at and not self._stop.is_set():
                    self._poll(calendar, due)
            waits = [d.at - self._clock() for name, d in self._due.items() if any(c.name == name for c in calendars)]
            self._stop.wait(min([*waits, 60.0]) if waits else 5.0)

    def _poll(self, calendar: CalendarSettings, due: _Due) -> None:
        try:
            journal = Journal.open(self.root, self.today)
        except Exception as exc:  # noqa: BLE001 - settings broken meanwhile: the watcher reports those
            due.at = self._clock() + calendar.poll
            del exc
            return
        result: Synced | None = None
        try:
            result = sync_one(journal.settings, journal.today, journal.view, calendar)
            error = result.error
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the watcher; say it once
            error = f"error while reading it ({type(exc).__name__}: {exc})"
        finally:
            journal.close()
        self.rounds += 1
        if error is not None:
            due.failures += 1
            due.at = self._clock() + calendar.poll * min(2 ** (due.failures - 1), MAX_BACKOFF)
            if error != due.error:
                self._echo(f"{calendar.name}: {error} (retrying, with longer waits; the watcher goes on)", True)
                due.error = error
            return
        if due.error is not None:
            self._echo(f"{calendar.name}: read again", False)
        due.failures, due.error, due.at = 0, None, self._clock() + calendar.poll
        outcome = result.outcome if result is not None else None
        if outcome is not None and (outcome.added or outcome.changed):
            self._echo(f"{calendar.name}: {outcome.plan.summary()}", False)
