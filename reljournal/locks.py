"""File locks that work on Linux, macOS and Windows, behind three calls; the platform's module is imported
only when a lock is taken (`fcntl` does not exist on Windows, `msvcrt` only there).

- POSIX: `flock`, shared or exclusive, released by the kernel when the process ends however it ends.
- Windows: `msvcrt.locking` on the file's first byte, exclusive only (a shared probe takes the exclusive
  lock for an instant, which the holder's `acquire` already allows for), released when the handle closes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def try_lock(fd: int, *, shared: bool = False) -> bool:
    """Take the lock on `fd` now, or return False when another process holds it."""
    try:
        import fcntl
    except ImportError:
        return _try_windows(fd)
    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def unlock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:
        try:
            import msvcrt  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            return
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined,unused-ignore]
        except OSError:
            pass
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


def _try_windows(fd: int) -> bool:
    try:
        import msvcrt  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # neither flock nor msvcrt (no such platform yet): go on unlocked
        return True

    os.lseek(fd, 0, os.SEEK_SET)
    try:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined,unused-ignore]
    except OSError:
        return False
    return True


@contextmanager
def held(path: Path, *, timeout: float = 30.0) -> Iterator[bool]:
    """An exclusive lock on `path` for the block, waited for up to `timeout` seconds. Yields False (and
    the block runs unlocked) when the lock file cannot be made: a read-only `.reljournal/` must not stop
    an edit that the compare-and-swap already guards."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield False
        return
    try:
        deadline = time.monotonic() + timeout
        pause = 0.001
        while not try_lock(fd):
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{path.name} is held by another process")
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        try:
            yield True
        finally:
            unlock(fd)
    finally:
        os.close(fd)
