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
from reljournal.model import ORG, PERSON
from reljournal.names import accent_free, name_key
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

_LATE = "reljournal.late"  # ctx.meta key: --vault/--today given after the command, when no Ctx exists yet


def _late_value(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """`reljournal due --today 2026-12-20` means `reljournal --today 2026-12-20 due`: the value goes where
    the group's option would have put it."""
    if value is None or param.name is None:
        return
    obj = ctx.find_object(Ctx)
    if obj is not None:
        setattr(obj, param.name, value)
    ctx.meta.setdefault(_LATE, {})[param.name] = value


def with_late_options(command: click.Command) -> click.Command:
    """`--vault` and `--today` accepted after the command too (and after each subcommand of a group such as
    `import`), with the same meaning as before it. Added once to each command object."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            with_late_options(sub)
        return command
    if not any(p.name == "vault" for p in command.params):
        command.params += [
            click.Option(["--vault"], type=click.Path(file_okay=False), metavar="PATH", expose_value=False,
                         callback=_late_value, help="The vault folder (as before the command)."),
            click.Option(["--today"], metavar="YYYY-MM-DD", expose_value=False, callback=_late_value,
                         help="Pretend today is this date (as before the command)."),
        ]
    return command


def given_vault(ctx: click.Context) -> str | None:
    """The vault named on the command line, before or after the command (for shell completion, which runs
    without the group's callback)."""
    late: dict[str, str] = ctx.meta.get(_LATE, {})
    return late.get("vault") or ctx.find_root().params.get("vault")


STDOUT = "-"  # an output path that means standard output (`feed -o -`), as for most command-line tools


def write_stdout(data: bytes) -> None:
    """Bytes as they are on standard output (CRLF line ends stay CRLF on every platform)."""
    click.echo(data, nl=False)  # click writes bytes to the binary stream under stdout


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
    errors = view.index.error_count()
    if errors:
        echo(f"reljournal: {plural(errors, 'problem')} in the vault; run `reljournal check`", err=True)


def completer(kinds: tuple[str, ...]) -> Callable[[click.Context, click.Parameter, str], list[CompletionItem]]:
    """Shell completion for a NAME argument: the names and aliases of notes of `kinds` that start with what
    was typed (or have a word that does), in any case and with or without accents, read from the index as
    the last command left it. Completion never scans the vault nor writes anything, and fails silently
    (no vault, no index: no names)."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        try:
            settings, _ = load_settings(find_vault(given_vault(ctx)))
            if not settings.index_path.is_file():
                return []
            db = sqlite3.connect(f"{settings.index_path.as_uri()}?mode=ro", uri=True, timeout=1)
            try:
                rows = db.execute("SELECT title, aliases FROM notes WHERE kind IN (SELECT value FROM json_each(?))",
                                  (json.dumps(kinds),)).fetchall()
            finally:
                db.close()
        except Exception:  # a half-built index, a bad settings file: completion just offers nothing
            return []
        typed = accent_free(name_key(incomplete))
        names = {n for title, aliases in rows for n in (title, *json.loads(aliases or "[]")) if isinstance(n, str)}
        found = sorted((n for n in names if any(w.startswith(typed) for w in _words(n))), key=str.casefold)
        if os.environ.get("_RELJOURNAL_COMPLETE", "").startswith("bash"):
            # bash inserts completions as they are: escape what the shell would split or interpret
            found = [re.sub(r"([^\w@%+=:,./-])", r"\\\1", n) for n in found]
        return [CompletionItem(n) for n in found]

    return complete


def _words(name: str) -> tuple[str, ...]:
    """A name, and each of its words, as completion compares them (case and accents aside)."""
    folded = accent_free(name_key(name))
    return (folded, *folded.split())


complete_names = completer((PERSON, ORG))  # `show`, `set`: a person or an organisation
complete_people = completer((PERSON,))  # `log`, `snooze`, `prep`
complete_orgs = completer((ORG,))  # `add person --org`
