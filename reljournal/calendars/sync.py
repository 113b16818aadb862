"""Every calendar of `[[calendars]]`, read in turn (for `sync`, and for `watch` and `serve` every `poll`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from reljournal.calendars.importing import Outcome, Window, import_calendar
from reljournal.calendars.source import Source, SourceError, from_command, source_of
from reljournal.config import CalendarSettings, Settings
from reljournal.queries import View


@dataclass(frozen=True)
class Synced:
    name: str
    outcome: Outcome | None = None
    error: str | None = None  # one line, naming at most a URL's host


def source_for(calendar: CalendarSettings, settings: Settings) -> Source:
    if calendar.source is not None:
        source = source_of(calendar.source)
        if not source.is_url and not Path(source.location).expanduser().is_absolute():
            # a relative path in the settings is relative to the vault, wherever the command runs
            return source_of(str(settings.root / source.location))
        return source
    assert calendar.source_command is not None
    return from_command(calendar.source_command, cwd=settings.root)


def sync_one(settings: Settings, today: dt.date, view_of: Callable[[], View], calendar: CalendarSettings, *,
             dry_run: bool = False, timeout: float | None = None) -> Synced:
    """Read one calendar into the vault. `view_of` gives the vault brought up to date (the notes written
    by the calendars read before count)."""
    try:
        source = source_for(calendar, settings)
        return Synced(calendar.name, import_calendar(settings, view_of, source, Window.of(calendar, today),
                                                     dry_run=dry_run, timeout=timeout))
    except SourceError as exc:
        return Synced(calendar.name, error=exc.message)


def sync_calendars(settings: Settings, today: dt.date, view_of: Callable[[], View], *,
                   dry_run: bool = False) -> Iterator[Synced]:
    for calendar in settings.calendars:
        yield sync_one(settings, today, view_of, calendar, dry_run=dry_run)
