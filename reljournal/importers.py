"""Bring an existing network in: contacts from a vCard file or a CSV export become person notes.

Reading is separate from deciding and from writing:

- `read_vcard(path)` / `read_csv(path)` -> `Reading`: the contacts of the file (each a `Contact`, with the
  line it starts on) and the entries that could not be read. A file that cannot be read at all raises
  `ImportFileError`.
- `plan_import(view, contacts)` -> `Plan`: which contacts are new, which match a person already in the
  vault (by title or alias, case-folded, or by e-mail, any case) and which organisations are missing.
  Pure: it writes nothing, so `--dry-run` is the plan printed.
- `apply(plan, settings)`: writes the new notes, each atomically and exclusively (never over a file).

vCard lines are read with vobject's own line reader (`getLogicalLines`, `textLineToContentLine`: line
folding, parameters, quoted-printable) and text values unescaped with its `stringToTextValues`. vobject's
vCard behaviour is not used: it keeps only the first item of a text value, which drops every nickname but
the first and cuts a NOTE at its first unescaped comma (common in phone exports).

File names: a note's title is the contact's name with runs of white space made one space, characters
that Obsidian or a file system refuses in a name (`/ \\ : * ? " < > | # ^ [ ]`) made `-`, leading dots and
trailing dots or spaces removed, and cut to 120 characters. When the title differs from the name, the
name goes into `aliases` so that links and later imports still find the person.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from vobject.base import ContentLine, ParseError, getLogicalLines, textLineToContentLine  # type: ignore[import-untyped]
from vobject.icalendar import stringToTextValues  # type: ignore[import-untyped]

from reljournal.atomic import check_inside, write_atomic
from reljournal.config import Settings
from reljournal.dates import parse_birthday
from reljournal.edit import yaml_scalar
from reljournal.model import ORG, PERSON
from reljournal.names import clean, name_key, printable, safe_title
from reljournal.queries import View


class ImportFileError(Exception):
    """The file could not be read at all (missing, not text, no contacts format recognised)."""


# ---- what a contact is ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Contact:
    name: str
    line: int  # where the contact starts in its file
    aliases: tuple[str, ...] = ()
    org: str | None = None
    role: str | None = None
    emails: tuple[str, ...] = ()  # the preferred one first
    phones: tuple[str, ...] = ()
    birthday: str | None = None  # YYYY-MM-DD or --MM-DD, already checked
    linkedin: str | None = None
    note: str | None = None
    extra: tuple[str, ...] = ()  # lines for the body: other e-mails, web pages, "Connected on ..."


@dataclass(frozen=True)
class Unreadable:
    line: int
    reason: str


@dataclass
class Reading:
    path: Path
    unit: str  # "card" | "row": what one entry of the file is called in the summary
    contacts: list[Contact] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)
    skipped: list[Unreadable] = field(default_factory=list)  # lines left out of an entry that was kept


def _date_text(text: str | None) -> str | None:
    """`YYYY-MM-DD` or `--MM-DD` from the forms contact files use: `1988-07-09`, `19880709`,
    `1988-07-09T00:00:00Z`, `--0709`, `--07-09`, `9 Jul 1988` (LinkedIn), `July 9, 1988`. Apple's year
    1604 and a year 0000 mean the year is unknown. Not checked to be a real day."""
    raw = clean(text).split("T", 1)[0]
    m = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})", raw) or re.fullmatch(r"(--)-?(\d{2})-?(\d{2})", raw)
    if m:
        return f"--{m[2]}-{m[3]}" if m[1] in ("--", "1604", "0000") else f"{m[1]}-{m[2]}-{m[3]}"
    for fmt in ("%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y"):
        try:
            return dt.datetime.strptime(raw, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def birthday_of(text: str | None) -> str | None:
    """A birthday as the vault writes it (`YYYY-MM-DD`, `--MM-DD`); None when it cannot be told."""
    candidate = _date_text(text)
    if candidate is None:
        return None
    try:
        parse_birthday(candidate)
    except ValueError:
        return None
    return candidate


def _decode(data: bytes, path: Path) -> tuple[str, str | None]:
    """The file's text, and a note when it was not UTF-8 (Outlook writes Windows-1252)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        first = data[: exc.start].count(b"\n") + 1
    text = data.decode("utf-8-sig", errors="surrogateescape")
    if not any("\x80" <= c and not "\udc80" <= c <= "\udcff" for c in text):
        # nothing in it reads as UTF-8 beyond ASCII: a file in Windows-1252 (Outlook's exports)
        return data.decode("cp1252", errors="replace"), f"{path.name}:{first}: not UTF-8; read as Windows-1252"
    # UTF-8 but for a few bytes (a stray byte from a phone): those bytes replaced, their lines said
    lines = sorted({text.count("\n", 0, at) + 1 for at, c in enumerate(text) if "\udc80" <= c <= "\udcff"})
    shown = ", ".join(map(str, lines[:10])) + (" and more" if len(lines) > 10 else "")
    return (data.decode("utf-8-sig", errors="replace"),
            f"{path.name}: bytes that are not UTF-8 on line{'s' if len(lines) > 1 else ''} {shown}; replaced by �")


