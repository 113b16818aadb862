"""`reljournal snooze NAME DATE-OR-DURATION`: nothing is due for this person before that date."""

from __future__ import annotations

import click

from reljournal.cli.common import Ctx, complete_people, pass_ctx
from reljournal.dates import parse_date_or_duration
from reljournal.edit import edit_note, locate
from reljournal.errors import UserError
from reljournal.model import PERSON
from reljournal.output import echo


@click.command("snooze")
@click.argument("name", shell_complete=complete_people)
@click.argument("until", metavar="DATE-OR-DURATION")
@pass_ctx
def command(ctx: Ctx, name: str, until: str) -> None:
    """Snooze a person: nothing falls due before the date (a duration counts from today).

    Sets the person's `snooze:` front-matter line (added as the last line when missing); every other
    byte of the note stays.

    \b
    Examples:
      $ reljournal snooze "Jane Doe" 2w
      $ reljournal snooze Jane 2026-04-01
    """
    view = ctx.view()
    try:
        day = parse_date_or_duration(until, view.today)
    except ValueError as exc:
        raise UserError(f"snooze: {exc}", exit_code=2) from None
    path, _ = locate(view, name, (PERSON,))
    echo(edit_note(view.settings, path, "snooze", day).describe())
