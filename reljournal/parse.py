"""Text of a note → one record and the problems found in it. Pure: no file system, no clock.

Front matter is split by hand (so that line numbers, a BOM and CRLF are ours to handle) and composed
with PyYAML (C loader when present), with timestamps kept as strings: an impossible date then becomes a
`date` problem on its key's line instead of an exception. Typed fields go through one coercion table.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from reljournal.config import Settings
from reljournal.dates import local_date, parse_birthday, parse_date, parse_date_or_datetime, parse_duration
from reljournal.errors import Problem, Source, error, warning
from reljournal.model import (
    FRONT_MATTER_KEYS,
    INTERACTION,
    INTERACTION_KINDS,
    INTERACTION_STATUSES,
    KINDS,
    NO_CADENCE,
    NOTE,
    OBJECTIVE_STATUSES,
    ORG,
    PERSON,
    RELATIONSHIPS,
    STATUSES,
    Interaction,
    Link,
    LogEntry,
    Note,
    Objective,
    Org,
    Person,
    Record,
    Task,
)

MAX_NOTE_BYTES = 16 * 1024 * 1024
MAX_FRONT_MATTER_CHARS = 1024 * 1024
MAX_NESTING = 64

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loading, with timestamps left as text for our own date parsing."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_str)

_WIKILINK = re.compile(r"!?\[\[([^\[\]|#^]*)((?:[#^][^\[\]|]*)?)(?:\|([^\[\]]*))?\]\]")
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
TASK_LINE = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+\[(.)\][ \t]+(.*?)[ \t]*$")
TASK_DUE = re.compile(r"(?:📅\ufe0f?[ \t]*(\S+))|(?:\[due::[ \t]*([^\]]*?)[ \t]*\])")
_LOG_ITEM = re.compile(r"^[ \t]*[-*+][ \t]+(\d{4}-\d{2}-\d{2})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?\b[ \t]*:?[ \t]*(.*)$")
_BLANKS = re.compile(r"[ \t]{2,}")  # what taking the due date out of a task leaves between words
_LOG_KIND = re.compile(r"^([A-Za-z]+)[ \t]*:[ \t]*(.*)$")


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

    if len(data) > MAX_NOTE_BYTES:
        return broken(error(path, 1, "unreadable", f"the note is larger than {MAX_NOTE_BYTES // 2**20} MB"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Windows editors' "Unicode": a BOM, then NULs
            return broken(error(path, 1, "encoding", "saved as UTF-16, not UTF-8; save the file as UTF-8"))
        if b"\x00" in data:
            return broken(error(path, line, "encoding", "a binary file, not UTF-8 text"))
        byte = f"0x{data[exc.start]:02x}"
        return broken(error(path, line, "encoding", f"not UTF-8 (byte {byte}); save the file as UTF-8"))
    nul = text.find("\x00")
    if nul >= 0:
        return broken(error(path, text.count("\n", 0, nul) + 1, "encoding", "a binary file, not UTF-8 text"))
    if text.startswith("\ufeff"):
        text = text[1:]

    split = _split_front_matter(text)
    if isinstance(split, Problem):
        return broken(_at(split, path))
    fm_text, fm_first_line, body, body_first_line = split

    problems: list[Problem] = []
    data_map: dict[str, Any] = {}
    lines: dict[str, int] = {}
    item_lines: dict[str, list[int]] = {}
    if fm_text is not None:
        loaded = _load_yaml(fm_text, fm_first_line, path)
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

    kind = fallback_kind
    declared = data_map.get("type")
    if isinstance(declared, str) and declared.strip().casefold() in KINDS:
        kind = declared.strip().casefold()
    if fm_text is None and kind == INTERACTION:
        kind = NOTE  # a README in the interactions folder is not a broken interaction

    fields = _Fields(path, data_map, lines, item_lines, problems)
    bracketed = _bracket_lines(body, body_first_line)
    common: dict[str, Any] = {
        "path": path,
        "title": title,
        "aliases": fields.strings("aliases"),
        "id": fields.text("id"),
        "tags": tuple(t.lstrip("#") for t in fields.strings("tags")),
        "tasks": _tasks(bracketed, path, problems),
        "links": _body_links(bracketed),
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
    return Parsed(path, kind, title, record, body, tuple(problems))


def _misspelt_keys(fields: _Fields, kind: str) -> None:
    """Keys of one's own are welcome (Obsidian properties); a key one letter off a known one is a typo
    that would silently do nothing (`cadance: 30d`), so it gets a warning."""
    known = FRONT_MATTER_KEYS["any"] + FRONT_MATTER_KEYS[kind]
    for key in fields.data:
        if key not in known and key not in _NOT_TYPOS:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.8)
            if close:
                fields.problems.append(warning(fields.path, fields.line(key), "unknown-key",
                                               f"{key}: not a field reljournal reads; did you mean {close[0]}?"))


_NOT_TYPOS = frozenset({"title", "date", "dates", "created", "updated", "modified", "note", "notes", "links"})


def _at(problem: Problem, path: str) -> Problem:
    return Problem(Source(path, problem.source.line), problem.severity, problem.code, problem.message)


# ---- front matter -------------------------------------------------------------------------------------
def _split_front_matter(text: str) -> tuple[str | None, int, str, int] | Problem:
    """(yaml text or None, its first line, body, the body's first line)."""
    if not (text.startswith("---\n") or text.startswith("---\r\n") or text.rstrip(" \t\r\n") == "---"):
        return None, 0, text, 1
    lines = text.split("\n")  # only \n ends a line (YAML and str.splitlines also break at \x85, \u2028...)
    for i in range(1, len(lines)):
        if lines[i].rstrip(" \t\r") in ("---", "..."):
            return "\n".join(lines[1:i]) + "\n", 2, "\n".join(lines[i + 1:]), i + 2
    return error("", 1, "yaml", "the front matter opened by `---` on line 1 is never closed by a `---` line")


def _load_yaml(text: str, first_line: int, path: str) -> tuple[Any, dict[str, int], dict[str, list[int]]] | Problem:
    if len(text) > MAX_FRONT_MATTER_CHARS:
        return error(path, first_line, "yaml", "the front matter is larger than 1 MB")
    if "\t" in text:
        for n, raw in enumerate(text.split("\n")):
            if "\t" in raw[: len(raw) - len(raw.lstrip(" \t"))]:
                return error(path, first_line + n, "yaml", "a tab in the indentation; YAML indents with spaces only")
    fast = _simple_yaml(text, first_line)
    if fast is not None:
        return fast
    deep = _too_deep(text)
    if deep is not None:
        return error(path, first_line + deep, "yaml", f"the front matter is nested more than {MAX_NESTING} levels deep")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None and _uses_aliases(node):
            return error(path, first_line, "yaml", "YAML anchors and aliases (&name, *name) are not supported here")
        value = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        row = row_of(text, mark.index) if mark is not None else 0
        line = first_line + row
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        message = f"front matter is not valid YAML: {problem}" + (f" ({context})" if context else "")
        source_line = text.split("\n")[row] if row < text.count("\n") + 1 else ""
        if "[[" in source_line:
            message += '; quote each link: with: ["[[A]]", "[[B]]"]'
        elif "mapping values are not allowed" in message and ": " in source_line.partition(": ")[2]:
            key, _, rest = source_line.strip().partition(": ")
            message += f'; a value holding ": " needs quotes: {key}: "{rest.strip()}"'
        return error(path, line, "yaml", message)
    except (ValueError, TypeError, RecursionError, OverflowError) as exc:
        return error(path, first_line, "yaml", f"front matter is not valid YAML: {exc}")
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    item_lines: dict[str, list[int]] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                lines.setdefault(key_node.value, first_line + row_of(text, key_node.start_mark.index))
                if isinstance(value_node, yaml.SequenceNode):
                    item_lines[key_node.value] = [first_line + row_of(text, n.start_mark.index)
                                                  for n in value_node.value]
    return value, lines, item_lines


# The front matter people write is nearly always flat: `key: value`, `key: [a, "b"]` and `- item` lists of
# scalars. `_simple_yaml` reads exactly that subset ~8x faster than composing it with PyYAML, resolving
# plain scalars with PyYAML's own implicit resolvers (YAML 1.1: `no` is False, `1` an int, dates stay
# text); anything outside the subset (nesting, anchors, escapes, comments after values, block scalars,
# odd numbers, duplicate keys, ...) returns None and goes to PyYAML. tests/test_fast_path.py holds the
# two to the same value, key lines and item lines.
_SIMPLE_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*?))? *$")
_SIMPLE_ITEM = re.compile(r"( *)-(?: +(.*?))? *$")
_SIMPLE_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_SIMPLE_FLOAT = re.compile(r"[-+]?[0-9]+\.[0-9]+")
_PLAIN_FIRST_BAD = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_BAD = re.compile(r"[,\[\]{}#:]")
_NOT_SIMPLE_TEXT = re.compile(  # what PyYAML rejects, and its other line breaks, tabs, CR and a BOM
    r"[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029]")
