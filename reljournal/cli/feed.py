"""`reljournal feed`: write the iCalendar feed once."""

from __future__ import annotations

from pathlib import Path

import click

from reljournal.cli.common import STDOUT, Ctx, mention_problems, pass_ctx, write_stdout
from reljournal.feed import build_feed, check_feed_path, write_feed
from reljournal.livefeed import kept_feed
from reljournal.output import echo, plural


@click.command("feed")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), metavar="PATH",
              help="Where to write; - for standard output (default: the `[feed] path` setting, inside the vault).")
@click.option("--owner", metavar="NAME",
              help="Only NAME's part: the people they own (their `owner`, else their org's), their meetings "
                   "and tasks, and the objectives of orgs NAME owns or is on the team of.")
@pass_ctx
def command(ctx: Ctx, output: str | None, owner: str | None) -> None:
    """Write the iCalendar feed once (rewritten only when its content changed).

    \b
    Example:
      $ reljournal feed
      Wrote .reljournal/feed.ics (12 events).
      $ reljournal feed -o ~/public/alice.ics --owner alice
      $ reljournal feed -o - | grep SUMMARY
    """
    view = ctx.view()
    if output == STDOUT:
        write_stdout(build_feed(view, owner=owner))
        mention_problems(view)
        return
    settings = view.settings
    path = Path(output) if output else settings.root / settings.feed_path
    shown = output or settings.feed_path
    check_feed_path(settings, path, shown)
    # the whole feed is kept in the index and brought up to date from it; an owner's part is built
    written = write_feed(view, path, owner=owner, build=None if owner else kept_feed)
    events = plural(written.events, "event")
    if written.written:
        echo(f"Wrote {shown} ({events}).")
    else:
        echo(f"{shown} is up to date ({events}); nothing written.")
    mention_problems(view)
