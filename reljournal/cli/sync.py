"""`reljournal sync`: read the calendars of `[[calendars]]` into the vault (SPEC 7)."""

from __future__ import annotations

import click

from reljournal.calendars.sync import sync_calendars
from reljournal.cli.common import Ctx, pass_ctx
from reljournal.cli.import_ import report
from reljournal.output import echo


@click.command("sync")
@click.option("--dry-run", "-n", is_flag=True, help="Read, and say what would change; change nothing anywhere.")
@pass_ctx
def command(ctx: Ctx, dry_run: bool) -> None:
    """Read every calendar of `[[calendars]]` in .reljournal.toml: its meetings with people in the vault
    become interaction notes, as `import ics` makes them. One line per calendar; exit 1 when one
    failed (the others still sync). `watch` and `serve` do the same every `poll`.

    \b
    Example:
      $ reljournal sync
      work: 3 added, 1 moved, 0 cancelled, 212 already there, 340 with nobody you know, 12 skipped (...)
    """
    journal = ctx.journal()
    if not journal.settings.calendars:
        echo("Nothing to sync: add a [[calendars]] table to .reljournal.toml (see docs/calendar-in.md).")
        return
    failed = False
    for result in sync_calendars(journal.settings, journal.today, journal.view, dry_run=dry_run):
        if result.error is not None:
            failed = True
            echo(f"{result.name}: {result.error}", err=True)
        elif result.outcome is not None:
            report(result.outcome, dry_run, label=result.name)
    if failed:
        raise click.exceptions.Exit(1)
