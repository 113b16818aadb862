"""`reljournal watch`: keep the index and the feed current while files change, until interrupted."""

from __future__ import annotations

import os
from pathlib import Path

import click

from reljournal.cli.common import STDOUT, Ctx, pass_ctx
from reljournal.output import echo
from reljournal.stopsignal import StopSignals
from reljournal.watch import Watcher


@click.command("watch")
@click.option("--feed", "feed", type=click.Path(dir_okay=False), metavar="PATH",
              help="Where to write the feed (default: the `[feed] path` setting, inside the vault).")
@click.option("--quiet", "-q", is_flag=True, help="No line per update; problems are still reported.")
@click.option("--verbose", "-v", is_flag=True, help="Also the paths of each update, and tracebacks.")
@pass_ctx
def command(ctx: Ctx, feed: str | None, quiet: bool, verbose: bool) -> None:
    """Keep the index and the feed current while files change; runs until Ctrl-C or SIGTERM.

    Saves (from any editor), deletes, moves and bursts such as `git pull` become one update each; the
    feed is rewritten only when its content changes, and at midnight. A broken note keeps its last good
    version and is reported on stderr. While it runs, other commands skip their scan of the vault. A
    second watcher (or `serve`) on the same vault is refused (exit 1).

    \b
    Example:
      $ reljournal watch
      watching /home/me/vault (events); feed: /home/me/vault/.reljournal/feed.ics
      start: +0 ~0 -0, feed unchanged, 41 ms
      +1 ~0 -0, feed written, 38 ms
    """
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose exclude each other")
    if feed == STDOUT:
        raise click.UsageError("--feed -: watch rewrites a file on every change; for the feed on standard output "
                               "once, run `reljournal feed -o -`")
    journal = ctx.journal()
    fixed_today = bool(ctx.today or os.environ.get("RELJOURNAL_TODAY"))
    watcher = Watcher(journal, feed=Path(feed) if feed else None, fixed_today=fixed_today, echo=echo,
                      quiet=quiet, verbose=verbose)
    with StopSignals() as signals:
        try:
            watcher.start()
            signals.wait()
        finally:
            watcher.stop()
    if not quiet:
        echo("stopped", err=True)
