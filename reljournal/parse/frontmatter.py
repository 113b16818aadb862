"""Front matter: split from the body by hand (line numbers, a BOM and CRLF are ours to handle) and read by
PyYAML (its C loader when present) with timestamps kept as text, or, for the flat front matter most notes
have, by `simple_yaml`, which tests/test_fast_path.py holds to PyYAML's value and lines. One entry point:
`load_yaml`."""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml

from reljournal.errors import Problem, error

MAX_NOTE_BYTES = 16 * 1024 * 1024
MAX_FRONT_MATTER_CHARS = 1024 * 1024
MAX_NESTING = 64

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loading, with timestamps left as text for our own date parsing."""


Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_str)


def split_front_matter(text: str) -> tuple[str | None, int, str, int] | Problem:
    """(yaml text or None, its first line, body, the body's first line)."""
    if not (text.startswith("---\n") or text.startswith("---\r\n") or text.rstrip(" \t\r\n") == "---"):
        return None, 0, text, 1
    lines = text.split("\n")  # only \n ends a line (YAML and str.splitlines also break at \x85, \u2028...)
    for i in range(1, len(lines)):
        if lines[i].rstrip(" \t\r") in ("---", "..."):
            return "\n".join(lines[1:i]) + "\n", 2, "\n".join(lines[i + 1:]), i + 2
    return error("", 1, "yaml", "the front matter opened by `---` on line 1 is never closed by a `---` line")


def load_yaml(text: str, first_line: int, path: str) -> tuple[Any, dict[str, int], dict[str, list[int]]] | Problem:
    if len(text) > MAX_FRONT_MATTER_CHARS:
        return error(path, first_line, "yaml", "the front matter is larger than 1 MB")
    if "\t" in text:
        for n, raw in enumerate(text.split("\n")):
            if "\t" in raw[: len(raw) - len(raw.lstrip(" \t"))]:
                return error(path, first_line + n, "yaml", "a tab in the indentation; YAML indents with spaces only")
    fast = simple_yaml(text, first_line)
    if fast is not None:
        return fast
    deep = _too_deep(text)
    if deep is not None:
        return error(path, first_line + deep, "yaml", f"the front matter is nested more than {MAX_NESTING} levels deep")
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None and _uses_aliases(node):
            return error(path, first_line, "yaml", "YAML anchors and aliases (&name, *name) are not supported here")
        value = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        return _yaml_problem(exc, text, first_line, path)
    except (ValueError, TypeError, RecursionError, OverflowError) as exc:
        found = _unreadable_scalar(loader, node) if isinstance(exc, (ValueError, OverflowError)) else None
        if found is not None:
            line, shown, kind = found
            return error(path, first_line + line, "yaml", f"front matter is not valid YAML: {shown!r} cannot be read "
                         f"as {kind} ({exc}); put it in quotes to keep it as text")
        return error(path, first_line, "yaml", f"front matter is not valid YAML: {exc}")
    finally:
        loader.dispose()
    return (value, *_key_lines(node, text, first_line))


def _unreadable_scalar(loader: Any, root: yaml.Node) -> tuple[int, str, str] | None:
    """The first value, in the order written, that PyYAML resolves to a type and then cannot make (`0b_`, taken
    for an int, raises ValueError without a position): its line (from 0), its text and the type's name (`int`).
    None when none is found."""
    todo = [root]
    while todo:
        node = todo.pop()
        if isinstance(node, yaml.ScalarNode):
            make = loader.yaml_constructors.get(node.tag)
            try:
                if make is not None:
                    make(loader, node)
            except (ValueError, OverflowError):
                return int(node.start_mark.line), str(node.value), node.tag.rpartition(":")[2]
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            todo.extend(item for pair in reversed(node.value) for item in reversed(pair))
    return None


def _yaml_problem(exc: yaml.YAMLError, text: str, first_line: int, path: str) -> Problem:
    """PyYAML's complaint on its line, with a hint for the two mistakes people make most."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    row = row_of(text, mark.index) if mark is not None else 0
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"front matter is not valid YAML: {problem}" + (f" ({context})" if context else "")
    source_line = text.split("\n")[row] if row < text.count("\n") + 1 else ""
    if "[[" in source_line:
        message += '; quote each link: with: ["[[A]]", "[[B]]"]'
    elif "mapping values are not allowed" in message and ": " in source_line.partition(": ")[2]:
        key, _, rest = source_line.strip().partition(": ")
        message += f'; a value holding ": " needs quotes: {key}: "{rest.strip()}"'
    return error(path, first_line + row, "yaml", message)


def _key_lines(node: yaml.Node | None, text: str, first_line: int) -> tuple[dict[str, int], dict[str, list[int]]]:
    """The line of each top-level key, and of each item of a list value."""
    lines: dict[str, int] = {}
    item_lines: dict[str, list[int]] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                lines.setdefault(key_node.value, first_line + row_of(text, key_node.start_mark.index))
                if isinstance(value_node, yaml.SequenceNode):
                    item_lines[key_node.value] = [first_line + row_of(text, n.start_mark.index)
                                                  for n in value_node.value]
    return lines, item_lines


# The front matter people write is nearly always flat: `key: value`, `key: [a, "b"]` and `- item` lists of
# scalars. `simple_yaml` reads exactly that subset ~8x faster than composing it with PyYAML, resolving
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
        table = Loader.yaml_implicit_resolvers
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


def simple_yaml(text: str, first_line: int) -> tuple[Any, dict[str, int], dict[str, list[int]]] | None:
    """Flat front matter without PyYAML: (value, key lines, item lines) exactly as `load_yaml` gives them,
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
    or None when the line is outside the subset. Whether it fits where it stands is `simple_yaml`'s."""
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