MAX_IMPORT_BYTES = 64 * 1024 * 1024  # a contact file larger than this is refused, not read
MAX_NOTE_TEXT = 1024 * 1024  # a card's or row's note, in characters: the rest is cut (and said)


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise ImportFileError(f"{path}: larger than {MAX_IMPORT_BYTES // 2**20} MB; split it") from None
        return path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path}: a folder, not a file") from None
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot read it: {exc.strerror or exc}") from None


# ---- vCard ---------------------------------------------------------------------------------------------
def read_vcard(path: Path) -> tuple[Reading, str | None]:
    """The cards of a vCard file (2.1, 3.0 or 4.0). A card that does not parse, or has no name, is
    unreadable; the rest still count."""
    data = _read(path)
    text, note = _decode(data, path)
    reading = Reading(path, "card")
    found_card = False
    card: list[ContentLine] | None = None
    start = 0
    physical = text.split("\n")
    lines = getLogicalLines(io.StringIO(text))
    while True:
        try:
            raw, number = next(lines)
        except StopIteration:
            break
        except Exception as exc:  # vobject's reader gives up on the rest of the file
            if not found_card:
                raise ImportFileError(f"{path}: not a vCard file ({exc})") from None
            reading.unreadable.append(Unreadable(start, f"the rest of the file does not parse: {exc}"))
            break
        number = _start_line(physical, number)
        try:
            line = _content_line(raw, number)
        except (ParseError, ValueError, LookupError) as exc:  # LookupError: an unknown CHARSET
            if card is None and not found_card:
                raise ImportFileError(f"{path}:{number}: not a vCard file") from None
            if card is not None:  # one broken property: the card keeps the rest, and says so
                reading.skipped.append(Unreadable(number, f"a property that does not parse, left out ({_short(exc)})"))
            continue
        marker = _card_marker(line)
        if marker == "BEGIN":
            found_card = True
            if card is None:
                card, start = [], number
            else:
                card.append(line)  # a card inside a card (vCard 2.1 AGENT): kept out of this one's fields
            continue
        if marker == "END" and card is not None:
            _finish_card(reading, card, start)
            card = None
            continue
        if card is not None:
            card.append(line)
        elif not found_card and raw.strip():
            raise ImportFileError(f"{path}:{number}: not a vCard file (no BEGIN:VCARD before this line)")
    if card is not None:
        reading.unreadable.append(Unreadable(start, "the card never ends (no END:VCARD)"))
    if not found_card:
        raise ImportFileError(f"{path}: no vCard in it (no BEGIN:VCARD)")
    return _bounded(reading), note


MAX_PARAMETERS = 32  # `;` before a property's value: real cards have a handful


def _content_line(raw: str, number: int) -> ContentLine:
    """vobject's reading of one content line, after a linear screen: its line regex backtracks exponentially
    on a line without a `:` after many parameters (`FN;X=a;X=a;...`: 25 of them took 16 s), so such a line is
    refused here, in time linear in its length."""
    quoted, semicolons = False, 0
    for char in raw:
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char == ":":
            break
        elif char == ";":
            semicolons += 1
    else:
        raise ValueError("no `:` between the property's name and its value")
    if semicolons > MAX_PARAMETERS:
        raise ValueError(f"more than {MAX_PARAMETERS} parameters")
    return textLineToContentLine(raw, number)


MAX_FIELD_CHARS = 10_000  # a name, role, organisation, address or extra line: front matter stays well under 1 MB


