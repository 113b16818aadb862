"""New interaction notes for `log`: one file per interaction, named so that two clones never collide.

The name is `YYYY-MM-DD Kind with Names xxxx.md` under `interactions/YYYY/` (the year of the
interaction's date): the date sorts the folder, the kind and names make it readable in Obsidian's
file list and linkable, and `xxxx` is a short random id (as zk does) so that two people logging the same
person on the same day in two clones of one git vault create two different files, and git merges them
without a conflict. The file is created exclusively (never replacing anything); on the rare clash with
an existing name a new id is drawn.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reljournal import events
from reljournal.atomic import write_atomic
from reljournal.config import Settings
from reljournal.edit import YamlValue, yaml_scalar
from reljournal.errors import ERROR, UserError
from reljournal.names import FILE_NAME_BYTES, NOTE_NAME_BYTES, file_safe
from reljournal.parse.note import parse_note

ID_ALPHABET = string.ascii_lowercase + string.digits
ID_LENGTH = 4  # 36**4 = 1.7 million names per person, kind and day
ATTEMPTS = 50
MAX_NAMES_CHARS = 100  # people's names in a file name: readable; `file_safe` then holds it to 255 bytes


@dataclass(frozen=True)
class NewInteraction:
    when: dt.date  # a date, or a dt.datetime
    people: tuple[str, ...]  # note titles, in the order given
    kind: str | None = None
    note: str | None = None  # the body
    outcome: str | None = None
    next: dt.date | None = None
    next_action: str | None = None
    gave: tuple[str, ...] = ()
    received: tuple[str, ...] = ()
    by: str | None = None  # the team member who had it (`by:`)
    end: dt.datetime | None = None  # when a meeting with a time ends (`end:`)
    title: str | None = None  # what the file name says instead of the kind (a calendar event's summary)
    source: str | None = None  # where it came from (`source: "ics:UID"`)

    @property
    def day(self) -> dt.date:
        return self.when.date() if isinstance(self.when, dt.datetime) else self.when


def render(entry: NewInteraction, settings: Settings | None = None) -> str:
    """The note's text: front matter per SPEC 1 (links quoted, dates unquoted), then the note text. In a vault
    of its own layout (SPEC 11), its kind as the vault says it (`categories: ["[[Meetings]]"]`) and each field
    under the vault's name (`people:` for `with:`)."""
    kind: tuple[str, YamlValue] = ("type", "interaction")
    if settings is not None and settings.kind_property and settings.kind_interaction:
        kind = (settings.kind_property, [settings.kind_interaction])
    fields = [kind, *front_matter(entry)]
    lines = ["---"]
    named = settings.field_name if settings is not None else str
    lines += [f"{named(key)}: {yaml_scalar(value, quote=key == 'source')}" for key, value in fields
              if value not in (None, "")]
    lines.append("---")
    body = (entry.note or "").strip("\n")
    return "\n".join(lines) + "\n" + (body + "\n" if body else "")


def meeting_template(settings: Settings) -> bytes | None:
    """The vault's own meeting template (SPEC 11: a vault with `[kinds]`), else None."""
    if settings.kind_property is None:
        return None
    from reljournal.addnote import vault_template

    found = vault_template(settings, "interaction")
    return found[1] if found is not None else None


def from_template(settings: Settings, entry: NewInteraction, rel: str, template: bytes) -> str:
    """The note made from the vault's meeting template, its fields set under the vault's names."""
    from reljournal.addnote import fill
    from reljournal.edit import set_field

    when = entry.when if isinstance(entry.when, dt.datetime) else dt.datetime.combine(entry.when, dt.time())
    title = rel.rsplit("/", 1)[-1].removesuffix(".md")
    data = fill(template.decode("utf-8", errors="replace"), title, when, settings).encode("utf-8")
    for key, value in front_matter(entry):
        if value not in (None, "", []):
            data = set_field(rel, data, settings.field_name(key), value, settings).data
    text = data.decode("utf-8")
    body = (entry.note or "").strip("\n")
    return text + ("" if not body else ("" if text.endswith("\n") else "\n") + body + "\n")


