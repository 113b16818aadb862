"""What every command shares: the context (vault, today), the listing options, problem reporting."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click
from click.shell_completion import CompletionItem

from reljournal.app import Journal
from reljournal.config import find_vault, load_settings
from reljournal.output import echo, plural
from reljournal.queries import Filters, View

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Ctx:
    vault: str | None
    today: str | None
    debug: bool = False
    _journal: Journal | None = None

    def journal(self, *, tolerate_bad_settings: bool = False) -> Journal:
        if self._journal is None:
            self._journal = Journal.open(self.vault, self.today, tolerate_bad_settings=tolerate_bad_settings)
        return self._journal

    def view(self) -> View:
        """The index brought up to date, then read: what every reading command starts with."""
        return self.journal().view()

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None


pass_ctx = click.make_pass_decorator(Ctx)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON (and nothing else) on stdout.")(f)


def filter_options(f: F) -> F:
    """`--tag --tier --org --owner --relationship`; repeat one to accept any of its values."""
    for name, help_text in reversed((
        ("tag", "Only people with this tag."),
        ("tier", "Only people of this tier."),
        ("org", "Only people of this organisation."),
        ("owner", "Only people this team member owns (their own `owner`, else their org's)."),
        ("relationship", "Only people with this relationship (client, prospect, ...)."),
    )):
        f = click.option(f"--{name}", f"{name}s", multiple=True, metavar="X", help=help_text)(f)
    return f


def filters_from(kwargs: dict[str, Any]) -> Filters:
    return Filters(
        tags=tuple(kwargs.pop("tags", ())),
        tiers=tuple(kwargs.pop("tiers", ())),
        orgs=tuple(kwargs.pop("orgs", ())),
        owners=tuple(kwargs.pop("owners", ())),
        relationships=tuple(kwargs.pop("relationships", ())),
    )


def mention_problems(view: View) -> None:
    """Listings work whatever the notes' problems; they say so in one line on stderr."""
    errors = sum(1 for p in view.problems if p.severity == "error")
    if errors:
        echo(f"reljournal: {plural(errors, 'problem')} in the vault; run `reljournal check`", err=True)


def complete_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Shell completion for NAME arguments: people's and organisations' names and aliases that start
    with what was typed (or have a word that does), read from the index as the last command left it.
    Completion never scans the vault nor writes anything, and fails silently (no index: no names).
    Attach with `@click.argument("name", shell_complete=complete_names)`."""
    try:
        settings, _ = load_settings(find_vault(ctx.find_root().params.get("vault")))
        if not settings.index_path.is_file():
            return []
        db = sqlite3.connect(f"{settings.index_path.as_uri()}?mode=ro", uri=True, timeout=1)
        try:
            rows = db.execute("SELECT title, aliases FROM notes WHERE kind IN ('person', 'org')").fetchall()
        finally:
            db.close()
    except Exception:  # a half-built index, a bad settings file: completion just offers nothing
        return []
    typed = incomplete.casefold()
    names = {n for title, aliases in rows for n in (title, *json.loads(aliases or "[]")) if isinstance(n, str)}
    found = sorted((n for n in names if any(w.startswith(typed) for w in (n.casefold(), *n.casefold().split()))),
                   key=str.casefold)
    if os.environ.get("_RELJOURNAL_COMPLETE", "").startswith("bash"):
        # bash inserts completions as they are: escape what the shell would split or interpret
        found = [re.sub(r"([^\w@%+=:,./-])", r"\\\1", n) for n in found]
    return [CompletionItem(n) for n in found]