_STR_TAG, _TIMESTAMP_TAG = "tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}
_NOT_SIMPLE = object()


def _implicit_tag(value: str) -> str:
    """The tag PyYAML's resolver gives a plain scalar (the same table the loader uses)."""
    first = value[0] if value else ""
    resolvers = _RESOLVERS_BY_FIRST.get(first)
    if resolvers is None:
        table = _Loader.yaml_implicit_resolvers
        resolvers = _RESOLVERS_BY_FIRST[first] = (*table.get(first, []), *table.get(None, []))
    for tag, regexp in resolvers:
        if regexp.match(value):
            return str(tag)
    return _STR_TAG


_RESOLVERS_BY_FIRST: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {}  # a scalar's first character -> ...


@functools.lru_cache(maxsize=4096)
def _key_tag(key: str) -> str:
    """`_implicit_tag` of a key: the same few keys come back in every note."""
    return _implicit_tag(key)


def _plain(value: str, flow: bool) -> Any:
    """A plain scalar's value, or _NOT_SIMPLE."""
    if not value or value[0] in _PLAIN_FIRST_BAD or value.endswith(":") or ": " in value or " #" in value:
        return _NOT_SIMPLE
    if flow and _FLOW_BAD.search(value):
        return _NOT_SIMPLE
    tag = _implicit_tag(value)
    if tag == _STR_TAG or tag == _TIMESTAMP_TAG:
        return value
    if tag.endswith(":bool"):
        return _BOOLS[value.lower()]
    if tag.endswith(":null"):
        return None
    if tag.endswith(":int") and _SIMPLE_INT.fullmatch(value):
        return int(value)
    if tag.endswith(":float") and _SIMPLE_FLOAT.fullmatch(value):
        return float(value)
    return _NOT_SIMPLE


