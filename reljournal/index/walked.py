"""The last full walk of the vault, stored with the index (table `walk`) for the next sync to compare with.

A copy of the files table's (path, mtime, size), kept for speed: a full sync stores it in its
transaction, a sync of single files (the watcher's) empties it, and without it the walk is derived from
the table. Comparing two walks is list and array equality in C; reading it back is three blobs. At
111,000 notes that took 0.03 s where hashing the walk took 0.08 s and reading every file's row to find
the one that changed 0.23 s.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Sequence
from typing import NamedTuple

from reljournal.vault import FileStat


class Walk(NamedTuple):
    paths: list[str]  # sorted, as the walk gives them
    mtimes: array[int]  # mtime_ns of each path
    sizes: array[int]

    @classmethod
    def of(cls, files: Sequence[FileStat | tuple[str, int, int]]) -> Walk:
        """The walk of these (path, mtime, size), in their order."""
        # three passes by index: `zip(*files)` (111,000 arguments) took 0.1-0.2 s, these 0.07 s
        return cls([f[0] for f in files], array("q", [f[1] for f in files]), array("q", [f[2] for f in files]))

    @property
    def newest(self) -> int:
        return max(self.mtimes, default=0)

    def unreadable(self) -> set[str]:
        """The files that could not be stat'ed (size -1): read again at every sync, to report why."""
        if min(self.sizes, default=0) >= 0:
            return set()
        return {path for path, size in zip(self.paths, self.sizes, strict=True) if size < 0}

    def changes_since(self, old: Walk) -> tuple[set[str], list[str]]:
        """(the paths that are new or whose mtime or size changed, the paths gone), both by path."""
        if self.paths == old.paths:  # edits only: compare in place
            if self.mtimes == old.mtimes and self.sizes == old.sizes:
                return set(), []
            return {path for path, m, was_m, s, was_s in zip(self.paths, self.mtimes, old.mtimes, self.sizes,
                                                              old.sizes, strict=True) if m != was_m or s != was_s}, []
        now = set(zip(self.paths, self.mtimes, self.sizes, strict=True))
        changed = {path for path, _, _ in now.difference(zip(old.paths, old.mtimes, old.sizes, strict=True))}
        return changed, sorted(set(old.paths).difference(self.paths))

    def to_row(self) -> tuple[bytes, bytes, bytes]:
        return ("\0".join(self.paths).encode("utf-8", "surrogateescape"), _little_endian(self.mtimes),
                _little_endian(self.sizes))

    @classmethod
    def from_row(cls, row: tuple[bytes, bytes, bytes]) -> Walk | None:
        """None for a row this cannot have written (the sync then compares every file's row)."""
        paths_blob, mtimes_blob, sizes_blob = row
        try:
            paths = paths_blob.decode("utf-8", "surrogateescape").split("\0") if paths_blob else []
            mtimes, sizes = array("q"), array("q")
            mtimes.frombytes(mtimes_blob)
            sizes.frombytes(sizes_blob)
        except (AttributeError, ValueError, TypeError):
            return None
        if sys.byteorder == "big":
            mtimes.byteswap()
            sizes.byteswap()
        if not len(paths) == len(mtimes) == len(sizes):
            return None
        return cls(paths, mtimes, sizes)


def _little_endian(numbers: array[int]) -> bytes:
    if sys.byteorder == "big":
        numbers = array("q", numbers)
        numbers.byteswap()
    return numbers.tobytes()
