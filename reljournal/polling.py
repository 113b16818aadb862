"""While `watch` or `serve` runs: read each calendar of `[[calendars]]` at start and then every `poll`
(SPEC 7), and sync the `[caldav]` calendar at start, every `poll`, and within seconds of a change to the
vault (`poke`, SPEC 8). The notes it writes reach the index through the watcher, like any other save.

One thread, with its own `Journal` for each round (the settings and the date in force then; its sync is the
watcher's quick handshake, not a scan). A calendar that fails is reported once, retried after a wait that
doubles up to eight times its `poll`, and said to be back when it is; nothing it does stops the watcher.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reljournal.app import Journal
from reljournal.config import CalendarSettings, Settings, load_settings

MAX_BACKOFF = 8  # times the calendar's `poll`
PUSH_DELAY = 2.0  # seconds after a change before the phone's calendar is synced (a burst of saves: once)
CALDAV = "caldav"


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
        self._wake = threading.Event()
        self._poked_at: float | None = None
        self._thread: threading.Thread | None = None
        self._due: dict[str, _Due] = {}
        self.rounds = 0  # calendars read, for tests

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="reljournal-calendars", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def poke(self) -> None:
        """The vault changed: the phone's calendar is synced in `PUSH_DELAY` seconds (once for a burst)."""
        if self._poked_at is None:
            self._poked_at = self._clock()
        self._wake.set()

    def _settings(self) -> Settings | None:
        settings, problems = load_settings(self.root)
        return None if problems else settings

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            settings = self._settings()
            calendars = settings.calendars if settings is not None else ()
            now = self._clock()
            for calendar in calendars:
                due = self._due.setdefault(calendar.name, _Due(now))
                if now >= due.at and not self._stop.is_set():
                    self._poll(calendar.name, calendar.poll, functools.partial(self._read, calendar=calendar), due)
            waits = [d.at - self._clock() for name, d in self._due.items() if any(c.name == name for c in calendars)]
            if settings is not None and settings.caldav is not None:
                due = self._due.setdefault(CALDAV, _Due(now))
                poked = self._poked_at is not None and self._clock() - self._poked_at >= PUSH_DELAY
                if (now >= due.at or poked) and not self._stop.is_set():
                    self._poked_at = None
                    self._poll(CALDAV, settings.caldav.poll, self._phone, due)
                waits.append(due.at - self._clock())
                if self._poked_at is not None:
                    waits.append(self._poked_at + PUSH_DELAY - self._clock())
            self._wake.wait(max(0.05, min([*waits, 60.0])) if waits else 5.0)

    def _read(self, journal: Journal, *, calendar: CalendarSettings) -> tuple[str | None, str | None]:
        """(error, what changed) of reading one calendar."""
        # imported here, as `sync_phone` is: a vault without calendars never needs it, and it took 0.09 s of
        # every `watch` and `serve` start (the calendar readers and the importer)
        from reljournal.calendars.sync import sync_one

        result = sync_one(journal.settings, journal.today, journal.view, calendar)
        outcome = result.outcome
        said = outcome.plan.summary() if outcome is not None and (outcome.added or outcome.changed) else None
        return result.error, said

    def _phone(self, journal: Journal) -> tuple[str | None, str | None]:
        from reljournal.calendars.phone import PhoneError, sync_phone

        try:
            result = sync_phone(journal.settings, journal.today, journal.view)
        except PhoneError as exc:
            return exc.message, None
        for line in result.lines:
            self._echo(line, False)
        quiet = not (result.new or result.changed or result.removed or result.lines or result.conflicts)
        return None, None if quiet else result.summary()

    def _poll(self, name: str, every: int, work: Callable[[Journal], tuple[str | None, str | None]],
              due: _Due) -> None:
        try:
            journal = Journal.open(self.root, self.today)
        except Exception:  # noqa: BLE001 - settings broken meanwhile: the watcher reports those
            due.at = self._clock() + every
            return
        said: str | None = None
        try:
            error, said = work(journal)
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the watcher; say it once
            error = f"error while reading it ({type(exc).__name__}: {exc})"
        finally:
            journal.close()
        self.rounds += 1
        if error is not None:
            due.failures += 1
            due.at = self._clock() + every * min(2 ** (due.failures - 1), MAX_BACKOFF)
            if error != due.error:
                self._echo(f"{name}: {error} (retrying, with longer waits; the watcher goes on)", True)
                due.error = error
            return
        if due.error is not None:
            self._echo(f"{name}: read again", False)
        due.failures, due.error, due.at = 0, None, self._clock() + every
        if said:
            self._echo(f"{name}: {said}", False)
