"""`reljournal show NAME`: a person or an organisation on one screen."""

from __future__ import annotations

import click

from reljournal.accounts import NOBODY, WINDOW_DAYS, AccountPlan, account_plan, money, percent
from reljournal.cli.common import Ctx, complete_names, mention_problems, pass_ctx
from reljournal.lookup import find
from reljournal.model import CANCELLED, Org, Person
from reljournal.output import Column, clip, echo, style, table, when, width
from reljournal.parse.links import link_text
from reljournal.queries import View, person_detail, with_gists

TIMELINE_LIMIT = 15


@click.command("show")
@click.argument("name", shell_complete=complete_names)
@pass_ctx
def command(ctx: Ctx, name: str) -> None:
    """A person or organisation: fields, timeline, open follow-ups, give and take.

    NAME is a title or an alias, in any case, with or without accents (`jose nunez` finds José
    Núñez).

    \b
    Example:
      $ reljournal show "Jane Doe"
    """
    view = ctx.view()
    record = find(view, name)
    if isinstance(record, Person):
        show_person(view, record)
    elif isinstance(record, Org):
        show_org(view, record)
    mention_problems(view)


def _field(label: str, value: object) -> None:
    if value not in (None, "", (), []):
        text = ", ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)
        echo(f"  {label + ':':<15}{text}")


def show_person(view: View, p: Person) -> None:
    detail = person_detail(view, p)
    row = detail.row
    echo(style(p.title, bold=True) + f"  ({p.path})")
    _field("role", p.role)
    _field("org", row.org)
    _field("relationship", p.relationship)
    _field("tier", p.tier)
    _field("status", p.status if p.status != "active" else None)
    _field("owner", row.owner)
    _field("cadence", row.rule.cadence.spec if row.rule and row.rule.cadence else None)
    _field("birthday", p.birthday)
    _field("email", p.email)
    _field("phone", p.phone)
    _field("linkedin", p.linkedin)
    _field("tags", p.tags)
    _field("aliases", p.aliases)
    _field("last", row.last or "never")
    if row.rule and row.rule.next:
        _field("next", f"{row.rule.next} ({when(row.days)}, {row.rule.reason})")
    echo()
    echo(style("Timeline", bold=True))
    if not detail.timeline:
        echo("  nothing yet")
    for h in with_gists(view, detail.timeline[:TIMELINE_LIMIT]):
        kind = h.kind or ("contact" if h.source == "last_contact" else "interaction")
        text = link_text(h.text) if h.source != "last_contact" else "(last_contact)"
        head = f"  {h.date}  {kind:<11} "
        # a cancelled or arranged meeting says so after its text, or in the text's place when it has none
        said = ("(cancelled)" if h.interaction is not None and h.interaction.status == CANCELLED
                else "(arranged)" if h.date > view.today else "")
        tail = f"  {said}" if said and text else said
        echo((head + clip(text, width() - len(head) - len(tail)) + tail).rstrip())
    if len(detail.timeline) > TIMELINE_LIMIT:
        echo(f"  ... and {len(detail.timeline) - TIMELINE_LIMIT} earlier")
    if detail.follow_ups:
        echo()
        echo(style("Open follow-ups", bold=True))
        for f in detail.follow_ups:
            echo(clip(f"  {str(f.due) if f.due else '':<10}  {link_text(f.text)}  ({f.path}:{f.line})", width()))
    if detail.gave or detail.received:
        echo()
        echo(style("Give and take", bold=True) + f"  gave {len(detail.gave)}, received {len(detail.received)}")
        for g in detail.gave:
            echo(f"  gave      {g}")
        for r in detail.received:
            echo(f"  received  {r}")


