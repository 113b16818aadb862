"""The SQLite index: open (WAL), write parsed notes, read records back. Parameterised SQL only.

Records go in as rows of plain columns (dates as ISO text, lists as JSON) so that `reljournal sql`
users see a readable schema, and come back out as the same frozen records.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as _field  # `field` is a column name in load()
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from reljournal.dates import day_reader, iso, month_days, parse_birthday
from reljournal.errors import Problem, Source
from reljournal.index.rows import ROWS, RowCodec, date_time, texts_json
from reljournal.index.schema import DDL, SCHEMA_VERSION
from reljournal.index.walked import Walk
from reljournal.model import (
    INTERACTION,
    KINDS,
    NOT_A_CONTACT,
    NOTE,
    ORG,
    PERSON,
    Interaction,
    Link,
    LogEntry,
    Note,
    Objective,
    Org,
    Person,
    Record,
    Task,
    name_key,
)

if TYPE_CHECKING:  # parsing (and PyYAML) is imported by the commands that read notes only
    from reljournal.parse.note import Parsed


_PEOPLE, _ORGS, _INTERACTIONS = ROWS[PERSON], ROWS[ORG], ROWS[INTERACTION]


@dataclass(frozen=True)
class Target:
    """Any indexed note as a link target, parsed or not."""

    path: str
    kind: str
    title: str
    aliases: tuple[str, ...]


class NoteFacts(NamedTuple):
    """A note's names, kind, `id:` and tags, as the index has them (`parsed`: its front matter was read)."""

    path: str
    kind: str
    title: str
    id: str | None
    aliases: tuple[str, ...]
    tags: tuple[str, ...]
    parsed: bool


# One person's stored answer, as written: (path, active, last, planned, meeting, cadence, next, reason, org, owner,
# org_path),
# dates in ISO form and the cadence as written (`View.answers` turns it back into a `PersonAnswer`).
StoredAnswer = tuple[str, int, str | None, str | None, str | None, str | None, str | None, str | None, str | None,
                     str | None, str | None]


# The stored answers beside their people's notes and front matter (`answer_rows`, `people_rows`)
_ANSWERS_OF_PEOPLE = "FROM answers a JOIN notes n ON n.id = a.note_id JOIN people p ON p.note_id = a.note_id"
# The person's fields `answer_rows(folded=)` can narrow by, as its query names them (`a` answers, `p` people).
FOLDABLE_ANSWER_FIELDS = {"tier": "p.tier", "owner": "a.owner", "relationship": "p.relationship", "status": "p.status"}


class AnswerText(NamedTuple):
    """A person with an answer stored for a day, and their `people --json` object as text (None: not stored yet,
    `Index.put_answer_texts`)."""

    title: str
    path: str
    json: str | None


class TaskOf(NamedTuple):
    """An open task of an interaction or plain note, as the agenda needs it: its note's path, the task, and
    whether the note is an interaction (whose `with:` people a task linking nobody is about: `with_links`)."""

    path: str
    task: Task
    in_interaction: bool


@dataclass(frozen=True)
class Loaded:
    records: tuple[Record, ...]
    problems: tuple[Problem, ...]


def is_corrupt(exc: BaseException) -> bool:
    """SQLITE_CORRUPT or SQLITE_NOTADB: the file is damaged. sqlite3 raises those as the bare DatabaseError;
    its subclasses (OperationalError for a locked or read-only database, ...) are not damage."""
    return type(exc) is sqlite3.DatabaseError


# Pages of 16 KiB instead of SQLite's 4: a cold index of 111,000 notes wrote its tables, built its indexes and
# committed in 3.95-4.2 s instead of 4.5-4.8 (fewer, fuller B-tree pages; FTS5 segments span fewer pages), and
# the file is 3 % smaller. Reads (`due`, `query`, `feed`) and a watcher's one-note sync (0.6 ms) are as fast.
# A page size is chosen when a file is created: an existing index keeps its own until it is deleted.
PAGE_SIZE = 16384


@functools.lru_cache(maxsize=1 << 14)
def json_strings(text: str) -> tuple[str, ...]:
    """A stored JSON list of strings (tags, aliases) as a tuple. Most repeat ("[]", the same tags): each
    distinct text is decoded once, and the tuples are shared."""
    return tuple(json.loads(text))