def _bounded(reading: Reading) -> Reading:
    """Every field of every contact cut to MAX_FIELD_CHARS characters, as `check` would otherwise refuse the
    note (front matter over 1 MB), each cut said with the contact's line."""
    def cut(text: str, what: str, contact: Contact) -> str:
        if len(text) <= MAX_FIELD_CHARS:
            return text
        reading.skipped.append(Unreadable(contact.line, f"{what} cut to {MAX_FIELD_CHARS:,} characters "
                                          f"(it had {len(text):,})"))
        return text[:MAX_FIELD_CHARS]

    def one(c: Contact) -> Contact:
        if all(len(v) <= MAX_FIELD_CHARS for v in (c.name, c.org or "", c.role or "", c.linkedin or "",
                                                   *c.aliases, *c.emails, *c.phones, *c.extra)):
            return c
        return replace(c, name=cut(c.name, "the name", c), org=cut(c.org, "the organisation", c) if c.org else None,
                       role=cut(c.role, "the role", c) if c.role else None,
                       linkedin=cut(c.linkedin, "the LinkedIn address", c) if c.linkedin else None,
                       aliases=tuple(cut(a, "a nickname", c) for a in c.aliases),
                       emails=tuple(cut(e, "an e-mail address", c) for e in c.emails),
                       phones=tuple(cut(p, "a phone number", c) for p in c.phones),
                       extra=tuple(cut(x, "a line of the note", c) for x in c.extra))

    reading.contacts[:] = [one(c) for c in reading.contacts]
    return reading


def _note_text(parts: Iterable[str]) -> str | None:
    """A contact's notes as one text, cut to MAX_NOTE_TEXT characters (a 50 MB NOTE made a note `check`
    refuses): the cut is said at its end."""
    text = "\n\n".join(p for p in parts if p) or None
    if text is not None and len(text) > MAX_NOTE_TEXT:
        cut = f"\n\n(cut: the note was {len(text):,} characters; the first {MAX_NOTE_TEXT:,} kept)"
        text = text[:MAX_NOTE_TEXT] + cut
    return text


def _card_marker(line: ContentLine) -> str | None:
    """`BEGIN` or `END` for a `BEGIN:VCARD` or `END:VCARD` line."""
    value = line.value if isinstance(line.value, str) else ""
    name = line.name.upper()
    return name if name in ("BEGIN", "END") and value.strip().upper() == "VCARD" else None


def _finish_card(reading: Reading, card: list[ContentLine], start: int) -> None:
    """A card read to its END: a contact, or unreadable (no name)."""
    contact = _contact_of_card(card, start)
    if isinstance(contact, Unreadable):
        reading.unreadable.append(contact)
    else:
        reading.contacts.append(contact)


def _start_line(physical: list[str], number: int) -> int:
    # vobject numbers the first logical line 0, and one that follows a blank line by the blank line
    start = max(number, 1)
    while start < len(physical) and not physical[start - 1].strip():
        start += 1
    return start


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())[:80]


def _texts(line: ContentLine, separator: str = ",") -> list[str]:
    """A text value's items, unescaped (`\\,` `\\;` `\\n` `\\\\`)."""
    value = line.value if isinstance(line.value, str) else ""
    # `\:` as well: Gmail and Apple escape the colon of `http\://`, which vCard does not ask for
    return [printable(str(v)).replace("\\:", ":") for v in stringToTextValues(value, listSeparator=separator)]


def _text(line: ContentLine) -> str:
    """A single text value, unescaped; an unescaped comma stays a comma (many phones do not escape)."""
    return ",".join(_texts(line))


def _types(line: ContentLine) -> set[str]:
    out = {t.upper() for v in line.params.get("TYPE", []) for t in str(v).split(",")}
    out.update(s.upper() for s in line.singletonparams)
    if line.params.get("PREF"):
        out.add("PREF")
    return out


def _preferred_first(lines: list[ContentLine]) -> list[ContentLine]:
    return sorted(lines, key=lambda ln: "PREF" not in _types(ln))  # stable: file order otherwise


def _card_props(card: list[ContentLine]) -> dict[str, list[ContentLine]]:
    """The card's own properties by name (a group prefix such as `item1.` dropped), cards inside it left out."""
    props: dict[str, list[ContentLine]] = {}
    depth = 0
    for line in card:
        name = line.name.upper()
        if name == "BEGIN":
            depth += 1
        elif name == "END":
            depth -= 1
        elif depth == 0:
            props.setdefault(name.split(".")[-1], []).append(line)
    return props


