"""`reljournal demo`: a sample vault in a new folder, indexed, with what is due."""

from __future__ import annotations

from pathlib import Path

import click

from reljournal.app import Journal
from reljournal.cli import due as due_command
from reljournal.cli.common import Ctx, pass_ctx
from reljournal.output import echo
from reljournal.queries import DueOptions, due
from reljournal.template import copy_template


def fresh_folder(parent: Path, name: str = "reljournal-demo") -> Path:
    """`reljournal-demo`, else `reljournal-demo-2`, `-3`, ... whichever is free."""
    candidate, n = parent / name, 1
    while candidate.exists():
        n += 1
        candidate = parent / f"{name}-{n}"
    return candidate


@click.command("demo")
@pass_ctx
def command(ctx: Ctx) -> None:
    """Make a sample vault (dates relative to today) in ./reljournal-demo and show what it gives.

    \b
    Example:
      $ reljournal demo
    """
    folder = fresh_folder(Path.cwd())
    journal = Journal.open(folder if folder.exists() else _create(folder, ctx), ctx.today)
    ctx._journal = journal
    view = journal.view()
    echo(f"A sample vault is in {folder}")
    echo(f"Indexed {len(view.loaded.targets)} notes ({journal.last_sync.summary() if journal.last_sync else ''}).")
    echo()
    echo(click.style(f"Due within 7 days of {journal.today}:", bold=True))
    due_command.render(due(view, DueOptions(within=7)))
    echo()
    echo(f"Try: cd {folder.name} && reljournal show \"Jane Doe\", reljournal due --all, reljournal check")


def _create(folder: Path, ctx: Ctx) -> Path:
    import datetime as dt

    from reljournal.app import resolve_today
    from reljournal.config import Settings

    today = resolve_today(ctx.today, Settings(root=folder, name=folder.name)) if ctx.today else dt.date.today()
    folder.mkdir(parents=True)
    copy_template(folder, sample=True, today=today)
    return folder
