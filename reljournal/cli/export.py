"""`reljournal export vcard [--tag X ...] [-o FILE]`: the people as vCard 4.0."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from reljournal.atomic import write_atomic
from reljournal.cli.common import STDOUT, Ctx, filter_options, filters_from, mention_problems, pass_ctx, write_stdout
from reljournal.exporters import export_people, vcards
from reljournal.output import echo


@click.group("export")
def command() -> None:
    """Export the vault's people for other tools.

    \b
    Example:
      $ reljournal export vcard --tag key-account -o key-accounts.vcf
    """


@command.command("vcard")
@filter_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True), metavar="FILE",
              help="Write to FILE (replaced atomically) instead of standard output (- is standard output).")
@pass_ctx
def vcard(ctx: Ctx, output: Path | None, **kwargs: Any) -> None:
    """The people as vCard 4.0: name, aliases (NICKNAME), org, role (TITLE), e-mail, phone, birthday,
    LinkedIn (URL) and tags (CATEGORIES). Notes' text is not exported.

    \b
    Examples:
      $ reljournal export vcard > everyone.vcf
      $ reljournal export vcard --tag client -o clients.vcf
    """
    filters = filters_from(kwargs)
    view = ctx.view()
    people = export_people(view, filters)
    text = vcards(view, people)
    if output is None or str(output) == STDOUT:
        write_stdout(text.encode("utf-8"))  # bytes: the CRLF line ends vCard needs, on any platform
    else:
        write_atomic(output, text.encode("utf-8"), only_if_changed=True)
        echo(f"{len(people)} {'person' if len(people) == 1 else 'people'} written to {output}", err=True)
    mention_problems(view)
