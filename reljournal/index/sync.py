"""`reindex()`: the one function that brings the index up to date, and the only writer.

A stat diff (path, mtime_ns, size) decides what is read again; a content hash decides whether a read file
really changed (a `touch` is not a change). Everything is written in one transaction.
"""

from __future__ import annotations

import gc
import hashlib
import os
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reljournal.config import Settings
from reljournal.errors import Problem, Source, error
from reljournal.index.store import Batch, Index
from reljournal.index.walked import Walk
from reljournal.vault import FileStat, Walked, read_regular, walk

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from reljournal.parse.note import Parsed

PARSER_VERSION = "5"  # bump when parsing changes what a note gives: every note is read again


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


def digest(data: bytes | Iterable[bytes]) -> str:
    """A file's content hash; of bytes in pieces too (a feed written from its parts, a file read in chunks)."""
    if isinstance(data, bytes):
        return hashlib.blake2b(data, digest_size=16).hexdigest()
    hashed = hashlib.blake2b(digest_size=16)
    for piece in data:
        hashed.update(piece)
    return hashed.hexdigest()


def read_and_parse(settings: Settings, rel: str) -> tuple[Parsed, bytes | None]:
    # Imported here: a sync with nothing to read (every command's) need not import the parser and PyYAML.
    from reljournal.parse.note import Parsed, folder_kind, parse_note, title_of

    try:
        data = _read(os.path.join(settings.root, rel))
    except OSError as exc:
        why = exc.strerror or str(exc)
        problem = error(rel, 1, "unreadable", f"cannot read this file: {why}")
        kind = folder_kind(rel, settings) or "note"
        return Parsed(rel, kind, title_of(rel), None, "", (problem,)), None
    return parse_note(rel, data, settings), data


_read = read_regular


def settings_fingerprint(settings: Settings) -> str:
    """What the index was built with: another parser or other settings mean a rebuild."""
    seen = settings.text + (f"\0{settings.obsidian_text}" if settings.obsidian_text else "")
    return f"{PARSER_VERSION}:{digest(seen.encode())}"


def open_index(settings: Settings) -> Index:
    """The vault's index; in memory when `.reljournal/` cannot be written (a read-only vault)."""
    try:
        settings.state_dir.mkdir(exist_ok=True)
        return Index(settings.index_path)
    except OSError:
        return Index(":memory:")


def reindex(settings: Settings, index: Index, *, rebuild: bool = False, paths: Iterable[str] | None = None,
            progress: Callable[[int, int], None] | None = None, jobs: int | None = None) -> SyncStats:
    """Bring `index` up to date with the vault. `paths` limits the work to those vault-relative paths
    (the watcher's changed files); otherwise the whole vault is walked.

    `progress(done, total)` is told how many of the files to read have been read. From BATCH_MIN files
    to read on, they are parsed in chunks and written table by table; from PARALLEL_MIN on, the chunks
    are parsed by `jobs` worker processes (default: one per core). Either way the index is the same."""
    stats = SyncStats()
    fingerprint = settings_fingerprint(settings)
    if rebuild or index.meta("fingerprint") != fingerprint:
        stats.rebuilt = True
        paths = None
    if paths is None:
        current, walk_problems = walk(settings)
    else:
        current, walk_problems = _stat_paths(settings, paths), []
    scope = None if paths is None else {p for p in paths}
    started_ns = time.time_ns()
    # Racily clean files (git's term): a file written in the same clock tick as the last sync read it
    # can change again without its size or mtime changing. Files whose stored mtime is that late are
    # read again (the hash then tells whether they really changed); after one more sync they are not.
    walked = Walk.of(current) if scope is None else None
    if (walked is not None and not stats.rebuilt and not walked.unreadable()
            and walked.newest < int(index.meta("synced_at_ns") or 0) - RACY_NS and index.walk() == walked):
        stats.problems.extend(walk_problems)  # the vault is as the last full sync left it: nothing to read
        return stats

    # Filling an empty index (or a rebuilt one) is the one large write: a rollback journal writes it once
    bulk = len(current) >= BATCH_MIN and (stats.rebuilt or index.is_empty())
    with index.rollback_journal() if bulk else nullcontext(), index.transaction():
        racy_from = int(index.meta("synced_at_ns") or 0) - RACY_NS
        if stats.rebuilt:
            index.clear()  # inside the sync's one transaction: killed mid-rebuild, the old index stays whole
        stored_walk = index.walk() if walked is not None and not stats.rebuilt else None
        known: dict[str, tuple[int, int, str, int]]
        gone: list[str]
        differ: set[str] | None
        if stats.rebuilt:  # just emptied: every file is read, nothing to compare
            known, gone, differ = {}, [], None
        elif walked is not None:
            known, gone, differ = _differing(index, walked, stored_walk, racy_from)
        else:
            assert scope is not None  # a sync of single files: their stored stats, by path
            seen = {f.path for f in current}
            known, differ = index.file_stats(under=scope), None
            gone = [path for path in known if path not in seen and (path in scope or _under(path, scope))]
        # the people whose stored answers a change can move are found by name: those of the changed notes'
        # names and links, before the change and after it (`Index.answer_keys`)
        moved_names: set[str] = index.answer_keys(gone) if gone else set()
        for path in sorted(gone):
            index.remove(path)
            stats.removed.append(path)
        todo = [(f, old) for f in current if differ is None or f.path in differ
                if (old := known.get(f.path)) is None or old[0] != f.mtime_ns or old[1] != f.size or f.size < 0
                or old[0] >= racy_from]
        if len(todo) >= BATCH_MIN:
            _sync_many(settings, index, todo, stats, progress, jobs, fresh=not known and index.is_empty())
            index.forget_answers()  # many notes changed: every answer is worked out again when next asked
        else:
            moved_names |= _sync_few(settings, index, todo, stats, progress)
            index.forget_answers(moved_names)
        if index.meta("fingerprint") != fingerprint:
            index.set_meta("fingerprint", fingerprint)
        _keep_walk(index, walked, stored_walk, bool(todo or stats.removed))
        if todo:  # files were read: those written in this clock tick are racily clean until a later sync
            index.set_meta("synced_at_ns", str(started_ns))
        if stats.touched or stats.rebuilt:  # what the index holds changed: what was derived from it is stale
            index.content_changed()
    stats.problems.extend(walk_problems)
    return stats


