"""Minimal-diff edits of front matter: change or add exactly one line, keep every other byte.

`set_field` is pure (bytes in, bytes out). It finds the key with PyYAML's node marks (character indices
into the front matter) and splices only the value's characters, so comments, key order, quoting of other
keys, CRLF, a BOM, trailing spaces and the body all stay as they were; a comment after the value stays
too. A new key goes in as the last line of the front matter with the file's own line ending; a note
without front matter gets one (three new lines at the top). What cannot be edited by changing one line
is refused: front matter that does not parse, a key written twice, a value over several lines (a block
list, a `|` text), a front matter written as one `{...}` mapping. Every edit is checked before it is
written: the new front matter must compose to the old mapping with only the one key changed.

`yaml_scalar` writes a value so that YAML reads back exactly that value (quoting `yes`, `42`, `a: b`,
`[[Link]]`, dates in text fields, ...).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml

from reljournal import model
from reljournal.atomic import write_atomic
from reljournal.config import Settings
from reljournal.dates import parse_date, parse_date_or_duration
from reljournal.errors import ERROR, UserError
from reljournal.locks import held
from reljournal.lookup import one_target
from reljournal.model import ORG, PERSON
from reljournal.parse.frontmatter import row_of
from reljournal.parse.note import parse_note
from reljournal.parse.tasks import TASK_DUE, TASK_LINE, task_text
from reljournal.queries import View
from reljournal.vault import read_regular

YamlValue = str | int | float | bool | dt.date | list[str]  # dt.datetime is a dt.date

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")
_FLOW_SPECIAL = set(",[]{}")
# YAML reads these as line breaks even inside quotes, so they are written escaped.
_YAML_BREAKS = {"\x85", "\u2028", "\u2029"}


class _TextDates(yaml.SafeLoader):
    """The pure-Python safe loader (marks are character indices) with timestamps kept as text, as the
    parser reads them."""


_TextDates.add_constructor("tag:yaml.org,2002:timestamp", _TextDates.construct_yaml_str)  # type: ignore[type-var,unused-ignore]


# ---- writing values ---------------------------------------------------------------------------------------
def yaml_scalar(value: YamlValue, *, flow: bool = False, quote: bool = False) -> str:
    """`value` as one line of YAML that a safe loader reads back as exactly `value`.

    Text stays plain when that reads back unchanged (`Jane Doe`, `30d`, `https://x.example/a`), else it is
    double-quoted with escapes (`"yes"`, `"42"`, `"[[Acme Corp]]"`, `"a: b"`). `flow` means inside `[...]`;
    `quote` forces quotes on text. A list is written as a flow sequence."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, dt.datetime):  # as people type it: no `:00` seconds unless there are some
        plain = value.second == 0 and value.microsecond == 0
        return value.isoformat(timespec="minutes" if plain else "auto")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(yaml_scalar(item, flow=True) for item in value) + "]"
    if not isinstance(value, str):
        raise TypeError(f"cannot write {type(value).__name__} as a YAML scalar")
    if not quote and _plain_ok(value, flow):
        return value
    return _double_quoted(value)


