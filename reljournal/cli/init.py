"""`reljournal init [DIR] [--sample] [--existing]`: a new vault from the template."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

from reljournal.app import resolve_today
from reljournal.cli.common import Ctx, pass_ctx
from reljournal.config import Settings, load_settings
from reljournal.discover import discover
from reljournal.errors import UserError
from reljournal.output import echo, plural
from reljournal.template import copy_template


@click.command("init")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--sample", is_flag=True, help="Add example people, an account and interactions dated around today.")
@click.option("--existing", is_flag=True, help="Add to a folder that already holds files (an Obsidian vault, "
              "say): only what is missing is added, nothing is overwritten.")
@pass_ctx
def command(ctx: Ctx, directory: str | None, sample: bool, existing: bool) -> None:
    """Make a new vault in DIR (else --vault, else the working directory).

    The vault gets the folders (people, orgs, interactions), templates for Obsidian's Templates plugin,
    a little Obsidian configuration (.obsidian/), a README note, .gitignore and a commented
    .reljournal.toml. A folder that already holds files (a fresh `git init` is fine) is refused unless
    --existing; then only what is missing is added and no file is overwritten, except that
    `.reljournal/` is added to an existing .gitignore.

    \b
    Examples:
      $ reljournal init ~/relationships --sample
      $ reljournal init --existing ~/Obsidian/Work
    """
    target = Path(directory or ctx.vault or os.getcwd()).expanduser().resolve()
    if target.exists() and not target.is_dir():
        raise UserError(f"{target} is a file, not a folder", exit_code=2)
    if target.is_dir() and any(p.name != ".git" for p in target.iterdir()) and not existing:
        raise UserError(f"{target} already holds files; use `reljournal init --existing` to add a vault to it "
                        "(nothing is overwritten)", exit_code=2)
    today = resolve_today(ctx.today, Settings(root=target, name=target.name)) if ctx.today else dt.date.today()
    found = discover(load_settings(target)[0]) if existing else None
    if found is not None and found.kind_property is not None:
        echo(f"Found in {target.name}: notes say their kind in `{found.kind_property}`: "
             + ", ".join(f"{plural(found.counts[k], k + ' note')} ({found.kind_values[k]}"
                         + (f", in {found.folders[k]}/" if k in found.folders else "") + ")"
                         for k in ("person", "org", "interaction") if k in found.kind_values)
             + (f"; a meeting's people in `{found.attendees}`" if found.attendees else "")
             + ". Written into .reljournal.toml ([kinds], [fields], [folders]): correct it there if it is wrong.")
    result = copy_template(target, sample=sample, today=today, found=found)
    for rel in result.written:
        echo(f"  + {rel}")
    if result.kept:
        echo(f"  ({len(result.kept)} files already there, left as they were)")
    echo(f"A vault is ready in {target}.")
    echo("Next: open the folder in Obsidian (\"Open folder as vault\"), or cd there and run `reljournal due`;")
    echo("bring contacts in with `reljournal import vcard FILE` or `reljournal import csv Connections.csv`.")