class Index:
    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self.recovered: str | None = None  # why a damaged file was set aside, when it was
        try:
            self._open()
        except sqlite3.DatabaseError as exc:
            if not is_corrupt(exc) or self.path == ":memory:":
                raise
            self.recover(str(exc))

    def _open(self) -> None:
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            self.db.execute("PRAGMA foreign_keys = ON")
            if self.path != ":memory:":
                self.db.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # a new file's; an existing one keeps its own
                try:
                    self.db.execute("PRAGMA journal_mode = WAL")
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc):
                        raise
                    # Another process is filling the index through a rollback journal (`rollback_journal`)
                    # and sets the WAL back when done; until then this connection waits for it like any reader.
                self.db.execute("PRAGMA synchronous = NORMAL")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA_VERSION:
                self._create()
        except BaseException:
            self.db.close()
            raise

    def recover(self, reason: str) -> None:
        """The file is damaged (garbage, a truncated copy, a bad disk): the index is derived data, so set the
        file aside as `<name>.corrupt` (for a look, replacing an older one), drop its -wal and -shm, and
        start an empty index that the next sync fills."""
        try:
            self.db.close()
        except (AttributeError, sqlite3.Error):
            pass
        base = Path(self.path)
        for suffix in ("-wal", "-shm"):
            base.with_name(base.name + suffix).unlink(missing_ok=True)
        if base.exists():
            base.replace(base.with_name(base.name + ".corrupt"))
        self.recovered = reason
        self._open()

    def close(self) -> None:
        self.db.close()

    def _create(self) -> None:
        """A new or foreign schema: drop everything and start over (the index is derived data)."""
        with self.transaction():
            self._new_tables()
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def clear(self) -> None:
        """Empty every table: inside the caller's transaction when there is one (a sync's), else in its own."""
        if self.db.in_transaction:
            self._new_tables()
            return
        with self.transaction():
            self.clear()

    def _new_tables(self) -> None:
        """Drop every table, newest first (children before the tables they reference), and create them
        again. Dropping beats `DELETE FROM`: with foreign keys on, deleting 111,000 notes cascaded row by
        row and FTS5 tokenised every body again to take it out, 4 s against 0.9. Inside a transaction."""
        rows = self.db.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                               "ORDER BY rowid DESC").fetchall()
        for kind, name in rows:
            if kind in ("table", "view") and not name.startswith("fts_"):
                self.db.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
        for statement in DDL.split(";\n"):
            if statement.strip():
                self.db.execute(statement)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One sync, one transaction: readers never see half an update, a crash leaves the old index."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # ---- meta and file stats ------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def content_token(self) -> str | None:
        """A random token every sync that changes what the index holds replaces (`content_changed`): what
        was derived from the index (the feed, `feed.FeedStamp`) is current while its token is. Random, not a
        counter: an index deleted and built again must not repeat an old value."""
        return self.meta("content")

    def content_changed(self) -> None:
        self.set_meta("content", os.urandom(8).hex())

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def file_stats(self, under: Iterable[str] | None = None) -> dict[str, tuple[int, int, str, int]]:
        """Every file's stat, or only those of the given paths and of the files below them (the watcher's
        changed notes and folders: a lookup by key, not a read of 100,000 rows)."""
        sql = "SELECT path, mtime_ns, size, hash, broken FROM files"
        if under is None:
            return {r[0]: (r[1], r[2], r[3], r[4]) for r in self.db.execute(sql)}
        out: dict[str, tuple[int, int, str, int]] = {}
        for path in under:
            folder = path.rstrip("/")
            # "/" + 1 is "0": the range holds exactly the paths that start with "folder/"
            for r in self.db.execute(sql + " WHERE path = ? OR (path >= ? AND path < ?)",
                                     (path, folder + "/", folder + "0")):
                out[r[0]] = (r[1], r[2], r[3], r[4])
        return out

    def files_walk(self) -> Walk:
        """Every stored file's (path, mtime_ns, size), sorted by path as a walk is."""
        return Walk.of(sorted(self.db.execute("SELECT path, mtime_ns, size FROM files")))

    def walk(self) -> Walk | None:
        """The walk the last full sync stored (`reljournal.index.walked`), or None: then `files_walk()`."""
        row = self.db.execute("SELECT paths, mtimes, sizes FROM walk").fetchone()
        return Walk.from_row(row) if row else None

    def set_walk(self, walk: Walk | None) -> None:
        self.db.execute("DELETE FROM walk")
        if walk is not None:
            self.db.execute("INSERT INTO walk(paths, mtimes, sizes) VALUES (?, ?, ?)", walk.to_row())

    def paths_since(self, mtime_ns: int) -> set[str]:
        """The files whose stored mtime is this late or later (racily clean)."""
        return {path for (path,) in self.db.execute("SELECT path FROM files WHERE mtime_ns >= ?", (mtime_ns,))}

    def touch(self, path: str, mtime_ns: int, size: int) -> None:
        self.db.execute("UPDATE files SET mtime_ns = ?, size = ? WHERE path = ?", (mtime_ns, size, path))

    # ---- writing ------------------------------------------------------------------------------------
    def remove(self, path: str) -> None:
        self.db.execute("DELETE FROM files WHERE path = ?", (path,))
        self.db.execute("DELETE FROM problems WHERE path = ?", (path,))
        self._remove_note(path)

    def _remove_note(self, path: str) -> None:
        row = self.db.execute("SELECT id FROM notes WHERE path = ?", (path,)).fetchone()
        if row:
            self.db.execute("DELETE FROM fts WHERE rowid = ?", (row[0],))
            self.db.execute("DELETE FROM notes WHERE id = ?", (row[0],))

    def put(self, parsed: Parsed, mtime_ns: int, size: int, digest: str) -> None:
        """Store one file's parse: a batch of one (`Batch`, `put_batch`), so that one file and many are
        written by the same code. A broken parse keeps the note's last good version when it has one."""
        batch = Batch()
        batch.add(parsed, mtime_ns, size, digest, self.next_note_id())
        self.put_batch(batch)

    # ---- writing many files at once (large syncs; `Batch` is built in worker processes) -----------------
    def next_note_id(self) -> int:
        return int(self.db.execute("SELECT coalesce(max(id), 0) + 1 FROM notes").fetchone()[0])

    def is_empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM files LIMIT 1").fetchone() is None

    @contextmanager
    def rollback_journal(self) -> Iterator[None]:
        """A rollback journal instead of the WAL while an empty or rebuilt index is filled. The WAL writes every
        page twice, to the log and again at the checkpoint after the commit: at 111,000 notes the commit took
        1.3 s and the writing 5.3 s in all, against 0.2 and 3.8 s. It is still one transaction: killed, the
        hot journal rolls the file back at the next open. SQLite refuses the switch at once while another
        connection has the index open (a watcher, a command reading it): then the WAL stays. WAL again after,
        so that readers never wait for a writer."""
        if self.path == ":memory:" or self.db.in_transaction:
            yield
            return
        try:
            mode = self.db.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        except sqlite3.OperationalError:  # "database is locked": another connection has it open
            mode = "wal"
        if mode != "delete":
            yield
            return
        self.db.execute("PRAGMA synchronous = FULL")  # a rollback journal is safe from power loss only so
        try:
            yield
        finally:
            self.db.execute("PRAGMA synchronous = NORMAL")
            try:
                self.db.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError:
                pass  # a reader opened it meanwhile and set the WAL itself

    @contextmanager
    def large_cache(self, mib: int = 64) -> Iterator[None]:
        """A bigger page cache while a large sync writes (SQLite's default is 2 MiB): fewer pages spilled to the
        WAL and written again, about 0.9 s of 7 at 111,000 notes. Back to the default after, for watchers."""
        before = self.db.execute("PRAGMA cache_size").fetchone()[0]
        self.db.execute(f"PRAGMA cache_size = {-1024 * int(mib)}")
        try:
            yield
        finally:
            self.db.execute(f"PRAGMA cache_size = {int(before)}")

    @contextmanager
    def deferred_indexes(self) -> Iterator[None]:
        """Drop the secondary indexes while an empty index is filled, and build them once at the end:
        sorting 300,000 keys once beats inserting them one by one into a B-tree. Inside the transaction."""
        names = [(name, sql) for name, sql in self.db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")]
        for name, _ in names:
            self.db.execute(f'DROP INDEX "{name}"')
        yield
        for _, sql in names:
            self.db.execute(sql)

    def put_batch(self, batch: Batch, *, fresh: bool = False) -> None:
        """Store what `Batch.add` collected (`put` is a batch of one: the only writer of notes). `fresh`: none of
        the batch's paths is in the index yet (a cold build), so there is nothing old to replace."""
        db = self.db
        notes, names, fts = batch.notes, batch.names, batch.fts
        if not fresh:
            for path in batch.paths:
                db.execute("DELETE FROM problems WHERE path = ?", (path,))
            kept: set[int] = set()  # broken notes that keep their last good version
            for path, note_id in batch.broken:
                row = db.execute("SELECT parsed FROM notes WHERE path = ?", (path,)).fetchone()
                if row and row[0]:
                    kept.add(note_id)
            for path in batch.paths:
                if path not in batch.broken_paths or batch.broken_paths[path] not in kept:
                    self._remove_note(path)
            if kept:
                notes = [r for r in notes if r[0] not in kept]
                names = [r for r in names if r[1] not in kept]
                fts = [r for r in fts if r[0] not in kept]
        db.executemany(
            "INSERT OR REPLACE INTO files(path, mtime_ns, size, hash, broken) VALUES (?, ?, ?, ?, ?)", batch.files)
        db.executemany("INSERT INTO problems(path, line, severity, code, message) VALUES (?, ?, ?, ?, ?)",
                       batch.problems)
        db.executemany("INSERT INTO notes(id, path, kind, title, uid, aliases, tags, lines, parsed) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", notes)
        db.executemany("INSERT INTO names(key, note_id, alias) VALUES (?, ?, ?)", names)
        db.executemany(_PEOPLE.insert, batch.people)
        db.executemany("INSERT INTO log_entries VALUES (?, ?, ?, ?, ?)", batch.log_entries)
        db.executemany(_ORGS.insert, batch.orgs)
        db.executemany("INSERT INTO objectives VALUES (?, ?, ?, ?, ?, ?)", batch.objectives)
        db.executemany(_INTERACTIONS.insert, batch.interactions)
        db.executemany("INSERT INTO tasks VALUES (?, ?, ?, ?, ?)", batch.tasks)
        db.executemany("INSERT INTO links(note_id, field, line, target, folder, display, key) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)", batch.links)
        db.executemany("INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)", fts)
        db.executemany("UPDATE files SET mtime_ns = ?, size = ? WHERE path = ?", batch.touched)

    # ---- reading ------------------------------------------------------------------------------------
    def load(self, kinds: Collection[str] | None = None, *, paths: Collection[str] | None = None) -> Loaded:
        """The records of these kinds (every kind when None) and every stored problem. `due` needs only people
        and organisations: at 111,000 notes that is a tenth of the work. `paths` keeps the records of those
        notes only: what a watcher's update needs (`reljournal.livefeed`). Link targets are `targets()`."""
        db = self.db
        wanted = tuple(sorted(set(kinds))) if kinds is not None else KINDS
        marks = ", ".join("?" * len(wanted))
        parts: list[_Part] = []
        if paths is None:  # every note of these kinds, a range of note ids at a time
            # Two subqueries, not `min(id), max(id)`: SQLite reads either from the end of the rowid tree only when
            # it is alone in its SELECT (together they scan every note: 10 ms at 111,000).
            low, high = db.execute("SELECT (SELECT min(id) FROM notes), (SELECT max(id) FROM notes)").fetchone()
            for start in range(low or 0, (high or -1) + 1, LOAD_CHUNK):
                span = (start, start + LOAD_CHUNK - 1)
                parts.append(_Part(f"kind IN ({marks}) AND id BETWEEN ? AND ?",
                                   f"JOIN notes n ON n.id = x.note_id WHERE n.kind IN ({marks}) "
                                   "AND n.id BETWEEN ? AND ?", (*wanted, *span),
                                   "WHERE note_id BETWEEN ? AND ?", span))
        else:  # some notes: by their ids, through each table's note_id index, LOAD_CHUNK ids at a time
            rows = db.execute("SELECT id, kind FROM notes WHERE path IN (SELECT value FROM json_each(?))",
                              (json.dumps(sorted(paths)),))
            wanted_ids = sorted(note_id for note_id, kind in rows if kind in wanted)
            for start in range(0, len(wanted_ids), LOAD_CHUNK):
                ids = (json.dumps(wanted_ids[start:start + LOAD_CHUNK]),)
                parts.append(_Part("id IN (SELECT value FROM json_each(?))",
                                   "WHERE x.note_id IN (SELECT value FROM json_each(?))", ids,
                                   "WHERE note_id IN (SELECT value FROM json_each(?))", ids))
        decode = _Decoder()
        records = [record for part in parts for record in self._records(wanted, part, decode)]
        problems = tuple(Problem(Source(path, line), severity, code, message) for path, line, severity, code, message
                         in db.execute("SELECT path, line, severity, code, message FROM problems"))
        return Loaded(tuple(records), problems)

    def _records(self, wanted: tuple[str, ...], part: _Part, decode: _Decoder) -> list[Record]:
        """The records of one part of the notes. Its raw rows are let go before the next part is read, so
        that loading 100,000 interactions (`feed`) never holds all their rows at once."""
        db = self.db
        where, joined, params = part.notes, part.joined, part.params
        strings, key_lines, day = decode.strings, decode.key_lines, decode.day

        def grouped(sql: str) -> dict[int, list[Any]]:
            out: dict[int, list[Any]] = {}
            for row in db.execute(sql, params):
                out.setdefault(row[0], []).append(row)
            return out

        def rows_of(table: RowCodec) -> dict[int, Any]:
            return {r[0]: r for r in db.execute(f"{table.select} {part.plain}", part.plain_params)}

        notes = db.execute(f"SELECT id, path, kind, title, uid, aliases, tags, lines, parsed FROM notes WHERE {where} "
                           "ORDER BY id", params).fetchall()
        links = grouped(f"SELECT x.note_id, x.field, x.line, x.target, x.folder, x.display FROM links x {joined} "
                        "ORDER BY x.note_id, x.rowid")
        tasks = grouped(f"SELECT x.note_id, x.line, x.status, x.text, x.due FROM tasks x {joined} "
                        "ORDER BY x.note_id, x.line")
        logs = grouped(f"SELECT x.note_id, x.line, x.date, x.kind, x.text FROM log_entries x {joined} "
                       "ORDER BY x.note_id, x.line") if PERSON in wanted else {}
        objectives = grouped(f"SELECT x.note_id, x.line, x.title, x.measure, x.due, x.status FROM objectives x "
                             f"{joined} ORDER BY x.note_id, x.rowid") if ORG in wanted else {}
        people = rows_of(_PEOPLE) if PERSON in wanted else {}
        orgs = rows_of(_ORGS) if ORG in wanted else {}
        interactions = rows_of(_INTERACTIONS) if INTERACTION in wanted else {}

        records: list[Record] = []
        for note_id, path, kind, title, uid, aliases_j, tags_j, lines_j, parsed in notes:
            aliases = strings(aliases_j)
            if not parsed:
                continue
            note_links = links.get(note_id, [])
            task_links: dict[int, list[Link]] = {}
            body_links: list[Link] = []
            field_links: dict[str, list[Link]] = {}
            for _, field, line, target, folder, display in note_links:
                link = Link(target, folder, display, line)
                if field == "task":
                    task_links.setdefault(line, []).append(link)
                elif field == "body":
                    body_links.append(link)
                else:
                    field_links.setdefault(field, []).append(link)
            common: dict[str, Any] = {
                "path": path, "title": title, "aliases": aliases, "id": uid, "tags": strings(tags_j),
                "lines": key_lines(lines_j), "links": tuple(body_links),
                "tasks": tuple(Task(text, status, day(due), tuple(task_links.get(line, ())), line)
                               for _, line, status, text, due in tasks.get(note_id, [])),
            }
            if kind == PERSON and note_id in people:
                org = field_links.get("org")
                records.append(Person(
                    **common, **_PEOPLE.decode(people[note_id], strings, day), org=org[0] if org else None,
                    log=tuple(LogEntry(decode.date(d), k, t, line) for _, line, d, k, t in logs.get(note_id, []))))
            elif kind == ORG and note_id in orgs:
                records.append(Org(
                    **common, **_ORGS.decode(orgs[note_id], strings, day),
                    objectives=tuple(Objective(t, m, day(d), s, line)
                                     for _, line, t, m, d, s in objectives.get(note_id, []))))
            elif kind == INTERACTION and note_id in interactions:
                records.append(Interaction(
                    **common, **_INTERACTIONS.decode(interactions[note_id], strings, day),
                    with_=tuple(field_links.get("with", ()))))
            elif kind not in (PERSON, ORG, INTERACTION):
                records.append(Note(**common))
        return records

    def targets(self, keys: Collection[str] | None = None) -> list[Target]:
        """Every note as a link target, or those called (title or alias) by one of these name keys."""
        if keys is None:
            rows = self.db.execute("SELECT path, kind, title, aliases FROM notes")
        else:
            rows = self.db.execute("SELECT path, kind, title, aliases FROM notes WHERE id IN "
                                   "(SELECT note_id FROM names WHERE key IN (SELECT value FROM json_each(?)))",
                                   (json.dumps(sorted(keys)),))
        return [Target(path, kind, title, json_strings(aliases)) for path, kind, title, aliases in rows]

    def targets_of_kinds(self, kinds: Collection[str]) -> list[Target]:
        """The notes of these kinds as link targets (every person and organisation, for a name typed on the
        command line that matched none exactly)."""
        rows = self.db.execute("SELECT path, kind, title, aliases FROM notes WHERE kind IN "
                               "(SELECT value FROM json_each(?))", (json.dumps(sorted(kinds)),))
        return [Target(path, kind, title, json_strings(aliases)) for path, kind, title, aliases in rows]

    # ---- what a change touches (reljournal.livefeed) ---------------------------------------------------
    def note_facts(self, paths: Collection[str] | None = None) -> list[NoteFacts]:
        """Every note's (or these notes') name, kind, `id:` and tags, parsed or not, without building records."""
        sql = "SELECT path, kind, title, uid, aliases, tags, parsed FROM notes"
        rows = (self.db.execute(sql) if paths is None else
                self.db.execute(sql + " WHERE path IN (SELECT value FROM json_each(?))", (json.dumps(sorted(paths)),)))
        return [self._facts(*row) for row in rows]

    def _facts(self, path: str, kind: str, title: str, uid: str | None, aliases: str, tags: str,
               parsed: int) -> NoteFacts:
        return NoteFacts(path, kind, title, uid, json_strings(aliases), json_strings(tags), bool(parsed))

    def dated_between(self, first: dt.date, last: dt.date) -> set[str]:
        """The notes with a contact dated from `first` to `last`: interactions, and people by a Log entry or
        their `last_contact` (what a new day can turn from a coming contact into a past one)."""
        span = (first.isoformat(), last.isoformat())
        return {path for (path,) in self.db.execute(
            "SELECT n.path FROM interactions i JOIN notes n ON n.id = i.note_id WHERE i.date BETWEEN ? AND ? "
            "UNION SELECT n.path FROM log_entries e JOIN notes n ON n.id = e.note_id WHERE e.date BETWEEN ? AND ? "
            "UNION SELECT n.path FROM people p JOIN notes n ON n.id = p.note_id WHERE p.last_contact BETWEEN ? AND ?",
            span * 3)}

    def core_paths_dated_until(self, today: dt.date, last: dt.date) -> set[str]:
        """The people and organisations with something dated from `today` to `last` besides their next contact
        (`View.answers`): a Log entry after today, an open objective or task due by `last` (overdue ones too), a
        birthday. What the agenda reads of them instead of all 11,000 (at 111,000 notes)."""
        first, end = today.isoformat(), last.isoformat()
        found = {path for (path,) in self.db.execute(
            # CROSS JOIN: from the 10,000 Log entries to their notes (SQLite walked the people by kind: 2.6 ms, 0.5)
            f"SELECT n.path FROM log_entries e CROSS JOIN notes n ON n.id = e.note_id WHERE e.date > ? "
            f"AND e.date <= ? AND n.kind = '{PERSON}' "
            "UNION SELECT n.path FROM objectives o JOIN notes n ON n.id = o.note_id WHERE o.status = 'open' "
            "AND o.due <= ? "
            "UNION SELECT n.path FROM tasks t CROSS JOIN notes n ON n.id = t.note_id WHERE t.status = ' ' "
            f"AND t.due <= ? AND n.kind IN ('{PERSON}', '{ORG}')", (first, end, end, end))}
        found.update(path for path, text in self.db.execute(  # those whose month and day may be in the span
            "SELECT n.path, p.birthday FROM people p JOIN notes n ON n.id = p.note_id WHERE p.birthday IS NOT NULL "
            "AND substr(p.birthday, -5) IN (SELECT value FROM json_each(?))", (json.dumps(month_days(today, last)),))
            if parse_birthday(text).next_on_or_after(today) <= last)
        return found

    def top_folder_of(self, kind: str) -> str | None:
        """The top folder holding most notes of `kind` (none at the vault's root counted)."""
        row = self.db.execute("SELECT substr(path, 1, instr(path, '/') - 1) AS top, count(*) AS n FROM notes "
                              "WHERE kind = ? AND instr(path, '/') > 0 GROUP BY top ORDER BY n DESC, top LIMIT 1",
                              (kind,)).fetchone()
        return row[0] if row else None

    def paths_of_kind(self, kind: str) -> list[str]:
        """The notes of this kind that have a record (their front matter was read once)."""
        return [path for (path,) in self.db.execute("SELECT path FROM notes WHERE kind = ? AND parsed", (kind,))]

    def tags_of_kinds(self, kinds: Collection[str]) -> list[tuple[str, tuple[str, ...]]]:
        """(path, tags) of the notes of these kinds that have a record."""
        return [(path, json_strings(tags)) for path, tags in self.db.execute(
            "SELECT path, tags FROM notes WHERE parsed AND kind IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(kinds)),))]

    def interaction_kinds(self) -> list[str]:
        """Every `kind:` the interaction notes with a record have, each once (a few, where the notes are many)."""
        return [kind for (kind,) in self.db.execute("SELECT DISTINCT kind FROM interactions WHERE kind IS NOT NULL")]

    def interactions_of_kinds(self, kinds: Iterable[str]) -> list[str]:
        """The paths of the interaction notes with a record whose `kind:` is one of `kinds`, as written."""
        return [path for (path,) in self.db.execute(
            "SELECT n.path FROM interactions i JOIN notes n ON n.id = i.note_id "
            "WHERE i.kind IN (SELECT value FROM json_each(?))", (json.dumps(sorted(kinds)),))]

    def people_addresses(self) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
        """(title, aliases, e-mail addresses) of every person with a record."""
        rows = self.db.execute("SELECT n.title, n.aliases, p.email FROM people p JOIN notes n ON n.id = p.note_id "
                               "ORDER BY n.path")
        return [(title, json_strings(aliases), json_strings(email or "[]")) for title, aliases, email in rows]

    def sourced(self, prefix: str) -> list[tuple[str, str, dt.datetime | None, dt.datetime | None, str | None]]:
        """(path, source, date-time, end, status) of the interaction notes whose `source:` starts with
        `prefix` (`ics:`): what a calendar import compares with."""
        rows = self.db.execute("SELECT n.path, i.source, i.at, i.end_at, i.status FROM interactions i "
                               "JOIN notes n ON n.id = i.note_id WHERE i.source >= ? AND i.source < ? ORDER BY 1",
                               (prefix, prefix + "\U0010ffff"))
        return [(path, source, date_time(at), date_time(end), status) for path, source, at, end, status in rows]

    def linking(self, keys: Collection[str], fields: Collection[str] | None = None) -> set[str]:
        """The notes with a link (in these fields) to one of these name keys."""
        return {path for path, _ in self._links_where("x.key", keys, fields)}

    def links_in(self, field: str) -> dict[tuple[str, str | None], list[tuple[str, int]]]:
        """Every link in this field (`with`, `org`, ...) by what it names: (target, folder) -> the (note
        path, line) of each, so that each name is resolved once."""
        out: dict[tuple[str, str | None], list[tuple[str, int]]] = {}
        for target, folder, path, line in self.db.execute(
                "SELECT x.target, x.folder, n.path, x.line FROM links x JOIN notes n ON n.id = x.note_id "
                "WHERE x.field = ?", (field,)):
            out.setdefault((target, folder), []).append((path, line))
        return out

    def link_keys(self, paths: Collection[str], fields: Collection[str] | None = None) -> dict[str, set[str]]:
        """Note path -> the name keys its links (in these fields) point to."""
        out: dict[str, set[str]] = {}
        for path, key in self._links_where("n.path", paths, fields):
            out.setdefault(path, set()).add(key)
        return out

    def _links_where(self, column: str, values: Collection[str], fields: Collection[str] | None
                     ) -> list[tuple[str, str]]:
        """(note path, link key) of the links whose `column` is one of `values`, in these fields."""
        sql = (f"SELECT n.path, x.key FROM links x JOIN notes n ON n.id = x.note_id "
               f"WHERE {column} IN (SELECT value FROM json_each(?))")
        params = [json.dumps(sorted(values))]
        if fields is not None:
            sql += " AND x.field IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(sorted(fields)))
        return self.db.execute(sql, params).fetchall()

    def named(self, keys: Collection[str], kinds: Collection[str]) -> set[str]:
        """The notes of these kinds called (title or alias) by one of these name keys."""
        return {t.path for t in self.targets(keys) if t.kind in kinds}

    def contact_summary(self, today: dt.date, keys: Collection[str] | None = None
                        ) -> list[tuple[str, str | None, str | None, str | None, str | None, str | None]]:
        """What the date rules need from interaction notes, per name they are `with`, computed by SQLite:
        (link target, link folder, latest date up to today, earliest date after today, the latest date up to
        today of one that sets a `next`, the earliest `next` set on that date). Kind `note` never counts.
        At 111,000 notes this is a tenth of a second; reading the 150,000 link rows into Python took 0.7 s.
        `keys`: only the links to these name keys."""
        of_keys = "" if keys is None else "AND x.key IN (SELECT value FROM json_each(:keys))"
        # One pass: the latest date that sets a `next`, with the earliest `next` set on it, is the maximum
        # of the number YYYYMMDD(date) * 10^8 + (99999999 - YYYYMMDD(next)). Two passes (a join of the
        # per-name maxima back to their rows) took a third longer at 111,000 notes.
        rows = self.db.execute(f"""
            SELECT x.target, x.folder, max(CASE WHEN i.date <= :today THEN i.date END),
                   min(CASE WHEN i.date > :today THEN i.date END),
                   max(CASE WHEN i.next IS NOT NULL AND i.date <= :today
                       THEN CAST(replace(i.date, '-', '') AS INTEGER) * 100000000
                            + 99999999 - CAST(replace(i.next, '-', '') AS INTEGER) END)
            FROM links x JOIN interactions i ON i.note_id = x.note_id
            WHERE x.field = 'with' AND i.date IS NOT NULL AND {_A_CONTACT} {of_keys}
            GROUP BY x.target, x.folder ORDER BY x.target, x.folder""",
                               {"today": today.isoformat(), "keys": json.dumps(sorted(keys or ()))}).fetchall()
        return [(target, folder, last, meeting, *_agreed(packed)) for target, folder, last, meeting, packed in rows]

    # ---- stored answers: what the date rules said of each person on one day (`View.answers`) ----------------
    def answer_keys(self, paths: Collection[str]) -> set[str]:
        """The name keys whose people's answers a change of these notes can move: the notes' own names (a link
        to one of them may now resolve elsewhere) and the names their `with:` links point to. (A person's own
        `org:` moves only their own answer, which goes with their note.)"""
        listed = json.dumps(sorted(paths))
        rows = self.db.execute(
            "SELECT x.key FROM names x JOIN notes n ON n.id = x.note_id "
            "WHERE n.path IN (SELECT value FROM json_each(?)) "
            "UNION SELECT x.key FROM links x JOIN notes n ON n.id = x.note_id "
            "WHERE n.path IN (SELECT value FROM json_each(?)) AND x.field = 'with'", (listed, listed))
        return {key for (key,) in rows}

    def forget_answers(self, keys: Collection[str] | None = None) -> None:
        """Drop the stored answers of the people called by one of these name keys (title or alias) and of those
        whose `org:` names one; every answer when None. A changed person's own row goes with its note (ON DELETE
        CASCADE)."""
        if keys is None:
            self.db.execute("DELETE FROM answers")
        elif keys:
            self.db.execute(
                "DELETE FROM answers WHERE note_id IN (SELECT note_id FROM names WHERE key IN "
                "(SELECT value FROM json_each(:keys)) UNION SELECT note_id FROM links WHERE field = 'org' AND key IN "
                "(SELECT value FROM json_each(:keys)))", {"keys": json.dumps(sorted(keys))})

    def carry_answers(self, day: dt.date, today_reasons: Collection[str], until_next_reasons: Collection[str]) -> int:
        """Move the answers of earlier days to `day` where `day` cannot change them, so that only the others are
        worked out again; how many were moved. The rules read the date through the contacts dated up to it and
        through `today_reasons` (a next date that is the day itself) and `until_next_reasons` (which hold until
        their next date). So an answer stays when no contact is dated after its day up to `day`: no interaction
        naming the person, Log entry or `last_contact` (`dated_between`): those notes' people are forgotten as
        a change of them would forget them (`answer_keys`, `forget_answers`). Their `people --json` texts go
        (their `days` moved). In the caller's transaction."""
        carried = 0
        for (kept,) in self.db.execute("SELECT DISTINCT day FROM answers WHERE day < ?", (day.isoformat(),)).fetchall():
            dated = self.dated_between(dt.date.fromisoformat(kept) + dt.timedelta(days=1), day)
            if dated:
                self.forget_answers(self.answer_keys(dated))
            self.db.execute(
                "DELETE FROM answers WHERE day = :kept AND (reason IN (SELECT value FROM json_each(:today)) "
                "OR (reason IN (SELECT value FROM json_each(:until)) AND next <= :day))",
                {"kept": kept, "today": json.dumps(list(today_reasons)), "until": json.dumps(list(until_next_reasons)),
                 "day": day.isoformat()})
            self.db.execute("DELETE FROM answer_json WHERE note_id IN (SELECT note_id FROM answers WHERE day = ?)",
                            (kept,))
            carried += self.db.execute("UPDATE answers SET day = ? WHERE day = ?", (day.isoformat(), kept)).rowcount
        return carried

    def stale_answers(self, day: dt.date) -> list[str]:
        """The people (paths) without a stored answer for `day`."""
        return [path for (path,) in self.db.execute(
            "SELECT n.path FROM notes n JOIN people p ON p.note_id = n.id LEFT JOIN answers a ON a.note_id = n.id "
            "WHERE a.day IS NOT ? ORDER BY n.path", (day.isoformat(),))]

    def put_answers(self, day: dt.date, rows: Iterable[StoredAnswer]) -> None:
        """Store answers for `day` (`StoredAnswer`s)."""
        self.db.executemany(
            "INSERT OR REPLACE INTO answers(note_id, day, active, last, planned, meeting, cadence, next, reason, org, "
            "owner, org_path) SELECT id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM notes WHERE path = ?",
            [(day.isoformat(), *rest, path) for path, *rest in rows])

    def put_answer_texts(self, rows: Iterable[tuple[str, str]]) -> None:
        """Store (path, `people --json` object as text) beside those people's stored answers."""
        self.db.executemany("INSERT OR REPLACE INTO answer_json(note_id, json) SELECT id, ? FROM notes WHERE path = ?",
                            [(text, path) for path, text in rows])

    def answer_rows(self, day: dt.date, paths: Collection[str] | None = None, next_by: dt.date | None = None,
                    folded: tuple[str, str] | None = None) -> list[tuple[Any, ...]]:
        """The stored answers for `day` (of these people only: `paths`; only those with a next contact by
        `next_by`, overdue too; only those whose field may case-fold to a case-folded value: `folded`, a
        superset for the caller to judge) beside the person's own fields, by path: (path, title, tags (JSON),
        tier, status, relationship, role, active, last, planned, meeting, cadence, next, reason, org, owner,
        org_path)."""
        only, args = ("", [day.isoformat()]) if paths is None else (
            "AND n.path IN (SELECT value FROM json_each(?)) ", [day.isoformat(), json.dumps(sorted(paths))])
        if next_by is not None:
            only += "AND a.active AND a.next <= ? "
            args.append(next_by.isoformat())
        if folded is not None:
            # NOCASE folds ASCII letters alone, which is Python's case-folding of an ASCII value; a value with any
            # other character (more characters than UTF-8 bytes) is returned too, to be judged by the caller.
            column = FOLDABLE_ANSWER_FIELDS[folded[0]]
            only += f"AND ({column} = ? COLLATE NOCASE OR length({column}) != length(CAST({column} AS BLOB))) "
            args.append(folded[1])
        return self.db.execute(
            "SELECT n.path, n.title, n.tags, p.tier, p.status, p.relationship, p.role, a.active, a.last, a.planned, "
            f"a.meeting, a.cadence, a.next, a.reason, a.org, a.owner, a.org_path {_ANSWERS_OF_PEOPLE} "
            f"WHERE a.day = ? {only}ORDER BY n.path", args).fetchall()

    def people_rows(self, day: dt.date) -> list[tuple[Any, ...]]:
        """What `people` and `orgs` show of each person with an answer stored for `day`, in no order: (title,
        path, tier, org, last, next, status, active, org_path). Half of `answer_rows`' columns: 13 ms instead of 28
        at 10,000 people."""
        return self.db.execute(
            "SELECT n.title, n.path, p.tier, a.org, a.last, a.next, p.status, a.active, a.org_path "
            f"{_ANSWERS_OF_PEOPLE} WHERE a.day = ?", (day.isoformat(),)).fetchall()

    def answer_texts(self, day: dt.date) -> list[AnswerText]:
        """The people with an answer stored for `day`, with their `people --json` object as text."""
        return [AnswerText(*row) for row in self.db.execute(
            "SELECT n.title, n.path, j.json FROM answers a JOIN notes n ON n.id = a.note_id "
            "LEFT JOIN answer_json j ON j.note_id = a.note_id WHERE a.day = ?", (day.isoformat(),))]

    def answers_without_text(self, day: dt.date) -> list[str]:
        """The people (paths) with an answer stored for `day` but not its text (`put_answer_texts`)."""
        return [path for (path,) in self.db.execute(
            "SELECT n.path FROM answers a JOIN notes n ON n.id = a.note_id WHERE a.day = ? "
            "AND NOT EXISTS (SELECT 1 FROM answer_json j WHERE j.note_id = a.note_id) ORDER BY n.path",
            (day.isoformat(),))]

    def answer_count(self, day: dt.date) -> int:
        """How many answers are stored for `day`."""
        return int(self.db.execute("SELECT count(*) FROM answers WHERE day = ?", (day.isoformat(),)).fetchone()[0])

    def keep_live_events(self, rows: Iterable[tuple[Any, ...]], key: str, day: dt.date, token: str | None) -> bool:
        """The watcher's events in the feed's order, (note path, start, kind, summary, UID, bytes, organisation,
        people joined by NUL), valid for `key` only, made on `day` from the index whose content token was
        `token`; beside them the notes as they were (`live_notes`), so that a later start builds again only
        what changed since. Kept only when the index still holds that content; returns whether it did."""
        with self.transaction():
            if self.content_token() != token:
                return False
            self.db.execute("DELETE FROM live_events")
            self.db.execute("DELETE FROM live_notes")
            self.db.executemany("INSERT INTO live_events(path, start, kind, summary, uid, data, org, people) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            self.db.execute(
                "INSERT INTO live_notes(path, hash, kind, title, uid, aliases, tags, parsed, with_keys) "
                "SELECT n.path, f.hash, n.kind, n.title, n.uid, n.aliases, n.tags, n.parsed, "
                "(SELECT group_concat(l.key, char(0)) FROM links l WHERE l.note_id = n.id AND l.field = 'with') "
                "FROM notes n LEFT JOIN files f ON f.path = n.path")
            self.set_meta("live_events", json.dumps([key, day.isoformat(), token]))
        return True

    def live_kept(self, key: str) -> tuple[dt.date, bool] | None:
        """The day of the events `keep_live_events` kept for `key`, and whether the index still holds the
        content they were made from (its content token); None when none were, or for another key."""
        try:
            kept_key, day, token = json.loads(self.live_stamp() or "null")
        except (TypeError, ValueError):  # none kept, or kept by another version
            return None
        if kept_key != key:
            return None
        return dt.date.fromisoformat(day), token == self.content_token()

    def live_events(self) -> list[tuple[Any, ...]]:
        """The kept events in their order, as `keep_live_events` took them."""
        return self.db.execute(
            "SELECT path, start, kind, summary, uid, data, org, people FROM live_events ORDER BY rowid").fetchall()

    def keep_live_file(self, file: Any) -> None:
        """Beside the kept events, where a file holding exactly them was and what it looked like (its path and
        `os.stat` figures, JSON-able), as long as those events stay kept: a start then takes the file for
        them instead of reading them back and comparing (`live_file`)."""
        self.set_meta("live_file", json.dumps([self.live_stamp(), file]))

    def live_file(self) -> Any:
        """What `keep_live_file` kept, None when it was for other events than those kept now."""
        try:
            stamp, file = json.loads(self.meta("live_file") or "null")
        except (TypeError, ValueError):
            return None
        return file if stamp is not None and stamp == self.live_stamp() else None

    def live_stamp(self) -> str | None:
        """What `keep_live_events` last kept was kept for (its key, day and content token): another value means
        another feed was kept since."""
        return self.meta("live_events")

    def live_notes(self) -> list[tuple[NoteFacts, frozenset[str]]]:
        """The notes as the kept events had them: their facts, and an interaction's `with:` name keys."""
        return [(self._facts(*facts), frozenset(with_keys.split("\0")) if with_keys else frozenset())
                for *facts, with_keys in self.db.execute(
                    "SELECT path, kind, title, uid, aliases, tags, parsed, with_keys FROM live_notes")]

    def live_note_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM live_notes").fetchone()[0])

    def changed_since_live(self) -> list[str]:
        """The notes added, changed or removed since the kept events were made: another hash or other facts."""
        return [path for (path,) in self.db.execute(
            "SELECT k.path FROM live_notes k LEFT JOIN notes n ON n.path = k.path LEFT JOIN files f ON f.path = k.path "
            "WHERE n.id IS NULL OR f.hash IS NOT k.hash OR n.kind IS NOT k.kind OR n.title IS NOT k.title "
            "OR n.uid IS NOT k.uid OR n.aliases IS NOT k.aliases OR n.tags IS NOT k.tags OR n.parsed IS NOT k.parsed "
            "UNION SELECT n.path FROM notes n WHERE NOT EXISTS (SELECT 1 FROM live_notes k WHERE k.path = n.path)")]

    def people_count(self) -> int:
        """How many person notes have a record (those `answer_rows` can hold)."""
        return int(self.db.execute("SELECT count(*) FROM people").fetchone()[0])

    def error_count(self) -> int:
        """How many stored problems are errors (what a listing mentions in one line)."""
        return int(self.db.execute("SELECT count(*) FROM problems WHERE severity = 'error'").fetchone()[0])

    def contacts_by_day(self, until: dt.date) -> list[tuple[str, int]]:
        """(date, how many interaction notes on it) up to `until`, kind `note` left out: what `week` counts
        of interaction notes, without reading them (which took 2.5 s at 111,000 notes)."""
        return self.db.execute(f"SELECT date, count(*) FROM interactions i WHERE date <= ? AND {_A_CONTACT} "
                               "GROUP BY date ORDER BY date",
                               (until.isoformat(),)).fetchall()

    def meetings_until(self, today: dt.date, last: dt.date) -> list[str]:
        """The interaction notes with a meeting from `today` to `last` (any kind but `note`)."""
        return [path for (path,) in self.db.execute(
            "SELECT n.path FROM interactions i JOIN notes n ON n.id = i.note_id "
            f"WHERE i.date BETWEEN ? AND ? AND {_A_CONTACT}", (today.isoformat(), last.isoformat()))]

    def open_tasks_until(self, last: dt.date) -> list[TaskOf]:
        """The open tasks due by `last` of the interactions and plain notes that have a record (`load`), in the
        order of their notes and lines, each as `load` would give it: from the rows of those tasks and of their
        links, not the notes' records. An interaction's `with:` links are read apart, for the tasks that need
        them (`with_links`)."""
        # CROSS JOIN: from the tasks to their notes, never the other way (SQLite chose to walk 100,000 notes by
        # kind for 237 open tasks: 0.26 s instead of 0.02)
        notes = ("FROM tasks t CROSS JOIN notes n ON n.id = t.note_id WHERE t.status = ' ' AND t.due <= ? "
                 f"AND n.parsed AND (n.kind = '{NOTE}' OR (n.kind = '{INTERACTION}' AND "
                 "EXISTS (SELECT 1 FROM interactions i WHERE i.note_id = n.id)))")
        day = (last.isoformat(),)
        task_links: dict[tuple[int, int], list[Link]] = {}
        for note_id, line, target, folder, display in self.db.execute(  # in each note's order, as the index has them
                "SELECT x.note_id, x.line, x.target, x.folder, x.display FROM links x "
                f"WHERE x.field = 'task' AND x.note_id IN (SELECT t.note_id {notes}) ORDER BY x.note_id, x.rowid", day):
            task_links.setdefault((note_id, line), []).append(Link(target, folder, display, line))
        decode = _Decoder()
        return [TaskOf(path, Task(text, status, decode.day(due), tuple(task_links.get((note_id, line), ())), line),
                       kind == INTERACTION)
                for note_id, path, kind, line, status, text, due in self.db.execute(
                    f"SELECT n.id, n.path, n.kind, t.line, t.status, t.text, t.due {notes} ORDER BY n.id, t.line", day)]

    def with_links(self, paths: Collection[str]) -> dict[str, tuple[Link, ...]]:
        """The `with:` links of these notes (interactions), in their order, by path; a note without any: none."""
        found: dict[str, list[Link]] = {}
        for path, line, target, folder, display in self.db.execute(
                "SELECT n.path, x.line, x.target, x.folder, x.display FROM notes n CROSS JOIN links x "
                "ON x.note_id = n.id WHERE n.path IN (SELECT value FROM json_each(?)) AND x.field = 'with' "
                "ORDER BY x.note_id, x.rowid", (json.dumps(sorted(paths)),)):
            found.setdefault(path, []).append(Link(target, folder, display, line))
        return {path: tuple(links) for path, links in found.items()}

    def log_contacts_by_day(self, until: dt.date) -> list[tuple[str, int]]:
        """(date, how many `## Log` entries on it) up to `until`, kind `note` left out."""
        return self.db.execute("SELECT date, count(*) FROM log_entries WHERE date <= ? AND "
                               "(kind IS NULL OR kind != 'note') GROUP BY date ORDER BY date",
                               (until.isoformat(),)).fetchall()

    def lone_last_contacts(self, until: dt.date) -> list[tuple[str, str]]:
        """(person path, `last_contact`) of the people whose `last_contact` is up to `until` and who have no Log
        entry on that day (kind `note` aside)."""
        return self.db.execute(
            "SELECT n.path, p.last_contact FROM people p JOIN notes n ON n.id = p.note_id "
            "WHERE p.last_contact <= ? AND NOT EXISTS (SELECT 1 FROM log_entries e WHERE e.note_id = p.note_id "
            "AND e.date = p.last_contact AND (e.kind IS NULL OR e.kind != 'note')) ORDER BY n.path",
            (until.isoformat(),)).fetchall()

    def shown(self, paths: Collection[str]) -> list[tuple[str, str, str, str, str | None]]:
        """(path, kind, title, tags (JSON), interaction date) of these notes, those with a record: what `query`
        shows of them."""
        return self.db.execute(
            "SELECT n.path, n.kind, n.title, n.tags, i.date FROM notes n LEFT JOIN interactions i ON i.note_id = n.id "
            "WHERE n.parsed AND n.path IN (SELECT value FROM json_each(?))", (json.dumps(sorted(paths)),)).fetchall()

    def name_keys_of_kinds(self, kinds: Collection[str]) -> set[str]:
        """The name keys (titles and aliases) of the notes of these kinds."""
        return {key for (key,) in self.db.execute(
            "SELECT DISTINCT x.key FROM names x JOIN notes n ON n.id = x.note_id "
            "WHERE n.kind IN (SELECT value FROM json_each(?))", (json.dumps(sorted(kinds)),))}

    def contacts_on(self, days: Collection[str]) -> list[tuple[str, str | None, str]]:
        """(link target, link folder, date) of the `with:` links of the interaction notes on these days, kind
        `note` left out."""
        return self.db.execute(
            "SELECT DISTINCT x.target, x.folder, i.date FROM links x JOIN interactions i ON i.note_id = x.note_id "
            f"WHERE x.field = 'with' AND {_A_CONTACT} "
            "AND i.date IN (SELECT value FROM json_each(?)) ORDER BY 1, 2, 3", (json.dumps(sorted(days)),)).fetchall()

    def body(self, path: str) -> str:
        row = self.db.execute("SELECT fts.body FROM notes JOIN fts ON fts.rowid = notes.id WHERE notes.path = ?",
                              (path,)).fetchone()
        return row[0] if row else ""


@dataclass
class Batch:
    """The rows of many parsed files, table by table, for `Index.put_batch`. Plain lists of tuples: cheap
    to send back from a worker process, and written with one `executemany` per table. A kind's own row comes
    from its field table (`index/rows.py`)."""

    paths: list[str] = _field(default_factory=list)
    files: list[tuple[Any, ...]] = _field(default_factory=list)
    problems: list[tuple[Any, ...]] = _field(default_factory=list)
    notes: list[tuple[Any, ...]] = _field(default_factory=list)
    names: list[tuple[Any, ...]] = _field(default_factory=list)
    people: list[tuple[Any, ...]] = _field(default_factory=list)
    log_entries: list[tuple[Any, ...]] = _field(default_factory=list)
    orgs: list[tuple[Any, ...]] = _field(default_factory=list)
    objectives: list[tuple[Any, ...]] = _field(default_factory=list)
    interactions: list[tuple[Any, ...]] = _field(default_factory=list)
    tasks: list[tuple[Any, ...]] = _field(default_factory=list)
    links: list[tuple[Any, ...]] = _field(default_factory=list)
    fts: list[tuple[Any, ...]] = _field(default_factory=list)
    touched: list[tuple[int, int, str]] = _field(default_factory=list)  # same bytes, new stat: (mtime, size, path)
    broken: list[tuple[str, int]] = _field(default_factory=list)  # (path, note id) of failed parses

    @property
    def broken_paths(self) -> dict[str, int]:
        return dict(self.broken)

    def add(self, parsed: Parsed, mtime_ns: int, size: int, digest: str, note_id: int) -> None:
        path, r = parsed.path, parsed.record
        self.paths.append(path)
        self.files.append((path, mtime_ns, size, digest, int(r is None)))
        self.problems.extend((p.source.path, p.source.line, p.severity, p.code, p.message) for p in parsed.problems)
        title = parsed.title
        self.names.append((name_key(title), note_id, 0))
        if r is None:
            self.broken.append((path, note_id))
            self.notes.append((note_id, path, parsed.kind, title, None, "[]", "[]", "{}", 0))
            self.fts.append((note_id, title, ""))
            return
        self.notes.append((note_id, path, r.kind, title, r.id, _j(r.aliases), _j(r.tags),
                           _key_lines_json(r.lines), 1))
        self.names.extend((name_key(a), note_id, 1) for a in r.aliases)
        self.fts.append((note_id, title, parsed.body))
        links = self.links
        if isinstance(r, Person):
            self.people.append((note_id, *_PEOPLE.encode(r)))
            self.log_entries.extend((note_id, e.line, iso(e.date), e.kind, e.text) for e in r.log)
            if r.org is not None:
                k = r.org
                links.append((note_id, "org", k.line, k.target, k.folder, k.display, k.key))
        elif isinstance(r, Org):
            self.orgs.append((note_id, *_ORGS.encode(r)))
            self.objectives.extend((note_id, o.line, o.title, o.measure, iso(o.due), o.status) for o in r.objectives)
        elif isinstance(r, Interaction):
            self.interactions.append((note_id, *_INTERACTIONS.encode(r)))
            links.extend((note_id, "with", k.line, k.target, k.folder, k.display, k.key) for k in r.with_)
        self.tasks.extend((note_id, t.line, t.status, t.text, iso(t.due)) for t in r.tasks)
        links.extend((note_id, "body", k.line, k.target, k.folder, k.display, k.key) for k in r.links)
        for t in r.tasks:
            links.extend((note_id, "task", k.line, k.target, k.folder, k.display, k.key) for k in t.links)


# An interaction note (table `interactions`, as `i`) that counts as a contact and a meeting: any kind but `note`,
# or none, and not cancelled (`Interaction.counts`).
_A_CONTACT = f"((i.kind IS NULL OR i.kind != '{NOT_A_CONTACT}') AND i.status IS NULL)"


def _agreed(packed: int | None) -> tuple[str | None, str | None]:
    """(date, next) from `contact_summary`'s packed YYYYMMDD(date) * 10^8 + 99999999 - YYYYMMDD(next)."""
    if packed is None:
        return None, None
    on, nxt = divmod(packed, 100_000_000)
    return _day_text(on), _day_text(99_999_999 - nxt)


def _day_text(yyyymmdd: int) -> str:
    year, rest = divmod(yyyymmdd, 10_000)
    return f"{year:04d}-{rest // 100:02d}-{rest % 100:02d}"


LOAD_CHUNK = 20_000  # note ids read at a time by `Index.load`


class _Part(NamedTuple):
    """Which notes `Index._records` reads: the condition on `notes`, on the other tables joined to `notes`
    (as `x`), and on those tables alone (one row per note), each with its parameters."""

    notes: str
    joined: str
    params: tuple[Any, ...]
    plain: str
    plain_params: tuple[Any, ...]


class _Decoder:
    """Most JSON columns repeat ("[]", the same tags, the same key lines) and dates repeat: each distinct text
    is decoded once. Tuples, dates and (read-only) key lines are shared between records."""

    strings = staticmethod(json_strings)

    def __init__(self) -> None:
        self.line_maps: dict[str, Mapping[str, int]] = {}
        self.day = day_reader()

    def key_lines(self, text: str) -> Mapping[str, int]:
        found = self.line_maps.get(text)
        if found is None:
            found = self.line_maps[text] = MappingProxyType(json.loads(text))
        return found

    def date(self, text: str) -> dt.date:
        """A NOT NULL date column's value."""
        found = self.day(text)
        if found is None:
            raise ValueError("an empty date in a NOT NULL column")
        return found


_j = texts_json


def _key_lines_json(lines: Mapping[str, int]) -> str:
    """`json.dumps(dict(lines))`, as `_j` does it; once per layout (notes made from one template put the
    same keys on the same lines)."""
    return _layout_json(tuple(lines.items()))


@functools.lru_cache(maxsize=1 << 12)
def _layout_json(items: tuple[tuple[str, int], ...]) -> str:
    return "{" + ", ".join(f"{encode_basestring_ascii(k)}: {int(v)}" for k, v in items) + "}"
