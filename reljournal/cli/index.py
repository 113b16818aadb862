"""`reljournal index [--rebuild]`: bring the index up to date and say what changed."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import click

from reljournal.cli.common import Ctx, pass_ctx
from reljournal.output import echo, plural, problem_line

PROGRESS_MIN = 2000  # files to read from which a terminal gets a progress bar


@click.command("index")
@click.option("--rebuild", is_flag=True, help="Forget the index and read every note again.")
@pass_ctx
def command(ctx: Ctx, rebuild: bool) -> None:
    """Bring the index up to date: only files whose size, mtime or content changed are read again.
    A large first indexing shows a progress bar when the output is a terminal.

    \b
    Example:
      $ reljournal index
      +3 added ~1 changed -0 removed, 0 problems
    """
    with ExitStack() as stack:
        stats = ctx.journal().sync(rebuild=rebuild, progress=_progress_bar(stack) if sys.stdout.isatty() else None)
    for p in stats.problems:
        echo(problem_line(p), err=True)
    echo(f"{stats.summary()}, {plural(len(stats.problems), 'problem')}" + (" (rebuilt)" if stats.rebuilt else ""))


def _progress_bar(stack: ExitStack) -> Callable[[int, int], None]:
    """A `progress(done, total)` that opens click's bar on the first report of a large sync (the total is
    only known once the vault has been walked); the bar is closed, on stderr, when `stack` closes."""
    state: dict[str, Any] = {"bar": None, "done": 0}

    def report(done: int, total: int) -> None:
        if state["bar"] is None:
            if total < PROGRESS_MIN:
                return
            state["bar"] = stack.enter_context(click.progressbar(
                length=total, label="Indexing", file=sys.stderr, show_pos=True, show_eta=True))
        state["bar"].update(done - state["done"])
        state["done"] = done

    return report
