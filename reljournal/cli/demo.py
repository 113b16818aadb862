"""`reljournal demo`: a sample vault in a new folder, indexed, with its feed, agenda and due list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from reljournal.agenda import agenda
from reljournal.app import Journal, resolve_today
from reljournal.cli import agenda as agenda_command
from reljournal.cli import due as due_command
from reljournal.cli.common import Ctx, pass_ctx
from reljournal.config import Settings
from reljournal.feed import write_feed
from reljournal.output import echo, plural, style
from reljournal.queries import DueOptions, View, due
from reljournal.serve import DEFAULT_PORT
from reljournal.template import copy_template

DEMO_FOLDER = "reljournal-demo"
AGENDA_DAYS = 7


def fresh_folder(parent: Path, name: str = DEMO_FOLDER) -> Path:
    """`reljournal-demo`, else `reljournal-demo-2`, `-3`, ... whichever is free."""
    candidate, n = parent / name, 1
    while candidate.exists():
        n += 1
        candidate = parent / f"{name}-{n}"
    return candidate


def make_demo(parent: Path, today_option: str | None) -> Path:
    """A new folder under `parent` holding the template with its sample notes, dated around today."""
    folder = fresh_folder(parent)
    folder.mkdir(parents=True)
    today = resolve_today(today_option, Settings(root=folder, name=folder.name)) if today_option else dt.date.today()
    copy_template(folder, sample=True, today=today)
    return folder


@click.command("demo")
@pass_ctx
def command(ctx: Ctx) -> None:
    """Make a sample vault in ./reljournal-demo and show what reljournal gives.

    The folder is new (reljournal-demo-2, -3, ... when the name is taken) and always under the working
    directory, whatever --vault or RELJOURNAL_VAULT say. Its people, meetings and tasks are dated
    around today, so the agenda and the due list are never empty. Open the folder in Obsidian to
    look around; delete it when done.

    \b
    Example:
      $ reljournal demo
      $ cd reljournal-demo && reljournal show "Jane Doe"
    """
    folder = make_demo(Path.cwd(), ctx.today)
    journal = Journal.open(folder, ctx.today)
    ctx._journal = journal  # closed by the command line's error boundary, like every command's
    view = journal.view()
    feed_path = view.settings.root / view.settings.feed_path
    events = write_feed(view, feed_path).events

    echo(f"A sample vault is in {folder}")
    echo(f"  {_counts(view)}, dated around {journal.today.isoformat()}.")
    echo()
    echo(style(f"Agenda, the next {AGENDA_DAYS} days (reljournal agenda):", bold=True))
    agenda_command.render(agenda(view, AGENDA_DAYS), view, AGENDA_DAYS)
    echo()
    echo(style(f"Due within 7 days of {journal.today.isoformat()} (reljournal due):", bold=True))
    due_command.render(due(view, DueOptions(within=7)))
    echo()
    echo(style("Calendar feed:", bold=True) + f" {feed_path} ({plural(events, 'event')})")
    echo("  Subscribe from a calendar app on this machine (Apple Calendar, Thunderbird, khal via vdirsyncer):")
    echo(f"    cd {folder.name} && reljournal serve")
    echo(f"    then subscribe to webcal://127.0.0.1:{DEFAULT_PORT}/feed.ics "
         f"(or http://127.0.0.1:{DEFAULT_PORT}/feed.ics)")
    echo("  Google, Outlook.com and iCloud fetch from their own servers: see the README on publishing.")
    echo()
    echo(f"Next: cd {folder.name}, then `reljournal show \"Jane Doe\"`, `reljournal prep \"Jane Doe\"`, "
         "`reljournal orgs`.")


def _counts(view: View) -> str:
    people = "1 person" if len(view.people) == 1 else f"{len(view.people)} people"
    return ", ".join((people, plural(len(view.orgs), "organisation"), plural(len(view.interactions), "interaction")))
