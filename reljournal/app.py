"""Opening a vault: settings, `today`, the index brought up to date, and the `View` every command reads.

This is the one path from a command line (or the watcher, or the server) to the index: `Journal.sync()`
calls `reindex()` and nothing else writes the index.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from reljournal import live
from reljournal.config import Settings, find_vault, load_settings
from reljournal.dates import parse_date
from reljournal.errors import Problem, SettingsError, UserError
from reljournal.index.store import Index, is_corrupt
from reljournal.index.sync import SyncStats, open_index, reindex, settings_fingerprint
from reljournal.queries import View


def resolve_today(option: str | None, settings: Settings) -> dt.date:
    """`--today`, else $RELJOURNAL_TODAY, else the real date in the vault's zone."""
    text = option or os.environ.get("RELJOURNAL_TODAY")
    if not text:
        return settings.today()
    try:
        return parse_date(text)
    except ValueError as exc:
        raise UserError(f"--today: {exc}", exit_code=2) from None


@dataclass
class Journal:
    settings: Settings
    today: dt.date
    settings_problems: list[Problem] = field(default_factory=list)
    _index: Index | None = None
    last_sync: SyncStats | None = None

    @classmethod
    def open(cls, vault: str | os.PathLike[str] | None, today: str | None, *, tolerate_bad_settings: bool = False,
             cwd: Path | None = None) -> Journal:
        root = find_vault(vault, cwd)
        if not root.is_dir():
            raise UserError(f"no vault at {root}: not a folder", exit_code=2)
        settings, problems = load_settings(root)
        if problems and not tolerate_bad_settings:
            raise SettingsError(problems)
        return cls(settings, resolve_today(today, settings), problems)

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = open_index(self.settings)
        return self._index

    def sync(self, *, rebuild: bool = False, paths: Iterable[str] | None = None,
             progress: Callable[[int, int], None] | None = None) -> SyncStats:
        """Bring the index up to date. While a watcher keeps it live (SPEC 5) and has caught up with every
        change made before this call (`live.index_is_current`), the scan of the vault is skipped."""
        if (not rebuild and paths is None and self.index.path != ":memory:"
                and self.index.meta("fingerprint") == settings_fingerprint(self.settings)
                and live.index_is_current(self.settings)):
            self.last_sync = SyncStats()
            return self.last_sync
        try:
            self.last_sync = reindex(self.settings, self.index, rebuild=rebuild, paths=paths, progress=progress)
        except sqlite3.DatabaseError as exc:
            self.recover(exc, progress=progress)
        assert self.last_sync is not None
        return self.last_sync

    def recover(self, exc: sqlite3.DatabaseError, *, progress: Callable[[int, int], None] | None = None
                ) -> SyncStats:
        """The index is damaged (a bad disk): set it aside and build it again from the notes. Any other
        database error (locked, read-only) is raised again."""
        if not is_corrupt(exc):
            raise exc
        self.index.recover(str(exc))
        self.last_sync = reindex(self.settings, self.index, rebuild=True, progress=progress)
        return self.last_sync

    def view(self, *, sync: bool = True) -> View:
        """The vault on `today`, read from the index (brought up to date first unless told not to)."""
        if sync:
            self.sync()
        view = View(self.settings, self.today, self.index)
        try:
            self.index.error_count()  # the first read: a damaged database shows here
        except sqlite3.DatabaseError as exc:
            self.recover(exc)
            view = View(self.settings, self.today, self.index)
        return view

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
