"""Atomic file writes: a temporary file in the same folder, then `os.replace`.

On every platform: creating a file never replaces one, even where hard links are missing (exFAT, SMB
shares, some sync folders); `os.replace` is tried again for a moment when Windows refuses it because an
editor, an antivirus or a sync client holds the file open.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import time
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO


def write_atomic(path: Path, data: bytes | Sequence[bytes], *, only_if_changed: bool = False, exclusive: bool = False,
                 durable: bool = True, inside: Path | None = None) -> bool:
    """Write `data` to `path` atomically; `data` may come in pieces, written one after the other. Returns
    False (and writes nothing) when `only_if_changed` and the file already holds exactly `data`. With
    `exclusive`, an existing file is never replaced. `durable`: fsync before the rename (the default: a
    user's note must survive a power cut whole). `inside`: the vault a user's file (a note, a template,
    `.gitignore`) must stay in (`check_inside`), checked before anything, a folder included, is made."""
    path = Path(path)
    if inside is not None:
        check_inside(inside, path)
    if only_if_changed and holds(path, [data] if isinstance(data, bytes) else data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temporary(path)
    try:
        with os.fdopen(fd, "wb") as f:
            if isinstance(data, bytes):
                f.write(data)
            else:
                _write_pieces(f, data)
            f.flush()
            if durable:
                os.fsync(f.fileno())
        if exclusive:
            _create(tmp, path)
        else:
            replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return True


REPLACE_WAITS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8)  # 1.6 s in all: what a file held open usually needs


class LeavesVault(OSError):
    """A write that would leave the vault through a symbolic link (SPEC 10)."""


def check_inside(root: Path, path: Path) -> None:
    """The one guard of every write of a user's file: `path`, and every folder on the way to it from the vault
    `root`, must not be a symbolic link that leaves the vault (where the note would never be indexed, or
    would replace someone else's file). LeavesVault (naming the link) otherwise."""
    real_root = os.path.realpath(root)
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    parts = Path(rel).parts
    if parts[:1] == ("..",) or os.path.isabs(rel):
        raise LeavesVault(errno.EXDEV, f"{path}: outside the vault; nothing written")
    current = os.path.abspath(root)
    for part in parts:
        current = os.path.join(current, part)
        if os.path.islink(current):
            target = os.path.realpath(current)
            if not (target == real_root or target.startswith(real_root.rstrip(os.sep) + os.sep)):
                shown = os.path.relpath(current, os.path.abspath(root)).replace(os.sep, "/")
                raise LeavesVault(errno.EXDEV, f"{shown} is a link to {target}, outside the vault; nothing written")


def replace(tmp: str, path: Path) -> None:
    """`os.replace`, tried again for a moment while it is refused (PermissionError): on Windows, the file
    is held open by an editor, an antivirus or a sync client; a real refusal is raised after 1.6 s."""
    for wait in (*REPLACE_WAITS, None):
        try:
            os.replace(tmp, path)
            return
        except PermissionError:
            if wait is None:
                raise
            time.sleep(wait)


def _create(tmp: str, path: Path) -> None:
    """Put the finished temporary file at `path`, which must not exist: never replacing a file.

    A hard link does it in one step and fails if `path` exists. Where links are refused (exFAT, SMB, some
    sync folders: EPERM, ENOTSUP, ...), `path` is first created empty and exclusively (`O_EXCL`: it was not
    there), then the finished file replaces that empty placeholder, which is ours. On Windows a rename
    never replaces an existing file, so it is the one step."""
    if os.name == "nt":  # pragma: no cover - Windows
        os.rename(tmp, path)  # FileExistsError when `path` exists
        return
    try:
        os.link(tmp, path)  # FileExistsError when `path` exists
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        replace(tmp, path)
        return
    os.unlink(tmp)


_NO_LINKS = {errno.EPERM, errno.EACCES, errno.EXDEV, errno.EMLINK, getattr(errno, "ENOTSUP", -1),
             getattr(errno, "EOPNOTSUPP", -1), errno.ENOSYS}


def flush(paths: Sequence[Path]) -> None:
    """Make files written with `durable=False` durable, all at once: one `sync()` where the platform has
    it (an fsync per file costs a journal commit each: 5.5 s for 17,500 notes), else an fsync each."""
    if not paths:
        return
    if hasattr(os, "sync"):
        os.sync()
        return
    for path in paths:  # pragma: no cover - Windows
        try:
            with open(path, "rb+") as f:
                os.fsync(f.fileno())
        except OSError:
            pass


def _temporary(path: Path) -> tuple[int, str]:
    """A new file beside `path`, with the permissions the file will keep: those of the file it replaces,
    else what the umask gives a new file (`mkstemp`'s 0600 would make every note written private)."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = None
    for _ in range(100):
        tmp = str(path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
        if mode is not None:
            try:
                os.chmod(tmp, mode)
            except OSError:
                pass
        return fd, tmp
    raise FileExistsError(f"no free temporary name beside {path.name}")


def holds(path: Path, pieces: Sequence[bytes]) -> bool:
    """Whether the file holds exactly these pieces, one after the other: compared piece by piece, never
    read whole (a 70 MB feed)."""
    try:
        if os.stat(path).st_size != sum(len(p) for p in pieces):
            return False
        with open(path, "rb") as f:
            return all(f.read(len(p)) == p for p in pieces)
    except OSError:
        return False


def _write_pieces(f: BinaryIO, pieces: Sequence[bytes]) -> None:
    """Many small pieces (a feed's 100,000 events): `writev` a thousand at a time took 35 ms for 70 MB,
    where `writelines` through the buffer took 110 ms."""
    if not hasattr(os, "writev"):
        f.writelines(pieces)
        return
    f.flush()
    fd = f.fileno()
    for start in range(0, len(pieces), 1024):
        batch = pieces[start:start + 1024]
        done = os.writev(fd, batch)
        total = sum(len(p) for p in batch)
        if done < total:  # a short write (rare on a regular file): the rest one by one
            rest = b"".join(batch)[done:]
            while rest:
                rest = rest[os.write(fd, rest):]