def _float_text(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{value} is not a number that can be written")
    text = repr(value)
    mantissa, e, exponent = text.partition("e")
    if "." not in mantissa:  # YAML 1.1 reads `1e+16` as text: it wants a dot
        mantissa += ".0"
    return mantissa + e + exponent


@lru_cache(maxsize=4096)  # pure; a bulk write (an import) asks about the same kinds and names again and again
def _plain_ok(text: str, flow: bool) -> bool:
    if not text or text != text.strip() or not text.isprintable() or any(c in _YAML_BREAKS for c in text):
        return False
    if text[0] in _INDICATORS and not (text[0] == "-" and len(text) > 1 and text[1] != " "):
        return False
    if ": " in text or " #" in text or text.endswith(":") or "\t" in text:
        return False
    if flow and (_FLOW_SPECIAL & set(text)):
        return False
    probe = f"k: [{text}]\n" if flow else f"k: {text}\n"
    try:
        loaded = yaml.safe_load(probe)
    except (yaml.YAMLError, ValueError):
        return False
    want: Any = [text] if flow else text
    return isinstance(loaded, dict) and loaded == {"k": want} and type(loaded["k"]) is type(want)


def _double_quoted(text: str) -> str:
    out = []
    for c in text:
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif c == "\t":
            out.append("\\t")
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c in _YAML_BREAKS or not _yaml_printable(c):
            code = ord(c)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _yaml_printable(c: str) -> bool:
    """The characters a YAML stream may hold as they are (PyYAML's Reader check)."""
    code = ord(c)
    return (code == 0x20 or 0x21 <= code <= 0x7E or code == 0x85 or 0xA0 <= code <= 0xD7FF
            or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF)


# ---- reading what a command line says into typed values ----------------------------------------------
TEXT, LIST, DATE, NUMBER, FLAG, BIRTHDAY, BLOCK = "text", "list", "date", "number", "flag", "birthday", "block"

_COMMON = {"type": TEXT, "aliases": LIST, "id": TEXT, "tags": LIST}
# What `set` writes for each way of reading a field (model.Field.read); a field may say otherwise (`set_as`).
_WRITTEN_AS = {model.TEXT: TEXT, model.CHOICE: TEXT, model.CADENCE: TEXT, model.LINK: TEXT, model.DATE: DATE,
               model.BIRTHDAY: BIRTHDAY, model.STRINGS: LIST, model.NUMBER: NUMBER, model.FLAG: FLAG,
               model.OBJECTIVES: BLOCK}
FIELDS: dict[str, dict[str, str]] = {
    kind: {**_COMMON, **{str(f.key): f.set_as or _WRITTEN_AS[f.read] for f in model.FIELDS_OF[kind] if f.key}}
    for kind in (PERSON, ORG)
}
_TRUE = ("true", "yes", "on", "y")
_FALSE = ("false", "no", "off", "n")


@dataclass(frozen=True)
class FieldValue:
    value: YamlValue
    known: bool  # a field reljournal reads for this kind of note


def field_value(kind: str, key: str, text: str, today: dt.date) -> FieldValue:
    """What `set NAME KEY TEXT` writes: a date for date fields (a duration counts from today), a number,
    true/false, a list from comma-separated text, else the text itself. Bad input exits 2."""
    if not _KEY.fullmatch(key):
        raise UserError(f"{key!r} is not a front-matter key; use letters, digits, `_` and `-`", exit_code=2)
    if key == "type":  # a person set to `interaction` is no person: `set` would then not find them again
        raise UserError("type: a note's kind changes only by editing its file; `set` leaves it", exit_code=2)
    kind_fields = FIELDS.get(kind, _COMMON)
    what = kind_fields.get(key)
    if what is None:
        return FieldValue(text, known=False)
    try:
        return FieldValue(_typed(what, key, text, today), known=True)
    except ValueError as exc:
        raise UserError(f"{key}: {exc}", exit_code=2) from None


def _typed(what: str, key: str, text: str, today: dt.date) -> YamlValue:
    if what == DATE:
        return parse_date_or_duration(text, today)
    if what == BIRTHDAY:
        try:
            return parse_date(text)
        except ValueError:
            return text.strip()  # `--04-12`; the parser's rules decide
    if what == NUMBER:
        cleaned = text.strip().replace("_", "")
        try:
            return int(cleaned)
        except ValueError:
            pass
        try:
            number = float(cleaned)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if math.isnan(number) or math.isinf(number):
            raise ValueError(f"{text!r} is not a number")
        return number
    if what == FLAG:
        word = text.strip().casefold()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
        raise ValueError(f"{text!r} is not true or false")
    if what == LIST:
        return [item.strip() for item in text.split(",") if item.strip()]
    if what == BLOCK:
        raise ValueError("holds a list of mappings; edit it in the note")
    return text


# ---- editing one line ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Edit:
    """One front-matter line changed (or added) in one note."""

    path: str
    key: str
    line: int  # 1-based line of the key in the new file
    old: str | None  # the value as it was written; None when the key was added
    new: str  # the value as written now
    data: bytes  # the whole new file
    changed: bool

    def describe(self) -> str:
        old = "(not set)" if self.old is None else (self.old or "(empty)")
        if not self.changed:
            return f"{self.path}:{self.line}: {self.key}: {self.new} (unchanged)"
        return f"{self.path}:{self.line}: {self.key}: {old} -> {self.new}"


def _refuse(path: str, line: int, message: str) -> UserError:
    return UserError(f"{path}:{line}: {message}; not edited", exit_code=1)


@dataclass(frozen=True)
class _Layout:
    """Where the front matter sits in the decoded text (BOM removed)."""

    start: int  # index of the first YAML character (after the opening `---` line)
    end: int  # index of the closing `---` line
    eol: str  # the opening line's line ending: the file's own


def _layout(text: str) -> _Layout | None:
    """The same split as the parser's: `---` on line 1, closed by the next `---` or `...` line."""
    if not (text.startswith("---\n") or text.startswith("---\r\n")):
        return None
    lines = text.splitlines(keepends=True)
    offset = len(lines[0])
    for line in lines[1:]:
        if line.rstrip(" \t\r\n") in ("---", "..."):
            return _Layout(len(lines[0]), offset, lines[0][3:])
        offset += len(line)
    return None  # never closed: the parser has refused it already


def frontmatter_span(text: str) -> tuple[int, int] | None:
    """(start, end) of the front matter's YAML in `text` (BOM removed), as the parser splits it."""
    layout = _layout(text)
    return None if layout is None else (layout.start, layout.end)


def set_field(path: str, data: bytes, key: str, value: YamlValue, settings: Settings, *,
              align_comment: bool = False) -> Edit:
    """`data` with front-matter `key` set to `value`, changing one line (or adding one; or adding a front
    matter to a note without one). Raises `UserError` (exit 1) for what it refuses, naming path:line, and
    (exit 2) when the parser finds the new value wrong. `align_comment` (a new note from a template): a
    comment after the value keeps its column, taking the value's room from the spaces before it."""
    if not _KEY.fullmatch(key):
        raise UserError(f"{key!r} is not a front-matter key; use letters, digits, `_` and `-`", exit_code=2)
    if key == "type":  # a person set to `interaction` is no person: `set` would then not find them again
        raise UserError("type: a note's kind changes only by editing its file; `set` leaves it", exit_code=2)
    before = parse_note(path, data, settings)
    if before.broken:
        problem = before.problems[0]
        raise UserError(f"{problem.source}: {problem.message}; fix the note before editing it (not edited)",
                        exit_code=1)
    bom = "\ufeff" if data.startswith(b"\xef\xbb\xbf") else ""
    text = data.decode("utf-8")[len(bom):]
    layout = _layout(text)

    if layout is None:  # no front matter yet: add one
        first_break = re.search(r"\r\n|\n", text)
        eol = first_break.group() if first_break else "\n"
        new = yaml_scalar(value)
        new_text = f"---{eol}{key}: {new}{eol}---{eol}" + text
        edit = Edit(path, key, 2, None, new, (bom + new_text).encode("utf-8"), True)
        _verify(edit, {}, key, value, 2)
        return _validated(edit, settings)

    fm = text[layout.start:layout.end]
    first_line = 2  # the file line of the front matter's first line
    node = _compose(fm, path, first_line)
    if node is not None and not isinstance(node, yaml.MappingNode):
        raise _refuse(path, first_line, "the front matter is not a mapping of `key: value` lines")
    if isinstance(node, yaml.MappingNode) and node.flow_style:
        raise _refuse(path, first_line + row_of(fm, node.start_mark.index),
                      "the front matter is one `{...}` mapping; write it as `key: value` lines to edit it")
    old_map = _construct(fm)
    pairs = [(k, v) for k, v in (node.value if node is not None else [])
             if isinstance(k, yaml.ScalarNode) and k.value == key]
    if len(pairs) > 1:
        lines = ", ".join(str(first_line + row_of(fm, k.start_mark.index)) for k, _ in pairs)
        raise _refuse(path, first_line + row_of(fm, pairs[0][0].start_mark.index),
                      f"{key} is written twice (lines {lines})")

    if not pairs:  # a new key: the last line of the front matter
        new = yaml_scalar(value)
        new_text = text[:layout.end] + f"{key}: {new}{layout.eol}" + text[layout.end:]
        line = row_of(text, layout.end) + 1
        edit = Edit(path, key, line, None, new, (bom + new_text).encode("utf-8"), True)
        _verify(edit, old_map, key, value, None)
        return _validated(edit, settings)

    key_node, value_node = pairs[0]
    # Lines are counted as the parser counts them (\n only: YAML's marks also break at \x85 and \u2028).
    key_row = row_of(fm, key_node.start_mark.index)
    line = first_line + key_row
    start_mark, end_mark = value_node.start_mark, value_node.end_mark
    start_row, end_row = row_of(fm, start_mark.index), row_of(fm, end_mark.index)
    if start_row != key_row or end_row != start_row:
        # a block ends at the start of the line after it
        ends_at_line_start = end_mark.index > 0 and fm[end_mark.index - 1] == "\n" and end_row > start_row
        last = first_line + end_row - (1 if ends_at_line_start else 0)
        raise _refuse(path, line, f"{key} holds a value over several lines (lines {line}-{last}); "
                                  "edit it in the note")
    begin, end = start_mark.index, end_mark.index
    old = fm[begin:end]
    rest = fm[end:].split("\n", 1)[0]
    # a plain value needs a space before anything that follows it on the line, or it would run on
    new = yaml_scalar(value, quote=bool(rest) and not rest[0].isspace())
    replacement = new if old else " " + new  # `key:` with nothing after it
    padding = re.match(r" +(?=#)", rest) if align_comment else None
    if padding:  # the comment after the value keeps its column where its padding allows (one space at least)
        width = max(1, len(padding[0]) - (len(replacement) - len(old)))
        replacement, end = replacement + " " * width, end + len(padding[0])
    new_fm = fm[:begin] + replacement + fm[end:]
    new_text = text[:layout.start] + new_fm + text[layout.end:]
    changed = new_fm != fm and old_map.get(key) != _load_value(new)
    if not changed:
        return Edit(path, key, line, old, old, data, False)
    edit = Edit(path, key, line, old, new, (bom + new_text).encode("utf-8"), True)
    _verify(edit, old_map, key, value, line)
    return _validated(edit, settings)


def _compose(fm: str, path: str, first_line: int) -> yaml.Node | None:
    try:
        return yaml.compose(fm, Loader=_TextDates)
    except yaml.YAMLError as exc:  # the parser's loader accepted it; this one should too
        mark = getattr(exc, "problem_mark", None)
        row = row_of(fm, mark.index) if mark else 0
        raise _refuse(path, first_line + row, f"front matter is not valid YAML: {exc}") from None


def _construct(fm: str) -> dict[str, Any]:
    loaded = yaml.load(fm, Loader=_TextDates)  # noqa: S506 - a safe loader
    return {str(k): v for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def _load_value(scalar: str) -> Any:
    return yaml.load(f"k: {scalar}\n", Loader=_TextDates)["k"]  # noqa: S506 - a safe loader


def _verify(edit: Edit, old_map: dict[str, Any], key: str, value: YamlValue, line: int | None) -> None:
    """The new front matter must read as the old one with only `key` changed, `key` on the reported line
    and reading back as `value`."""
    text = edit.data.decode("utf-8").removeprefix("\ufeff")
    layout = _layout(text)
    problem = None
    if layout is None:
        problem = "the front matter would not close"
    else:
        try:
            new_map = _construct(text[layout.start:layout.end])
        except yaml.YAMLError as exc:
            problem = f"the new front matter would not parse ({exc})"
        else:
            expected = dict(old_map, **{key: _load_value(edit.new)})
            if new_map != expected:
                problem = "the other keys would read differently"
            elif _as_written(value) != _load_value(edit.new):
                problem = "the value would read back differently"
    if problem is not None:
        raise UserError(f"{edit.path}:{line or edit.line}: cannot set {key} by changing one line: {problem}; "
                        "not edited", exit_code=1)


def _as_written(value: YamlValue) -> Any:
    """What the parser's loader gives for `value` (timestamps stay text)."""
    if isinstance(value, dt.date):  # a date-time too, as `yaml_scalar` writes it (no `:00` seconds)
        return yaml_scalar(value)
    return value


def _validated(edit: Edit, settings: Settings) -> Edit:
    """The parser's own rules judge the new value: an error on the edited line means a bad value (exit 2)."""
    after = parse_note(edit.path, edit.data, settings)
    bad = [p for p in after.problems if p.severity == ERROR and p.source.line == edit.line]
    if after.broken and after.problems:
        bad = list(after.problems)
    if bad:
        raise UserError("; ".join(p.message for p in bad) + f" (in {edit.path}; not edited)", exit_code=2)
    return edit


T = TypeVar("T")
EDIT_LOCK = "edit.lock"  # in `.reljournal/`: edits from several reljournal processes take turns


def rewrite(settings: Settings, path: str, change: Callable[[bytes], tuple[bytes | None, T]], what: str) -> T:
    """Read the note, `change` its bytes (None: nothing to write), and write the result atomically, only if
    the note still holds what was read: a save in between (an editor, the phone's change through the
    watcher) is read again and the change made on it. Returns what `change` says."""
    file = Path(settings.root) / path
    try:
        with held(settings.state_dir / EDIT_LOCK):  # reljournal's own edits take turns
            for _ in range(5):
                try:
                    data = read_regular(file)
                except OSError as exc:
                    raise UserError(f"{path}: cannot read it ({exc.strerror})") from None
                new, said = change(data)
                if new is None or new == data:
                    return said
                if read_regular(file) != data:
                    continue
                # A same-size edit in the clock tick of the last sync (`2026-01-01` -> `2026-03-29`) keeps size
                # and mtime: the index sees it all the same, since it reads racily clean files again.
                write_atomic(file, new, only_if_changed=True, inside=settings.root)
                return said
    except TimeoutError:
        raise UserError(f"{path}: another reljournal command has been editing the vault for 30 s; "
                        f"{what} was not done (try again)") from None
    raise UserError(f"{path}: it keeps changing; {what} was not done (try again)")


def edit_note(settings: Settings, path: str, key: str, value: YamlValue) -> Edit:
    """Set one field of the note (`set_field`), as `rewrite` writes: only on the note as it still is. A field
    the vault calls otherwise (`[fields]`, SPEC 11) is written under the vault's name."""
    key = settings.field_name(key)

    def change(data: bytes) -> tuple[bytes | None, Edit]:
        edit = set_field(path, data, key, value, settings)
        return (edit.data if edit.changed else None), edit

    return rewrite(settings, path, change, f"setting {key}")


# ---- tasks: ticked, or due on another day (a reminder done or moved on the phone) ----------------------------
def edit_task(settings: Settings, path: str, line: int, text: str, *, done: bool = False,
              due: dt.date | None = None) -> bool:
    """Tick the open task `text` (`- [ ]` -> `- [x]`) or move its due date (`📅 DATE`, `[due:: DATE]`),
    changing only those characters of its line. The task is looked for on `line`, else as the one open task
    with that text in the note (the note may have been edited since). False when it is not there any more
    (done or deleted meanwhile): nothing is written. The file is replaced only if it still holds what was
    read (else read again, a few times)."""

    def change(data: bytes) -> tuple[bytes | None, bool]:
        new = _task_edited(data, line, text, done=done, due=due)
        return new, new is not None

    return rewrite(settings, path, change, f"the edit of the task {text!r}")


def _task_edited(data: bytes, line: int, text: str, *, done: bool, due: dt.date | None) -> bytes | None:
    # lines as the parser numbers them: only \n ends one (`splitlines` would also break at \x85, \u2028, ...)
    lines = data.decode("utf-8").split("\n")
    wanted = task_text(text)

    def open_task_at(n: int) -> re.Match[str] | None:
        m = TASK_LINE.match(lines[n].rstrip("\r")) if 0 <= n < len(lines) else None
        return m if m and m[1] == " " and task_text(m[2]) == wanted else None

    found = line - 1 if open_task_at(line - 1) else None
    if found is None:
        candidates = [n for n in range(len(lines)) if open_task_at(n)]
        if len(candidates) != 1:
            return None
        found = candidates[0]
    body = lines[found]
    if done:
        at = body.index("[ ]")
        body = body[:at] + "[x]" + body[at + 3:]
    if due is not None:
        marker = TASK_DUE.search(body)
        if marker is None:
            return None
        group = 1 if marker[1] is not None else 2
        body = body[:marker.start(group)] + due.isoformat() + body[marker.end(group):]
    lines[found] = body
    return "\n".join(lines).encode("utf-8")


def locate(view: View, name: str, kinds: tuple[str, ...]) -> tuple[str, str]:
    """(path, kind) of the one note called `name`, found as `find` finds it; a note the index could not
    read is found too, so that editing it is refused with its path and line rather than "not found"."""
    target = one_target(view, name, kinds)
    return target.path, target.kind