def _sync_few(settings: Settings, index: Index, todo: list[tuple[FileStat, tuple[int, int, str, int] | None]],
              stats: SyncStats, progress: Callable[[int, int], None] | None) -> set[str]:
    """Read and store the files to read one by one (fewer than BATCH_MIN); the name keys whose people's
    answers the changes can move, before and after each (`Index.answer_keys`)."""
    moved_names: set[str] = set()
    for done, (f, old) in enumerate(todo):
        parsed, data = read_and_parse(settings, f.path)
        new_hash = digest(data) if data is not None else "-"
        if old is not None and data is not None and old[2] == new_hash:
            index.touch(f.path, f.mtime_ns, f.size)  # same bytes, new mtime: nothing to re-read
            continue
        moved_names |= index.answer_keys([f.path])
        index.put(parsed, f.mtime_ns, f.size, new_hash)
        moved_names |= index.answer_keys([f.path])
        (stats.changed if old is not None else stats.added).append(f.path)
        stats.problems.extend(parsed.problems)
        if progress is not None:
            progress(done + 1, len(todo))
    return moved_names


def _keep_walk(index: Index, walked: Walk | None, stored_walk: Walk | None, files_changed: bool) -> None:
    """Store this sync's full walk for the next to compare with; after a sync of single files that changed
    the files table, none (the files table moved on from the last full walk)."""
    if walked is not None and not walked.unreadable():
        if walked != stored_walk:
            index.set_walk(walked)
    elif files_changed:
        index.set_walk(None)


def _differing(index: Index, walked: Walk, stored: Walk | None, racy_from: int
               ) -> tuple[dict[str, tuple[int, int, str, int]], list[str], set[str]]:
    """What a full sync must look at: the stored stats of the walked files that differ from them (or may:
    racily clean, unreadable), the stored paths no longer in the vault, and the paths of those walked files.
    The walk is compared with the one the last full sync stored, or when there is none (a watcher synced
    single files since) with the files table's; then only the rows of the files that differ are read."""
    changed, gone = walked.changes_since(stored or index.files_walk())
    differ = changed | index.paths_since(racy_from) | walked.unreadable()
    if len(differ) > LOOKUP_MAX:  # a cold or large sync: every row at once
        return index.file_stats(), gone, differ
    return index.file_stats(under=differ), gone, differ


LOOKUP_MAX = 1000  # files whose stored stats are looked up one by one; more are read all at once


RACY_NS = 2_000_000_000  # the coarsest mtime tick a vault's file system may have (FAT: 2 s)
BATCH_MIN = 200  # files to read from which chunked, table-by-table writing pays off
PARALLEL_MIN = 3000  # files to read from which worker processes pay for their start-up
CHUNK = 500  # files per chunk: small enough to keep every worker busy to the end

_worker_settings: Settings | None = None


def _start_worker(settings: Settings) -> None:
    global _worker_settings
    _worker_settings = settings


