"""`reljournal sql QUERY`: read-only SQL against the index (schema: docs/schema.md)."""

from __future__ import annotations

import click

from reljournal.cli.common import Ctx, json_option, pass_ctx
from reljournal.output import Column, display_width, echo, print_json, table, width
from reljournal.sql import SqlResult, run


@click.command("sql")
@click.argument("statement", metavar="QUERY")
@json_option
@pass_ctx
def command(ctx: Ctx, statement: str, as_json: bool) -> None:
    """Run one read-only SQL statement against the index (brought up to date first).

    The index is opened read-only: INSERT, UPDATE, DELETE, DROP, ATTACH and the
    like are refused (exit 2). Tables and columns: docs/schema.md.

    \b
    Example:
      $ reljournal sql "SELECT n.title, p.tier, p.next FROM notes n
                        JOIN people p ON p.note_id = n.id WHERE p.tier = 'A'"
      $ reljournal sql "SELECT kind, count(*) AS n FROM interactions GROUP BY kind" --json
    """
    journal = ctx.journal()
    journal.sync()
    result = run(journal.index, statement)
    if as_json:
        print_json(result.as_json())
    else:
        render(result)


def render(result: SqlResult) -> None:
    if not result.columns:
        return
    if not result.rows:
        echo("No rows.")
        return
    cells = [[_cell(v) for v in row] for row in result.rows]
    widths = [max(display_width(name), *(display_width(row[i]) for row in cells))
              for i, name in enumerate(result.columns)]
    cap = _fair_cap(widths, width() - 2 * (len(widths) - 1))
    columns = [Column(name, min(w, cap), shrink=True) for name, w in zip(result.columns, widths, strict=True)]
    echo(table(columns, cells))


def _fair_cap(widths: list[int], budget: int) -> int:
    """The widest a column may stay so that all fit in `budget`: wide columns share the cut evenly
    (never below 4) instead of the widest losing everything."""
    cap = max(widths, default=0)
    while cap > 4 and sum(min(w, cap) for w in widths) > budget:
        cap -= 1
    return cap


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.hex()
    return " ".join(str(value).split()) if any(c in str(value) for c in "\r\n\t") else str(value)
