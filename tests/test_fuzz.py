"""Fuzzing with hypothesis: no input makes an exception escape except the documented error type.

- the note parser (`parse_note`) on arbitrary bytes, on note-shaped text assembled from hostile fragments,
  and on generated YAML: it returns problems, never raises, and every problem points at a real line;
- the date, date-time, birthday and duration parsers: only `ValueError`; what they accept stays within
  the years where date arithmetic (a century's duration, an event's end) cannot overflow;
- the query language end to end (parse, then evaluate against a real index, FTS5 included): only
  `QueryError`, at any `today` reljournal accepts;
- the minimal-diff editor, fed the way `set` feeds it (`field_value` on command-line text, then
  `set_field` on a hostile note): only `UserError`, and a successful edit changes one line or adds one,
  never another byte.

Run times (2 cores, default profile) are in docs/security.md; `HYPOTHESIS_PROFILE=long` runs 10x more.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import VAULTS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reljournal.app import Journal
from reljournal.config import Settings
from reljournal.dates import (
    MAX_YEAR,
    MIN_YEAR,
    parse_birthday,
    parse_date,
    parse_date_or_datetime,
    parse_date_or_duration,
    parse_duration,
)
from reljournal.edit import field_value, set_field
from reljournal.errors import ERROR, WARNING, UserError
from reljournal.model import KINDS
from reljournal.parse.note import parse_note
from reljournal.queries import View
from reljournal.querylang import QueryError, query

settings.register_profile("default", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.register_profile("long", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

SETTINGS = Settings(root=Path("/nonexistent"), name="fuzz")
CODES = {"unreadable", "encoding", "yaml", "front-matter", "date", "duration", "value", "no-date", "link",
         "unquoted-link", "nobody", "unknown-key"}  # (the last: a key a letter off a known one, `étype`)
PERSON_KEYS = ["type", "aliases", "org", "role", "relationship", "tier", "cadence", "next", "snooze",
               "last_contact", "status", "owner", "birthday", "email", "tags", "motivations", "common_ground"]
INTERACTION_KEYS = ["type", "date", "end", "with", "kind", "outcome", "next", "next_action", "gave", "received"]
ORG_KEYS = ["type", "tier", "key_account", "owner", "team", "revenue", "budget", "objectives"]
PATHS = st.sampled_from(["people/P.md", "orgs/O.md", "interactions/2026/I.md", "notes/N.md"])


# ---- the note parser ----------------------------------------------------------------------------------
FRAGMENTS = st.sampled_from([
    "---", "...", "--- ", "\ufeff", "\r", "\t", "\x00", "\x85", "\u2028", " ", "  ", "- ", "? ", ": ",
    "type: person", "type: interaction", "type: org", "TYPE: Person", "date: 2026-02-30", "date: 9999-12-31T23:30",
    "date: 2026-03-01T10:00+25:00", "with: [[Jane]], [[Bo]]", "with: [[Jane]]", 'with: ["[[Jane|J]]", 42]',
    "with: 42", "tags: 3", "tags: [a, [b]]", "cadence: 99999999999d", "cadence: no", "cadence: 3x",
    "birthday: --02-29", "birthday: --13-01", "next: 10d", "status: maybe", "objectives: [{title: x, due: 1}]",
    "objectives: 5", "a: &x [1, 2]", "b: *x", "c: *nope", "{", "}", "[", "]", "[[", "]]", "'", '"', "|", ">",
    "!!python/object/apply:os.system ['true']", "!!binary aGk=", "%YAML 1.1", "<<: {a: 1}", "## Log", "# Log",
    "- 2026-03-01 call: hi", "- 2026-02-31 lunch: x", "- [ ] task 📅 2026-13-01", "- [x] done [due:: 2026-01-01]",
    "```", "~~~", "[[people/Jane Doe#Log|Jane]]", "![[embed]]", "é", "\udcff",
])


@st.composite
def note_text(draw: st.DrawFn) -> bytes:
    """Note-shaped input: lines assembled from fragments that each poke at one of the parser's rules."""
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = draw(st.lists(st.lists(FRAGMENTS, min_size=1, max_size=4).map("".join), max_size=20))
    if draw(st.booleans()):
        lines = ["---", *lines[: len(lines) // 2], "---", *lines[len(lines) // 2:]]
    text = eol.join(lines)
    return text.encode("utf-8", errors="surrogateescape")


def _check_parsed(path: str, data: bytes) -> None:
    parsed = parse_note(path, data, SETTINGS)
    n_lines = data.count(b"\n") + data.count(b"\r") + 2  # any line-end convention, and one past the end
    for p in parsed.problems:
        assert p.source.path == path
        assert 1 <= p.source.line <= n_lines, (p, data)
        assert p.severity in (ERROR, WARNING)
        assert p.code in CODES, p
        assert p.message.strip()
    if parsed.broken:
        assert any(p.severity == ERROR for p in parsed.problems)
    assert parsed.kind in KINDS


@given(PATHS, st.binary(max_size=3000))
def test_parser_survives_arbitrary_bytes(path: str, data: bytes) -> None:
    _check_parsed(path, data)


@given(PATHS, note_text())
def test_parser_survives_hostile_note_text(path: str, data: bytes) -> None:
    _check_parsed(path, data)


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.text(max_size=20),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(str),
    st.from_regex(r"\A\d{1,5}-\d{1,2}-\d{1,2}([T ]\d{1,2}:\d{1,2}(:\d{2})?(Z|[+-]\d{1,2}(:?\d{2})?)?)?\Z"),
    st.from_regex(r"\A\d{1,12}[dwmy]?\Z"),
    st.sampled_from(["--02-29", "--02-30", "weekly", "none", "[[Jane Doe]]", "[[A]], [[B]]", "yes", "~"]),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=3)), max_leaves=10)


