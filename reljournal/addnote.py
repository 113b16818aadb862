"""New person and organisation notes for `add person` / `add org`, made from the vault's own templates.

A new note is the vault's template for its kind (`templates/Person.md`, `templates/Organisation.md`, as
`init` lays them down; the packaged ones when the vault has none) with `{{title}}`, `{{date}}` and
`{{time}}` filled as Obsidian's Templates plugin fills them, and each field given set on its own line as
`set` sets it (`edit.set_field`: the template's comments and key order stay). A Log line the template
leaves for you to fill in (`- {{date}} call: `) is left out: adding someone is not a contact.

Nothing is written until everything is known to be right: the name and aliases are new to the vault, the
note reads back as a note of its kind without an error, and the files do not exist. Notes are created
exclusively, never replacing a file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from reljournal.atomic import check_inside, write_atomic
from reljournal.config import Settings
from reljournal.edit import YamlValue, frontmatter_span, set_field
from reljournal.errors import ERROR, UserError
from reljournal.lookup import closest, matches, one_target
from reljournal.model import ORG, PERSON
from reljournal.names import clean, name_key, safe_title
from reljournal.output import shell_quoted
from reljournal.parse.note import parse_note
from reljournal.queries import View
from reljournal.template import template_dir
from reljournal.vault import read_regular

TEMPLATE_FILES = {PERSON: "Person.md", ORG: "Organisation.md"}
_EMPTY_KEY = re.compile(r"^([A-Za-z_][\w-]*:)[ \t]+(\r?)$", re.MULTILINE)
_PLACEHOLDER_LOG = re.compile(r"^[ \t]*[-*+][ \t]+\{\{date\}\}[ \t]+\w+:[ \t]*\r?\n", re.MULTILINE)


@dataclass(frozen=True)
class NewNote:
    path: str  # relative to the vault
    title: str
    kind: str
    data: bytes
    template: str  # where its template came from, for messages: `templates/Person.md` or `(built in)`


@dataclass(frozen=True)
class AddPlan:
    note: NewNote
    org: NewNote | None = None  # the organisation made on the way (`add person --org NEW`)
    same_without_accents: tuple[str, ...] = ()  # paths of notes whose name differs only in accents
    org_close: tuple[str, ...] = ()  # organisations whose names come close to a new `--org` (a typo?)


def template_of(settings: Settings, kind: str) -> tuple[str, bytes]:
    """(where it is, its bytes): the vault's template for `kind` (`templates/Person.md`; in a vault of its own
    layout, the first template, by name, that makes a note of that kind: `Templates/People Template.md`),
    else the packaged one."""
    name = TEMPLATE_FILES[kind]
    own = settings.root / settings.templates / name
    if own.is_file():
        return f"{settings.templates}/{name}", read_regular(own)
    found = vault_template(settings, kind)
    if found is not None:
        return found
    return f"(built in) templates/{name}", (template_dir() / "templates" / name).read_bytes()


def vault_template(settings: Settings, kind: str) -> tuple[str, bytes] | None:
    """In a vault of its own layout (`[kinds]`), its template for `kind`: the first in its templates folder, by
    name, that makes a note of that kind once filled (`Templates/Meeting Template.md`); else None."""
    folder = settings.root / settings.templates
    if settings.kind_property is None or not folder.is_dir():
        return None
    for path in sorted(folder.glob("*.md")):
        data = read_regular(path)
        filled = fill(data.decode("utf-8", errors="replace"), "Title", dt.datetime(2026, 1, 1), settings)
        if parse_note(f"{settings.templates}/x.md", filled.encode("utf-8"), settings).kind == kind:
            return f"{settings.templates}/{path.name}", data
    return None


def fill(template: str, title: str, now: dt.datetime, settings: Settings | None = None) -> str:
    """`{{title}}`, `{{date}}` and `{{time}}` (YYYY-MM-DD and HH:mm, or the vault's own formats from Obsidian's
    templates.json), as Obsidian's Templates plugin fills them.
    Keys the template leaves empty lose their trailing spaces (`role: ` -> `role:`), so that a value set
    there ends its line."""
    text = _PLACEHOLDER_LOG.sub("", template)
    layout = frontmatter_span(text)
    if layout is not None:
        start, end = layout
        text = text[:start] + _EMPTY_KEY.sub(r"\1\2", text[start:end]) + text[end:]
    date_format, time_format = (settings.date_format, settings.time_format) if settings else ("YYYY-MM-DD", "HH:mm")
    return (text.replace("{{title}}", title).replace("{{date}}", moment(now, date_format))
            .replace("{{time}}", moment(now, time_format)))


# The tokens of moment.js's format strings (what Obsidian's settings hold) that templates use, longest first.
_MOMENT = re.compile(r"YYYY|YY|MMMM|MMM|MM|M|DD|D|dddd|ddd|HH|H|hh|h|mm|m|ss|s|A|a|\[[^\]]*\]")


def moment(when: dt.datetime, form: str) -> str:
    """`when` written as moment.js would write it in `form` (`YYYY-MM-DD`, `DD/MM/YYYY`, `HH:mm`, `[week] W`
    is left as is but for its bracketed text); English names."""
    def one(m: re.Match[str]) -> str:
        token = m[0]
        if token.startswith("["):
            return token[1:-1]
        return {"YYYY": f"{when.year:04d}", "YY": f"{when.year % 100:02d}", "MMMM": when.strftime("%B"),
                "MMM": when.strftime("%b"), "MM": f"{when.month:02d}", "M": str(when.month), "DD": f"{when.day:02d}",
                "D": str(when.day), "dddd": when.strftime("%A"), "ddd": when.strftime("%a"),
                "HH": f"{when.hour:02d}", "H": str(when.hour), "hh": f"{(when.hour - 1) % 12 + 1:02d}",
                "h": str((when.hour - 1) % 12 + 1), "mm": f"{when.minute:02d}", "m": str(when.minute),
                "ss": f"{when.second:02d}", "s": str(when.second), "A": when.strftime("%p"),
                "a": when.strftime("%p").lower()}[token]

    return _MOMENT.sub(one, form)


def make_note(settings: Settings, kind: str, title: str, fields: list[tuple[str, YamlValue]],
              now: dt.datetime) -> NewNote:
    """The new note of `kind` called `title` with `fields` set; checked to read back as such."""
    folder = settings.people if kind == PERSON else settings.orgs
    path = f"{folder}/{title}.md"
    where, raw = template_of(settings, kind)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{where}: not UTF-8 text; nothing written") from None
    data = fill(text, title, now, settings).encode("utf-8")
    data = _as_the_vault_says(settings, path, data, kind)
    for key, value in fields:
        if value in (None, "", []):
            continue
        try:
            data = set_field(path, data, settings.field_name(key), value, settings, align_comment=True).data
        except UserError as exc:
            raise UserError(f"{key}: {exc.message} (made from {where}); nothing written", exc.exit_code) from None
    parsed = parse_note(path, data, settings)
    errors = [p for p in parsed.problems if p.severity == ERROR]
    if errors or parsed.kind != kind:
        why = errors[0].message if errors else f"it would be a {parsed.kind} note, not a {kind}"
        raise UserError(f"{path}: made from {where}, it would not read back cleanly: {why}; nothing written")
    return NewNote(path, title, kind, data, where)


def _as_the_vault_says(settings: Settings, path: str, data: bytes, kind: str) -> bytes:
    """In a vault whose notes say their kind in a property of their own (`[kinds]`, SPEC 11), a template that
    says it with `type:` (the built-in ones) says it the vault's way instead; one that says it already stays."""
    wanted = {PERSON: settings.kind_person, ORG: settings.kind_org}.get(kind)
    if settings.kind_property is None or wanted is None or parse_note(path, data, settings).kind == kind:
        return data
    text = data.decode("utf-8")
    text = re.sub(rf"(?m)^type:[ \t]*{kind}[ \t]*(#.*)?\r?\n", "", text, count=1)
    return set_field(path, text.encode("utf-8"), settings.kind_property, [wanted], settings).data


