"""The body's lines: fenced code left out, with their line numbers in the file; the links in them."""

from __future__ import annotations

import re

from reljournal.model import (
    Link,
)
from reljournal.parse.links import links_in_text

_FENCE = re.compile(r"^[ \t]*(```|~~~)")


def body_lines(body: str, first_line: int) -> list[tuple[int, str]]:
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


def bracket_lines(body: str, first_line: int) -> list[tuple[int, str]]:
    """The body lines holding a `[` (every task and link does), with their file line numbers, fenced code
    left out: `body_lines` filtered, without splitting a body of 40 lines to find the one task in it."""
    if "[" not in body:
        return []
    if "```" in body or "~~~" in body or "\r" in body:  # fences to track, CRs to drop: line by line
        return [(n, line) for n, line in body_lines(body, first_line) if "[" in line]
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


def body_links(lines: list[tuple[int, str]]) -> tuple[Link, ...]:
    out: list[Link] = []
    for n, line in lines:
        if "[[" in line:
            out.extend(links_in_text(line, n))
    return tuple(out)