def _quoted(value: str) -> Any:
    """A one-line quoted scalar without escapes or inner quotes, or _NOT_SIMPLE."""
    inner = value[1:-1]
    if len(value) < 2 or value[-1] != value[0] or value[0] in inner or "\\" in inner:
        return _NOT_SIMPLE
    return inner


def _scalar(value: str, flow: bool = False) -> Any:
    return _quoted(value) if value[:1] in ("'", '"') else _plain(value, flow)


def _flow_items(text: str) -> list[Any] | None:
    """`[a, "b c", 3]` on one line: its items, or None."""
    inner = text[1:-1]
    items: list[Any] = []
    i, n = 0, len(inner)
    while True:
        while i < n and inner[i] == " ":
            i += 1
        if i == n:
            return items if not items else None  # `[]`, or a trailing comma (not simple)
        quote = inner[i]
        if quote in ("'", '"'):
            end = inner.find(quote, i + 1)
            if end < 0:
                return None
            item = _quoted(inner[i:end + 1])
            i = end + 1
            while i < n and inner[i] == " ":
                i += 1
        else:
            end = inner.find(",", i)
            end = n if end < 0 else end
            item = _plain(inner[i:end].rstrip(" "), True)
            i = end
        if item is _NOT_SIMPLE:
            return None
        items.append(item)
        if i == n:
            return items
        if inner[i] != ",":
            return None
        i += 1