def _card_name(props: dict[str, list[ContentLine]]) -> str:
    """FN, else the parts of N as a person says them (given, additional, family)."""
    fn = props.get("FN", [None])[0]
    name = clean(_text(fn)) if fn is not None else ""
    n = props.get("N", [None])[0]
    if not name and n is not None:
        parts = [clean(p) for p in _texts(n, ";")] + [""] * 5
        family, given, additional = parts[0], parts[1], parts[2]
        name = clean(" ".join(p for p in (given, additional, family) if p))
    return name


def _card_links(props: dict[str, list[ContentLine]]) -> tuple[str | None, list[str]]:
    """The LinkedIn profile (by its address or its TYPE) and the other web addresses, each once."""
    linkedin = None
    web: list[str] = []
    for line in props.get("URL", []) + props.get("X-SOCIALPROFILE", []):
        url = clean(_text(line))
        if not url:
            continue
        if linkedin is None and ("linkedin.com/" in url.casefold() or "LINKEDIN" in _types(line)):
            linkedin = url
        elif url not in web:
            web.append(url)
    return linkedin, web


def _contact_of_card(card: list[ContentLine], start: int) -> Contact | Unreadable:
    props = _card_props(card)
    first = lambda key: props.get(key, [None])[0]  # noqa: E731
    name = _card_name(props)
    if not name:
        return Unreadable(start, "no name (FN or N)")
    if not safe_title(name):
        return Unreadable(start, f"no name usable as a file name ({name!r})")

    aliases: list[str] = []
    for line in props.get("NICKNAME", []):
        aliases.extend(clean(v) for v in _texts(line) if clean(v) and clean(v).casefold() != name.casefold())
    extra: list[str] = []
    org_line = first("ORG")
    org = role = None
    if org_line is not None:
        units = [clean(u) for u in _texts(org_line, ";") if clean(u)]
        org = units[0] if units else None
        if len(units) > 1:
            extra.append(f"Department: {', '.join(units[1:])}")
    title = first("TITLE") or first("ROLE")
    if title is not None:
        role = clean(_text(title)) or None

    emails = [clean(_text(x)) for x in _preferred_first(props.get("EMAIL", []))]
    emails = [e.removeprefix("mailto:") for e in emails if e]
    phones = [clean(_text(x)).removeprefix("tel:") for x in _preferred_first(props.get("TEL", []))]
    phones = [p for p in phones if p]

    birthday = None
    bday = first("BDAY")
    if bday is not None:
        raw = clean(_text(bday))
        birthday = birthday_of(raw)
        if birthday is None and raw:
            extra.append(f"Birthday: {raw}")

    linkedin, web = _card_links(props)
    extra.extend(f"E-mail: {e}" for e in emails[1:])
    extra.extend(f"Phone: {p}" for p in phones[1:])
    extra.extend(f"Web: {u}" for u in web)

    note = _note_text(t.strip() for t in map(_text, props.get("NOTE", [])))
    return Contact(name=name, line=start, aliases=tuple(dict.fromkeys(aliases)), org=org, role=role,
                   emails=tuple(emails), phones=tuple(phones), birthday=birthday, linkedin=linkedin,
                   note=note, extra=tuple(extra))


