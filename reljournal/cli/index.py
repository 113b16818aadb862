"""`reljournal index [--rebuild]`: bring the index up to date and say what changed."""

from __future__ import annotations

import click

from reljournal.cli.common import Ctx, pass_ctx
from reljournal.output import echo, plural, problem_line


@click.command("index")
@click.option("--rebuild", is_flag=True, help="Forget the index and read every note again.")
@pass_ctx
def command(ctx: Ctx, rebuild: bool) -> None:
    """Bring the index up to date: only files whose size, mtime or content changed are read again.

    \b
    Example:
      $ reljournal index
      +3 added ~1 changed -0 removed, 0 problems
    """
    stats = ctx.journal().sync(rebuild=rebuild)
    for p in stats.problems:
        echo(problem_line(p), err=True)
    echo(f"{stats.summary()}, {plural(len(stats.problems), 'problem')}" + (" (rebuilt)" if stats.rebuilt else ""))