def front_matter(entry: NewInteraction) -> list[tuple[str, YamlValue | None]]:
    """The interaction's fields as reljournal names them, in the order they are written."""
    return [
        ("date", entry.when),
        ("end", entry.end),
        ("with", [f"[[{name}]]" for name in entry.people]),
        ("kind", entry.kind),
        ("by", entry.by),
        ("outcome", entry.outcome),
        ("next", entry.next),
        ("next_action", entry.next_action),
        ("gave", list(entry.gave) or None),
        ("received", list(entry.received) or None),
        ("source", entry.source),
    ]


def names_phrase(names: Sequence[str]) -> str:
    """The people in a file name: past three, `Ann, Bo and 3 others` (file names stay short)."""
    return events.names_phrase(names, most=3)


def file_stem(entry: NewInteraction, note_id: str) -> str:
    """`2026-03-15 Coffee with Jane Doe 7kq2`; with a `title` (a calendar event's summary), `2026-03-15 Q1
    review with Jane Doe 7kq2`, or the title alone when it names them already."""
    names = names_phrase([_safe(n) for n in entry.people])
    if len(names) > MAX_NAMES_CHARS:
        first = _safe(entry.people[0])[:MAX_NAMES_CHARS].strip()
        others = len(entry.people) - 1
        names = first if not others else f"{first} and {others} other{'s' if others > 1 else ''}"
    title = _safe(entry.title or "")[:MAX_NAMES_CHARS].strip()
    if title:
        named = " with " in f" {title.casefold()} " or any(n.casefold() in title.casefold() for n in entry.people)
        what = title if named else f"{title} with {names}"
    else:
        joiner = "about" if entry.kind == "note" else "with"
        what = f"{(entry.kind or 'interaction').capitalize()} {joiner} {names}"
    # the id stays whole at the end: what is cut, when the name is too long, is the middle
    return file_safe(f"{entry.day.isoformat()} {what}", NOTE_NAME_BYTES - len(note_id) - 1, " ") + f" {note_id}"


def _safe(name: str) -> str:
    """A name or a summary as it stands in a file name: what a disk refuses made a space (`Call: pricing`
    as `Call pricing`)."""
    return file_safe(name, FILE_NAME_BYTES, " ")


def random_id() -> str:
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


def planned_path(settings: Settings, entry: NewInteraction, note_id: str) -> str:
    """Where the note goes: `interactions/YYYY/` (the year of its date), named by `file_stem`."""
    return f"{settings.interactions}/{entry.day.year:04d}/{file_stem(entry, note_id)}.md"


def write_interaction(settings: Settings, entry: NewInteraction, new_id: Callable[[], str] | None = None, *,
                      durable: bool = True) -> str:
    """Create the note (exclusively) and return its path relative to the vault. `new_id` draws the
    random id (default `random_id`, looked up at call time so tests can pin it). `durable=False`: no
    fsync of its own (a bulk import flushes all its notes at once, `atomic.flush`)."""
    draw = new_id or random_id
    if not entry.people:
        raise UserError("log needs at least one person", exit_code=2)
    folder = f"{settings.interactions}/{entry.day.year:04d}"
    template = meeting_template(settings)  # read once, whatever the tries
    for _ in range(ATTEMPTS):
        rel = planned_path(settings, entry, draw())
        text = from_template(settings, entry, rel, template) if template is not None else render(entry, settings)
        data = text.encode("utf-8")
        problems = [p for p in parse_note(rel, data, settings).problems if p.severity == ERROR]
        if problems:  # what we write must read back cleanly; anything else is a bug worth stopping for
            raise UserError(f"{rel}: would not read back cleanly: {problems[0].message}; nothing written")
        try:
            write_atomic(Path(settings.root) / rel, data, exclusive=True, durable=durable, inside=settings.root)
        except FileExistsError:
            continue
        return rel
    raise UserError(f"could not find a free file name in {folder} after {ATTEMPTS} tries; nothing written")
