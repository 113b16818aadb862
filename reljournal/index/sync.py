"""`reindex()`: the one function that brings the index up to date, and the only writer.

A stat diff (path, mtime_ns, size) decides what is read again; a content hash decides whether a read file
really changed (a `touch` is not a change). Everything is written in one transaction.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from reljournal.config import Settings
from reljournal.errors import Problem, error
from reljournal.index.store import Index
from reljournal.parse import Parsed, folder_kind, parse_note, title_of
from reljournal.vault import FileStat, is_note_path, walk

PARSER_VERSION = "1"  # bump when parsing changes what a note gives: every note is read again


@dataclass
class SyncStats:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # problems of the files read in this sync
    rebuilt: bool = False

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> str:
        return f"+{len(self.added)} added ~{len(self.changed)} changed -{len(self.removed)} removed"


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_and_parse(settings: Settings, rel: str) -> tuple[Parsed, bytes | None]:
    try:
        data = (Path(settings.root) / rel).read_bytes()
    except OSError as exc:
        why = exc.strerror or str(exc)
        problem = error(rel, 1, "unreadable", f"cannot read this file: {why}")
        kind = folder_kind(rel, settings) or "note"
        return Parsed(rel, kind, title_of(rel), None, "", (problem,)), None
    return parse_note(rel, data, settings), data


def open_index(settings: Settings) -> Index:
    """The vault's index; in memory when `.reljournal/` cannot be written (a read-only vault)."""
    try:
        settings.state_dir.mkdir(exist_ok=True)
        return Index(settings.index_path)
    except OSError:
        return Index(":memory:")


def reindex(settings: Settings, index: Index, *, rebuild: bool = False, paths: Iterable[str] | None = None,
            progress: Callable[[int], None] | None = None) -> SyncStats:
    """Bring `index` up to date with the vault. `paths` limits the work to those vault-relative paths
    (the watcher's changed files); otherwise the whole vault is walked."""
    stats = SyncStats()
    fingerprint = f"{PARSER_VERSION}:{digest(settings.text.encode())}"
    if rebuild or index.meta("fingerprint") != fingerprint:
        index.clear()
        stats.rebuilt = True
        paths = None
    if paths is None:
        current, walk_problems = walk(settings)
    else:
        current, walk_problems = _stat_paths(settings, paths), []
    scope = None if paths is None else {p for p in paths}

    with index.transaction():
        known = index.file_stats()
        seen = {f.path for f in current}
        for path in sorted(known):
            if path not in seen and (scope is None or path in scope or _under(path, scope)):
                index.remove(path)
                stats.removed.append(path)
        for i, f in enumerate(current):
            old = known.get(f.path)
            if old is not None and old[0] == f.mtime_ns and old[1] == f.size and f.size >= 0:
                continue
            parsed, data = read_and_parse(settings, f.path)
            new_hash = digest(data) if data is not None else "-"
            if old is not None and data is not None and old[2] == new_hash:
                index.touch(f.path, f.mtime_ns, f.size)  # same bytes, new mtime: nothing to re-read
                continue
            index.put(parsed, f.mtime_ns, f.size, new_hash)
            (stats.changed if old is not None else stats.added).append(f.path)
            stats.problems.extend(parsed.problems)
            if progress is not None:
                progress(i)
        index.set_meta("fingerprint", fingerprint)
    stats.problems.extend(walk_problems)
    return stats


def _under(path: str, scope: set[str]) -> bool:
    """A removed folder's event names the folder; its notes go with it."""
    return any(path.startswith(s.rstrip("/") + "/") for s in scope)


def _stat_paths(settings: Settings, paths: Iterable[str]) -> list[FileStat]:
    out: list[FileStat] = []
    everything: list[FileStat] | None = None
    for rel in sorted(set(paths)):
        full = Path(settings.root) / rel
        if full.is_dir():  # a folder appeared or moved in: its notes, by the same rules as a full walk
            everything = everything if everything is not None else walk(settings)[0]
            out.extend(f for f in everything if f.path.startswith(rel.rstrip("/") + "/"))
            continue
        if not is_note_path(rel, settings):
            continue
        try:
            st = os.stat(full)
        except FileNotFoundError:
            continue
        except OSError:
            out.append(FileStat(rel, 0, -1))
            continue
        out.append(FileStat(rel, st.st_mtime_ns, st.st_size))
    return sorted({f.path: f for f in out}.values(), key=lambda f: f.path)
