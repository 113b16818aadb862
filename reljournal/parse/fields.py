"""Typed fields: front-matter values read as SPEC 1 types them, through one coercion table; a bad value is a
problem on its key's line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from reljournal.dates import parse_date_or_datetime, parse_duration
from reljournal.errors import Problem, error, warning
from reljournal.model import (
    Link,
)
from reljournal.parse.links import links_in_text, links_in_value


class Fields:
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
            self.bad(key, "value", f"expected text, got {describe(value)}" + quote_hint(value))
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
            self.bad(key, "value", f"expected a list of text, got {describe(value)}")
            return ()
        out = []
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                if item is not None:
                    self.bad(key, "value", f"item {i + 1} is {describe(item)}, expected text", i)
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
        self.bad(key, "date", f"expected {what}, got {describe(value)}")
        return None

    def number(self, key: str) -> float | None:
        value = self.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.bad(key, "value", f"expected a number, got {describe(value)}")
            return None
        return value

    def flag(self, key: str) -> bool:
        value = self.data.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.bad(key, "value", f"expected true or false, got {describe(value)}")
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
                    self.bad(key, "value", f"expected a name or a [[link]], got {describe(item)}",
                             i if isinstance(value, list) else None)
                continue
            out.extend(links_in_value(item, line))
        return tuple(out)


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def quote_hint(value: Any) -> str:
    return "; put it in quotes if you meant the text" if isinstance(value, (bool, int, float)) else ""
