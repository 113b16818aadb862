"""Atomic file writes: a temporary file in the same folder, then `os.replace`."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, *, only_if_changed: bool = False, exclusive: bool = False) -> bool:
    """Write `data` to `path` atomically. Returns False (and writes nothing) when `only_if_changed` and the
    file already holds exactly `data`. With `exclusive`, an existing file is never replaced."""
    path = Path(path)
    if only_if_changed:
        try:
            if path.read_bytes() == data:
                return False
        except OSError:
            pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
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
