"""Keep the index and the feed current while files change (SPEC 5).

watchdog events -> `classify` (which vault paths, is it the settings file, a cookie) -> a pending set ->
the worker thread waits for a quiet moment (`DEBOUNCE`, at most `MAX_WAIT` into a burst) -> ONE
`reindex(settings, index, paths=changed)` -> the feed, written only when its bytes change.

The observer's threads only classify events and hand them over: nothing slow or fallible runs there,
and any exception is caught and reported, so the observer never dies of a bad event. The worker reports
and survives every exception too; a dead observer thread is restarted on the next tick.

Start, in this order: take the vault's lock (`live.VaultLock`; a second watcher exits 1), start the
observer (events that arrive during the first sync queue up), one full sync, the feed, then mark the
index live (`live.mark_live`) so that other commands skip their scan (see `reljournal.live`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import logging
import os
import sqlite3
import threading
import time
import traceback
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from reljournal import live
from reljournal.app import Journal
from reljournal.config import SETTINGS_FILE, STATE_DIR, Settings, load_settings
from reljournal.errors import Problem
from reljournal.feed import check_feed_path
from reljournal.index.sync import SyncStats, reindex
from reljournal.livefeed import FeedFile, FeedParts, LiveFeed, OwnedEvents
from reljournal.polling import CalendarPoller
from reljournal.queries import View
from reljournal.vault import Walked, ignore_spec

DEBOUNCE = 0.06  # seconds of quiet that end a burst (an editor's save, a git checkout)
MAX_WAIT = 1.0  # a burst that never goes quiet (a sync client) still updates once a second
TICK = 1.0  # how often the worker checks the date (midnight) and the observer's health
# The kinds of event that can change a note; opens and reads (our own, while indexing) are left out,
# so that inotify is not even asked for them.
EVENT_TYPES: list[type[FileSystemEvent]] = [
    FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent,
    DirCreatedEvent, DirDeletedEvent, DirMovedEvent,
]
WATCH_LIMIT_ERRNOS = (errno.ENOSPC, errno.EMFILE)  # watch limit, instance limit


# ---- what an event means ----------------------------------------------------------------------------
@dataclass
class Change:
    """What one or more events ask for."""

    paths: set[str] = field(default_factory=set)  # vault-relative notes and folders to look at again
    settings: bool = False  # .reljournal.toml was touched
    cookies: set[str] = field(default_factory=set)  # handshakes from commands (see reljournal.live)
    new_folders: bool = False  # a folder appeared: the watch limit may have been reached

    def __bool__(self) -> bool:
        return bool(self.paths or self.settings or self.cookies)

    def merge(self, other: Change) -> None:
        self.paths |= other.paths
        self.settings |= other.settings
        self.cookies |= other.cookies
        self.new_folders |= other.new_folders


def relative(root: str, path: str, *, fold: bool = False) -> str | None:
    """`path` relative to the vault root with forward slashes, or None outside it (or the root itself).
    The root is compared as the disk compares names: NFC (macOS may report either form), and without case
    when `fold` (a case-insensitive disk: `~/relationships` given for `~/Relationships`)."""
    prefix = root.rstrip(os.sep) + os.sep
    if path.startswith(prefix):
        rel = path[len(prefix):]
    else:  # the root's own components, compared as the disk compares them; the rest kept as reported
        depth = len(prefix.rstrip(os.sep).split(os.sep))
        parts = path.split(os.sep)
        if len(parts) <= depth or _as_disk(os.sep.join(parts[:depth]), fold) != _as_disk(prefix.rstrip(os.sep), fold):
            return None
        rel = os.sep.join(parts[depth:])
    return rel.replace(os.sep, "/") if os.sep != "/" else rel


def _as_disk(path: str, fold: bool) -> str:
    path = unicodedata.normalize("NFC", path)
    return path.casefold() if fold else path


def case_insensitive(folder: str) -> bool:
    """Whether the disk holding `folder` ignores case in names (macOS and Windows, by default): the same
    folder is found under its name in another case."""
    probe = folder.rstrip(os.sep)
    swapped = probe.swapcase()
    if swapped == probe:
        probe = os.path.join(folder, STATE_DIR)
        swapped = os.path.join(folder, STATE_DIR.upper())
    try:
        return os.path.samefile(probe, swapped)
    except OSError:
        return False


def classify(event: FileSystemEvent, root: str, settings: Settings, spec: Any, feed_rel: str | None, *,
             fold: bool = False) -> Change:
    """One watchdog event -> what must be looked at again. A move counts at both ends: a rename *to* a
    note (an editor's atomic save) and a rename *from* one (a note renamed to a backup) both matter."""
    change = Change()
    walked = Walked(settings, spec)
    ends = [event.src_path]
    if event.event_type == "moved" and event.dest_path:
        ends.append(event.dest_path)
    for end in ends:
        rel = relative(root, os.fsdecode(end), fold=fold)
        if rel is None:
            continue
        if rel.startswith(STATE_DIR + "/"):
            name = rel[len(STATE_DIR) + 1:]
            if live.is_cookie(name) and event.event_type in ("created", "moved"):
                change.cookies.add(name)
            continue  # the index, the feed, the lock: our own writes
        if rel == SETTINGS_FILE:
            change.settings = True
        elif rel == feed_rel:
            continue
        elif event.is_directory:
            if event.event_type != "modified" and walked.folder(rel):
                change.paths.add(rel)
                change.new_folders |= event.event_type in ("created", "moved")
        elif walked.note(rel):
            change.paths.add(rel)
    return change


# ---- what an update did -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Update:
    """One update, handed to `on_update` (in the watcher's worker thread) and logged in one line."""

    reason: str  # start | change | settings | midnight | rescan
    stats: SyncStats
    view: View | None  # the vault after the update (None when nothing needed a new view)
    feed_path: Path | None  # where the feed is written (None: no feed)
    feed_written: bool
    elapsed_ms: float
    generation: int  # counts updates that produced a view: a cache key for servers
    feed: FeedParts | None = None  # the feed after the update, in parts (None when nothing needed a new view)
    owned: OwnedEvents | None = None  # the same feed with whom each event is about: owners' feeds come from it

    def line(self) -> str:
        s = self.stats
        feed = "" if self.feed_path is None else f", feed {'written' if self.feed_written else 'unchanged'}"
        return f"+{len(s.added)} ~{len(s.changed)} -{len(s.removed)}{feed}, {self.elapsed_ms:.0f} ms"


def polling_interval(notes: int) -> float:
    """Seconds between polls: a full stat of the vault each time, so a bigger vault is polled less often
    (1 s up to 5,000 notes, 20 s at 100,000, at most 60 s)."""
    return max(1.0, min(60.0, notes / 5000))


# ---- the inotify watch limit ------------------------------------------------------------------------
def watch_limit_reached(path: str) -> bool:
    """Whether the per-user inotify watch limit is reached. watchdog adds a watch per folder and quietly
    skips folders it cannot watch, so we ask the kernel ourselves: one extra watch, removed at once."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name or not hasattr(os, "uname") or os.uname().sysname != "Linux":
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    fd = libc.inotify_init()
    if fd < 0:
        return ctypes.get_errno() in WATCH_LIMIT_ERRNOS
    try:
        wd = libc.inotify_add_watch(fd, os.fsencode(path), 0x00000400)  # IN_DELETE_SELF
        if wd < 0:
            return ctypes.get_errno() in WATCH_LIMIT_ERRNOS
        libc.inotify_rm_watch(fd, wd)
        return False
    finally:
        os.close(fd)


def max_user_watches() -> str:
    try:
        return Path("/proc/sys/fs/inotify/max_user_watches").read_text().strip()
    except OSError:
        return "?"


class _Overflow(logging.Handler):
    """watchdog only logs an inotify queue overflow (events were lost): turn it into a full rescan."""

    def __init__(self, watcher: Watcher) -> None:
        super().__init__(logging.WARNING)
        self.watcher = watcher

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            self.watcher.request_rescan()


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        try:
            self.watcher.event(event)
        except Exception:  # never let a bad event kill the observer thread
            self.watcher.report_exception("handling a file event")


# ---- the watcher ------------------------------------------------------------------------------------
class Watcher:
    """`Watcher(journal, ...).start()` ... `.stop()`. The watcher owns `journal` (its index connection is
    used from the worker thread only); other threads open their own `Journal`, whose `sync()` is then a
    quick handshake with this watcher instead of a scan.

    - `feed`: where to write the feed (default: the settings' `[feed] path`); `write_feed=False`: none.
    - `fixed_today`: `--today` was given, so midnight changes nothing.
    - `on_update(update)`: called in the worker thread after each update that changed something.
    - `owner_feeds`: keep with each event of the feed whom it is about (`Update.owned`), so that a server
      filters owners' feeds from the live feed; it costs a full build of the feed about 8 %.
    - `echo(text, err)`: where lines go (stdout for updates, stderr for problems and notices).
    - `poll_calendars`: read the calendars of `[[calendars]]` every `poll` (`reljournal.polling`).
    """

    def __init__(self, journal: Journal, *, feed: Path | None = None, write_feed: bool = True,
                 fixed_today: bool = False, on_update: Callable[[Update], None] | None = None,
                 echo: Callable[[str, bool], None] | None = None, quiet: bool = False, verbose: bool = False,
                 poll_interval: float | None = None, force_polling: bool = False, owner_feeds: bool = False,
                 poll_calendars: bool = True) -> None:
        self.journal = journal
        self.root = str(journal.settings.root)
        self._fold = case_insensitive(self.root)  # events are matched to the root as the disk matches names
        self._feed_option = Path(feed) if feed is not None else None
        self._write_feed = write_feed
        self._owner_feeds = owner_feeds
        self._live_feed: LiveFeed | None = None  # the feed, rebuilt per change (see reljournal.livefeed)
        self._feed_file: FeedFile | None = None
        self.fixed_today = fixed_today
        self.on_update = on_update
        self._echo = echo or _default_echo
        self.quiet = quiet
        self.verbose = verbose
        self._poll_interval = poll_interval
        self._force_polling = force_polling
        self.mode = live.EVENTS
        self.generation = 0
        self.updates = 0  # every update run, for tests and the status page
        self.last_update: Update | None = None
        self._lock = live.VaultLock(journal.settings)
        self._observer: BaseObserver | None = None
        self._cond = threading.Condition()
        self._pending = Change()
        self._rescan = False
        self._first_event = 0.0
        self._last_event = 0.0
        self._stopping = False
        self._worker: threading.Thread | None = None
        self._overflow = _Overflow(self)
        self._failures = 0  # updates failed in a row
        self._settings_error: str | None = None  # the text of the broken settings last reported
        self._spec = ignore_spec(journal.settings)
        self._poll_calendars = poll_calendars
        self._poller: CalendarPoller | None = None

    # ---- paths --------------------------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        return self.journal.settings

    @property
    def feed_path(self) -> Path | None:
        if not self._write_feed:
            return None
        if self._feed_option is not None:
            return self._feed_option if self._feed_option.is_absolute() else Path.cwd() / self._feed_option
        return self.settings.root / self.settings.feed_path

    def _feed_rel(self) -> str | None:
        path = self.feed_path
        return relative(self.root, str(path), fold=self._fold) if path is not None else None

    # ---- life cycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        """Take the lock (UserError, exit 1, when another watcher holds it), sync, write the feed, watch. A feed
        path that is a note, the settings, under `.git/`, a folder or a file reljournal did not write: UserError
        (exit 2), before anything is done."""
        if self.feed_path is not None:
            check_feed_path(self.settings, self.feed_path, str(self.feed_path))
        self._lock.acquire()
        try:
            live.clear_live(self.settings)  # a dead watcher's mark: never trusted, now gone
            self._start_observer()
            for name in ("watchdog.observers.inotify", "watchdog.observers.inotify_c"):
                logging.getLogger(name).addHandler(self._overflow)
            self._say(f"watching {self.root} ({self._mode_text()})"
                      + (f"; feed: {self.feed_path}" if self.feed_path is not None else ""))
            with live.watcher_thread():
                self._update("start", paths=None)
            live.mark_live(self.settings, self.mode)
            self._worker = threading.Thread(target=self._run, name="reljournal-watch", daemon=True)
            self._worker.start()
            if self._poll_calendars:
                self._poller = CalendarPoller(self.settings.root, self.journal.today.isoformat() if self.fixed_today
                                              else None, self._echo)
                self._poller.start()
        except BaseException:
            self._shutdown()
            raise

    def stop(self) -> None:
        if self._poller is not None:
            self._poller.stop()
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._worker is not None:
            self._worker.join(timeout=30)
        if self._live_feed is not None and (self._worker is None or not self._worker.is_alive()):
            try:
                self._live_feed.save(self._feed_file)  # the next start begins from it when nothing changed meanwhile
            except Exception:
                self.report_exception("keeping the feed for the next start")
        self._shutdown()

    def _shutdown(self) -> None:
        for name in ("watchdog.observers.inotify", "watchdog.observers.inotify_c"):
            logging.getLogger(name).removeHandler(self._overflow)
        self._stop_observer()
        if self._lock.held:
            live.clear_live(self.settings)
            self._lock.release()

    def __enter__(self) -> Watcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- observers ----------------------------------------------------------------------------------
    def _start_observer(self) -> None:
        if not self._force_polling and self.mode == live.EVENTS:
            observer = Observer()
            observer.schedule(_Handler(self), self.root, recursive=True, event_filter=EVENT_TYPES)
            try:
                observer.start()
            except OSError as exc:
                if exc.errno not in WATCH_LIMIT_ERRNOS:
                    raise
                self._stop(observer)
            else:
                if type(observer) is PollingObserver or not watch_limit_reached(self.root):
                    self._observer = observer
                    return
                self._stop(observer)
            self._fall_back_notice()
        self.mode = live.POLLING
        interval = self._poll_interval or polling_interval(self._note_count())
        observer = PollingObserver(timeout=interval)
        observer.schedule(_Handler(self), self.root, recursive=True, event_filter=EVENT_TYPES)
        observer.start()
        self._observer = observer

    def _fall_back_notice(self) -> None:
        interval = self._poll_interval or polling_interval(self._note_count())
        self._echo(f"reljournal: the inotify watch limit is reached (fs.inotify.max_user_watches = "
                   f"{max_user_watches()}): falling back to polling every {interval:g} s. To watch with "
                   "events again, raise it (sudo sysctl fs.inotify.max_user_watches=524288) and restart.", True)

    def _note_count(self) -> int:
        try:
            row = self.journal.index.db.execute("SELECT count(*) FROM files").fetchone()
            return int(row[0])
        except Exception:
            return 0

    @staticmethod
    def _stop(observer: BaseObserver) -> None:
        try:
            observer.stop()
            if observer.is_alive():
                observer.join(timeout=10)
        except Exception:
            pass

    def _stop_observer(self) -> None:
        observer, self._observer = self._observer, None
        if observer is not None:
            self._stop(observer)

    def _mode_text(self) -> str:
        return "events" if self.mode == live.EVENTS else "polling"

    # ---- events (observer threads) ------------------------------------------------------------------
    def event(self, event: FileSystemEvent) -> None:
        change = classify(event, self.root, self.settings, self._spec, self._feed_rel(), fold=self._fold)
        if not change:
            return
        now = time.monotonic()
        with self._cond:
            if not self._pending:
                self._first_event = now
            self._last_event = now
            self._pending.merge(change)
            self._cond.notify_all()

    def request_rescan(self) -> None:
        with self._cond:
            self._rescan = True
            self._cond.notify_all()

    # ---- the worker ---------------------------------------------------------------------------------
    def _run(self) -> None:
        with live.watcher_thread():
            while True:
                batch = self._next_batch()
                if batch is None:
                    return
                change, rescan = batch
                try:
                    self._apply(change, rescan)
                    self._failures = 0
                except Exception:
                    self.report_exception("updating the index")
                    self._retry(change, rescan)
                finally:
                    self._answer(change.cookies)
                try:
                    self._tick()
                except Exception:
                    self.report_exception("checking the date and the observer")

    def _next_batch(self) -> tuple[Change, bool] | None:
        """Wait for a burst to end (or a cookie, or a rescan request, or the tick) and take what is pending.
        A cookie does not wait for the quiet moment: a command is waiting for it."""
        deadline = time.monotonic() + TICK
        with self._cond:
            while True:
                if self._stopping:
                    return None
                now = time.monotonic()
                if self._pending or self._rescan:
                    ready_at = min(self._last_event + DEBOUNCE, self._first_event + MAX_WAIT)
                    if self._pending.cookies or self._rescan or now >= ready_at:
                        break
                    timeout = ready_at - now
                elif now >= deadline:
                    break  # nothing pending: an empty batch, so that the tick runs
                else:
                    timeout = deadline - now
                self._cond.wait(timeout)
            change, self._pending = self._pending, Change()
            rescan, self._rescan = self._rescan, False
            return change, rescan

    def _retry(self, change: Change, rescan: bool) -> None:
        """A failed update is not lost: its paths go back in the queue, tried again after a pause that
        doubles with each failure in a row (0.5 s up to a minute), so a lasting fault does not spin."""
        self._failures += 1
        pause = min(60.0, 0.5 * 2 ** (self._failures - 1))
        with self._cond:
            self._pending.paths |= change.paths
            self._pending.settings |= change.settings
            self._rescan |= rescan
            self._first_event = self._last_event = time.monotonic() + pause
            if rescan:  # a rescan is not debounced: wait here instead (a stop still ends the wait)
                self._cond.wait_for(lambda: self._stopping, timeout=min(pause, 5.0))

    def _answer(self, cookies: set[str]) -> None:
        """The index holds everything seen before these cookies: let the waiting commands go on."""
        for name in cookies:
            try:
                (self.settings.state_dir / name).unlink()
            except FileNotFoundError:
                pass
            except OSError:
                self.report_exception("answering a command")

    def _apply(self, change: Change, rescan: bool) -> None:
        reason = "change"
        if change.settings and self._reload_settings():
            reason, rescan = "settings", True
        if change.new_folders and self.mode == live.EVENTS and watch_limit_reached(self.root):
            self._to_polling()
            rescan = True
        if rescan:
            self._update(reason if reason == "settings" else "rescan", paths=None, cookies=change.cookies)
        elif change.paths:
            self._update(reason, paths=change.paths, cookies=change.cookies)
        if self.verbose and change.cookies:
            waiting = len(change.cookies)
            self._say(f"{waiting} command{' was' if waiting == 1 else 's were'} waiting for this update; "
                      f"{'it goes' if waiting == 1 else 'they go'} on")

    def _tick(self) -> None:
        if not self.fixed_today:
            today = self.settings.today()
            if today != self.journal.today:  # midnight in the vault's zone: dates move, so does the feed
                self.journal.today = today
                self._update("midnight", paths=(), force_view=True)
        observer = self._observer
        if observer is not None and not observer.is_alive() and not self._stopping:
            self._echo("reljournal: the file observer stopped; restarting it and rescanning", True)
            self._stop_observer()
            self._start_observer()
            self._update("rescan", paths=None)

    def _to_polling(self) -> None:
        self._fall_back_notice()
        self._stop_observer()
        self.mode = live.POLLING
        self._start_observer()
        live.mark_live(self.settings, self.mode)

    def _reload_settings(self) -> bool:
        """Settings edited: use them when they are good; report once and keep the old ones when not.
        Returns whether new settings are in force."""
        settings, problems = load_settings(self.settings.root)
        if problems:
            text = "\n".join(str(p) for p in problems)
            if text != self._settings_error:
                for p in problems:
                    self._echo(str(p), True)
                self._echo("reljournal: keeping the previous settings until this is fixed", True)
                self._settings_error = text
            return False
        fixed = self._settings_error is not None
        self._settings_error = None
        if settings.text == self.settings.text:
            if fixed:
                self._say("settings fixed (unchanged from those in use)")
            return False
        self.journal.settings = settings
        self._live_feed = None
        self._spec = ignore_spec(settings)
        if not self.fixed_today:
            self.journal.today = settings.today()
        self._say("settings changed: re-reading the vault")
        return True

    # ---- one update ---------------------------------------------------------------------------------
    def _update(self, reason: str, *, paths: set[str] | tuple[()] | None, force_view: bool = False,
                cookies: set[str] | None = None) -> None:
        start = time.perf_counter()
        if paths == ():
            stats = SyncStats()
        else:
            try:
                stats = reindex(self.settings, self.journal.index, paths=paths)
            except sqlite3.DatabaseError as exc:  # damaged: rebuilt from the notes, as every command does
                stats = self.journal.recover(exc)
            self.journal.last_sync = stats
        if stats.touched or reason in ("start", "midnight", "settings", "rescan"):
            self._keep_answers()
        if cookies:
            self._answer(cookies)  # committed: waiting commands need not wait for the feed too
        for p in sorted(stats.problems, key=Problem.sort_key):
            self._echo(str(p), True)  # once per change: only files read again have problems here
        view: View | None = None
        data: FeedParts | None = None
        written = False
        wanted = self._write_feed or self.on_update is not None  # else: the index is all
        if wanted and (stats.touched or force_view or reason in ("start", "settings", "rescan")):
            view = View(self.settings, self.journal.today, self.journal.index)  # lazy: read if asked
            self.generation += 1
            full = reason in ("start", "settings", "rescan") or stats.rebuilt
            feed = self.feed_path
            if feed is None:
                self._feed_file = None
            elif self._feed_file is None or self._feed_file.path != feed:
                self._feed_file = FeedFile(feed)
            try:
                data = self._feed_data(stats, full=full, start=reason == "start")
            except sqlite3.DatabaseError as exc:  # damaged while read: the same
                stats = self.journal.recover(exc)
                data = self._feed_data(stats, full=True)
            if self._feed_file is not None:
                written = self._feed_file.write(data)
        owned = self._live_feed.owned if data is not None and self._live_feed is not None else None
        update = Update(reason, stats, view, self.feed_path, written, (time.perf_counter() - start) * 1000,
                        self.generation, data, owned)
        self.updates += 1
        self.last_update = update
        if view is not None or stats.touched or self.verbose:
            self._log(update)
        if self.on_update is not None and view is not None:
            try:
                self.on_update(update)
            except Exception:
                self.report_exception("the update callback")
        if self._poller is not None and (stats.touched or reason in ("midnight", "settings")):
            self._poller.poke()  # the phone's calendar follows the vault within seconds

    def _keep_answers(self) -> None:
        """Work out and store the answers of the people this update touched (every one's at start and at
        midnight), and their `people --json` objects, so that `due` and `people` find them ready (`View.answers`)
        and only read rows."""
        try:
            View(self.settings, self.journal.today, self.journal.index).keep_answers(texts=True)
        except sqlite3.DatabaseError:
            self.report_exception("storing the answers")  # the commands work them out themselves

    def _feed_data(self, stats: SyncStats, *, full: bool, start: bool = False) -> FeedParts:
        """The feed after this update: only the notes the change touched are rebuilt, unless `full`. At the
        start, the feed a clean stop kept (`LiveFeed.save`) when nothing changed since."""
        live = self._live_feed
        if live is None or live.index is not self.journal.index:
            live = self._live_feed = LiveFeed(self.settings, self.journal.index, owners=self._owner_feeds)
            full = True
        if full and start:
            kept = live.restore(self.journal.today, self._feed_file)
            if kept is not None:
                return kept
        if full:
            return live.rebuild(self.journal.today)
        return live.update([*stats.added, *stats.changed, *stats.removed], self.journal.today)

    # ---- output -------------------------------------------------------------------------------------
    def _log(self, update: Update) -> None:
        prefix = "" if update.reason == "change" else f"{update.reason}: "
        self._say(prefix + update.line())
        if self.verbose:
            s = update.stats
            for mark, paths in (("+", s.added), ("~", s.changed), ("-", s.removed)):
                for path in paths:
                    self._say(f"  {mark} {path}")

    def _say(self, text: str) -> None:
        if not self.quiet:
            self._echo(text, False)

    def report_exception(self, doing: str) -> None:
        self._echo(f"reljournal: error while {doing} (the watcher goes on): "
                   + traceback.format_exc(limit=None if self.verbose else -1).strip().splitlines()[-1], True)
        if self.verbose:
            self._echo(traceback.format_exc().rstrip(), True)


def _default_echo(text: str, err: bool) -> None:
    import click

    click.echo(text, err=err)
