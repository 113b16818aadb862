"""Text of a note → one record and the problems found in it (SPEC 1). Pure: no file system, no clock. The
entry point: `parse_note`."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reljournal.config import Settings
from reljournal.dates import local_date, parse_birthday, parse_date_or_datetime, parse_duration
from reljournal.errors import Problem, Source, error, warning
from reljournal.model import (
    BIRTHDAY,
    CADENCE,
    CHOICE,
    DATE,
    FIELDS_OF,
    FLAG,
    FRONT_MATTER_KEYS,
    INTERACTION,
    KINDS,
    LINK,
    LINKS,
    NO_CADENCE,
    NOTE,
    NUMBER,
    OBJECTIVE_STATUSES,
    ORG,
    PERSON,
    STRINGS,
    TEXT,
    Field,
    Interaction,
    Note,
    Objective,
    Org,
    Person,
    Record,
)
from reljournal.parse.body import body_links, bracket_lines
from reljournal.parse.fields import Fields, describe
from reljournal.parse.frontmatter import MAX_NOTE_BYTES, load_yaml, split_front_matter
from reljournal.parse.links import links_in_value
from reljournal.parse.log import log_entries
from reljournal.parse.tasks import tasks_in


@dataclass(frozen=True)
class Parsed:
    """What one file gave: a record (None when its front matter failed) and its problems."""

    path: str
    kind: str
    title: str
    record: Record | None
    body: str
    problems: tuple[Problem, ...]

    @property
    def broken(self) -> bool:
        return self.record is None


def title_of(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name[:-3] if name.lower().endswith(".md") else name


def folder_kind(path: str, settings: Settings) -> str | None:
    for folder, kind in ((settings.people, PERSON), (settings.orgs, ORG), (settings.interactions, INTERACTION)):
        if path.startswith(folder + "/"):
            return kind
    return None


def parse_note(path: str, data: bytes, settings: Settings) -> Parsed:
    title = title_of(path)
    by_folder = folder_kind(path, settings)
    fallback_kind = by_folder or NOTE

    def broken(problem: Problem, kind: str = fallback_kind) -> Parsed:
        return Parsed(path, kind, title, None, "", (problem,))

    text = _text_of(path, data)
    if isinstance(text, Problem):
        return broken(text)
    split = split_front_matter(text)
    if isinstance(split, Problem):
        return broken(_at(split, path))
    fm_text, fm_first_line, body, body_first_line = split

    problems: list[Problem] = []
    data_map: dict[str, Any] = {}
    lines: dict[str, int] = {}
    item_lines: dict[str, list[int]] = {}
    if fm_text is not None:
        loaded = load_yaml(fm_text, fm_first_line, path)
        if isinstance(loaded, Problem):
            return broken(loaded)
        value, lines, item_lines = loaded
        if value is None:
            value = {}
        if not isinstance(value, dict):
            what = type(value).__name__.replace("str", "text").replace("list", "a list")
            return broken(error(path, fm_first_line, "front-matter",
                                f"front matter must be a mapping of `key: value` lines, not {what}"))
        data_map = {str(k): v for k, v in value.items()}

    kind = _kind_of(path, data_map, fallback_kind, settings)
    if fm_text is None and kind == INTERACTION:
        kind = NOTE  # a README in the interactions folder is not a broken interaction
    renamed: dict[str, str] = {}
    if settings.fields:  # on copies: the fast YAML path may share a layout's line maps between notes
        lines, item_lines = dict(lines), dict(item_lines)
        renamed = _vault_names(settings, data_map, lines, item_lines)

    fields = Fields(path, data_map, lines, item_lines, problems)
    bracketed = bracket_lines(body, body_first_line)
    common: dict[str, Any] = {
        "path": path,
        "title": title,
        "aliases": fields.strings("aliases"),
        "id": fields.text("id"),
        "tags": tuple(t.lstrip("#") for t in fields.strings("tags")),
        "tasks": tasks_in(bracketed, path, problems),
        "links": body_links(bracketed),
        "lines": lines,
    }
    record: Record
    if kind == PERSON:
        record = _person(fields, common, body, body_first_line)
    elif kind == ORG:
        record = _org(fields, common)
    elif kind == INTERACTION:
        record = _interaction(fields, common, settings)
    else:
        record = Note(**common)
    if kind != NOTE:
        _misspelt_keys(fields, kind)
    if renamed:  # problems say the vault's names for its properties
        problems[:] = [_said_as(p, renamed) for p in problems]
    return Parsed(path, kind, title, record, body, tuple(problems))


def _kind_of(path: str, data: dict[str, Any], fallback: str, settings: Settings) -> str:
    """`type:` (SPEC 1), or with `[kinds]` the vault's own property (SPEC 11: `categories: ["[[People]]"]`),
    whose values are compared as links are; else the folder's kind. Obsidian's daily notes are plain."""
    if any(path.startswith(folder + "/") for folder in settings.plain):
        return NOTE
    if settings.kind_property is None:
        declared = data.get("type")
        if isinstance(declared, str) and declared.strip().casefold() in KINDS:
            return declared.strip().casefold()
        return fallback
    value = data.get(settings.kind_property)
    values = value if isinstance(value, list) else [value]
    held = {link.key for v in values if isinstance(v, str) for link in links_in_value(v, 1)}
    for kind, wanted in ((PERSON, settings.kind_person), (ORG, settings.kind_org),
                         (INTERACTION, settings.kind_interaction)):
        if wanted is not None and {link.key for link in links_in_value(wanted, 1)} & held:
            return kind
    return fallback


def _vault_names(settings: Settings, data: dict[str, Any], lines: dict[str, int],
                 item_lines: dict[str, list[int]]) -> dict[str, str]:
    """`[fields]`: the vault's properties read under reljournal's names (`people` as `with`), in place; what
    was renamed, reljournal's name -> the vault's."""
    renamed: dict[str, str] = {}
    for ours, theirs in settings.fields:
        if theirs in data and ours != theirs:
            data[ours] = data.pop(theirs)
            if theirs in lines:
                lines[ours] = lines.pop(theirs)
            if theirs in item_lines:
                item_lines[ours] = item_lines.pop(theirs)
            renamed[ours] = theirs
    return renamed


def _said_as(problem: Problem, renamed: dict[str, str]) -> Problem:
    key = problem.message.partition(":")[0]
    if key in renamed:
        return Problem(problem.source, problem.severity, problem.code, renamed[key] + problem.message[len(key):])
    return problem


def _text_of(path: str, data: bytes) -> str | Problem:
    """The note's text: UTF-8 without a BOM; else why not (too large, UTF-16, binary, another encoding)."""
    if len(data) > MAX_NOTE_BYTES:
        return error(path, 1, "unreadable", f"the note is larger than {MAX_NOTE_BYTES // 2**20} MB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Windows editors' "Unicode": a BOM, then NULs
            return error(path, 1, "encoding", "saved as UTF-16, not UTF-8; save the file as UTF-8")
        if b"\x00" in data:
            return error(path, line, "encoding", "a binary file, not UTF-8 text")
        byte = f"0x{data[exc.start]:02x}"
        return error(path, line, "encoding", f"not UTF-8 (byte {byte}); save the file as UTF-8")
    nul = text.find("\x00")
    if nul >= 0:
        return error(path, text.count("\n", 0, nul) + 1, "encoding", "a binary file, not UTF-8 text")
    return text.removeprefix("\ufeff")


def _misspelt_keys(fields: Fields, kind: str) -> None:
    """Keys of one's own are welcome (Obsidian properties); a key one letter off a known one is a typo
    that would silently do nothing (`cadance: 30d`), so it gets a warning."""
    known = FRONT_MATTER_KEYS["any"] + FRONT_MATTER_KEYS[kind]
    for key in fields.data:
        if key not in known and key not in _NOT_TYPOS:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.8) or [k for k in known if _swapped(key, k)]
            if close:
                fields.problems.append(warning(fields.path, fields.line(key), "unknown-key",
                                               f"{key}: not a field reljournal reads; did you mean {close[0]}?"))


