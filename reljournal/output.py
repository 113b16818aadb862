"""Rendering: aligned tables that fit 80 columns, colour only on a terminal, JSON, problem lines."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import click

from reljournal.errors import ERROR, Problem

WIDTH = 80


def use_colour() -> bool | None:
    """None lets click decide (colour on a terminal only); NO_COLOR turns it off everywhere."""
    return False if os.environ.get("NO_COLOR") else None


def echo(text: str = "", err: bool = False) -> None:
    click.echo(text, err=err, color=use_colour())


def print_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


@dataclass(frozen=True)
class Column:
    header: str
    min_width: int = 0
    shrink: bool = False  # may be cut (with …) so that the table fits
    align: str = "<"


def table(columns: Sequence[Column], rows: Sequence[Sequence[str]], styles: Sequence[str | None] = (),
          width: int = WIDTH) -> str:
    """Aligned columns, two spaces apart; shrinkable columns give way until the table fits `width`.
    `styles` colours whole rows (click colour names)."""
    if not rows:
        return ""
    widths = [max(len(c.header), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    total = sum(widths) + 2 * (len(widths) - 1)
    for i in sorted((i for i, c in enumerate(columns) if c.shrink), key=lambda i: -widths[i]):
        if total <= width:
            break
        cut = min(total - width, widths[i] - max(columns[i].min_width, len(columns[i].header), 4))
        if cut > 0:
            widths[i] -= cut
            total -= cut
    lines = ["  ".join(_fit(c.header, w, c.align) for c, w in zip(columns, widths, strict=True)).rstrip()]
    for n, row in enumerate(rows):
        line = "  ".join(_fit(cell, w, c.align) for c, cell, w in zip(columns, row, widths, strict=True)).rstrip()
        style = styles[n] if n < len(styles) else None
        lines.append(click.style(line, fg=style) if style else line)
    return "\n".join(lines)


def _fit(text: str, width: int, align: str) -> str:
    if len(text) > width:
        text = text[: max(0, width - 1)] + "…"
    return f"{text:{align}{width}}"


def problem_line(p: Problem) -> str:
    colour = "red" if p.severity == ERROR else "yellow"
    return f"{p.source}: " + click.style(p.severity, fg=colour) + f": {p.message}"


def when(days: int | None) -> str:
    """`today`, `in 3d`, `12d late`."""
    if days is None:
        return ""
    if days == 0:
        return "today"
    return f"in {days}d" if days > 0 else f"{-days}d late"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()
