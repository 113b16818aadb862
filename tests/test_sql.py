"""`reljournal sql`: read-only SQL against the index (tests/data/vaults/query, today 2026-03-15)."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from conftest import Run, copy_vault, write_note

from reljournal.app import Journal
from reljournal.errors import UserError
from reljournal.index.store import Index
from reljournal.sql import run

TODAY = "2026-03-15"
REFUSED = "(it is derived from the notes: edit the notes instead)\n"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return copy_vault("query", tmp_path)


@pytest.fixture
def rs(vault: Path) -> Run:
    return Run(vault, TODAY)


def dump(vault: Path) -> list[str]:
    """Every row of the index, through a connection of our own."""
    index_path = Journal.open(vault, TODAY).settings.index_path
    db = sqlite3.connect(index_path)
    try:
        # the sync before each statement may note when it read files (racily clean files): not content
        return [line for line in db.iterdump() if "synced_at_ns" not in line]
    finally:
        db.close()


def test_table(rs: Run) -> None:
    result = rs("sql", "SELECT n.title, o.tier, o.owner, o.revenue FROM notes n "
                       "JOIN orgs o ON o.note_id = n.id ORDER BY n.title")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "title               tier  owner  revenue\n"
        "Analytical Engines  A     alice\n"
        "Navy Labs           B     bob\n"
    )


def test_json(rs: Run) -> None:
    result = rs("sql", "SELECT kind, count(*) AS n FROM interactions GROUP BY kind ORDER BY kind", "--json")
    assert result.exit_code == 0
    assert json.loads(result.output) == [{"kind": "call", "n": 1}, {"kind": "coffee", "n": 1},
                                         {"kind": "lunch", "n": 1}]


def test_full_text_and_multiline_cells(rs: Run) -> None:
    result = rs("sql", "SELECT title, 'a' || char(10) || 'b' AS two_lines FROM fts WHERE fts MATCH 'looms' "
                       "ORDER BY title")
    assert result.output == (
        "title                       two_lines\n"
        "2026-03-20 Call with Grace  a b\n"
        "Ada Lovelace                a b\n"
    )


def test_wide_rows_share_80_columns(rs: Run) -> None:
    result = rs("sql", "SELECT path, notes.title, body FROM notes JOIN fts ON fts.rowid = notes.id "
                       "WHERE kind IN ('interaction', 'org') ORDER BY path")
    assert result.exit_code == 0
    assert result.output == (
        "path                       title                       body\n"
        "interactions/2026/2026-0…  2026-03-01 Coffee with Gr…  Talked about COBOL compi…\n"
        "interactions/2026/2026-0…  2026-03-10 Lunch with Kat…  Trajectory maths; she ch…\n"
        "interactions/2026/2026-0…  2026-03-20 Call with Grace  Agenda: looms and \"nanos…\n"
        "orgs/Analytical Engines.…  Analytical Engines          Difference engine maker.\n"
        "orgs/Navy Labs.md          Navy Labs\n"
    )
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_wide_characters_share_80_columns_by_display_width(rs: Run) -> None:
    from reljournal.output import display_width

    wide = "山田太郎" * 8  # 32 characters, 64 columns
    result = rs("sql", f"SELECT '{wide}' AS name, '{wide}' AS other, 'x' AS n UNION ALL SELECT 'Bo', 'Cy', 'y'")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert max(display_width(line) for line in lines) <= 80
    starts = {display_width(line[:line.rindex(" ") + 1]) for line in lines}
    assert len(starts) == 1  # the last column starts at the same place on every row


def test_no_rows_and_pragmas(rs: Run) -> None:
    assert rs("sql", "SELECT title FROM notes WHERE 0").output == "No rows.\n"
    assert rs("sql", "SELECT title FROM notes WHERE 0", "--json").output == "[]\n"
    assert rs("sql", "PRAGMA user_version").exit_code == 0
    columns = json.loads(rs("sql", "SELECT name FROM pragma_table_info('people') LIMIT 3", "--json").output)
    assert columns == [{"name": "note_id"}, {"name": "role"}, {"name": "relationship"}]


def test_sees_the_vault_as_it_is_now(vault: Path, rs: Run) -> None:
    query = "SELECT title FROM notes WHERE kind = 'note' ORDER BY title"
    assert rs("sql", query).output == "title\nIdeas\n"
    write_note(vault, "notes/Later.md", "later\n")
    assert rs("sql", query).output == "title\nIdeas\nLater\n"


@pytest.mark.parametrize("statement, what", [
    ("UPDATE notes SET title = 'x'", "UPDATE"),
    ("update people set tier = 'Z'", "UPDATE"),
    ("DELETE FROM notes", "DELETE"),
    ("DROP TABLE notes", "DROP"),
    ("INSERT INTO fts(fts) VALUES ('delete-all')", "INSERT"),
    ("CREATE TABLE extra (x)", "CREATE"),
    ("CREATE TEMP VIEW v AS SELECT 1", "CREATE"),
    ("ALTER TABLE notes ADD COLUMN x", "ALTER"),
    ("ATTACH DATABASE 'other.db' AS other", "ATTACH"),
    ("VACUUM", "VACUUM"),
    ("REINDEX", "REINDEX"),
    ("PRAGMA query_only = OFF", "PRAGMA query_only = OFF"),
    ("PRAGMA writable_schema = ON", "PRAGMA writable_schema = ON"),
    ("PRAGMA user_version = 99", "PRAGMA user_version = 99"),
    ("WITH x AS (SELECT 1) DELETE FROM notes", "WITH"),
])
def test_writes_are_refused_and_change_nothing(vault: Path, rs: Run, statement: str, what: str) -> None:
    rs("sql", "SELECT 1")
    before = dump(vault)
    result = rs("sql", statement)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"reljournal: sql: the index is read-only: {what} is refused {REFUSED}"
    assert dump(vault) == before
    assert not (vault / "other.db").exists()
    assert rs("sql", "SELECT count(*) AS n FROM notes").output == "n\n11\n"


def test_schema_table_cannot_be_written(rs: Run) -> None:
    result = rs("sql", "UPDATE sqlite_master SET sql = ''")
    assert result.exit_code == 2
    assert result.stderr.startswith("reljournal: sql: ")


@pytest.mark.parametrize("statement, message", [
    ("SELECT * FROM nope", "no such table: nope"),
    ("SELEC 1", 'near "SELEC": syntax error'),
    ("SELECT 1; SELECT 2", "You can only execute one statement at a time."),
    ("   ", "give one SQL statement, as in: SELECT title FROM notes"),
])
def test_sqlite_errors_exit_2(rs: Run, statement: str, message: str) -> None:
    result = rs("sql", statement)
    assert (result.exit_code, result.stderr) == (2, f"reljournal: sql: {message}\n")


def test_in_memory_index_is_locked_only_while_the_statement_runs() -> None:
    """A read-only vault's index lives in memory; `sql` locks that connection and unlocks it after."""
    index = Index(":memory:")
    index.set_meta("k", "v")
    with pytest.raises(UserError) as info:
        run(index, "DELETE FROM meta")
    assert info.value.exit_code == 2
    assert run(index, "SELECT key, value FROM meta").rows == (("k", "v"),)
    index.set_meta("k", "w")  # the indexer can still write
    assert index.meta("k") == "w"


