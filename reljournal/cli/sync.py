"""`reljournal sync`: read the calendars of `[[calendars]]` into the vault (SPEC 7), then read back from and
push to the `[caldav]` calendar (SPEC 8)."""

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
    become interaction notes, as `import ics` makes them. Then, with `[caldav]`, read back what was done on
    the phone and push the reminders. One line per calendar; exit 1 when one failed (the others still
    sync). `watch` and `serve` do the same every `poll`.

    \b
    Example:
      $ reljournal sync
      work: 3 added, 1 moved, 0 cancelled, 212 already there, 340 with nobody you know, 12 skipped (...)
      caldav: 3 new, 1 changed, 2 removed; 1 done on the phone, 1 snoozed
    """
    journal = ctx.journal()
    settings = journal.settings
    if not settings.calendars and settings.caldav is None:
        echo("Nothing to sync: add [[calendars]] or [caldav] to .reljournal.toml (see docs/calendar-in.md "
             "and docs/phone.md).")
        return
    failed = False
    for result in sync_calendars(settings, journal.today, journal.view, dry_run=dry_run):
        if result.error is not None:
            failed = True
            echo(f"{result.name}: {result.error}", err=True)
        elif result.outcome is not None:
            report(result.outcome, dry_run, label=result.name)
    if settings.caldav is not None:
        from reljournal.calendars.phone import PhoneError, sync_phone

        try:
            phone = sync_phone(settings, journal.today, journal.view, dry_run=dry_run)
        except PhoneError as exc:
            failed = True
            echo(f"caldav: {exc.message}", err=True)
        else:
            for line in phone.lines:
                echo(line)
            echo(f"caldav: {phone.summary()}" + (" (dry run: nothing changed)" if dry_run else ""))
    if failed:
        raise click.exceptions.Exit(1)