@given(PATHS, st.dictionaries(st.sampled_from(sorted({*PERSON_KEYS, *INTERACTION_KEYS, *ORG_KEYS})), VALUES,
                              max_size=8), st.booleans())
def test_parser_on_generated_yaml_points_at_the_key(path: str, front: dict[str, Any], crlf: bool) -> None:
    """A problem about a top-level key whose value is one scalar sits on that key's line."""
    dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=10**6)
    text = f"---\n{dumped}---\nbody [[Jane Doe]]\n"
    data = text.replace("\n", "\r\n").encode() if crlf else text.encode()
    _check_parsed(path, data)
    lines = text.split("\n")
    for p in parse_note(path, data, SETTINGS).problems:
        key = p.message.split(":", 1)[0]
        if key in front and not isinstance(front[key], (list, dict)) and p.code in ("date", "duration", "value"):
            assert lines[p.source.line - 1].startswith((f"{key}:", f"'{key}':")), (p, text)


# ---- dates and durations ------------------------------------------------------------------------------
DATE_TEXT = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"\A\s*\d{1,6}-\d{1,3}-\d{1,3}([Tt ]\d{1,3}:\d{1,3}(:\d{1,3}(\.\d{1,9})?)?\s*"
                  r"(Z|z|[+-]\d{1,3}(:?\d{1,3})?)?)?\s*\Z"),
    st.from_regex(r"\A--\d{1,3}-?\d{1,3}\Z"),
    st.from_regex(r"\A\s*\d{1,40}\s*[dwmyDWMY]?\s*\Z"),
    st.sampled_from(["weekly", "Fortnightly", "QUARTERLY", "yearly ", "daily", "annually", "biweekly", "1e3",
                     "½", "٣d", "𝟑d", "3\u00a0d", "0", "0d", "-1d", "+1d"]),
)
IN_RANGE = st.dates(dt.date(MIN_YEAR, 1, 1), dt.date(MAX_YEAR, 12, 31))


@given(DATE_TEXT)
def test_date_parsers_raise_only_value_error(text: str) -> None:
    for parse in (parse_date, parse_date_or_datetime, parse_birthday):
        try:
            value = parse(text)
        except ValueError as exc:
            assert repr(text.strip())[1:-1] in str(exc) or text.strip() == "", (text, exc)
            continue
        year = getattr(value, "year", None)
        assert year is None or MIN_YEAR <= year <= MAX_YEAR, (text, value)


@given(st.one_of(DATE_TEXT, st.integers(-10**30, 10**30), st.booleans()), IN_RANGE)
def test_durations_raise_only_value_error_and_never_overflow(text: Any, base: dt.date) -> None:
    """A duration reljournal accepts, added to or taken from any date it accepts, stays a real date."""
    try:
        duration = parse_duration(text)
    except ValueError:
        return
    assert duration.amount >= 0
    duration.add_to(base)
    duration.subtract_from(base)


@given(DATE_TEXT, IN_RANGE)
def test_date_or_duration_raises_only_value_error(text: str, base: dt.date) -> None:
    try:
        parse_date_or_duration(text, base)
    except ValueError:
        pass


@given(IN_RANGE)
def test_every_date_in_range_reads_back(day: dt.date) -> None:
    assert parse_date(day.isoformat()) == day
    moment = parse_date_or_datetime(f"{day.isoformat()}T23:59Z")
    assert isinstance(moment, dt.datetime) and moment.date() == day
    assert parse_birthday(day.isoformat()).in_year(day.year) == day


# ---- the query language --------------------------------------------------------------------------------
@cache
def _views() -> tuple[View, ...]:
    """A copy of the good vault, indexed once, viewed on an ordinary day and at both ends of the range."""
    vault = Path(tempfile.mkdtemp(prefix="rj-fuzz-")) / "good"
    shutil.copytree(VAULTS / "good", vault)
    return tuple(Journal.open(vault, day).view() for day in ("2026-03-15", f"{MIN_YEAR}-01-01", f"{MAX_YEAR}-12-31"))


