"""`reljournal orgs`: the organisations (key accounts) with coverage, next objective and overdue stakeholders."""

from __future__ import annotations

import click

from reljournal.accounts import OrgRow, orgs
from reljournal.cli.common import Ctx, json_option, mention_problems, pass_ctx
from reljournal.output import Column, echo, print_json, table
from reljournal.queries import Filters, PersonLine

COLUMNS = (Column("NAME", 12, shrink=True), Column("TIER"), Column("OWNER", 5, shrink=True), Column("COVERAGE"),
           Column("OBJECTIVE DUE"), Column("OVERDUE", 7, shrink=True))


@click.command("orgs")
@click.option("--tag", "tags", multiple=True, metavar="X", help="Only organisations with this tag.")
@click.option("--tier", "tiers", multiple=True, metavar="X", help="Only organisations of this tier.")
@click.option("--org", "orgs_", multiple=True, metavar="X", help="Only the organisation of this name.")
@click.option("--owner", "owners", multiple=True, metavar="NAME",
              help="Only organisations NAME owns or is on the `team` of.")
@json_option
@pass_ctx
def command(ctx: Ctx, as_json: bool, tags: tuple[str, ...], tiers: tuple[str, ...], orgs_: tuple[str, ...],
            owners: tuple[str, ...]) -> None:
    """Every organisation by name: stakeholder coverage, next objective due, overdue stakeholders.

    Coverage is the stakeholders (active people whose `org` links to it) contacted at least once and not
    overdue, out of all of them. Overdue stakeholders are listed most overdue first. Repeat a filter to
    accept any of its values.

    \b
    Example:
      $ reljournal orgs --owner ana
      NAME           TIER  OWNER  COVERAGE  OBJECTIVE DUE  OVERDUE
      Editora Globo  A     ana    1/4 (25%)  2026-03-17     Clarice Lispector, Jorge Amado
    """
    view = ctx.view()
    rows = orgs(view, Filters(tags=tags, tiers=tiers, orgs=orgs_, owners=owners))
    if as_json:
        print_json([r.as_json() for r in rows])
    elif rows:
        echo(table(COLUMNS, [_cells(r) for r in rows], ["red" if r.overdue else None for r in rows]))
    else:
        echo("No organisations." if not (tags or tiers or orgs_ or owners) else "No organisation matches.")
    mention_problems(view)


def _cells(r: OrgRow[PersonLine]) -> list[str]:
    objective = r.next_objective
    return [r.org.title, r.org.tier or "", r.org.owner or "", r.coverage_text,
            objective.due.isoformat() if objective and objective.due else "",
            ", ".join(p.title for p in r.overdue)]
