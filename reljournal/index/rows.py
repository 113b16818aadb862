"""The rows of the kinds' own tables (`people`, `orgs`, `interactions`), derived from the field tables
(`model.FIELDS_OF`): each table's columns (`index.schema`), the values a record writes, and the fields a row
gives back. Adding a field to a kind is one line in its table there.

The encoder and the decoder of a kind are compiled once from its table into one expression each (the way
`dataclasses` writes `__init__`): a loop over the fields for every row cost a third more when 100,000
interactions are read for the feed. `tests/test_index.py` holds records read back to the records parsed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from reljournal.dates import Birthday, Duration, iso, parse_birthday, parse_date_or_datetime, parse_duration
from reljournal.model import (
    BIRTHDAY,
    CADENCE,
    CHOICE,
    DATE,
    DATETIME,
    FIELDS_OF,
    FLAG,
    INTERACTION,
    NO_CADENCE,
    NUMBER,
    ORG,
    PERSON,
    STRINGS,
    TEXT,
    WHEN,
    Field,
)

TABLE_OF = {PERSON: "people", ORG: "orgs", INTERACTION: "interactions"}

# How each way of reading a field is stored: SQL type, and whether it always has a value.
_SQL_TYPE = {TEXT: "TEXT", CHOICE: "TEXT", STRINGS: "TEXT", DATE: "TEXT", WHEN: "TEXT", DATETIME: "TEXT",
             NUMBER: "REAL", FLAG: "INTEGER", CADENCE: "TEXT", BIRTHDAY: "TEXT"}
# The expression that writes a record's value (`{}`) as a column's, and reads a column's back.
_ENCODE = {TEXT: "{}", CHOICE: "{}", STRINGS: "texts({})", DATE: "iso({})", WHEN: "iso({})", DATETIME: "iso({})",
           NUMBER: "{}", FLAG: "int({})", CADENCE: "cadence_text({})", BIRTHDAY: "birthday_text({})"}
_DECODE = {TEXT: "{}", CHOICE: "{}", STRINGS: "strings({})", DATE: "day({})", WHEN: "day({})",
           DATETIME: "date_time({})", NUMBER: "number({})", FLAG: "bool({})", CADENCE: "cadence({})",
           BIRTHDAY: "birthday({})"}


def stored(fields: Sequence[Field]) -> list[Field]:
    """The fields with a column of their own, in the table's order."""
    return [f for f in fields if f.stored_in is not None]


def not_null(f: Field) -> bool:
    return f.read in (STRINGS, FLAG) or f.default is not None


def table_ddl(kind: str) -> str:
    """`CREATE TABLE` of a kind's own table: its note, then a column per stored field."""
    columns = ",\n".join(f"    {f.stored_in} {_SQL_TYPE[f.read]}{' NOT NULL' if not_null(f) else ''}"
                         for f in stored(FIELDS_OF[kind]))
    return (f"CREATE TABLE {TABLE_OF[kind]} (\n    note_id INTEGER PRIMARY KEY REFERENCES notes(id) ON DELETE "
            f"CASCADE,\n{columns}\n)")


def schema_doc(kind: str) -> str:
    """docs/schema.md's table of a kind's columns, and what its other fields are (tests/test_sql.py keeps the
    page so)."""
    rows = ["| column | type | meaning |", "| --- | --- | --- |", "| `note_id` | INTEGER | the note (primary key) |"]
    rows += [f"| `{f.stored_in}` | {_SQL_TYPE[f.read]} | {f.doc} |" for f in stored(FIELDS_OF[kind])]
    others = [f.doc[0].upper() + f.doc[1:] + "." for f in FIELDS_OF[kind] if f.stored_in is None]
    return "\n".join(rows) + ("\n\n" + "\n".join(others) if others else "") + "\n"


@dataclass(frozen=True)
class RowCodec:
    """One kind's table: `select` reads `note_id` and the columns, `insert` writes them; `encode(record)` gives
    the columns' values, `decode(row, strings, day)` the record's fields (by name) from a `select` row."""

    table: str
    columns: tuple[str, ...]
    select: str
    insert: str
    encode: Callable[[Any], tuple[Any, ...]]
    decode: Callable[[Sequence[Any], Callable[[str], tuple[str, ...]], Callable[[str | None], dt.date | None]],
                     dict[str, Any]]


def texts_json(values: Sequence[str]) -> str:
    """`json.dumps(list(values), ensure_ascii=False)` through json's own C escaper, without the set-up of a
    `json.dumps` call (five calls a note, a tenth of writing a note's rows)."""
    return "[" + ", ".join(map(encode_basestring, values)) + "]" if values else "[]"


def _cadence_text(value: Duration | str | None) -> str | None:
    return value.spec if isinstance(value, Duration) else value


def _birthday_text(value: Birthday | None) -> str | None:
    return str(value) if value is not None else None


def date_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    value = parse_date_or_datetime(text) if "T" not in text else dt.datetime.fromisoformat(text)
    return value if isinstance(value, dt.datetime) else None


def _number(value: float | None) -> float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _cadence(text: str | None) -> Duration | str | None:
    if text is None:
        return None
    return NO_CADENCE if text == NO_CADENCE else parse_duration(text)


def _birthday(text: str | None) -> Birthday | None:
    return parse_birthday(text) if text else None


_NAMESPACE: dict[str, Any] = {
    "texts": texts_json, "iso": iso, "cadence_text": _cadence_text, "birthday_text": _birthday_text,
    "date_time": date_time, "number": _number, "cadence": _cadence, "birthday": _birthday,
}


def codec(kind: str) -> RowCodec:
    fields = stored(FIELDS_OF[kind])
    table, columns = TABLE_OF[kind], tuple(str(f.stored_in) for f in fields)
    encode = "lambda r: (" + "".join(_ENCODE[f.read].format(f"r.{f.name}") + ", " for f in fields) + ")"
    decode = "lambda row, strings, day: {" + ", ".join(
        f"{f.name!r}: " + _DECODE[f.read].format(f"row[{n}]") for n, f in enumerate(fields, 1)) + "}"
    return RowCodec(
        table, columns,
        select=f"SELECT note_id, {', '.join(columns)} FROM {table}",
        insert=f"INSERT INTO {table}(note_id, {', '.join(columns)}) VALUES ({', '.join('?' * (len(columns) + 1))})",
        encode=eval(encode, dict(_NAMESPACE)),  # noqa: S307  (built above from the field table, no input)
        decode=eval(decode, dict(_NAMESPACE)),  # noqa: S307
    )


ROWS: dict[str, RowCodec] = {kind: codec(kind) for kind in TABLE_OF}