def _title(name: str) -> str:
    title = safe_title(name)
    if not title:
        raise UserError(f"{name!r} is not a name a note can have", exit_code=2)
    return title


def _refuse_known(view: View, names: list[str]) -> tuple[str, ...]:
    """Exit 1, naming the note, when any of `names` is already a person's or an organisation's title or
    alias (any case, NFC). Returns the notes whose names differ from one of them in accents only."""
    loose: set[str] = set()
    for name in names:
        found = matches(view, name, (PERSON, ORG))
        if found.targets and found.exact:
            t = found.targets[0]
            raise UserError(f"{name!r} is already in the vault: {t.path}; nothing written "
                            f"(to change it: reljournal set {shell_quoted(t.title)} FIELD VALUE)")
        loose.update(t.path for t in found.targets)
    return tuple(sorted(loose))


def _aliases(name: str, title: str, aliases: list[str]) -> list[str]:
    """The aliases to write: the name as typed first when the file name had to differ from it."""
    out = [clean(a) for a in aliases if clean(a)]
    if clean(name) != title and name_key(name) not in {name_key(a) for a in out}:
        out.insert(0, clean(name))
    return list(dict.fromkeys(out))


def _one_or_list(values: list[str]) -> YamlValue:
    """`email: a@x` for one address, `email: [a@x, b@y]` for several."""
    return values[0] if len(values) == 1 else values