def test_file_index_connection_is_read_only(vault: Path) -> None:
    journal = Journal.open(vault, TODAY)
    journal.sync()
    result = run(journal.index, "SELECT count(*) FROM people")
    assert result.columns == ("count(*)",)
    assert result.rows == ((5,),)
    with pytest.raises(UserError, match="read-only"):
        run(journal.index, "DELETE FROM people")
    assert run(journal.index, "SELECT count(*) FROM people").rows == ((5,),)
    journal.close()


SCHEMA_DOC = Path(__file__).parent.parent / "docs/schema.md"


def test_every_table_and_column_is_documented(vault: Path) -> None:
    journal = Journal.open(vault, TODAY)
    journal.sync()
    db = journal.index.db
    text = SCHEMA_DOC.read_text(encoding="utf-8")
    tables = [name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'fts_%'")]
    assert tables
    for table in tables:
        assert f"### `{table}`" in text, table
        section = text.split(f"### `{table}`", 1)[1].split("\n### ", 1)[0]
        for (column,) in db.execute(f"SELECT name FROM pragma_table_info('{table}')"):
            assert f"| `{column}` |" in section, f"{table}.{column}"
    journal.close()


@pytest.mark.parametrize("statement", re.findall(r"```sql\n(.*?)```", SCHEMA_DOC.read_text(encoding="utf-8"),
                                                 re.DOTALL))
def test_documented_examples_run(rs: Run, statement: str) -> None:
    result = rs("sql", statement, "--json")
    assert result.exit_code == 0, result.output
    assert isinstance(json.loads(result.stdout), list)


def test_documented_examples_find_something(rs: Run) -> None:
    rows = json.loads(rs("sql", "SELECT n.title AS name, l.target AS org FROM people p JOIN notes n "
                                "ON n.id = p.note_id LEFT JOIN links l ON l.note_id = p.note_id "
                                "AND l.field = 'org' WHERE p.tier = 'A' ORDER BY name", "--json").output)
    assert rows == [{"name": "Ada Lovelace", "org": "Analytical Engines"}, {"name": "Alan Turing", "org": None},
                    {"name": "Katherine Johnson", "org": None}]
