"""Atomic file writes: a temporary file in the same folder, then `os.replace`."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO


def write_atomic(path: Path, data: bytes | Sequence[bytes], *, only_if_changed: bool = False, exclusive: bool = False,
                 durable: bool = True) -> bool:
    """Write `data` to `path` atomically; `data` may come in pieces, written one after the other. Returns
    False (and writes nothing) when `only_if_changed` and the file already holds exactly `data`. With
    `exclusive`, an existing file is never replaced. `durable`: fsync before the rename (the default: a
    user's note must survive a power cut whole)."""
    import tempfile  # here: most commands write nothing

    path = Path(path)
    if only_if_changed and _holds(path, [data] if isinstance(data, bytes) else data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
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
            os.link(tmp, path)  # fails if `path` exists: never overwrite
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return True


def _holds(path: Path, pieces: Sequence[bytes]) -> bool:
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
