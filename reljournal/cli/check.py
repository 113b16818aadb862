"""`reljournal check [--json]`: every problem of the vault as `path:line: severity: message`."""

from __future__ import annotations

import click

from reljournal.app import Journal
from reljournal.cli.common import Ctx, json_option, pass_ctx
from reljournal.config import SETTINGS_FILE, Settings, secret_warnings, setting_line
from reljournal.errors import ERROR, Problem, error
from reljournal.feed import unfit_feed_path
from reljournal.output import echo, plural, print_json, problem_line
from reljournal.queries import check


@click.command("check")
@json_option
@pass_ctx
def command(ctx: Ctx, as_json: bool) -> None:
    """Validate the vault; exit 1 if there is any error.

    \b
    Example:
      $ reljournal check
      people/Jane Doe.md:4: error: last_contact: '2026-13-45' is not a real date
      interactions/2026/2026-03-01 Lunch.md:4: warning: with: no note named 'Jo'
      1 error, 1 warning in 42 notes (today 2026-03-15, Europe/London)
    """
    journal = ctx.journal(tolerate_bad_settings=True)
    if journal.settings_problems:
        # A settings file that does not parse is reported alone, without guessing at the notes.
        _report(journal.settings_problems, as_json, journal, notes=None)
        return
    stats = journal.sync()
    view = journal.view(sync=False)
    walk_problems = [p for p in stats.problems if p.source.path not in {t.path for t in view.targets}]
    _report(check(view, [*walk_problems, *secret_warnings(journal.settings), *feed_path_errors(journal.settings)]),
            as_json, journal, notes=len(view.targets))


def feed_path_errors(settings: Settings) -> list[Problem]:
    """`[feed] path` where the feed must not go (SPEC 10): an error on its line of the settings."""
    why = unfit_feed_path(settings, settings.root / settings.feed_path)
    if why is None:
        return []
    return [error(SETTINGS_FILE, setting_line(settings, "feed", "path"), "feed-path",
                  f"[feed] path = {settings.feed_path!r}: the feed must not go there: {why}")]


def _report(problems: list[Problem], as_json: bool, journal: Journal, notes: int | None) -> None:
    errors = [p for p in problems if p.severity == ERROR]
    warnings = [p for p in problems if p.severity != ERROR]
    if as_json:
        print_json({"errors": [p.as_json() for p in errors], "warnings": [p.as_json() for p in warnings]})
    else:
        for p in problems:
            echo(problem_line(p))
        zone = journal.settings.timezone or "the machine's time zone"
        where = f" in {plural(notes, 'note')}" if notes is not None else ""
        echo(f"{plural(len(errors), 'error')}, {plural(len(warnings), 'warning')}{where} "
             f"(today {journal.today}, {zone})", err=bool(problems))
    if errors:
        raise click.exceptions.Exit(1)