def _parse_chunk(items: list[tuple[str, int, int, str | None, int]], settings: Settings | None = None) -> Batch:
    """Read and parse one chunk of (path, mtime_ns, size, old hash, note id): the rows to write. Runs in a
    worker process (settings from `_start_worker`) or in this one."""
    settings = settings or _worker_settings
    assert settings is not None
    batch = Batch()
    with gc_paused():
        for path, mtime_ns, size, old_hash, note_id in items:
            parsed, data = read_and_parse(settings, path)
            new_hash = digest(data) if data is not None else "-"
            if old_hash is not None and data is not None and old_hash == new_hash:
                batch.touched.append((mtime_ns, size, path))  # same bytes, new mtime: nothing to re-read
                continue
            batch.add(parsed, mtime_ns, size, new_hash, note_id)
    return batch


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while many notes are read and written: that makes no reference cycles,
    and the collector's passes over hundreds of thousands of new tuples took 15 % of a cold index."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _pool(settings: Settings, jobs: int) -> ProcessPoolExecutor:
    """Fork when this process has no other thread (cheap: nothing to import again); else a fresh start."""
    import multiprocessing as mp  # here: only a large sync starts worker processes
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if threading.active_count() == 1 and "fork" in mp.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(jobs, mp_context=mp.get_context(method), initializer=_start_worker,
                               initargs=(settings,))


def _sync_many(settings: Settings, index: Index, todo: list[tuple[FileStat, tuple[int, int, str, int] | None]],
               stats: SyncStats, progress: Callable[[int, int], None] | None, jobs: int | None,
               fresh: bool) -> None:
    """Read, parse and write many files: chunks in file order (so note ids, stats and problems come out
    as the one-by-one path gives them), parsed in worker processes when there are enough of them."""
    first_id = index.next_note_id()
    items = [(f.path, f.mtime_ns, f.size, old[2] if old is not None else None, first_id + n)
             for n, (f, old) in enumerate(todo)]
    chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    parallel = jobs > 1 and len(todo) >= PARALLEL_MIN
    was_known = {f.path for f, old in todo if old is not None}
    done = 0
    with ExitStack() as stack:
        stack.enter_context(gc_paused())
        stack.enter_context(index.large_cache())
        if fresh:
            stack.enter_context(index.deferred_indexes())
        if parallel:
            pool = stack.enter_context(_pool(settings, jobs))
            batches: Iterable[Batch] = pool.map(_parse_chunk, chunks)
        else:
            batches = (_parse_chunk(chunk, settings) for chunk in chunks)
        for chunk, batch in zip(chunks, batches, strict=True):
            index.put_batch(batch, fresh=fresh)
            for path in batch.paths:
                (stats.changed if path in was_known else stats.added).append(path)
            stats.problems.extend(Problem(Source(path, line), severity, code, message)
                                  for path, line, severity, code, message in batch.problems)
            done += len(chunk)
            if progress is not None:
                progress(done, len(todo))


def _under(path: str, scope: set[str]) -> bool:
    """A removed folder's event names the folder; its notes go with it."""
    return any(path.startswith(s.rstrip("/") + "/") for s in scope)


def _stat_paths(settings: Settings, paths: Iterable[str]) -> list[FileStat]:
    """The notes among these paths (a folder: its notes), as they are on disk now. A path is there only under
    its own name: on a case-insensitive disk (macOS, Windows) `people/jane doe.md` still opens after a rename
    to `people/Jane Doe.md`, and would stay in the index beside it as a second person. Its folder is listed to
    tell, only where the name opens in another case too (a listing of 50,000 notes a save, else)."""
    out: list[FileStat] = []
    walked = Walked(settings)
    listings: dict[Path, set[str]] = {}

    def named_so(full: Path) -> bool:
        swapped = full.with_name(full.name.swapcase())
        if swapped != full:  # a disk that keeps case apart finds no other case of it: no need to list the folder
            try:
                os.stat(swapped)
            except OSError:
                return True
        if full.parent not in listings:
            try:
                listings[full.parent] = set(os.listdir(full.parent))
            except OSError:
                listings[full.parent] = set()
        return full.name in listings[full.parent]

    for rel in sorted(set(paths)):
        full = Path(settings.root) / rel
        if full.is_dir():  # a folder appeared or moved in: its notes, by the same rules as a full walk
            out.extend(walk(settings, under=rel)[0])
            continue
        if not walked.note(rel):
            continue
        try:
            st = os.stat(full)
        except FileNotFoundError:
            continue
        except OSError:
            out.append(FileStat(rel, 0, -1))
            continue
        if not stat.S_ISREG(st.st_mode):  # a FIFO, socket or device: never opened (the walk warns of it)
            continue
        if not named_so(full):
            continue  # found only under another case or form of its name: that one is the note
        out.append(FileStat(rel, st.st_mtime_ns, st.st_size))
    return sorted({f.path: f for f in out}.values(), key=lambda f: f.path)
