"""`reljournal query EXPR`: the notes a query matches (the language: querylang.py, docs/query.md)."""

from __future__ import annotations

import click

from reljournal.cli.common import Ctx, json_option, mention_problems, pass_ctx
from reljournal.output import Column, echo, print_json, table
from reljournal.querylang import QueryRow, query

COLUMNS = (
    Column("TITLE", 30, shrink=True), Column("KIND"), Column("DATE"), Column("NEXT"),
    Column("TAGS", 4, shrink=True),
)


@click.command("query")
@click.argument("expr", nargs=-1, required=True)
@json_option
@pass_ctx
def command(ctx: Ctx, expr: tuple[str, ...], as_json: bool) -> None:
    """Notes matching EXPR: people, then orgs, interactions and plain notes, by title.

    Terms side by side must all hold; OR binds looser; -term or NOT term negates one
    (put `--` before an EXPR that starts with `-`). Terms: type:person tag:X tier:A
    org:"Acme Corp" owner:X relationship:client status:dormant kind:coffee
    with:"Jane Doe" overdue due<14d last<30d last<2026-06-01 next>=2026-12-01 and
    free text (words match as prefixes, "quoted phrases" as written) over titles and
    bodies. Several arguments are joined with spaces. Reference: docs/query.md.

    A duration is time ahead for due and next, and an age for last: last<30d is "last
    contact less than 30 days ago", last>90d "more than 90 days ago".

    \b
    Examples:
      $ reljournal query 'type:person last<30d'      # contacted in the last 30 days
      $ reljournal query 'tier:A last>90d'           # not contacted for over 90 days
      $ reljournal query 'due<14d'                   # next date within 14 days, overdue too
      $ reljournal query 'kind:lunch with:"Jane Doe" "budget"' --json
    """
    view = ctx.view()
    rows = query(view, " ".join(expr))
    if as_json:
        print_json([r.as_json() for r in rows])
    else:
        render(rows)
    mention_problems(view)


def render(rows: list[QueryRow]) -> None:
    if not rows:
        echo("No notes match.")
        return
    echo(table(COLUMNS, [[r.title, r.kind, r.date.isoformat() if r.date else "",
                          r.next.isoformat() if r.next else "", ", ".join(r.tags)] for r in rows]))