def show_org(view: View, o: Org) -> None:
    """The account plan: fields, revenue against budget, objectives, stakeholders and coverage, and who on
    the team has been in touch (reljournal/accounts.py says how interactions are credited)."""
    plan = account_plan(view, o)
    row, currency = plan.row, view.settings.currency
    echo(style(o.title, bold=True) + f"  ({o.path})")
    _field("tier", o.tier)
    _field("key account", "yes" if o.key_account else None)
    _field("owner", o.owner)
    _field("team", o.team)
    _field("revenue", money(o.revenue, currency) if o.revenue is not None else None)
    if o.budget is not None:
        _field("budget", money(o.budget, currency) + _against_budget(plan, currency))
    _field("exposure", money(o.exposure, currency) if o.exposure is not None else None)
    _field("tags", o.tags)

    echo()
    late = sum(1 for r in plan.objectives if r.overdue)
    echo(style("Objectives", bold=True) + (f"  {late} overdue" if late else ""))
    if plan.objectives:
        echo(_indented(_objectives(plan)))
    else:
        echo("  none: add `objectives:` (title, measure, due, status) to the note")

    echo()
    overdue = f", {len(row.overdue)} overdue" if row.overdue else ""
    coverage = f"  coverage {row.coverage_text}{overdue}" if row.stakeholders else ""
    echo(style("Stakeholders", bold=True) + coverage)
    if row.stakeholders:
        echo(_indented(table(STAKEHOLDER_COLUMNS, [
            [r.title, r.role or "", r.owner or "", str(r.last or "never"),
             str(r.next) if r.next else "", when(r.days)] for r in row.stakeholders],
            ["red" if (r.days or 0) < 0 else None for r in row.stakeholders], indent=2)))
    else:
        echo("  none: link people to it with `org: \"[[" + o.title + "]]\"`")

    echo()
    echo(style(f"Interactions in the last {WINDOW_DAYS} days", bold=True) + f"  {plan.interactions} (since "
         f"{plan.since})")
    if plan.contributions:
        echo(_indented(table(CONTRIBUTION_COLUMNS, [
            [c.member, str(c.count), str(c.last or ""), "" if c.on_team or c.member == NOBODY else "not on team"]
            for c in plan.contributions], indent=2)))
    else:
        echo("  none, and no `owner` or `team` to credit")


OBJECTIVE_COLUMNS = (Column("DUE"), Column("WHEN", align=">"), Column("STATUS"), Column("OBJECTIVE", 12, shrink=True))
STAKEHOLDER_COLUMNS = (Column("NAME", 12, shrink=True), Column("ROLE", 6, shrink=True), Column("OWNER", 5, shrink=True),
                       Column("LAST"), Column("NEXT"), Column("WHEN", align=">"))
CONTRIBUTION_COLUMNS = (Column("MEMBER", 8, shrink=True), Column("COUNT", align=">"), Column("LAST"), Column(""))


def _objectives(plan: AccountPlan) -> str:
    """A table of the objectives; each measure on its own line under its title."""
    rows = plan.objectives
    lines = table(OBJECTIVE_COLUMNS, [
        [str(r.objective.due or ""), when(r.days) if r.objective.status == "open" else "", r.objective.status,
         r.objective.title] for r in rows], ["red" if r.overdue else None for r in rows], indent=2).splitlines()
    at = lines[0].index("OBJECTIVE")
    out = lines[:1]
    for r, line in zip(rows, lines[1:], strict=True):
        out.append(line)
        if r.objective.measure:
            out.append(" " * at + clip(f"measure: {r.objective.measure}", width() - 2 - at))
    return "\n".join(out)


def _against_budget(plan: AccountPlan, currency: str | None) -> str:
    """` (67% reached, 60,000 GBP to go)`: the revenue as a share of the budget."""
    o, share = plan.org, plan.revenue_share
    if share is None or o.revenue is None or o.budget is None:
        return ""
    gap = o.budget - o.revenue
    rest = f", {money(gap, currency)} to go" if gap > 0 else f", {money(-gap, currency)} over" if gap < 0 else ""
    return f" ({percent(share)} reached{rest})"


def _indented(text: str) -> str:
    return "\n".join("  " + line if line else line for line in text.splitlines())