# ---- CSV -----------------------------------------------------------------------------------------------
def _header_key(cell: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", cell.casefold()).split())


# Header cells (normalised: lower case, punctuation as spaces) -> the field they hold. Covers LinkedIn's
# Connections.csv, Google Contacts, Outlook and hand-made sheets.
_COLUMNS: dict[str, str] = {
    **dict.fromkeys(("name", "full name", "display name", "contact name", "fn", "contact"), "name"),
    **dict.fromkeys(("first name", "given name", "firstname", "first", "forename"), "first"),
    **dict.fromkeys(("middle name", "additional name", "middle"), "middle"),
    **dict.fromkeys(("last name", "family name", "surname", "lastname", "last"), "last"),
    **dict.fromkeys(("nickname", "nick name", "alias", "aliases", "known as"), "alias"),
    **dict.fromkeys(("company", "organization", "organisation", "org", "organization name",
                     "organisation name", "organization 1 name", "company name", "employer", "account"),
                    "org"),
    **dict.fromkeys(("position", "job title", "role", "organization title", "organisation title",
                     "organization 1 title", "job", "occupation"), "role"),
    **dict.fromkeys(("birthday", "birth date", "birthdate", "date of birth", "bday", "dob"), "birthday"),
    **dict.fromkeys(("notes", "note", "comments", "comment"), "note"),
    **dict.fromkeys(("connected on",), "connected"),
    **dict.fromkeys(("linkedin", "linkedin url", "linkedin profile", "profile url"), "linkedin"),
    **dict.fromkeys(("url", "website", "web page", "webpage", "homepage", "website 1 value", "web site"),
                    "url"),
}


def _column_field(key: str) -> str | None:
    if key in _COLUMNS:
        return _COLUMNS[key]
    if re.search(r"\b(type|label)\b", key):
        return None
    if re.search(r"\be ?mail\b|\bemail", key):
        return "email"
    if re.search(r"\b(phone|mobile|tel|telephone|cell)\b", key):
        return "phone"
    return None


def _header_fields(row: list[str]) -> list[str | None] | None:
    """The field of each column when `row` is a header (it names a name column), else None."""
    fields = [_column_field(_header_key(cell)) for cell in row]
    if "title" in (_header_key(c) for c in row) and "role" not in fields:
        # a bare "Title" is a job title in hand-made sheets; Outlook's "Title" (Mr, Dr) comes with "Job Title"
        fields = [("role" if _header_key(c) == "title" else f) for c, f in zip(row, fields, strict=False)]
    if "name" in fields or "first" in fields or "last" in fields:
        return fields
    return None


def read_csv(path: Path) -> tuple[Reading, str | None]:
    """The rows of a contacts CSV: the header is the first row that names a name column (LinkedIn puts
    a few lines of notes before it). A row with no name is unreadable; blank rows are skipped."""
    data = _read(path)
    text, note = _decode(data, path)
    reading = Reading(path, "row")
    delimiter = _delimiter(text)
    unclosed = _unclosed_quote(text, delimiter)
    if unclosed is not None:  # csv would read every row after it into one field, and say nothing
        raise ImportFileError(f"{path}:{unclosed}: a quote opened on this line never closes; nothing imported")
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    fields: list[str | None] | None = None
    line = 1
    try:
        for row in rows:
            row_line, line = line, rows.line_num + 1
            if fields is None:
                fields = _header_fields(row)
                continue
            if not any(cell.strip() for cell in row):
                continue
            contact = _contact_of_row(row, fields, row_line)
            if isinstance(contact, Unreadable):
                reading.unreadable.append(contact)
            else:
                reading.contacts.append(contact)
    except csv.Error as exc:
        if fields is None:
            raise ImportFileError(f"{path}:{line}: not a CSV file ({exc})") from None
        reading.unreadable.append(Unreadable(line, f"the rest of the file does not parse: {exc}"))
    if fields is None:
        raise ImportFileError(f"{path}: no header row naming a name column "
                              "(Name, First Name, Last Name, ...)")
    return _bounded(reading), note


def _unclosed_quote(text: str, delimiter: str) -> int | None:
    """The line of a `"` that opens a quoted field and never closes, or None. As the csv module reads: a quote
    opens a field only at its start (`O"Brien` is a name), and `""` inside one is a quote."""
    at, inside, opened = 0, False, 0
    while True:
        at = text.find('"', at)
        if at < 0:
            return text.count("\n", 0, opened) + 1 if inside else None
        if not inside:
            if at == 0 or text[at - 1] in (delimiter, "\n", "\r"):
                inside, opened = True, at
        elif text.startswith('""', at):
            at += 1  # an escaped quote
        else:
            inside = False
        at += 1


def _delimiter(text: str) -> str:
    """The delimiter whose header row names the most known columns (Excel in some locales writes `;`)."""
    best, score = ",", 0
    for delimiter in (",", ";", "\t"):
        try:
            for i, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)):
                fields = _header_fields(row)
                if fields is not None:
                    known = sum(f is not None for f in fields)
                    if known > score:
                        best, score = delimiter, known
                    break
                if i > 20:
                    break
        except csv.Error:
            continue
    return best


