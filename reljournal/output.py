"""Rendering: aligned tables that fit the terminal, colour only on a terminal, JSON, problem lines."""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import click

from reljournal.errors import ERROR, Problem
from reljournal.jsontext import json_item, json_text

DEFAULT_WIDTH = 80  # when the output is not a terminal and COLUMNS is not set (a pipe, a file)


def width() -> int:
    """The columns human output may use: `COLUMNS` when set (also in a pipe: `COLUMNS=200 reljournal agenda |
    less`), else the terminal's width, else 80."""
    text = os.environ.get("COLUMNS", "").strip()
    if text.isdigit() and int(text) > 0:
        return int(text)
    if sys.stdout.isatty():
        import shutil

        return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    return DEFAULT_WIDTH


def use_colour() -> bool | None:
    """None lets click decide (colour on a terminal only); NO_COLOR turns it off everywhere."""
    return False if os.environ.get("NO_COLOR") else None


# Our own colour codes travel with their ESC as this private-use character until `echo` writes them: every
# other control character in what is printed came from a note (a name, a role, a task) and is made visible.
_OUR_ESC = "\ue01b"
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # C0 (but the line feed) and C1


def style(text: str, **styles: Any) -> str:
    """`click.style`, with its codes marked as ours (`echo` sends them; a note's are shown, never sent)."""
    return click.style(text, **styles).replace("\x1b", _OUR_ESC)


@functools.lru_cache(maxsize=16)
def styler(**styles: Any) -> Callable[[str], str]:
    """`style` with these styles, made once: for 100,000 lines of the same colour (`agenda`, `table`)."""
    before, after = style("\0", **styles).split("\0")
    return lambda text: f"{before}{text}{after}"


def unstyle(text: str) -> str:
    """`text` without our colour codes (`style`)."""
    return click.unstyle(text.replace(_OUR_ESC, "\x1b"))


def visible(text: str) -> str:
    """Terminal control characters made visible, as git and ls show them (`\\x1b`): an escape sequence in a
    note's name or value cannot retitle the window or recolour the terminal. Line feeds stay."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text) if _CONTROL.search(text) else text


def echo(text: str = "", err: bool = False) -> None:
    """Every line reljournal prints: control characters from notes made visible, then our colours."""
    click.echo(visible(text).replace(_OUR_ESC, "\x1b"), err=err, color=use_colour())


def print_json(value: Any) -> None:
    """`value` as JSON (`json_text`); a list written in pieces (`print_json_items`)."""
    if not isinstance(value, list):
        click.echo(json_text(value))
        return
    print_json_items(map(json_item, value))


def print_json_items(items: Iterable[str]) -> None:
    """A JSON list of items already written as list items (`json_item`), as `print_json` writes the list:
    written in pieces, so that 100,000 items (`agenda --json`) are never held as text at once."""
    parts = ["["]
    sep = "\n  "
    for item in items:
        parts += (sep, item)
        sep = ",\n  "
        if len(parts) > JSON_PIECE:
            click.echo("".join(parts), nl=False)
            parts = [""]
    parts.append("]" if sep == "\n  " else "\n]")  # `[]` when empty, as the json module writes it
    click.echo("".join(parts))


JSON_PIECE = 50_000  # strings gathered before they are written


@dataclass(frozen=True)
class Column:
    header: str
    min_width: int = 0
    shrink: bool = False  # may be cut (with …) so that the table fits
    align: str = "<"


def table(columns: Sequence[Column], rows: Sequence[Sequence[str]], styles: Sequence[str | None] = (),
          indent: int = 0) -> str:
    """Aligned columns, two spaces apart; shrinkable columns give way until the table, after `indent`
    columns of margin, fits the output's `width()`. `styles` colours whole rows (click colour names).

    Worked out a column at a time (`measured`): when every cell is as wide as it is long, the columns too wide
    are fitted (`fitted`) and the rows padded by `%`; else every column is fitted (`str.ljust`/`rjust` where a
    cell is as wide as long and fits, `fit` for any other). tests/test_output.py holds both to fitting cell by
    cell."""
    if not rows:
        return ""
    room = width() - indent
    rows, cells, sizes, longest = measured(rows)
    widths = [max(display_width(c.header), n) for c, n in zip(columns, longest, strict=True)]
    total = sum(widths) + 2 * (len(widths) - 1)
    for i in sorted((i for i, c in enumerate(columns) if c.shrink), key=lambda i: -widths[i]):
        if total <= room:
            break
        cut = min(total - room, widths[i] - max(columns[i].min_width, display_width(columns[i].header), 4))
        if cut > 0:
            widths[i] -= cut
            total -= cut
    lines = ["  ".join(fit(c.header, w, c.align) for c, w in zip(columns, widths, strict=True)).rstrip()]
    if all(size is None for size in sizes):
        # Every cell as wide as it is long: those too wide cut (`fit`), then `%` pads by length, a row at a time
        # (a third of the time of padding cells)
        line = "  ".join(f"%{'-' if c.align == '<' else ''}{w}s" for c, w in zip(columns, widths, strict=True))
        if any(n > w for n, w in zip(longest, widths, strict=True)):
            rows = list(zip(*(column if n <= w else fitted(column, None, w, c.align)
                              for c, column, n, w in zip(columns, cells, longest, widths, strict=True)), strict=True))
        lines.extend((line % tuple(row)).rstrip() for row in rows)
    else:
        padded = [fitted(column, size, w, c.align) for c, column, size, w in zip(columns, cells, sizes, widths,
                                                                                   strict=True)]
        lines.extend("  ".join(line).rstrip() for line in zip(*padded, strict=True))
    for n, colour in enumerate(styles[:len(rows)]):
        if colour:
            lines[n + 1] = styler(fg=colour)(lines[n + 1])
    return "\n".join(lines)


class Measured(NamedTuple):
    """Rows of cells as they will show, measured: what `table` and the agenda lay out."""

    rows: Sequence[Sequence[str]]  # control characters made visible
    columns: list[tuple[str, ...]]  # the same cells, column by column
    sizes: list[list[int] | None]  # per column, each cell's width; None when each is as wide as it is long
    longest: list[int]  # per column, its widest cell


def measured(rows: Sequence[Sequence[str]]) -> Measured:
    """The cells as they will show (control characters made visible before they are measured), each measured
    once. They are looked at in one pass over all of them (70,000 cells for `people` at 111k notes): when all
    are ASCII, each is as wide as it is long. A row of another length: ValueError."""
    every = "\n".join("\n".join(row) for row in rows)
    if _CONTROL.search(every):
        rows = [[visible(cell) for cell in row] for row in rows]
    columns = list(zip(*rows, strict=True))
    sizes = [None if every.isascii() else _widths_unless_lengths(column) for column in columns]
    longest = [max(map(len, column) if size is None else size) for column, size in zip(columns, sizes, strict=True)]
    return Measured(rows, columns, sizes, longest)


def _widths_unless_lengths(column: Sequence[str]) -> list[int] | None:
    """The display width of each cell, or None when each is its length (ASCII, Latin letters)."""
    sizes = [display_width(cell) for cell in column]
    return None if sizes == [len(cell) for cell in column] else sizes


def fitted(column: Sequence[str], sizes: list[int] | None, size: int, align: str) -> list[str]:
    """A column's cells cut and padded to `size` columns; `sizes`: their widths when not their lengths."""
    if sizes is None:  # as wide as long: those that fit padded by `str.ljust`/`rjust`, the others cut by `fit`
        pad = str.ljust if align == "<" else str.rjust
        return [pad(cell, size) if len(cell) <= size else fit(cell, size, align, len(cell)) for cell in column]
    return [fit(cell, size, align, has) for cell, has in zip(column, sizes, strict=True)]


