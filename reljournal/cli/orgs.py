"""`reljournal orgs`: organisations with their stakeholders' last and next dates."""

from __future__ import annotations

import click

from reljournal.cli.common import Ctx, json_option, mention_problems, pass_ctx
from reljournal.output import Column, echo, print_json, table
from reljournal.queries import orgs

COLUMNS = (Column("NAME", 12, shrink=True), Column("TIER"), Column("OWNER"), Column("PEOPLE", align=">"),
           Column("LAST"), Column("NEXT"))


@click.command("orgs")
@json_option
@pass_ctx
def command(ctx: Ctx, as_json: bool) -> None:
    """Every organisation by name, with its people and their last and next dates.

    \b
    Example:
      $ reljournal orgs
    """
    view = ctx.view()
    rows = orgs(view)
    if as_json:
        print_json([r.as_json() for r in rows])
    elif rows:
        echo(table(COLUMNS, [[r.org.title, r.org.tier or "", r.org.owner or "", str(len(r.people)),
                              r.last.isoformat() if r.last else "", r.next.isoformat() if r.next else ""]
                             for r in rows]))
    else:
        echo("No organisations.")
    mention_problems(view)
