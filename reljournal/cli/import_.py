"""`reljournal import vcard FILE` / `reljournal import csv FILE`: person notes from contacts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import click

from reljournal.calendars.importing import Outcome, Window, import_calendar
from reljournal.calendars.source import SourceError, source_of
from reljournal.cli.common import Ctx, pass_ctx
from reljournal.config import window_end
from reljournal.dates import Duration
from reljournal.errors import UserError
from reljournal.importers import (
    ImportFileError,
    Reading,
    apply,
    iter_lines,
    plan_import,
    read_csv,
    read_vcard,
    summary,
)
from reljournal.output import echo

Reader = Callable[[Path], tuple[Reading, "str | None"]]


@click.group("import")
def command() -> None:
    """Bring people in from contacts (vcard, csv) and meetings from a calendar (ics).

    Contacts: each new person gets a note in the people folder with `cadence: none` (nobody falls due
    until you give them a tier or a cadence); an organisation they name that is not in the vault gets an
    org note. A contact that matches a person already there (by name or alias, any case, or by e-mail)
    is skipped: nothing existing is ever modified, and a second run adds nothing.

    \b
    Examples:
      $ reljournal import vcard ~/Downloads/contacts.vcf --dry-run
      $ reljournal import csv ~/Downloads/Connections.csv
      $ reljournal import ics ~/Downloads/work.ics --dry-run
    """


def _dry_run(f: Callable[..., None]) -> Callable[..., None]:
    return click.option("--dry-run", "-n", is_flag=True, help="Show what would be added; write nothing.")(f)


@command.command("vcard")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_dry_run
@pass_ctx
def vcard(ctx: Ctx, file: Path, dry_run: bool) -> None:
    """People from a vCard file (.vcf, vCard 2.1, 3.0 or 4.0), as phones and mail apps export them.

    FN (else N) is the name; NICKNAME goes to aliases, ORG to org, TITLE to role, EMAIL, TEL, BDAY and a
    LinkedIn URL to their fields; NOTE, other e-mails, phones and web pages to the note's body.

    \b
    Example:
      $ reljournal import vcard contacts.vcf --dry-run
    """
    _run(ctx, read_vcard, file, dry_run)


@command.command("csv")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_dry_run
@pass_ctx
def csv_(ctx: Ctx, file: Path, dry_run: bool) -> None:
    """People from a CSV file: LinkedIn's Connections.csv or any contacts sheet with a header row.

    The header is the first row naming a name column (Name, or First Name / Last Name); lines before
    it (LinkedIn's notes) are skipped. Known columns: Company/Organization, Position/Job Title, E-mail,
    Phone, Birthday, Nickname, Notes, URL (a LinkedIn profile goes to `linkedin`), Connected On.

    \b
    Example:
      $ reljournal import csv ~/Downloads/Connections.csv
    """
    _run(ctx, read_csv, file, dry_run)


def _run(ctx: Ctx, read: Reader, file: Path, dry_run: bool) -> None:
    try:
        reading, decoding_note = read(file)
    except ImportFileError as exc:
        raise UserError(str(exc), exit_code=1) from None
    if decoding_note:
        echo(f"reljournal: {decoding_note}", err=True)
    view = ctx.view()
    plan = plan_import(view, reading.contacts)
    if not dry_run:
        plan = apply(plan, view.settings)
    for mark, text in iter_lines(plan):
        echo(f"{'would add' if dry_run and mark == '+' else mark} {text}")
    for bad in reading.unreadable:
        echo(f"{file.name}:{bad.line}: unreadable {reading.unit}: {bad.reason}", err=True)
    for left in reading.skipped:
        echo(f"{file.name}:{left.line}: {left.reason}", err=True)
    echo(summary(plan, reading) + (" (dry run: nothing written)" if dry_run else ""))


def _window_option(name: str, default: str, what: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def parse(ctx: click.Context, param: click.Parameter, value: str) -> dt.date | Duration:
        try:
            return window_end(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None

    return click.option(f"--{name}", default=default, show_default=True, metavar="DATE-OR-DURATION", callback=parse,
                        help=f"The {what} day read: a date, or a duration {'before' if name == 'since' else 'after'} "
                             "today.")


@command.command("ics")
@click.argument("source", metavar="SOURCE")
@_window_option("since", "90d", "first")
@_window_option("until", "60d", "last")
@click.option("--new-people", is_flag=True, help="Attendees not in the vault get a person note (cadence: none).")
@click.option("--max-attendees", type=click.IntRange(min=1), default=15, show_default=True, metavar="N",
              help="Skip meetings with more attendees (all-hands, town halls).")
@_dry_run
@pass_ctx
def ics(ctx: Ctx, source: str, since: dt.date | Duration, until: dt.date | Duration, new_people: bool,
        max_attendees: int, dry_run: bool) -> None:
    """Meetings with people in the vault from a calendar: interaction notes, one per occurrence.

    SOURCE is an .ics file, a folder of .ics files (a vdir, as vdirsyncer writes) or an http(s):// or
    webcal:// address (Google's secret iCal address, an Outlook published calendar). Recurring events
    expand; an attendee or organiser is a person by e-mail, else by a display name that fits exactly one
    person; your own addresses (`[vault] me`) never are. Cancelled, declined, all-day and multi-day
    events, free time and meetings over --max-attendees are skipped and counted. A second run adds
    nothing; a moved meeting moves its note's `date`; a cancelled or vanished future one gets
    `status: cancelled`. Details: docs/calendar-in.md.

    \b
    Examples:
      $ reljournal import ics ~/Downloads/work.ics --dry-run
      $ reljournal import ics "$(pass show work-ics-url)" --since 2026-01-01
      $ reljournal import ics ~/.calendars/work/ --new-people
    """
    journal = ctx.journal()
    first = since if isinstance(since, dt.date) else since.subtract_from(journal.today)
    last = until if isinstance(until, dt.date) else until.add_to(journal.today)
    if last < first:
        raise UserError(f"--until {last} is before --since {first}", exit_code=2)
    where = source_of(source)
    try:
        outcome = import_calendar(journal.settings, ctx.view, where, Window(first, last, max_attendees),
                                  new_people=new_people, dry_run=dry_run)
    except SourceError as exc:
        raise UserError(f"import ics: {exc.message}; nothing was written") from None
    report(outcome, dry_run)


def report(outcome: Outcome, dry_run: bool, *, label: str | None = None) -> None:
    """What an import did (or would do), line by line, then its summary (after `label: `, for `sync`)."""
    for line in outcome.lines(dry_run):
        echo(line)
    for refused in outcome.refused:
        echo(f"reljournal: {refused}", err=True)
    if outcome.me_guessed and outcome.me:
        echo(f"reljournal: note: taking {', '.join(sorted(outcome.me))} to be you (on most of the calendar's "
             "events); set `me` in [vault] of .reljournal.toml to be sure", err=True)
    summary = outcome.plan.summary() + (" (dry run: nothing written)" if dry_run else "")
    echo(f"{label}: {summary}" if label else summary)
