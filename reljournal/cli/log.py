"""`reljournal log NAME...`: write one new interaction note; touches no other file."""

from __future__ import annotations

import dataclasses

import click

from reljournal.cli.common import Ctx, complete_people, pass_ctx
from reljournal.dates import parse_date_or_datetime, parse_date_or_duration
from reljournal.errors import UserError
from reljournal.lognote import NewInteraction, write_interaction
from reljournal.lookup import find
from reljournal.model import INTERACTION_KINDS, PERSON
from reljournal.output import echo, shell_quoted


@click.command("log")
@click.argument("names", nargs=-1, required=True, metavar="NAME...", shell_complete=complete_people)
@click.option("--kind", type=click.Choice(INTERACTION_KINDS, case_sensitive=False),
              help="What it was (`note` records something about them without counting as contact).")
@click.option("--date", "when", metavar="DATE", help="YYYY-MM-DD or YYYY-MM-DDTHH:MM (default: today). "
              "A date after today arranges a meeting.")
@click.option("--note", metavar="TEXT", help="The note's body, in Markdown.")
@click.option("--outcome", metavar="TEXT", help="What came of it (shown by show, prep and the feed).")
@click.option("--next", "next_", metavar="DATE-OR-DURATION",
              help="The next interaction agreed: a date, or a duration from the interaction's date (2w).")
@click.option("--action", metavar="TEXT", help="The next action (`next_action`).")
@click.option("--gave", multiple=True, metavar="X", help="What you gave (repeatable).")
@click.option("--received", multiple=True, metavar="X", help="What you received (repeatable).")
@click.option("--by", metavar="NAME", envvar="RELJOURNAL_USER", show_envvar=True,
              help="The team member who had it (`by:`; default $RELJOURNAL_USER): account plans credit them.")
@pass_ctx
def command(ctx: Ctx, names: tuple[str, ...], kind: str | None, when: str | None, note: str | None,
            outcome: str | None, next_: str | None, action: str | None, gave: tuple[str, ...],
            received: tuple[str, ...], by: str | None) -> None:
    """Log an interaction with one or more people: a new note under interactions/YYYY/.

    NAME is a title or an alias, in any case, with or without accents (`jose nunez` finds José
    Núñez). Someone not in the vault yet: `reljournal add person NAME` first. Prints the new note's
    path; no other file changes. The file name (`2026-03-15 Call with Jane Doe 7kq2.md`) ends with a
    random id, so two people logging the same person on the same day in two clones of one git vault
    never conflict.

    \b
    Examples:
      $ reljournal log "Jane Doe" --kind coffee --note "Talked about the Q1 budget" --next 2w
      $ reljournal log Jane "Bob Smith" --kind lunch --date 2026-03-20 --action "Send the outlook"
    """
    view = ctx.view()
    people: list[str] = []
    for name in names:
        hint = f"to add them: reljournal add person {shell_quoted(name)}"
        title = find(view, name, (PERSON,), missing_hint=hint).title
        if title not in people:
            people.append(title)
    try:
        at = parse_date_or_datetime(when) if when else view.today
    except ValueError as exc:
        raise UserError(f"--date: {exc}", exit_code=2) from None
    entry = NewInteraction(when=at, people=tuple(people), kind=kind.casefold() if kind else None, note=note,
                           outcome=outcome, next_action=action, gave=gave, received=received,
                           by=by.strip() or None if by else None)
    if next_:
        try:
            planned = parse_date_or_duration(next_, entry.day)
        except ValueError as exc:
            raise UserError(f"--next: {exc}", exit_code=2) from None
        if planned <= entry.day:
            raise UserError(f"--next: {planned} is not after the interaction's date ({entry.day})", exit_code=2)
        entry = dataclasses.replace(entry, next=planned)
    echo(write_interaction(view.writing_settings, entry))
