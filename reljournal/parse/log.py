"""The `## Log` section of a person's note (SPEC 1): dated list items, each a contact unless its kind is
`note`."""

from __future__ import annotations

import re

from reljournal.dates import parse_date
from reljournal.errors import Problem, error
from reljournal.model import (
    INTERACTION_KINDS,
    LogEntry,
)
from reljournal.parse.body import body_lines

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_LOG_ITEM = re.compile(r"^[ \t]*[-*+][ \t]+(\d{4}-\d{2}-\d{2})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?\b[ \t]*:?[ \t]*(.*)$")
_LOG_KIND = re.compile(r"^([A-Za-z]+)[ \t]*:[ \t]*(.*)$")


def log_entries(body: str, first_line: int, path: str, problems: list[Problem]) -> tuple[LogEntry, ...]:
    entries = []
    level: int | None = None  # the Log heading's level while inside its section
    for n, line in body_lines(body, first_line):
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
