"""`reljournal show NAME`: a person or an organisation on one screen."""

from __future__ import annotations

import click

from reljournal.cli.common import Ctx, complete_names, mention_problems, pass_ctx
from reljournal.model import Org, Person
from reljournal.output import echo, when
from reljournal.parse import link_text
from reljournal.queries import View, find, orgs, person_detail

TIMELINE_LIMIT = 15


@click.command("show")
@click.argument("name", shell_complete=complete_names)
@pass_ctx
def command(ctx: Ctx, name: str) -> None:
    """A person or organisation: fields, timeline, open follow-ups, give and take.

    NAME is a title or an alias, in any case.

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
    echo(click.style(p.title, bold=True) + f"  ({p.path})")
    _field("role", p.role)
    _field("org", row.org)
    _field("relationship", p.relationship)
    _field("tier", p.tier)
    _field("status", p.status if p.status != "active" else None)
    _field("owner", row.owner)
    _field("cadence", row.status.cadence.spec if row.status and row.status.cadence else None)
    _field("birthday", p.birthday)
    _field("email", p.email)
    _field("phone", p.phone)
    _field("linkedin", p.linkedin)
    _field("tags", p.tags)
    _field("aliases", p.aliases)
    _field("last", row.last or "never")
    if row.status and row.status.next:
        _field("next", f"{row.status.next} ({when(row.days)}, {row.status.reason})")
    echo()
    echo(click.style("Timeline", bold=True))
    if not detail.timeline:
        echo("  nothing yet")
    for h in detail.timeline[:TIMELINE_LIMIT]:
        ahead = "  (arranged)" if h.date > view.today else ""
        kind = h.kind or ("contact" if h.source == "last_contact" else "interaction")
        text = link_text(h.text) if h.source != "last_contact" else "(last_contact)"
        echo(f"  {h.date}  {kind:<11} {text}{ahead}".rstrip())
    if len(detail.timeline) > TIMELINE_LIMIT:
        echo(f"  ... and {len(detail.timeline) - TIMELINE_LIMIT} earlier")
    if detail.follow_ups:
        echo()
        echo(click.style("Open follow-ups", bold=True))
        for f in detail.follow_ups:
            echo(f"  {str(f.due) if f.due else '':<10}  {link_text(f.text)}  ({f.path}:{f.line})")
    if detail.gave or detail.received:
        echo()
        echo(click.style("Give and take", bold=True) + f"  gave {len(detail.gave)}, received {len(detail.received)}")
        for g in detail.gave:
            echo(f"  gave      {g}")
        for r in detail.received:
            echo(f"  received  {r}")


def show_org(view: View, o: Org) -> None:
    row = next(r for r in orgs(view) if r.org is o)
    echo(click.style(o.title, bold=True) + f"  ({o.path})")
    _field("tier", o.tier)
    _field("key account", "yes" if o.key_account else None)
    _field("owner", o.owner)
    _field("team", o.team)
    currency = f" {view.settings.currency}" if view.settings.currency else ""
    _field("revenue", f"{o.revenue:,}{currency}" if o.revenue is not None else None)
    _field("budget", f"{o.budget:,}{currency}" if o.budget is not None else None)
    _field("exposure", f"{o.exposure:,}{currency}" if o.exposure is not None else None)
    _field("tags", o.tags)
    echo()
    coverage = f"  coverage {row.coverage:.0%}" if row.coverage is not None else ""
    echo(click.style("Stakeholders", bold=True) + coverage)
    if not row.stakeholders:
        echo("  none: link people to it with `org: \"[[" + o.title + "]]\"`")
    for r in row.stakeholders:
        nxt = f"next {r.status.next} ({when(r.days)})" if r.status and r.status.next else "no next date"
        echo(f"  {r.person.title:<24} {r.person.role or '':<16} last {r.last or 'never'}  {nxt}")
    if o.objectives:
        echo()
        echo(click.style("Objectives", bold=True))
        for obj in o.objectives:
            echo(f"  [{obj.status}] {obj.title}" + (f"  due {obj.due}" if obj.due else "")
                 + (f"  ({obj.measure})" if obj.measure else ""))
