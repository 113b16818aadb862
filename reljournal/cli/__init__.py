"""The command line: one module per command (`cli/<name>.py`, each exposing `command`), registered here.

Each command parses its options, makes one core call and renders. `RelGroup.invoke` is the one error
boundary: a `UserError` prints `reljournal: message` without a traceback and exits with its code, a
library missing from the installation says which and how to install again, Ctrl-C exits 130 (`--debug`
shows the traceback).
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import warnings
from typing import Any

import click

from reljournal import __version__
from reljournal.atomic import LeavesVault
from reljournal.cli.common import Ctx, with_late_options
from reljournal.errors import UserError

# Command modules, in the order `--help` lists them.
COMMANDS = (
    "init", "demo", "index", "check", "due", "people", "orgs", "show",
    "agenda", "week", "prep", "feed", "watch", "serve",
    "query", "sql",
    "log", "add", "snooze", "set",
    "import_", "export", "sync",
)


class RelGroup(click.Group):
    """Commands are imported when used: `due` need not load icalendar, watchdog and vobject (0.2 s)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *(m.rstrip("_") for m in COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = next((m for m in COMMANDS if m.rstrip("_") == cmd_name), None)
        if module is None:
            return super().get_command(ctx, cmd_name)
        command: click.Command = importlib.import_module(f"reljournal.cli.{module}").command
        return with_late_options(command)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:  # Ctrl-C: stop at once, as a shell expects (128 + SIGINT), no traceback
            obj = ctx.obj if isinstance(ctx.obj, Ctx) else None
            if obj is not None and obj.debug:
                raise
            click.echo("", err=True)
            ctx.exit(130)
        except UserError as exc:
            obj = ctx.obj if isinstance(ctx.obj, Ctx) else None
            if obj is not None and obj.debug:
                raise
            click.echo(f"reljournal: {exc.message}", err=True)
            ctx.exit(exc.exit_code)
        except LeavesVault as exc:  # a write through a link out of the vault: stopped before it was made
            click.echo(f"reljournal: {exc.strerror}", err=True)
            ctx.exit(2)
        except ModuleNotFoundError as exc:
            # A library reljournal needs is not installed: an installation older than the code (a checkout
            # pulled since `pip install -e .`). Modules are imported where used, so it shows only here.
            obj = ctx.obj if isinstance(ctx.obj, Ctx) else None
            if (obj is not None and obj.debug) or not exc.name or exc.name.split(".")[0] == "reljournal":
                raise
            click.echo(f"reljournal: the Python package {exc.name.split('.')[0]!r} is not installed, and this "
                       "command needs it; install reljournal again (`pip install -e .` in a checkout, else "
                       "`pip install --upgrade reljournal`)", err=True)
            ctx.exit(1)
        finally:
            if isinstance(ctx.obj, Ctx):
                ctx.obj.close()


@click.group(cls=RelGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--vault", type=click.Path(file_okay=False), envvar="RELJOURNAL_VAULT", show_envvar=True,
              help="The vault folder (default: the nearest folder upwards with .reljournal.toml or .obsidian).")
@click.option("--today", metavar="YYYY-MM-DD", envvar="RELJOURNAL_TODAY", show_envvar=True,
              help="Pretend today is this date (reproducible output, tests).")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks.")
@click.version_option(__version__, prog_name="reljournal")
@click.pass_context
def cli(ctx: click.Context, vault: str | None, today: str | None, debug: bool) -> None:
    """reljournal: a relationship journal in plain Markdown.

    People, organisations and interactions are notes with YAML front matter in a folder (the vault).
    reljournal indexes them, says who to contact next and publishes the dates as a calendar feed.

    The vault is --vault, else $RELJOURNAL_VAULT, else the nearest folder upwards holding
    .reljournal.toml or .obsidian (start one with `reljournal init`). --vault and --today may also
    follow the command: `reljournal due --today 2026-12-20`.
    """
    ctx.obj = Ctx(vault=vault, today=today, debug=debug)


def main() -> None:
    # Commands build up to a few hundred thousand small objects that never form cycles (records, rows): with
    # Python's default thresholds the collector passes over them again and again. Collect as rarely as mypy
    # does (its `tune_gc`: 200,000 allocations; a 10,000-person listing then collects nothing, where 10,000
    # cost it 8-18 ms); the objects made at start-up are never scanned again.
    gc.freeze()
    gc.set_threshold(200_000, 30, 30)
    # The program's own policy, set where the program starts (never when a module is imported): watchdog warns
    # when a folder moved back in reuses a watch it already had, which is harmless and not for users.
    warnings.filterwarnings("ignore", message="Callback with id", category=RuntimeWarning,
                            module=r"watchdog\.")
    bad = unreadable_argument(sys.argv[1:])
    if bad is not None:
        click.echo(f"reljournal: {bad}", err=True)
        sys.exit(2)
    cli(prog_name="reljournal")


def unreadable_argument(args: list[str]) -> str | None:
    """An argument that is not text in the file system's encoding (`--note $'a\\xffb'` in a UTF-8 locale)
    reaches Python with its bad bytes as surrogates, which no note can hold: said in one line, before
    anything runs."""
    for n, arg in enumerate(args, 1):
        if any("\udc80" <= c <= "\udcff" for c in arg):
            shown = os.fsencode(arg).decode("ascii", errors="backslashreplace")
            return (f"argument {n} ({shown}) is not valid {sys.getfilesystemencoding()} text; "
                    "write it in that encoding")
    return None