def _contact_of_row(row: list[str], fields: list[str | None], line: int) -> Contact | Unreadable:
    values: dict[str, list[str]] = {}
    for f, cell in zip(fields, row, strict=False):
        if f is not None and cell.strip():
            values.setdefault(f, []).append(cell.strip())
    one = lambda key: clean(values[key][0]) if key in values else ""  # noqa: E731
    name = one("name") or clean(" ".join(one(k) for k in ("first", "middle", "last") if one(k)))
    if not name:
        return Unreadable(line, "no name")
    if not safe_title(name):
        return Unreadable(line, f"no name usable as a file name ({name!r})")
    extra: list[str] = []
    emails = [clean(e) for e in values.get("email", []) if clean(e)]
    phones = [clean(p) for p in values.get("phone", []) if clean(p)]
    extra.extend(f"E-mail: {e}" for e in emails[1:])
    extra.extend(f"Phone: {p}" for p in phones[1:])
    linkedin = one("linkedin") or None
    for url in (clean(u) for u in values.get("url", [])):
        if linkedin is None and "linkedin.com/" in url.casefold():
            linkedin = url
        else:
            extra.append(f"Web: {url}")
    birthday = birthday_of(one("birthday"))
    if birthday is None and one("birthday"):
        extra.append(f"Birthday: {one('birthday')}")
    connected = one("connected")
    if connected:
        when = _date_text(connected)
        if when is not None and when.startswith("--"):
            when = None
        extra.append(f"Connected on LinkedIn on {when or connected}")
    aliases = [clean(a) for cell in values.get("alias", []) for a in cell.split(",") if clean(a)]
    note = _note_text(printable(n).strip() for n in values.get("note", []))
    return Contact(name=name, line=line, aliases=tuple(dict.fromkeys(aliases)), org=one("org") or None,
                   role=one("role") or None, emails=tuple(emails), phones=tuple(phones), birthday=birthday,
                   linkedin=linkedin, note=note, extra=tuple(extra))


# ---- deciding ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewNote:
    path: str  # relative to the vault
    title: str
    text: str
    contact: Contact | None  # None for an org note


@dataclass(frozen=True)
class Match:
    contact: Contact
    path: str  # the note it matched
    reason: str  # "name" | "e-mail" | "file"


@dataclass
class Plan:
    people: list[NewNote] = field(default_factory=list)
    orgs: list[NewNote] = field(default_factory=list)
    matched: list[Match] = field(default_factory=list)


def plan_import(view: View, contacts: Iterable[Contact]) -> Plan:
    """What importing `contacts` into the vault would do. Contacts later in the same file that repeat
    an earlier one (same name or e-mail) count as already there, as they will be after the run."""
    settings = view.settings
    by_name: dict[str, str] = {}
    org_by_name: dict[str, str] = {}  # name key -> org title
    for target in view.targets:
        names = (target.title, *target.aliases)
        if target.kind == PERSON:
            by_name.update((name_key(n), target.path) for n in names if name_key(n) not in by_name)
        elif target.kind == ORG:
            org_by_name.update((name_key(n), target.title) for n in names if name_key(n) not in org_by_name)
    by_email: dict[str, str] = {}
    for p in view.people:
        for address in p.email:
            by_email.setdefault(name_key(address), p.path)
    taken = {name_key(Path(t.path).as_posix()) for t in view.targets}

    plan = Plan()
    for contact in contacts:
        hit = by_name.get(name_key(contact.name))
        reason = "name"
        if hit is None:
            hit = next((by_email[name_key(e)] for e in contact.emails if name_key(e) in by_email), None)
            reason = "e-mail"
        title = safe_title(contact.name)
        path = f"{settings.people}/{title}.md"
        if hit is None and (name_key(path) in taken or (settings.root / path).exists()):
            hit, reason = path, "file"
        if hit is not None:
            plan.matched.append(Match(contact, hit, reason))
            continue
        org_title = None
        if contact.org:
            org_title = org_by_name.get(name_key(contact.org))
            if org_title is None:
                org_title = safe_title(contact.org)
                org_path = f"{settings.orgs}/{org_title}.md"
                if org_title and name_key(org_path) not in taken and not (settings.root / org_path).exists():
                    plan.orgs.append(NewNote(org_path, org_title, org_note(org_title, contact.org), None))
                    taken.add(name_key(org_path))
                org_by_name[name_key(contact.org)] = org_title
                org_by_name.setdefault(name_key(org_title), org_title)
        plan.people.append(NewNote(path, title, person_note(contact, title, org_title or None), contact))
        taken.add(name_key(path))
        for n in (contact.name, title, *contact.aliases):
            by_name.setdefault(name_key(n), path)
        for e in contact.emails:
            by_email.setdefault(name_key(e), path)
    return plan


