"""`reljournal set NAME FIELD VALUE`: change or add one front-matter field, changing no other byte."""

from __future__ import annotations

import click

from reljournal.cli.common import Ctx, complete_names, pass_ctx
from reljournal.edit import edit_note, field_value, locate
from reljournal.model import ORG, PERSON
from reljournal.output import echo


@click.command("set")
@click.argument("name", shell_complete=complete_names)
@click.argument("field")
@click.argument("value")
@pass_ctx
def command(ctx: Ctx, name: str, field: str, value: str) -> None:
    """Set FIELD of a person or organisation to VALUE.

    Exactly one line of the note's front matter changes (a new field is added as its last line); every
    other byte stays. Dates (next, snooze, last_contact) also take a duration from today (2w, 3m); list
    fields (tags, aliases, team, ...) take comma-separated items; the parser's rules check the value
    (bad values exit 2). A field reljournal does not read is set all the same, and said so.

    \b
    Examples:
      $ reljournal set "Jane Doe" tier B
      $ reljournal set "Jane Doe" cadence 2w
      $ reljournal set "Jane Doe" next 2026-04-01
      $ reljournal set "Acme Corp" revenue 130000
    """
    view = ctx.view()
    path, kind = locate(view, name, (PERSON, ORG))
    typed = field_value(kind, field, value, view.today)
    if not typed.known:
        echo(f"reljournal: note: reljournal does not read `{field}` on a {kind}; setting it anyway", err=True)
    if field == "tier" and view.settings.tiers and value not in view.settings.tiers:
        echo(f"reljournal: note: tier {value!r} is not in [tiers] ({', '.join(view.settings.tiers)}); "
             "its cadence falls back to the default", err=True)
    edit = edit_note(view.settings, path, field, typed.value)
    echo(edit.describe())
