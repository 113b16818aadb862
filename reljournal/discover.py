"""What a vault of its own layout already says (SPEC 11), found by reading it, for `init --existing`: the
property that says a note's kind (`categories: ["[[People]]"]`), the property holding a meeting's people,
and the folders where each kind lives. Only reads; `init` writes what was found into `.reljournal.toml`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reljournal.config import Settings
from reljournal.model import INTERACTION, ORG, PERSON
from reljournal.names import name_key
from reljournal.vault import read_regular, walk

# The values that name a kind, as people write them (compared as link names: any case, accents kept).
WORDS = {
    PERSON: ("people", "person", "persons", "contacts", "contact"),
    ORG: ("companies", "company", "organisations", "organizations", "organisation", "organization", "orgs", "org"),
    INTERACTION: ("meetings", "meeting", "calls", "call", "interactions", "interaction"),
}
MOST_NOTES = 20_000  # a vault larger than this is judged by its first notes in path order
MOST_BYTES = 64 * 1024  # of a note: front matter is at its start


@dataclass
class Found:
    """What the vault says. `kind_values`: kind -> the value as the notes write it; `counts`: kind -> notes."""

    kind_property: str | None = None
    kind_values: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    attendees: str | None = None  # the property holding a meeting's people, when it is not `with`
    attendee_notes: int = 0
    folders: dict[str, str] = field(default_factory=dict)  # kind -> the top folder most of its notes are in


def _front_matter(path: Path) -> dict[str, Any]:
    from reljournal.parse.frontmatter import load_yaml, split_front_matter

    try:
        text = read_regular(path)[:MOST_BYTES].decode("utf-8", errors="replace").removeprefix("\ufeff")
    except OSError:
        return {}
    split = split_front_matter(text)
    if not isinstance(split, tuple) or split[0] is None:
        return {}
    loaded = load_yaml(split[0], split[1], "")
    if not isinstance(loaded, tuple) or not isinstance(loaded[0], dict):
        return {}
    return {str(k): v for k, v in loaded[0].items()}


def _link_names(value: Any) -> list[str]:
    """The names a property's value links to or is (`"[[People]]"`, `[[People]]` in a list, `People`)."""
    from reljournal.parse.links import links_in_value

    values = value if isinstance(value, list) else [value]
    return [link.target for v in values if isinstance(v, str) for link in links_in_value(v, 1)]


def _notes(settings: Settings) -> list[tuple[str, dict[str, Any]]]:
    """(path, front matter) of the vault's notes as every command finds them (`vault.walk`: dot folders, the
    templates folder and ignored paths left out, links out of the vault not followed), daily notes aside."""
    out: list[tuple[str, dict[str, Any]]] = []
    for found in walk(settings)[0]:
        if found.size < 0 or any(found.path.startswith(folder + "/") for folder in settings.plain):
            continue
        out.append((found.path, _front_matter(settings.root / found.path)))
        if len(out) >= MOST_NOTES:
            break
    return out


def discover(settings: Settings) -> Found:
    """Read the vault (its templates and daily notes folders aside, as its settings, Obsidian's included, name
    them: templates are no notes, daily notes are plain whatever they say) for the conventions of SPEC 11."""
    notes = _notes(settings)
    # which property names the kinds, and with which values
    votes: Counter[tuple[str, str, str]] = Counter()  # (property, kind, value as written)
    for _, data in notes:
        for key, value in data.items():
            if key == "type" and isinstance(value, str) and value.strip().casefold() in (PERSON, ORG, INTERACTION):
                continue  # reljournal's own layout
            for name in _link_names(value):
                for kind, words in WORDS.items():
                    if name_key(name) in words:
                        raw = next((v for v in (value if isinstance(value, list) else [value])
                                    if isinstance(v, str) and name in v), name)
                        votes[key, kind, raw.strip()] += 1
    found = Found()
    if not votes:
        return found
    by_property: Counter[str] = Counter()
    for (key, _, _), n in votes.items():
        by_property[key] += n
    found.kind_property = by_property.most_common(1)[0][0]
    for kind in WORDS:
        options = [(n, raw) for (key, k, raw), n in votes.items() if key == found.kind_property and k == kind]
        if options:
            n, raw = max(options)
            found.kind_values[kind] = raw
            found.counts[kind] = sum(m for m, _ in options)
    kind_of = _kinds(notes, found)
    found.folders = _folders(kind_of)
    found.attendees, found.attendee_notes = _attendees(notes, kind_of)
    return found


def _kinds(notes: list[tuple[str, dict[str, Any]]], found: Found) -> dict[str, str]:
    """Note path -> kind, as the found property says."""
    wanted = {name_key(n): kind for kind, raw in found.kind_values.items() for n in _link_names(raw) or [raw]}
    out: dict[str, str] = {}
    for path, data in notes:
        for name in _link_names(data.get(found.kind_property or "")):
            if name_key(name) in wanted:
                out[path] = wanted[name_key(name)]
                break
    return out


def _folders(kind_of: dict[str, str]) -> dict[str, str]:
    """Kind -> the top folder holding most of its notes (none for notes at the vault's root)."""
    per_kind: dict[str, Counter[str]] = {}
    for path, kind in kind_of.items():
        top = path.split("/", 1)[0] if "/" in path else ""
        per_kind.setdefault(kind, Counter())[top] += 1
    return {kind: folders.most_common(1)[0][0] for kind, folders in per_kind.items()
            if folders.most_common(1)[0][0]}


def _attendees(notes: list[tuple[str, dict[str, Any]]], kind_of: dict[str, str]) -> tuple[str | None, int]:
    """The property of meeting notes that links to people most often, when it is not `with`."""
    people = {name_key(Path(p).stem) for p, k in kind_of.items() if k == PERSON}
    votes: Counter[str] = Counter()
    for path, data in notes:
        if kind_of.get(path) != INTERACTION:
            continue
        for key, value in data.items():
            if any(name_key(n) in people for n in _link_names(value)):
                votes[key] += 1
    if not votes:
        return None, 0
    key, n = votes.most_common(1)[0]
    return (None, n) if key == "with" else (key, n)


def settings_text(found: Found) -> str:
    """The lines `init --existing` adds to `.reljournal.toml` for what it found, each with why."""
    if found.kind_property is None:
        return ""
    lines = ["", "# Found in this vault by `reljournal init --existing` (docs/obsidian.md): correct them here if",
             "# they are wrong.", "[kinds]",
             f'property = "{found.kind_property}"' + " " * max(1, 34 - len(found.kind_property) - 13)
             + "# notes say their kind in this property"]
    for kind in (PERSON, ORG, INTERACTION):
        if kind in found.kind_values:
            value = found.kind_values[kind].replace('"', '\\"')
            count = found.counts[kind]
            lines.append(f'{kind} = "{value}"' + " " * max(1, 34 - len(kind) - len(value) - 5)
                         + f"# {count} note{'' if count == 1 else 's'}")
    if found.attendees:
        lines += ["[fields]", f'with = "{found.attendees}"' + " " * max(1, 34 - len(found.attendees) - 9)
                  + f"# the people of {found.attendee_notes} meeting{'' if found.attendee_notes == 1 else 's'}"]
    return "\n".join(lines) + "\n"