QUERY_PIECES = st.sampled_from([
    "tag:", "tier:", "org:", "owner:", "relationship:", "status:", "kind:", "with:", "type:", "overdue", "due<",
    "due<=", "last<", "last>=", "next>", "next=", "14d", "100y", "36600d", "99999999999999999999d", "2026-03-01",
    "9999-12-31", "0001-01-01", "2026-02-30", "OR", "AND", "NOT", "-", "--", "(", ")", '"', " ", "\t", "\n",
    "*", "^", "NEAR(", "NEAR/2", ":", "+", "{", "}", "col:", "title:", "body:", "Jane", "Doe", "é", "\x00",
    "'", "`", ";", "DROP TABLE notes", "%", "_", "\\", "client", "A", "Acme Corp", "[[Jane Doe]]",
])


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.one_of(st.text(max_size=40), st.lists(QUERY_PIECES, max_size=14).map("".join)), st.integers(0, 2))
def test_query_raises_only_query_errors(text: str, which: int) -> None:
    view = _views()[which]
    try:
        rows = query(view, text)
    except QueryError as err:
        assert err.exit_code == 2 and err.message.startswith("query: ")
        return
    paths = [r.path for r in rows]
    assert len(paths) == len(set(paths))


# ---- the minimal-diff editor ----------------------------------------------------------------------------
@st.composite
def hostile_note(draw: st.DrawFn) -> bytes:
    """A note as people (and editors, and other tools) leave them: valid front matter with oddities, or
    outright broken input."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.one_of(st.binary(max_size=300), note_text()))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    keys = draw(st.lists(st.sampled_from(PERSON_KEYS + ["custom", "x-y"]), max_size=6))  # duplicates too
    lines = []
    for key in keys:
        value = draw(st.one_of(
            st.sampled_from(["", " ", "2026-03-01", "30d", "A", "[a, b]", "{a: 1}", "'q''uote'", '"dq \\" x"',
                             "yes", "~", "|", ">-", "&anc x", "*anc", "x # comment", "[[Jane Doe]]",
                             '"[[Acme Corp]]"', "a: b", "\t", "é\u2028x", "1e3", "0x1F"]),
            st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"), max_size=12)))
        lines.append(f"{key}: {value}".rstrip(" ") if value else f"{key}:")
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(["# a comment", "", "  - item", "  nested: 1", "   "])))
    closing = draw(st.sampled_from(["---", "...", "--- "]))
    body = draw(st.lists(st.sampled_from(["Body", "---", "tier: Z", "## Log", "- 2026-01-01 call: x", ""]),
                         max_size=4))
    has_front = draw(st.integers(0, 6)) > 0
    parts = ["---", *lines, closing, *body] if has_front else body
    bom = "\ufeff" if draw(st.booleans()) else ""
    return (bom + eol.join(parts) + draw(st.sampled_from(["", eol]))).encode("utf-8", errors="surrogatepass")


CLI_TEXT = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["2w", "3m", "100y", "36601d", "2026-03-29", "2026-02-30", "9999-12-31", "yes", "no", "42",
                     "1e309", "nan", "-inf", "1_000", "a, b, ", "[[Acme Corp]]", "--04-12", "none", "", " ",
                     "x\ny", "\x85", "\u2028", "é"]),
)
EDIT_KEYS = st.one_of(st.sampled_from(PERSON_KEYS + ORG_KEYS + INTERACTION_KEYS + ["custom", "x-y"]),
                      st.text(max_size=8))


@given(hostile_note(), st.sampled_from(["person", "org", "interaction", "note"]), EDIT_KEYS, CLI_TEXT)
def test_editor_raises_only_user_error_and_changes_one_line(data: bytes, kind: str, key: str, text: str) -> None:
    path = {"person": "people/P.md", "org": "orgs/O.md", "interaction": "interactions/I.md", "note": "N.md"}[kind]
    try:
        value = field_value(kind, key, text, dt.date(2026, 3, 15)).value
        edit = set_field(path, data, key, value, SETTINGS)
    except UserError as err:
        assert err.exit_code in (1, 2) and err.message.strip()
        return
    old, new = data.split(b"\n"), edit.data.split(b"\n")
    if not edit.changed:
        assert edit.data == data
        return
    if edit.old is not None:  # one line changed in place: the key's
        assert len(new) == len(old)
        differing = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
        assert differing == [edit.line - 1], (data, edit.data)
    elif len(new) == len(old) + 1:  # one line added, as the last line of the front matter
        assert new[: edit.line - 1] + new[edit.line:] == old
    else:  # a note without front matter gets one: three lines on top, the BOM kept in front
        assert len(new) == len(old) + 3 and new[3:] == [old[0].removeprefix(b"\xef\xbb\xbf"), *old[1:]]
    after = parse_note(path, edit.data, SETTINGS)
    assert not after.broken
    assert not [p for p in after.problems if p.severity == ERROR and p.source.line == edit.line]


@pytest.mark.parametrize("text", ["9999-12-31", "0999-12-31", "9000-01-01"])
def test_dates_outside_the_years_are_refused_with_the_range(text: str) -> None:
    for parse in (parse_date, parse_date_or_datetime, parse_birthday):
        with pytest.raises(ValueError, match=f"write a year from {MIN_YEAR} to {MAX_YEAR}"):
            parse(text)
