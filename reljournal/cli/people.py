"""`reljournal people`: everyone, with last and next dates."""

from __future__ import annotations

from typing import Any

import click

from reljournal.cli.common import Ctx, filter_options, filters_from, json_option, mention_problems, pass_ctx
from reljournal.output import Column, echo, print_json_items, table, when
from reljournal.queries import people_json_items, people_lines

COLUMNS = (
    Column("NAME", 12, shrink=True), Column("TIER"), Column("ORG", 8, shrink=True), Column("LAST"),
    Column("NEXT"), Column("WHEN", align=">"), Column("STATUS"),
)


@click.command("people")
@click.argument("query", nargs=-1)
@filter_options
@json_option
@pass_ctx
def command(ctx: Ctx, query: tuple[str, ...], as_json: bool, **kwargs: Any) -> None:
    """Every person (active, dormant and archived) by name, with last and next dates.

    QUERY keeps the people it matches, in the language of `reljournal query`.

    \b
    Example:
      $ reljournal people --org "Acme Corp"
      $ reljournal people 'tier:A last<60d OR tag:client'
    """
    view = ctx.view()
    filters = filters_from(kwargs)
    wanted: frozenset[str] | None = None
    if query:
        from reljournal.querylang import people_matching  # the query language only when asked: 6 ms a listing

        wanted = people_matching(view, " ".join(query))
    if as_json:
        print_json_items(people_json_items(view, filters, wanted))
    elif rows := [r for r in people_lines(view, filters) if wanted is None or r.path in wanted]:
        echo(table(COLUMNS, [[r.title, r.tier or "", r.org or "", r.last.isoformat() if r.last else "never",
                              r.next.isoformat() if r.next else "", when(r.days), r.status] for r in rows]))
    else:
        echo("No people.")
    mention_problems(view)