def _new_file(settings: Settings, path: str) -> None:
    if (settings.root / path).exists():
        raise UserError(f"{path} already exists; nothing written")


@dataclass(frozen=True)
class PersonFields:
    org: str | None = None
    role: str | None = None
    relationship: str | None = None
    tier: str | None = None
    cadence: str | None = None
    emails: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    owner: str | None = None


@dataclass(frozen=True)
class OrgFields:
    relationship: str | None = None
    tier: str | None = None
    owner: str | None = None
    aliases: tuple[str, ...] = ()


def plan_person(view: View, name: str, given: PersonFields, now: dt.datetime) -> AddPlan:
    """What `add person` writes: the person's note, and an org note when `given.org` is new to the vault."""
    title = _title(name)
    aliases = _aliases(name, title, list(given.aliases))
    loose = _refuse_known(view, [title, *aliases])
    settings = view.writing_settings
    org_note: NewNote | None = None
    org_title: str | None = None
    org_close: tuple[str, ...] = ()
    if given.org:
        found = matches(view, given.org, (ORG,))
        if found.targets:
            org_title = one_target(view, given.org, (ORG,)).title  # several: exit 2, listing them
        else:
            org_note = plan_org(view, given.org, OrgFields(), now).note
            org_title = org_note.title
            org_close = tuple(closest(view, given.org, (ORG,)))
    fields: list[tuple[str, YamlValue]] = [
        ("org", f"[[{org_title}]]" if org_title else ""),
        ("role", clean(given.role)),
        ("relationship", given.relationship or ""),
        ("tier", clean(given.tier)),
        ("cadence", clean(given.cadence)),
        ("email", _one_or_list([clean(e) for e in given.emails if clean(e)])),
        ("owner", clean(given.owner)),
        ("tags", [clean(t).lstrip("#") for t in given.tags if clean(t).lstrip("#")]),
        ("aliases", aliases),
    ]
    note = make_note(settings, PERSON, title, fields, now)
    _new_file(settings, note.path)
    if org_note is not None:
        _new_file(settings, org_note.path)
    return AddPlan(note, org_note, loose, org_close)


def plan_org(view: View, name: str, given: OrgFields, now: dt.datetime) -> AddPlan:
    """What `add org` writes: the organisation's note."""
    title = _title(name)
    aliases = _aliases(name, title, list(given.aliases))
    loose = _refuse_known(view, [title, *aliases])
    fields: list[tuple[str, YamlValue]] = [
        ("tier", clean(given.tier)),
        ("owner", clean(given.owner)),
        ("relationship", given.relationship or ""),
        ("aliases", aliases),
    ]
    note = make_note(view.writing_settings, ORG, title, fields, now)
    _new_file(view.writing_settings, note.path)
    return AddPlan(note, None, loose)


def write_plan(settings: Settings, plan: AddPlan) -> None:
    """The organisation first (so that the person's `org:` never links to nothing), each file created
    exclusively. Both are checked to stay in the vault before either is written."""
    notes = [note for note in (plan.org, plan.note) if note is not None]
    for note in notes:
        check_inside(settings.root, Path(settings.root) / note.path)
    for note in notes:
        try:
            write_atomic(Path(settings.root) / note.path, note.data, exclusive=True, inside=settings.root)
        except FileExistsError:
            raise UserError(f"{note.path} appeared meanwhile; not replaced") from None