def _swapped(typed: str, known: str) -> bool:
    """`kidn` for `kind`: two neighbouring letters swapped, which `difflib` scores below a one-letter slip
    in a short key."""
    if len(typed) != len(known) or typed == known:
        return False
    at = [n for n, (a, b) in enumerate(zip(typed, known, strict=True)) if a != b]
    return len(at) == 2 and at[1] == at[0] + 1 and typed[at[0]] == known[at[1]] and typed[at[1]] == known[at[0]]


_NOT_TYPOS = frozenset({"title", "date", "dates", "created", "updated", "modified", "note", "notes", "links"})


def _at(problem: Problem, path: str) -> Problem:
    return Problem(Source(path, problem.source.line), problem.severity, problem.code, problem.message)


# ---- one builder per kind, reading the fields its table lists ------------------------------------------------
def _cadence(fields: Fields, key: str) -> Any:
    value = fields.get(key)
    if value is None:
        return None
    if isinstance(value, str) and value.strip().casefold() in (NO_CADENCE, "never"):
        return NO_CADENCE
    if value is False:  # `cadence: no` in YAML 1.1
        return NO_CADENCE
    try:
        return parse_duration(value)
    except ValueError as exc:
        fields.bad(key, "duration", str(exc))
        return None


def _birthday(fields: Fields, key: str) -> Any:
    raw = fields.get(key)
    if raw is None:
        return None
    try:
        return parse_birthday(str(raw))
    except ValueError as exc:
        fields.bad(key, "date", str(exc))
        return None


