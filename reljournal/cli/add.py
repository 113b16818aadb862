"""`reljournal add person NAME` / `reljournal add org NAME`: a new note from the vault's template."""

from __future__ import annotations

import datetime as dt

import click

from reljournal.addnote import AddPlan, OrgFields, PersonFields, plan_org, plan_person, write_plan
from reljournal.cli.common import Ctx, complete_orgs, pass_ctx
from reljournal.dates import parse_duration
from reljournal.model import NO_CADENCE, RELATIONSHIPS
from reljournal.output import echo


def _cadence(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None or value.strip().casefold() == NO_CADENCE:
        return value
    try:
        parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


@click.group("add")
def command() -> None:
    """Add a person or an organisation: a new note from the vault's template for its kind.

    \b
    Examples:
      $ reljournal add person "Maria Lopez" --org "Acme Corp" --role CFO --tier A
      $ reljournal add org "Acme Corp" --tier A --owner alice
    """


@command.command("person")
@click.argument("name")
@click.option("--org", metavar="ORG", shell_complete=complete_orgs,
              help="Their organisation; one not in the vault gets a note of its own too.")
@click.option("--role", metavar="R", help="Their role (CFO, Head of Treasury, ...).")
@click.option("--tier", metavar="T", help="Strategic importance; sets the default cadence ([tiers]).")
@click.option("--cadence", metavar="C", callback=_cadence, help="Keep in touch every C: 30d, 2w, 3m, monthly, none.")
@click.option("--email", "emails", multiple=True, metavar="E", help="An e-mail address (repeatable).")
@click.option("--tag", "tags", multiple=True, metavar="T", help="A tag (repeatable).")
@click.option("--alias", "aliases", multiple=True, metavar="A", help="Another name they answer to (repeatable).")
@click.option("--relationship", type=click.Choice(RELATIONSHIPS, case_sensitive=False), help="client, prospect, ...")
@click.option("--owner", metavar="O", help="Who on the team looks after them.")
@pass_ctx
def person(ctx: Ctx, name: str, org: str | None, role: str | None, tier: str | None, cadence: str | None,
           emails: tuple[str, ...], tags: tuple[str, ...], aliases: tuple[str, ...], relationship: str | None,
           owner: str | None) -> None:
    """Add a person: people/NAME.md from the vault's templates/Person.md, with the fields given.

    Prints the new note's path. A name or alias already in the vault (any case) is refused, naming its
    note, and nothing is written. An --org not in the vault gets an organisation note too, and says so.

    \b
    Examples:
      $ reljournal add person "Maria Lopez" --org "Acme Corp" --role CFO --tier A
      people/Maria Lopez.md
      $ reljournal add person "Kofi Mensah" --email kofi@example.com --tag client --cadence quarterly
    """
    view = ctx.view()
    given = PersonFields(org=org, role=role, relationship=relationship and relationship.casefold(), tier=tier,
                         cadence=cadence, emails=emails, tags=tags, aliases=aliases, owner=owner)
    plan = plan_person(view, name, given, _now(view.today))
    if tier and view.settings.tiers and tier not in view.settings.tiers:
        echo(f"reljournal: note: tier {tier!r} is not in [tiers] ({', '.join(view.settings.tiers)}); "
             "its cadence falls back to the default", err=True)
    _write(ctx, plan)


@command.command("org")
@click.argument("name")
@click.option("--relationship", type=click.Choice(RELATIONSHIPS, case_sensitive=False),
              help="What the organisation is to you: client, prospect, partner, ...")
@click.option("--tier", metavar="T", help="Strategic importance (A, B, C).")
@click.option("--owner", metavar="O", help="Who on the team owns the account.")
@click.option("--alias", "aliases", multiple=True, metavar="A", help="Another name it goes by (repeatable).")
@pass_ctx
def org(ctx: Ctx, name: str, relationship: str | None, tier: str | None, owner: str | None,
        aliases: tuple[str, ...]) -> None:
    """Add an organisation: orgs/NAME.md from the vault's templates/Organisation.md, with the fields given.

    Prints the new note's path. A name or alias already in the vault (any case) is refused, naming its
    note, and nothing is written.

    \b
    Example:
      $ reljournal add org "Acme Corp" --tier A --owner alice
      orgs/Acme Corp.md
    """
    view = ctx.view()
    given = OrgFields(relationship=relationship and relationship.casefold(), tier=tier, owner=owner, aliases=aliases)
    _write(ctx, plan_org(view, name, given, _now(view.today)))


def _now(today: dt.date) -> dt.datetime:
    """`{{date}}` is today (`--today` too); `{{time}}` the clock's time."""
    return dt.datetime.combine(today, dt.datetime.now().time().replace(second=0, microsecond=0))


def _write(ctx: Ctx, plan: AddPlan) -> None:
    write_plan(ctx.journal().settings, plan)
    echo(plan.note.path)
    if plan.org is not None:
        close = f" (did you mean {' or '.join(plan.org_close)}?)" if plan.org_close else ""
        echo(f"reljournal: {plan.org.title} was not in the vault: made {plan.org.path} too{close}", err=True)
    for path in plan.same_without_accents:
        echo(f"reljournal: note: {path} has the same name but for accents; both are kept", err=True)
