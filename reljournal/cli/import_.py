"""`reljournal import vcard FILE` / `reljournal import csv FILE`: person notes from contacts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from reljournal.cli.common import Ctx, pass_ctx
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
    """Create person notes from a vCard file or a contacts / LinkedIn CSV.

    Each new person gets a note in the people folder with `cadence: none` (nobody falls due until you
    give them a tier or a cadence); an organisation they name that is not in the vault gets an org note.
    A contact that matches a person already there (by name or alias, any case, or by e-mail) is
    skipped: nothing existing is ever modified, and a second run adds nothing.

    \b
    Examples:
      $ reljournal import vcard ~/Downloads/contacts.vcf --dry-run
      $ reljournal import csv ~/Downloads/Connections.csv
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
    echo(summary(plan, reading) + (" (dry run: nothing written)" if dry_run else ""))