def _one_link(fields: Fields, key: str) -> Any:
    found = fields.links(key)
    return found[0] if found else None


# How each way of reading a field (model.Field.read) reads its front-matter key.
_READERS: dict[str, Callable[[Fields, Field], Any]] = {
    TEXT: lambda fields, f: fields.text(str(f.key)),
    CHOICE: lambda fields, f: fields.choice(str(f.key), f.choices) or f.default,
    STRINGS: lambda fields, f: fields.strings(str(f.key)),
    DATE: lambda fields, f: fields.date(str(f.key)),
    NUMBER: lambda fields, f: fields.number(str(f.key)),
    FLAG: lambda fields, f: fields.flag(str(f.key)),
    CADENCE: lambda fields, f: _cadence(fields, str(f.key)),
    BIRTHDAY: lambda fields, f: _birthday(fields, str(f.key)),
    LINK: lambda fields, f: _one_link(fields, str(f.key)),
    LINKS: lambda fields, f: fields.links(str(f.key)),
}


def _read(fields: Fields, kind: str) -> dict[str, Any]:
    """The fields of `kind`'s table that a reader above reads (the others are the builders' own)."""
    return {f.name: _READERS[f.read](fields, f) for f in FIELDS_OF[kind] if f.read in _READERS}


def _person(fields: Fields, common: dict[str, Any], body: str, body_first_line: int) -> Person:
    return Person(**common, **_read(fields, PERSON),
                  log=log_entries(body, body_first_line, fields.path, fields.problems))


def _org(fields: Fields, common: dict[str, Any]) -> Org:
    objectives = []
    raw = fields.get("objectives")
    if raw is not None and not isinstance(raw, list):
        fields.bad("objectives", "value", f"expected a list of objectives, got {describe(raw)}")
        raw = []
    for i, item in enumerate(raw or []):
        line = fields.line("objectives", i)
        if isinstance(item, str):
            item = {"title": item}
        if not isinstance(item, dict) or not isinstance(item.get("title"), (str, int, float)):
            fields.bad("objectives", "value", f"objective {i + 1} needs a `title:`", i)
            continue
        sub = Fields(fields.path, {str(k): v for k, v in item.items()}, {}, {}, [])
        sub.lines = {k: line for k in sub.data}  # problems point at the objective's first line
        objective = Objective(
            title=str(item["title"]).strip(),
            measure=sub.text("measure"),
            due=sub.date("due"),
            status=sub.choice("status", OBJECTIVE_STATUSES) or "open",
            line=line,
        )
        fields.problems.extend(
            Problem(p.source, p.severity, p.code, f"objectives: {p.message}") for p in sub.problems
        )
        objectives.append(objective)
    return Org(**common, **_read(fields, ORG), objectives=tuple(objectives))


def _when(fields: Fields, key: str, tz: dt.tzinfo | None) -> tuple[dt.date | None, dt.datetime | None]:
    value = fields.get(key)
    if value is None:
        return None, None
    if not isinstance(value, str):
        fields.bad(key, "date", f"expected a date or date-time, got {describe(value)}")
        return None, None
    try:
        parsed = parse_date_or_datetime(value)
    except ValueError as exc:
        fields.bad(key, "date", str(exc))
        return None, None
    if isinstance(parsed, dt.datetime):
        return local_date(parsed, tz), parsed
    return parsed, None


def _interaction(fields: Fields, common: dict[str, Any], settings: Settings) -> Interaction:
    tz = settings.tz
    day, at = _when(fields, "date", tz)
    if "date" not in fields.data or fields.get("date") is None:
        fields.problems.append(error(fields.path, 1, "no-date", "an interaction needs a `date:` (YYYY-MM-DD)"))
    _, end = _when(fields, "end", tz)
    read = _read(fields, INTERACTION)
    if not read["with_"] and "with" not in fields.bad_keys:
        fields.problems.append(warning(fields.path, fields.line("with"), "nobody",
                                       'an interaction with nobody: add `with: ["[[Name]]"]`'))
    return Interaction(**common, **read, date=day, at=at, end=end)
