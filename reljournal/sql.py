"""`reljournal sql`: one SQL statement against the index, which nothing but `sync.reindex()` may write.

Three locks, each enough alone for the common case: the database is opened read-only (`mode=ro`),
`PRAGMA query_only` is on, and an authorizer admits only reads (SELECT, reading pragmas), so that a
write, an ATTACH of another file or a pragma that changes settings fails before it runs, with a message
that says why. The schema is documented in docs/schema.md.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reljournal.errors import UserError
from reljournal.index.store import Index

# Pragmas that only describe the database; any other pragma, or one of these given a value, is refused.
READ_PRAGMAS = frozenset({
    "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo", "foreign_key_list",
    "user_version", "schema_version", "application_id", "database_list", "collation_list", "function_list",
    "module_list", "pragma_list", "compile_options", "encoding", "page_count", "page_size", "freelist_count",
    "data_version", "journal_mode", "foreign_keys",
})
DESCRIBING_PRAGMAS = frozenset({
    "table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list",
})
ALLOWED_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION,
                             sqlite3.SQLITE_RECURSIVE, sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SAVEPOINT})
# SQLite reports loading a virtual table's schema (the `fts` table) as an UPDATE of the schema table;
# the read-only connection and `query_only` still stop a real one.
SCHEMA_TABLES = frozenset({"sqlite_master", "sqlite_temp_master", "sqlite_schema", "sqlite_temp_schema"})


@dataclass(frozen=True)
class SqlResult:
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def as_json(self) -> list[dict[str, Any]]:
        return [{c: _jsonable(v) for c, v in zip(self.columns, row, strict=True)} for row in self.rows]


def _jsonable(value: Any) -> Any:
    return value.hex() if isinstance(value, bytes) else value


class _ReadOnlyGuard:
    """An sqlite3 authorizer that admits reads only and remembers the first pragma it refused."""

    def __init__(self) -> None:
        self.refused = False
        self.pragma: str | None = None

    def __call__(self, action: int, arg1: str | None, arg2: str | None, db: str | None,
                 trigger: str | None) -> int:
        if action in ALLOWED_ACTIONS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_UPDATE and arg1 in SCHEMA_TABLES:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA and arg1 is not None:
            name = arg1.lower()
            if name in READ_PRAGMAS and (arg2 is None or name in DESCRIBING_PRAGMAS):
                return sqlite3.SQLITE_OK
            if self.pragma is None:
                self.pragma = f"PRAGMA {arg1}" + (f" = {arg2}" if arg2 is not None else "")
        self.refused = True
        return sqlite3.SQLITE_DENY


@contextmanager
def _read_only_connection(index: Index) -> Iterator[sqlite3.Connection]:
    if index.path == ":memory:":
        # An in-memory index (a read-only vault) has no file to open again: lock its own connection.
        index.db.execute("PRAGMA query_only = ON")
        try:
            yield index.db
        finally:
            index.db.set_authorizer(None)
            index.db.execute("PRAGMA query_only = OFF")
        return
    uri = Path(index.path).absolute().as_uri() + "?mode=ro"
    db = sqlite3.connect(uri, uri=True, isolation_level=None)
    try:
        db.execute("PRAGMA query_only = ON")
        yield db
    finally:
        db.close()


def _let_signals_in() -> int:
    return 0  # go on; a pending Ctrl-C is raised here, which makes SQLite stop the query


def run(index: Index, statement: str) -> SqlResult:
    """Run one read-only statement; a write, several statements or an SQLite error is a UserError (exit 2)."""
    if not statement.strip():
        raise UserError("sql: give one SQL statement, as in: SELECT title FROM notes", exit_code=2)
    guard = _ReadOnlyGuard()
    with _read_only_connection(index) as db:
        db.set_authorizer(guard)
        # SQLite runs a query in C, where Python cannot see Ctrl-C: calling back into Python every
        # thousand steps lets the KeyboardInterrupt out (a runaway recursive query ends at once, exit 130).
        db.set_progress_handler(_let_signals_in, 1000)
        try:
            cursor = db.execute(statement)
            rows = tuple(tuple(row) for row in cursor.fetchall())
        except (sqlite3.Error, sqlite3.Warning) as exc:
            if isinstance(exc, sqlite3.OperationalError) and str(exc) == "interrupted":
                raise KeyboardInterrupt from None
            if guard.refused or "readonly" in str(exc) or "query_only" in str(exc):
                what = guard.pragma or (statement.split() or ["?"])[0].upper()
                raise UserError(f"sql: the index is read-only: {what} is refused "
                                "(it is derived from the notes: edit the notes instead)",
                                exit_code=2) from None
            raise UserError(f"sql: {exc}", exit_code=2) from None
        finally:
            db.set_authorizer(None)
            db.set_progress_handler(None, 0)
    columns = tuple(d[0] for d in cursor.description or ())
    return SqlResult(columns, rows)