# ---- writing -------------------------------------------------------------------------------------------
def yaml_text(value: str, *, in_list: bool = False) -> str:
    """A YAML scalar for `value`: plain when it starts with a letter and YAML reads it back as the same
    string (in a `[...]` list when `in_list`), else double-quoted with YAML's escapes (`edit.yaml_scalar`:
    characters YAML does not allow raw, such as U+FFFE, escaped)."""
    if value[:1].isalpha() and "#" not in value and value == value.strip():
        try:
            loaded = yaml.safe_load(f"k: [{value}]" if in_list else f"k: {value}")
        except yaml.YAMLError:
            loaded = None
        if loaded == {"k": [value] if in_list else value}:
            return value
    return yaml_scalar(value, flow=in_list, quote=True)


def _yaml_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(yaml_text(v, in_list=True) for v in values) + "]"


def person_note(contact: Contact, title: str, org_title: str | None) -> str:
    aliases = list(contact.aliases)
    if clean(contact.name) != title and contact.name not in aliases:
        aliases.insert(0, contact.name)
    lines = ["---", "type: person"]
    if aliases:
        lines.append(f"aliases: {_yaml_list(aliases)}")
    if org_title:
        lines.append(f"org: {yaml_scalar(f'[[{org_title}]]', quote=True)}")
    if contact.role:
        lines.append(f"role: {yaml_text(contact.role)}")
    lines.append("cadence: none")
    if contact.birthday:
        birthday = contact.birthday
        lines.append(f"birthday: {birthday if not birthday.startswith('--') else json.dumps(birthday)}")
    if contact.emails:
        lines.append(f"email: {yaml_text(contact.emails[0])}")
    if contact.phones:
        lines.append(f"phone: {yaml_scalar(contact.phones[0], quote=True)}")
    if contact.linkedin:
        lines.append(f"linkedin: {yaml_text(contact.linkedin)}")
    lines += ["---", f"# {title}", ""]
    if contact.note:
        lines += [contact.note.replace("\r\n", "\n").strip(), ""]
    if contact.extra:
        lines += [f"- {x}" for x in contact.extra] + [""]
    return "\n".join(lines)


def org_note(title: str, name: str) -> str:
    lines = ["---", "type: org"]
    if clean(name) != title:
        lines.append(f"aliases: {_yaml_list([clean(name)])}")
    return "\n".join([*lines, "---", f"# {title}", ""])


def apply(plan: Plan, settings: Settings) -> Plan:
    """Write the plan's notes (organisations first, so that no person links to nothing). A file that
    appeared since the plan was made is left alone and its contact counted as already there."""
    done = Plan(matched=list(plan.matched))
    for note in [*plan.orgs, *plan.people]:  # every note checked to stay in the vault before any is written
        check_inside(settings.root, settings.root / note.path)
    for note in plan.orgs:
        if _write_new(settings.root, note.path, note.text):
            done.orgs.append(note)
    for note in plan.people:
        if _write_new(settings.root, note.path, note.text):
            done.people.append(note)
        elif note.contact is not None:
            done.matched.append(Match(note.contact, note.path, "file"))
    return done


def _write_new(root: Path, rel: str, text: str) -> bool:
    try:
        write_atomic(root / rel, text.encode("utf-8"), exclusive=True, inside=root)
    except FileExistsError:
        return False
    return True


def summary(plan: Plan, reading: Reading) -> str:
    """`12 added, 3 already there, 1 unreadable row` (and the organisations, when any was added)."""
    unread = len(reading.unreadable)
    text = (f"{len(plan.people)} added, {len(plan.matched)} already there, "
            f"{unread} unreadable {reading.unit}{'' if unread == 1 else 's'}")
    if plan.orgs:
        text += f"; {len(plan.orgs)} organisation{'' if len(plan.orgs) == 1 else 's'} added"
    return text


def iter_lines(plan: Plan) -> Iterator[tuple[str, str]]:
    """(what, text) pairs for the listing: new notes, then matches."""
    for note in plan.orgs:
        yield "+", note.path
    for note in plan.people:
        yield "+", note.path
    for m in plan.matched:
        how = {"name": "same name as", "e-mail": "same e-mail as", "file": "a file exists:"}[m.reason]
        yield "=", f"{m.contact.name} (line {m.contact.line}): {how} {m.path}"