def _simple_yaml(text: str, first_line: int) -> tuple[Any, dict[str, int], dict[str, list[int]]] | None:
    """Flat front matter without PyYAML: (value, key lines, item lines) exactly as `_load_yaml` gives them,
    or None when the text is outside the simple subset."""
    if _NOT_SIMPLE_TEXT.search(text):
        return None
    value: dict[str, Any] = {}
    lines: dict[str, int] = {}
    item_lines: dict[str, list[int]] = {}
    open_key: str | None = None  # a `key:` with nothing after it: a `- item` list may follow
    open_indent: int | None = None
    for n, line in enumerate(text.split("\n")):
        read = _simple_line(line)
        if read is None:
            return None
        what = read[0]
        if what is _SKIP:
            continue
        if what is _ITEM:
            if open_key is None or (open_indent is not None and read[1] != open_indent):
                return None
            open_indent = read[1]
            if open_key not in item_lines:
                value[open_key] = []
                item_lines[open_key] = []
            value[open_key].append(read[2])
            item_lines[open_key].append(first_line + n)
            continue
        key, form, item = read
        if key in lines:
            return None
        lines[key] = first_line + n
        open_key, open_indent = None, None
        if form is _OPEN:
            value[key] = None
            open_key = key
        elif form is _FLOW:
            value[key] = list(item)
            item_lines[key] = [first_line + n] * len(item)
        else:
            value[key] = item
    return (value if lines else None), lines, item_lines


_SKIP, _ITEM, _OPEN, _FLOW, _SCALAR = object(), object(), object(), object(), object()


@functools.lru_cache(maxsize=1 << 14)
def _simple_line(line: str) -> tuple[Any, ...] | None:
    """One line of simple front matter, read once however many notes hold it (`type: interaction`, the
    same `with:` in every note about one person): (_SKIP,) for a blank or comment line, (_ITEM, indent,
    item) for a `- item`, (key, _OPEN | _FLOW | _SCALAR, value) for a key (a flow list's items as a tuple),
    or None when the line is outside the subset. Whether it fits where it stands is `_simple_yaml`'s."""
    stripped = line.lstrip(" ")
    if not stripped or stripped[0] == "#":
        return (_SKIP,)
    if stripped[0] == "-":
        m = _SIMPLE_ITEM.match(line)
        if m is None:
            return None
        item = _scalar(m[2]) if m[2] else _NOT_SIMPLE  # an empty item's line is not the dash's
        return None if item is _NOT_SIMPLE else (_ITEM, len(m[1]), item)
    if line[0] == " ":
        return None  # a continuation line or a nested mapping
    m = _SIMPLE_KEY.match(line)
    if m is None:
        return None
    key, raw = m[1], m[2]
    if _key_tag(key) != _STR_TAG:
        return None
    if not raw:
        return key, _OPEN, None
    if raw[0] == "[" and raw[-1] == "]":
        items = _flow_items(raw)
        return None if items is None else (key, _FLOW, tuple(items))
    item = _scalar(raw)
    return None if item is _NOT_SIMPLE else (key, _SCALAR, item)


def row_of(text: str, index: int) -> int:
    """The 0-based line (counting only \\n, as editors do) of a character index; YAML marks count \\x85 too."""
    return text.count("\n", 0, index)


def _too_deep(text: str) -> int | None:
    """The 0-based line where flow brackets or indentation nest past MAX_NESTING, or None."""
    depth = 0
    for n, line in enumerate(text.split("\n")):
        indent = len(line) - len(line.lstrip(" "))
        if indent > MAX_NESTING * 4:
            return n
        for ch in line:
            if ch in "[{":
                depth += 1
                if depth > MAX_NESTING:
                    return n
            elif ch in "]}":
                depth = max(0, depth - 1)
    return None