def fit(text: str, size: int, align: str, has: int | None = None) -> str:
    """`text` cut and padded to `size` columns; `has`: its display width, when known."""
    has = display_width(text) if has is None else has
    if has > size:
        if text.isascii():  # cut to exactly `size` columns (`clip`), without measuring the `…` (wcwidth)
            return text[:size - 1] + "…" if size > 0 else ""
        return pad(clip(text, size), size, align)
    return text + " " * (size - has) if align == "<" else " " * (size - has) + text


_COMBINING = "\u0300"  # the first combining accent: below it, every printable character is one column wide


def display_width(text: str) -> int:
    """The columns `text` takes on a terminal: two for a CJK character or an emoji, none for a combining
    accent (`wcwidth`); a character it cannot tell counts one."""
    if text.isascii():
        return len(text)
    if max(text) < _COMBINING and text.isprintable():  # Latin letters with accents (most names): a column each,
        return len(text)  # as wcwidth says (tests/test_output.py), without importing it (20-30 ms a listing)
    from wcwidth import wcswidth, wcwidth

    width = wcswidth(text)
    return width if width >= 0 else sum(max(wcwidth(c), 0) or (0 if c.isprintable() else 1) for c in text)


def pad(text: str, size: int, align: str = "<") -> str:
    """`text` padded with spaces to `size` columns (`<` left, `>` right), by display width."""
    room = max(0, size - display_width(text))
    return text + " " * room if align == "<" else " " * room + text


def clip(text: str, size: int) -> str:
    """`text` cut to `size` columns, with `…` where it was cut; as it is when it fits."""
    if display_width(text) <= size:
        return text
    if text.isascii():  # one column a character: no need to measure them one by one
        return text[:size - 1] + "…" if size > 0 else ""
    out, used = [], 0
    for c in text:
        w = display_width(c)
        if used + w > size - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…" if size > 0 else ""


def problem_line(p: Problem) -> str:
    colour = "red" if p.severity == ERROR else "yellow"
    return f"{p.source}: " + style(p.severity, fg=colour) + f": {p.message}"


def when(days: int | None) -> str:
    """`today`, `in 3d`, `12d late`."""
    if days is None:
        return ""
    if days == 0:
        return "today"
    return f"in {days}d" if days > 0 else f"{-days}d late"


def shell_quoted(text: str) -> str:
    """`text` as a shell reads it back as one word, for a command we suggest: `"Maria Lopez"` (double quotes
    read best), else POSIX single quotes."""
    if text.isprintable() and not any(c in text for c in '"$`\\!'):
        return f'"{text}"'
    import shlex

    return shlex.quote(text)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")

