"""Names as people type them on the command line: the one matcher behind `show`, `prep`, `log`, `snooze`,
`set`, `add --org` and the `with:` / `org:` terms of a query (SPEC 3).

A name matches a note's title or alias compared as Unicode NFC and case-folded (`names.name_key`); a title
beats an alias. When nothing matches so, names are compared without accents too (`jose nunez` finds José
Núñez): an exact match always wins over an accent-free one. Several notes at the winning level: exit 2,
listing them. None: exit 1 with the closest names.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from reljournal.errors import ERROR, UserError
from reljournal.index.store import Target
from reljournal.model import INTERACTION, ORG, PERSON, Record
from reljournal.names import accent_free, name_key
from reljournal.queries import View

SUGGESTIONS = 5


@dataclass(frozen=True)
class Matches:
    """The notes a typed name fits, at the first level that has any (exact, then without accents)."""

    name: str
    targets: tuple[Target, ...]  # by path
    exact: bool


def matches(view: View, name: str, kinds: Collection[str]) -> Matches:
    """The notes of `kinds` whose title or alias is `name`: exactly (titles beating aliases), else
    without accents (titles beating aliases again). Empty when none fits either way."""
    exact = [(t, alias) for t, alias in view.resolver.candidates(name) if t.kind in kinds]
    if exact:
        return Matches(name, _titles_first(exact), True)
    wanted = accent_free(name_key(name))
    loose = [(t, alias) for t in view.targets_of(kinds)
             for n, alias in ((t.title, False), *((a, True) for a in t.aliases))
             if accent_free(name_key(n)) == wanted]
    return Matches(name, _titles_first(loose), False)


def _titles_first(found: list[tuple[Target, bool]]) -> tuple[Target, ...]:
    titles = [t for t, alias in found if not alias]
    chosen = titles or [t for t, _ in found]
    return tuple(sorted({t.path: t for t in chosen}.values(), key=lambda t: t.path))


def _what(kinds: Sequence[str]) -> str:
    return " or ".join({PERSON: "person", ORG: "organisation", INTERACTION: "interaction"}.get(k, k) for k in kinds)


def closest(view: View, name: str, kinds: Collection[str]) -> list[str]:
    """The titles of the notes whose names come closest to `name` (spelling, accents, a part of it)."""
    known: dict[str, str] = {}  # accent-free key of a title or alias -> the note's title
    for t in sorted(view.targets_of(kinds), key=lambda t: t.path):
        for n in (t.title, *t.aliases):
            known.setdefault(accent_free(name_key(n)), t.title)
    wanted = accent_free(name_key(name))
    close = difflib.get_close_matches(wanted, list(known), n=SUGGESTIONS, cutoff=0.6)
    close += sorted((k for k in known if wanted and wanted in k), key=len)
    return list(dict.fromkeys(known[k] for k in close))[:SUGGESTIONS]


def one_target(view: View, name: str, kinds: Sequence[str], *, missing_hint: str | None = None) -> Target:
    """The one note of `kinds` called `name`. None: `UserError` (exit 1) with the closest names and
    `missing_hint`; several: `UserError` (exit 2) listing them."""
    found = matches(view, name, kinds)
    if not found.targets:
        suggestions = closest(view, name, kinds)
        message = f"no {_what(kinds)} named {name!r}"
        if suggestions:
            message += f"; did you mean: {', '.join(suggestions)}?"
        if missing_hint:
            message += f"; {missing_hint}"
        raise UserError(message, exit_code=1)
    if len(found.targets) > 1:
        raise UserError(f"{name!r} could be {len(found.targets)} notes: "
                        + ", ".join(t.path for t in found.targets) + "; use the full name", exit_code=2)
    return found.targets[0]


def find(view: View, name: str, kinds: Sequence[str] = (PERSON, ORG), *, missing_hint: str | None = None) -> Record:
    """The record of the one person or org called `name` (`one_target`); a note the index could not
    read exits 1 with what is wrong in it, as `check` says it (`path:line: message`)."""
    target = one_target(view, name, kinds, missing_hint=missing_hint)
    record = view.by_path_of(kinds).get(target.path)
    if record is None:
        why = next((p for p in view.problems if p.source.path == target.path and p.severity == ERROR), None)
        said = f"{why.source}: {why.message}" if why is not None else f"{target.path} could not be read"
        raise UserError(f"{said}; fix the note first (`reljournal check` lists every problem)")
    return record


def keys_meant(view: View, name: str, kinds: Sequence[str]) -> frozenset[str]:
    """For a query's `with:` / `org:` term: the name keys (titles and aliases) of the note `name` means,
    found as `find` finds it (several: exit 2). A name that fits no note stands for itself, so that a
    link to a note not written yet is still found by its text."""
    found = matches(view, name, kinds)
    if len(found.targets) > 1:
        one_target(view, name, kinds)  # raises, listing them
    if not found.targets:
        return frozenset({name_key(name)})
    t = found.targets[0]
    return frozenset(name_key(n) for n in (t.title, *t.aliases))
