"""The live index: while `watch` (or `serve`) runs, other commands skip their own scan of the vault.

Three pieces, all in `.reljournal/`:

- `watch.lock`, held exclusively (`reljournal.locks`: `flock` on Linux and macOS, `msvcrt.locking` on
  Windows) by the running watcher for its whole life. The system releases it when the process ends,
  however it ends (kill -9, a crash, a reboot), so a dead watcher leaves nothing that anyone trusts. A
  second watcher cannot take it and is refused (exit 1).
- `live.json`, written by the watcher once its first full sync is done: `{"pid", "mode"}`. It is trusted
  only while the lock is held; `mode` is `events` (inotify and friends: every change is seen within
  milliseconds) or `polling` (the watch-limit fallback: changes may take seconds to be seen, so other
  commands scan for themselves).
- cookies: the handshake that makes a command run right after a save see that save (watchman's trick).
  The command creates `.reljournal/cookie-<pid>-<n>` and waits for it to disappear. The kernel queues the
  cookie's event after the events of every earlier write, so when the watcher sees the cookie it first
  syncs everything pending, commits, and only then deletes the cookie. An idle watcher answers in a few
  milliseconds; one that does not answer within `COOKIE_TIMEOUT` is treated as absent (the command scans).
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reljournal.atomic import write_atomic
from reljournal.config import Settings
from reljournal.errors import UserError
from reljournal.locks import try_lock

LOCK_FILE = "watch.lock"
LIVE_FILE = "live.json"
COOKIE_PREFIX = "cookie-"
COOKIE_TIMEOUT = 2.0  # seconds a command waits for the watcher before scanning for itself
EVENTS = "events"
POLLING = "polling"

_counter = itertools.count()
_local = threading.local()


class VaultLock:
    """The watcher's exclusive lock on a vault (one watcher or server per vault)."""

    def __init__(self, settings: Settings) -> None:
        self.path = settings.state_dir / LOCK_FILE
        self._fd: int | None = None

    def acquire(self, *, wait: float = 0.5) -> None:
        """Take the lock or raise UserError (exit 1) naming the holder. `wait` covers the instant in which
        a command's probe (`lock_held`) holds a shared lock."""
        self.path.parent.mkdir(exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait
        while not try_lock(fd):
            if time.monotonic() >= deadline:
                os.close(fd)
                pid = _read_pid(self.path)
                holder = f" (pid {pid})" if pid else ""
                raise UserError(f"another `reljournal watch` or `serve`{holder} is already watching "
                                f"{self.path.parent.parent}; stop it first", exit_code=1)
            time.sleep(0.02)
        # The pid is written in place, not atomically: replacing the file would give a new inode whose
        # lock nobody holds. It is only ever shown in the message above. It goes after the first byte,
        # which Windows' lock covers (a locked byte cannot be written by another handle, nor read).
        os.ftruncate(fd, 0)
        os.write(fd, f" {os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the descriptor releases the flock

    @property
    def held(self) -> bool:
        return self._fd is not None


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip() or "0") or None
    except (OSError, ValueError):  # Windows: the locked first byte cannot be read
        return None


def lock_held(settings: Settings) -> bool:
    """Whether a live process holds the vault's watch lock (a probe with a shared lock, released at once)."""
    try:
        fd = os.open(settings.state_dir / LOCK_FILE, os.O_RDWR)
    except OSError:
        return False
    try:
        return not try_lock(fd, shared=True)
    except OSError:
        return False
    finally:
        os.close(fd)  # releases the probe's lock too


def mark_live(settings: Settings, mode: str) -> None:
    # not fsynced: the mark counts only while its watcher holds the lock (`live_mode`), which a power cut ends
    write_atomic(settings.state_dir / LIVE_FILE, json.dumps({"pid": os.getpid(), "mode": mode}).encode() + b"\n",
                 durable=False)


def clear_live(settings: Settings) -> None:
    try:
        (settings.state_dir / LIVE_FILE).unlink()
    except FileNotFoundError:
        pass


def live_mode(settings: Settings) -> str | None:
    """`events` or `polling` while a watcher holds the lock and has marked the index live, else None."""
    try:
        mark = json.loads((settings.state_dir / LIVE_FILE).read_text())
    except (OSError, ValueError):
        return None  # the common case: no watcher ever ran, one stat and nothing more
    if not isinstance(mark, dict) or not lock_held(settings):
        return None
    mode = mark.get("mode")
    return mode if mode in (EVENTS, POLLING) else None


@contextmanager
def watcher_thread() -> Iterator[None]:
    """Marks the watcher's own worker thread: a sync asked for from inside it (an `on_update` callback
    building a view) must not wait for a cookie that this very thread would answer."""
    _local.inside = True
    try:
        yield
    finally:
        _local.inside = False


def is_cookie(name: str) -> bool:
    return name.startswith(COOKIE_PREFIX)


def index_is_current(settings: Settings, timeout: float = COOKIE_TIMEOUT) -> bool:
    """True when a live watcher keeps the index current and has caught up with every change made before
    this call: the caller may skip its own scan. False means: scan as usual."""
    if getattr(_local, "inside", False):
        return True
    if live_mode(settings) != EVENTS:
        return False
    cookie = settings.state_dir / f"{COOKIE_PREFIX}{os.getpid()}-{next(_counter)}"
    try:
        os.close(os.open(cookie, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    except OSError:
        return False  # a read-only .reljournal/: nobody can answer
    deadline = time.monotonic() + timeout
    pause = 0.0005
    while time.monotonic() < deadline:
        if not os.path.lexists(cookie):
            return True
        time.sleep(pause)
        pause = min(pause * 2, 0.01)
    try:
        cookie.unlink()
    except FileNotFoundError:
        return True  # answered at the last moment
    return False