def _uses_aliases(root: yaml.Node) -> bool:
    """An alias makes one node appear twice in the composed graph."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.extend((k, v))
    return False


# ---- typed fields -------------------------------------------------------------------------------------
class _Fields:
    """Reads typed fields from front matter; each bad value becomes a problem on its key's line."""

    def __init__(self, path: str, data: Mapping[str, Any], lines: Mapping[str, int],
                 item_lines: Mapping[str, list[int]], problems: list[Problem]) -> None:
        self.path, self.data, self.lines, self.item_lines, self.problems = path, data, lines, item_lines, problems
        self.bad_keys: set[str] = set()

    def line(self, key: str, item: int | None = None) -> int:
        if item is not None and key in self.item_lines and item < len(self.item_lines[key]):
            return self.item_lines[key][item]
        return self.lines.get(key, 1)

    def bad(self, key: str, code: str, message: str, item: int | None = None) -> None:
        self.bad_keys.add(key)
        self.problems.append(error(self.path, self.line(key, item), code, f"{key}: {message}"))

    def get(self, key: str) -> Any:
        value = self.data.get(key)
        return None if value is None or value == "" else value

    def text(self, key: str) -> str | None:
        value = self.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.bad(key, "value", f"expected text, got {_describe(value)}" + _quote_hint(value))
            return None
        return str(value).strip() or None

    def choice(self, key: str, choices: tuple[str, ...]) -> str | None:
        value = self.text(key)
        if value is None:
            return None
        if value.casefold() not in choices:
            self.bad(key, "value", f"{value!r} is not one of: {', '.join(choices)}")
            return None
        return value.casefold()

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value.strip(),) if value.strip() else ()
        if not isinstance(value, list):
            self.bad(key, "value", f"expected a list of text, got {_describe(value)}")
            return ()
        out = []
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                if item is not None:
                    self.bad(key, "value", f"item {i + 1} is {_describe(item)}, expected text", i)
                continue
            if str(item).strip():
                out.append(str(item).strip())
        return tuple(out)

    def date(self, key: str, what: str = "a date (YYYY-MM-DD)") -> dt.date | None:
        value = self.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                parsed = parse_date_or_datetime(value)
                return parsed.date() if isinstance(parsed, dt.datetime) else parsed
            except ValueError as exc:
                hint = ""
                try:
                    parse_duration(value)
                    hint = "; durations are for cadence and the command line"
                except ValueError:
                    pass
                self.bad(key, "date", f"{exc}{hint}")
                return None
        self.bad(key, "date", f"expected {what}, got {_describe(value)}")
        return None

    def number(self, key: str) -> float | None:
        value = self.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.bad(key, "value", f"expected a number, got {_describe(value)}")
            return None
        return value

    def flag(self, key: str) -> bool:
        value = self.data.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.bad(key, "value", f"expected true or false, got {_describe(value)}")
            return False
        return value

    def links(self, key: str) -> tuple[Link, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        out: list[Link] = []
        for i, item in enumerate(items):
            line = self.line(key, i if isinstance(value, list) else None)
            if isinstance(item, list) and len(item) == 1 and isinstance(item[0], list):
                item = item[0]  # `with: [[[X]]]` is not a thing people type, but be kind
            if isinstance(item, list) and len(item) == 1 and isinstance(item[0], str):
                self.problems.append(warning(self.path, line, "unquoted-link",
                                             f'{key}: [[{item[0]}]] is unquoted; write "[[{item[0]}]]" in quotes'))
                out.extend(links_in_text(f"[[{item[0]}]]", line) or [])
                continue
            if not isinstance(item, str):
                if item is not None:
                    self.bad(key, "value", f"expected a name or a [[link]], got {_describe(item)}",
                             i if isinstance(value, list) else None)
                continue
            out.extend(links_in_value(item, line))
        return tuple(out)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def _quote_hint(value: Any) -> str:
    return "; put it in quotes if you meant the text" if isinstance(value, (bool, int, float)) else ""


# ---- links --------------------------------------------------------------------------------------------
def _link(target: str, alias: str | None, line: int) -> Link | None:
    target = target.strip()
    if target.lower().endswith(".md"):
        target = target[:-3]
    folder, _, name = target.rpartition("/")
    name = name.strip()
    if not name:
        return None
    return Link(name, folder.strip("/") or None, (alias or "").strip() or name, line)


def links_in_text(text: str, line: int) -> list[Link]:
    out = []
    for m in _WIKILINK.finditer(text):
        link = _link(m[1], m[3], line)
        if link is not None:
            out.append(link)
    return out


def links_in_value(value: str, line: int) -> list[Link]:
    """A YAML value names notes by `[[link]]`s, or is itself a bare name."""
    found = links_in_text(value, line)
    if found:
        return found
    bare = value.split("#", 1)[0].strip()
    link = _link(bare, None, line) if bare else None
    return [link] if link else []


def link_text(text: str) -> str:
    """Link markup shown as the link's text: `[[Jane Doe|Jane]]` → `Jane`, `[[people/Bo#Log]]` → `Bo`."""
    def show(m: re.Match[str]) -> str:
        if m[3]:
            return m[3].strip()
        return m[1].strip().rpartition("/")[2].removesuffix(".md")

    return _WIKILINK.sub(show, text)


# ---- the body -----------------------------------------------------------------------------------------
def _body_lines(body: str, first_line: int) -> list[tuple[int, str]]:
    """Body lines with their file line numbers, fenced code blocks left out."""
    out = []
    fence: str | None = None
    for n, line in enumerate(body.split("\n"), first_line):
        line = line.removesuffix("\r")
        m = _FENCE.match(line)
        if m:
            fence = None if fence == m[1] else (fence or m[1])
            continue
        if fence is None:
            out.append((n, line))
    return out


def _bracket_lines(body: str, first_line: int) -> list[tuple[int, str]]:
    """The body lines holding a `[` (every task and link does), with their file line numbers, fenced code
    left out: `_body_lines` filtered, without splitting a body of 40 lines to find the one task in it."""
    if "[" not in body:
        return []
    if "```" in body or "~~~" in body or "\r" in body:  # fences to track, CRs to drop: line by line
        return [(n, line) for n, line in _body_lines(body, first_line) if "[" in line]
    out = []
    line_no, counted = first_line, 0
    at = body.find("[")
    while at >= 0:
        start = body.rfind("\n", 0, at) + 1
        end = body.find("\n", at)
        end = len(body) if end < 0 else end
        line_no += body.count("\n", counted, start)
        counted = start
        out.append((line_no, body[start:end]))
        at = body.find("[", end)
    return out


def task_text(text: str) -> str:
    """A task's text (after its box) as `Task.text` holds it: without its due-date marker, and the blanks
    taking it out leaves made one."""
    dm = TASK_DUE.search(text)
    if not dm:
        return text
    return _BLANKS.sub(" ", (text[: dm.start()] + text[dm.end():]).strip())


def _tasks(lines: list[tuple[int, str]], path: str, problems: list[Problem]) -> tuple[Task, ...]:
    tasks = []
    for n, line in lines:
        m = TASK_LINE.match(line)
        if not m:
            continue
        status, text = m[1], m[2]
        due = None
        dm = TASK_DUE.search(text)
        if dm:
            raw = dm[1] or dm[2]
            try:
                due = parse_date(raw)
            except ValueError as exc:
                problems.append(error(path, n, "date", f"task due date: {exc}"))
            text = task_text(text)
        tasks.append(Task(text, status.lower() if status in "xX" else status, due, tuple(links_in_text(text, n)), n))
    return tuple(tasks)


def _body_links(lines: list[tuple[int, str]]) -> tuple[Link, ...]:
    out: list[Link] = []
    for n, line in lines:
        if "[[" in line:
            out.extend(links_in_text(line, n))
    return tuple(out)


def _log_entries(body: str, first_line: int, path: str, problems: list[Problem]) -> tuple[LogEntry, ...]:
    entries = []
    level: int | None = None  # the Log heading's level while inside its section
    for n, line in _body_lines(body, first_line):
        h = _HEADING.match(line)
        if h:
            if level is not None and len(h[1]) <= level:
                level = None
            if h[2].strip().casefold() == "log":
                level = len(h[1])
            continue
        if level is None:
            continue
        m = _LOG_ITEM.match(line)
        if not m:
            continue
        try:
            day = parse_date(m[1])
        except ValueError as exc:
            problems.append(error(path, n, "date", f"Log entry: {exc}"))
            continue
        text, kind = m[2].strip(), None
        km = _LOG_KIND.match(text)
        if km and km[1].casefold() in INTERACTION_KINDS:
            kind, text = km[1].casefold(), km[2].strip()
        entries.append(LogEntry(day, kind, text, n))
    return tuple(entries)


# ---- one builder per kind -----------------------------------------------------------------------------
def _cadence(fields: _Fields) -> Any:
    value = fields.get("cadence")
    if value is None:
        return None
    if isinstance(value, str) and value.strip().casefold() in (NO_CADENCE, "never"):
        return NO_CADENCE
    if value is False:  # `cadence: no` in YAML 1.1
        return NO_CADENCE
    try:
        return parse_duration(value)
    except ValueError as exc:
        fields.bad("cadence", "duration", str(exc))
        return None


def _person(fields: _Fields, common: dict[str, Any], body: str, body_first_line: int) -> Person:
    birthday = None
    raw_birthday = fields.get("birthday")
    if raw_birthday is not None:
        try:
            birthday = parse_birthday(str(raw_birthday))
        except ValueError as exc:
            fields.bad("birthday", "date", str(exc))
    orgs = fields.links("org")
    tier = fields.text("tier")
    return Person(
        **common,
        org=orgs[0] if orgs else None,
        role=fields.text("role"),
        relationship=fields.choice("relationship", RELATIONSHIPS),
        tier=tier,
        cadence=_cadence(fields),
        next=fields.date("next"),
        snooze=fields.date("snooze"),
        last_contact=fields.date("last_contact"),
        status=fields.choice("status", STATUSES) or "active",
        owner=fields.text("owner"),
        birthday=birthday,
        email=fields.strings("email"),
        phone=fields.text("phone"),
        linkedin=fields.text("linkedin"),
        motivations=fields.strings("motivations"),
        priorities=fields.strings("priorities"),
        common_ground=fields.strings("common_ground"),
        log=_log_entries(body, body_first_line, fields.path, fields.problems),
    )


def _org(fields: _Fields, common: dict[str, Any]) -> Org:
    objectives = []
    raw = fields.get("objectives")
    if raw is not None and not isinstance(raw, list):
        fields.bad("objectives", "value", f"expected a list of objectives, got {_describe(raw)}")
        raw = []
    for i, item in enumerate(raw or []):
        line = fields.line("objectives", i)
        if isinstance(item, str):
            item = {"title": item}
        if not isinstance(item, dict) or not isinstance(item.get("title"), (str, int, float)):
            fields.bad("objectives", "value", f"objective {i + 1} needs a `title:`", i)
            continue
        sub = _Fields(fields.path, {str(k): v for k, v in item.items()}, {}, {}, [])
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
    return Org(
        **common,
        tier=fields.text("tier"),
        key_account=fields.flag("key_account"),
        owner=fields.text("owner"),
        team=fields.strings("team"),
        revenue=fields.number("revenue"),
        budget=fields.number("budget"),
        exposure=fields.number("exposure"),
        objectives=tuple(objectives),
    )


def _when(fields: _Fields, key: str, tz: dt.tzinfo | None) -> tuple[dt.date | None, dt.datetime | None]:
    value = fields.get(key)
    if value is None:
        return None, None
    if not isinstance(value, str):
        fields.bad(key, "date", f"expected a date or date-time, got {_describe(value)}")
        return None, None
    try:
        parsed = parse_date_or_datetime(value)
    except ValueError as exc:
        fields.bad(key, "date", str(exc))
        return None, None
    if isinstance(parsed, dt.datetime):
        return local_date(parsed, tz), parsed
    return parsed, None


def _interaction(fields: _Fields, common: dict[str, Any], settings: Settings) -> Interaction:
    tz = settings.tz
    day, at = _when(fields, "date", tz)
    if "date" not in fields.data or fields.get("date") is None:
        fields.problems.append(error(fields.path, 1, "no-date", "an interaction needs a `date:` (YYYY-MM-DD)"))
    _, end = _when(fields, "end", tz)
    with_ = fields.links("with")
    if not with_ and "with" not in fields.bad_keys:
        fields.problems.append(warning(fields.path, fields.line("with"), "nobody",
                                       'an interaction with nobody: add `with: ["[[Name]]"]`'))
    return Interaction(
        **common,
        date=day,
        at=at,
        end=end,
        with_=with_,
        interaction_kind=fields.choice("kind", INTERACTION_KINDS),
        outcome=fields.text("outcome"),
        next=fields.date("next"),
        next_action=fields.text("next_action"),
        gave=fields.strings("gave"),
        received=fields.strings("received"),
        by=fields.text("by"),
        status=fields.choice("status", INTERACTION_STATUSES),
        source=fields.text("source"),
    )

