"""`reljournal due`: who to contact, overdue first."""

from __future__ import annotations

from typing import Any

import click

from reljournal.cli.common import Ctx, filter_options, filters_from, json_option, mention_problems, pass_ctx
from reljournal.output import Column, echo, print_json, table, when
from reljournal.queries import DueOptions, PersonAnswer, due

COLUMNS = (
    Column("NEXT"), Column("WHEN", align=">"), Column("NAME", 12, shrink=True), Column("WHY"),
    Column("LAST"), Column("ORG", 8, shrink=True),
)


@click.command("due")
@click.option("--days", "--within", "days", type=click.IntRange(min=0), default=7, show_default=True, metavar="N",
              help="Look-ahead in days (--within is another name for it).")
@click.option("--overdue", is_flag=True, help="Only those overdue (wins over --days and --all).")
@click.option("--all", "all_", is_flag=True, help="Every active person with a next date.")
@filter_options
@json_option
@pass_ctx
def command(ctx: Ctx, days: int, overdue: bool, all_: bool, as_json: bool, **kwargs: Any) -> None:
    """Who to contact: overdue first, then by date.

    \b
    Example:
      $ reljournal due --days 14 --tier A
      NEXT            WHEN  NAME      WHY      LAST        ORG
      2026-03-01  14d late  Ben Okri  planned  2026-01-05
      2026-03-15     today  Mo Farah  cadence  2026-03-01  Acme Corp
    """
    view = ctx.view()
    rows = due(view, DueOptions(within=days, overdue=overdue, all=all_, filters=filters_from(kwargs)))
    if as_json:
        print_json([r.due_json() for r in rows])
    else:
        render(rows)
    mention_problems(view)


def render(rows: list[PersonAnswer]) -> None:
    if not rows:
        echo("Nobody is due.")
        return
    cells = [[r.rule.next.isoformat() if r.rule and r.rule.next else "", when(r.days), r.title,
              r.rule.reason or "" if r.rule else "", r.last.isoformat() if r.last else "never", r.org or ""]
             for r in rows]
    styles = ["red" if (r.days or 0) < 0 else "yellow" if r.days == 0 else None for r in rows]
    echo(table(COLUMNS, cells, styles))
