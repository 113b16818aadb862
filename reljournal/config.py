"""Find the vault and read `.reljournal.toml` into typed `Settings`.

One table (`SETTINGS`) names every setting with its default, what it accepts and its help; the
validation, the defaults and the settings reference in docs/ all come from it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reljournal.dates import Duration, parse_duration
from reljournal.errors import Problem, UserError, error, warning

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SETTINGS_FILE = ".reljournal.toml"
STATE_DIR = ".reljournal"
INDEX_FILE = "index.sqlite"


# ---- what each setting accepts ---------------------------------------------------------------------
def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("a non-empty string")
    return value


def _timezone(value: Any) -> str:
    _text(value)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("an IANA time zone such as \"Europe/London\"") from None
    return str(value)


def _duration(value: Any) -> Duration:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("a duration such as \"30d\", \"2w\", \"3m\", \"1y\" or \"quarterly\"")
    try:
        return parse_duration(value)
    except ValueError:
        raise ValueError("a duration such as \"30d\", \"2w\", \"3m\", \"1y\" or \"quarterly\"") from None


def _folder(value: Any) -> str:
    text = _text(value).strip("/")
    if not text or text.startswith(".") or ".." in Path(text).parts or Path(text).is_absolute():
        raise ValueError("a folder inside the vault, such as \"people\"")
    return text


def _string_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("a list of strings")
    return tuple(value)


def _choice(*choices: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError(" or ".join(f'"{c}"' for c in choices))
        return str(value)

    return check


def _alarm(value: Any) -> dt.time | None:
    if value is False:
        return None
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value):
        hour, minute = (int(x) for x in value.split(":"))
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    raise ValueError('a time of day such as "09:00", or false for no alarm')


def _target(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("a whole number, 0 or more")
    return value


def _positive(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("a whole number, 1 or more")
    return value


def window_end(value: Any) -> dt.date | Duration:
    """`since` / `until` of a calendar: a date (`2026-01-01`, a TOML date) or a duration from today."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    try:
        return _duration(value)
    except ValueError:
        raise ValueError('a date such as "2026-01-01" or a duration such as "90d"') from None


_INTERVAL = re.compile(r"(\d+)\s*(s|sec|min|h)", re.IGNORECASE)
_INTERVAL_SECONDS = {"s": 1, "sec": 1, "min": 60, "h": 3600}


def parse_interval(value: Any) -> int:
    """A polling interval in seconds: `30s`, `15min`, `1h` (never `m`: in durations that is months)."""
    m = _INTERVAL.fullmatch(value.strip()) if isinstance(value, str) else None
    if m is None or int(m[1]) == 0:
        raise ValueError('an interval such as "30s", "15min" or "1h" ("m" would be months: write "min")')
    return int(m[1]) * _INTERVAL_SECONDS[m[2].casefold()]


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


def _http_url(value: Any) -> str:
    text = _text(value).strip()
    if not re.match(r"https?://[^/\s]+", text, re.IGNORECASE):
        raise ValueError('an http:// or https:// address, such as "https://caldav.fastmail.com/"')
    return text


def _relative_path(value: Any) -> str:
    text = _text(value)
    if Path(text).is_absolute() or ".." in Path(text).parts:
        raise ValueError("a path inside the vault, such as \".reljournal/feed.ics\"")
    return text


@dataclass(frozen=True)
class Setting:
    section: str
    key: str
    default: Any
    accepts: Callable[[Any], Any]
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("vault", "name", None, _text, "calendar name of the feed (default: the vault folder's name)"),
    Setting("vault", "timezone", None, _timezone, "IANA zone that decides `today` (default: the machine's)"),
    Setting("vault", "default_cadence", None, _duration, "cadence for people with no cadence and no tier"),
    Setting("vault", "currency", None, _text, "currency of revenue, budget and exposure"),
    Setting("vault", "me", (), _string_list, "your own e-mail addresses: never people, and whose replies are yours"),
    Setting("folders", "people", "people", _folder, "top-level folder of person notes"),
    Setting("folders", "orgs", "orgs", _folder, "top-level folder of organisation notes"),
    Setting("folders", "interactions", "interactions", _folder, "top-level folder of interaction notes"),
    Setting("folders", "templates", "templates", _folder, "templates folder, never indexed"),
    Setting("folders", "ignore", (), _string_list, "gitignore-style patterns of paths never read"),
    Setting("feed", "path", ".reljournal/feed.ics", _relative_path, "where `feed` and `watch` write"),
    Setting("feed", "overdue", "today", _choice("today", "keep"), "overdue items on today or on their date"),
    Setting("feed", "alarm", dt.time(9, 0), _alarm, "VALARM time of day, or false for none"),
    Setting("feed", "detail", "summary", _choice("minimal", "summary", "full"), "how much note text leaves"),
    Setting("feed", "exclude_tags", ("private",), _string_list, "notes with these tags never reach the feed"),
    Setting("week", "target", 5, _target, "relationship interactions a week"),
    Setting("kinds", "property", None, _text, "the property that says a note's kind, when not `type` (SPEC 11)"),
    Setting("kinds", "person", None, _text, "its value on person notes: `[[People]]`"),
    Setting("kinds", "org", None, _text, "its value on organisation notes: `[[Companies]]`"),
    Setting("kinds", "interaction", None, _text, "its value on interaction notes: `[[Meetings]]`"),
    Setting("calendars", "name", None, _text, "what the calendar is called in messages (default: calendar N)"),
    Setting("calendars", "source", None, _text, "an .ics file, a folder of them, or an http(s):// or webcal:// URL"),
    Setting("calendars", "source_command", None, _text, "a command whose first output line is the source"),
    Setting("calendars", "since", "90d", window_end, "how far back to read: a date, or a duration before today"),
    Setting("calendars", "until", "60d", window_end, "how far ahead to read: a date, or a duration after today"),
    Setting("calendars", "max_attendees", 15, _positive, "meetings with more attendees are skipped"),
    Setting("calendars", "poll", "15min", parse_interval, "how often `watch` and `serve` read it"),
    Setting("caldav", "url", None, _http_url, "the CalDAV calendar, or the server's address with `calendar`"),
    Setting("caldav", "calendar", None, _text, "the calendar's name, found (or made) in your calendar home"),
    Setting("caldav", "username", None, _text, "the account's user name"),
    Setting("caldav", "password_command", None, _text, "a command whose first output line is the password"),
    Setting("caldav", "password", None, _text, "never read: a password does not belong in a versioned file"),
    Setting("caldav", "todos", False, _flag, "reach-outs and follow-up tasks as tasks (VTODO) with a due date"),
    Setting("caldav", "owner", None, _text, "push only this owner's part of the feed"),
    Setting("caldav", "poll", "5min", parse_interval, "how often `watch` and `serve` read back from it"),
)
SECTIONS = ("vault", "tiers", "folders", "feed", "week", "kinds", "fields", "calendars", "caldav")
ARRAYS = ("calendars",)  # sections written as arrays of tables: [[calendars]]


@dataclass(frozen=True)
class CalendarSettings:
    """One `[[calendars]]` table: where to read meetings from (SPEC 7)."""

    name: str
    source: str | None = field(default=None, repr=False)  # a URL is a secret: never shown beyond its host
    source_command: str | None = None
    since: dt.date | Duration = field(default_factory=lambda: parse_duration("90d"))
    until: dt.date | Duration = field(default_factory=lambda: parse_duration("60d"))
    max_attendees: int = 15
    poll: int = 900  # seconds
    line: int = 1  # of its `[[calendars]]` header in the settings file

    def window(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The first and last day read: `since` before today, `until` after it (or those dates)."""
        start = self.since if isinstance(self.since, dt.date) else self.since.subtract_from(today)
        end = self.until if isinstance(self.until, dt.date) else self.until.add_to(today)
        return start, end


@dataclass(frozen=True)
class CaldavSettings:
    """`[caldav]`: the calendar reminders are pushed to and read back from (SPEC 8)."""

    url: str = field(repr=False)  # may hold the user's name: shown by its host only
    calendar: str | None = None
    username: str | None = None
    password_command: str | None = None
    password_written: bool = False  # a `password` in the settings: never read, `check` warns
    todos: bool = False
    owner: str | None = None
    poll: int = 300  # seconds
    line: int = 1  # of the `[caldav]` header


@dataclass(frozen=True)
class Settings:
    root: Path
    name: str
    timezone: str | None = None
    default_cadence: Duration | None = None
    currency: str | None = None
    tiers: dict[str, Duration] = field(default_factory=dict)  # in file order: the first is the top tier
    people: str = "people"
    orgs: str = "orgs"
    interactions: str = "interactions"
    templates: str = "templates"
    ignore: tuple[str, ...] = ()
    feed_path: str = ".reljournal/feed.ics"
    overdue: str = "today"
    alarm: dt.time | None = dt.time(9, 0)
    detail: str = "summary"
    exclude_tags: tuple[str, ...] = ("private",)
    week_target: int = 5
    me: tuple[str, ...] = ()  # the user's own e-mail addresses
    calendars: tuple[CalendarSettings, ...] = ()
    caldav: CaldavSettings | None = None
    kind_property: str | None = None  # [kinds]: the property holding a note's kind (SPEC 11), else `type`
    kind_person: str | None = None
    kind_org: str | None = None
    kind_interaction: str | None = None
    fields: tuple[tuple[str, str], ...] = ()  # [fields]: (reljournal's key, the vault's property)
    plain: tuple[str, ...] = ()  # folders whose notes are plain notes whatever they say (Obsidian's daily notes)
    date_format: str = "YYYY-MM-DD"  # how templates' {{date}} and {{time}} are filled (Obsidian's templates.json)
    time_format: str = "HH:mm"
    text: str = ""  # the settings file as read: its hash decides whether the index must be rebuilt
    obsidian_text: str = ""  # the Obsidian settings read (.obsidian/*.json): in the index's fingerprint too

    @property
    def tz(self) -> dt.tzinfo | None:
        return ZoneInfo(self.timezone) if self.timezone else None

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def index_path(self) -> Path:
        return self.state_dir / INDEX_FILE

    def field_name(self, key: str) -> str:
        """The vault's name for one of reljournal's fields (`[fields]`, SPEC 11), else the field's own."""
        return next((theirs for ours, theirs in self.fields if ours == key), key)

    def today(self) -> dt.date:
        """The real date in the vault's zone (the machine's when none is set)."""
        return dt.datetime.now(self.tz).date()


_FIELD_OF: dict[tuple[str, str], str] = {
    ("feed", "path"): "feed_path", ("week", "target"): "week_target", ("kinds", "property"): "kind_property",
    ("kinds", "person"): "kind_person", ("kinds", "org"): "kind_org", ("kinds", "interaction"): "kind_interaction"}


def is_vault_root(folder: Path) -> bool:
    """A vault's root holds its settings file or an Obsidian vault's `.obsidian` folder."""
    return (folder / SETTINGS_FILE).is_file() or (folder / ".obsidian").is_dir()


def find_vault(explicit: str | os.PathLike[str] | None, cwd: Path | None = None) -> Path:
    """`--vault`, else $RELJOURNAL_VAULT, else the nearest folder upwards holding `.reljournal.toml` or
    `.obsidian`, as git finds its repository. None of these: `UserError` (exit 2), so that no command
    ever indexes a folder that is not a vault (a home folder, /tmp). A vault given as one of its own
    folders (`--vault ~/Relationships/people`) is refused too, naming the vault: it would answer quietly
    from the wrong folder."""
    given = explicit or os.environ.get("RELJOURNAL_VAULT")
    if given:
        root = Path(given).expanduser().resolve()
        if root.is_dir() and not is_vault_root(root):
            outer = next((f for f in root.parents if (f / SETTINGS_FILE).is_file()), None)
            if outer is not None:
                raise UserError(f"{root} is a folder inside the vault {outer}; use --vault {outer}", exit_code=2)
        return root
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_vault_root(folder):
            return folder
    raise UserError(f"no vault here: neither {here} nor a folder above it holds {SETTINGS_FILE} or .obsidian; "
                    "make one with `reljournal init`, or name one with --vault PATH (or $RELJOURNAL_VAULT)",
                    exit_code=2)


def load_settings(root: Path) -> tuple[Settings, list[Problem]]:
    """Read the settings of the vault at `root`. Problems come back as values; on any problem the
    settings returned are the defaults (callers other than `check` refuse to run)."""
    path = root / SETTINGS_FILE
    defaults = Settings(root=root, name=root.name)
    if not path.is_file():
        return _with_obsidian(defaults, set()), []  # Obsidian's settings count without ours too (SPEC 11)
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return defaults, [error(SETTINGS_FILE, 1, "settings", f"cannot read the settings: {exc}")]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        return defaults, [error(SETTINGS_FILE, int(m[1]) if m else 1, "settings", f"not valid TOML: {exc}")]
    problems: list[Problem] = []
    values: dict[str, Any] = {"text": text}
    known = {(s.section, s.key): s for s in SETTINGS}
    for section, table in data.items():
        if section not in SECTIONS:
            problems.append(_bad(text, section, None, f"unknown section [{section}]; known: "
                                 + ", ".join(f"[{s}]" for s in SECTIONS)))
            continue
        if section in ARRAYS:
            calendars, found = _calendars(text, table, known)
            values["calendars"] = calendars
            problems += found
            continue
        if not isinstance(table, dict):
            problems.append(_bad(text, None, section, f"{section} must be a table: [{section}]"))
            continue
        if section == "caldav":
            caldav, found = _caldav(text, table, known)
            values["caldav"] = caldav
            problems += found
            continue
        if section == "fields":
            fields, found = _fields(text, table)
            values["fields"] = fields
            problems += found
            continue
        if section == "tiers":
            tiers: dict[str, Duration] = {}
            for tier, value in table.items():
                try:
                    tiers[str(tier)] = _duration(value)
                except ValueError as exc:
                    problems.append(_bad(text, section, tier, f"[tiers] {tier} = {value!r}: expected {exc}"))
            values["tiers"] = tiers
            continue
        checked, found = _table(text, section, table, known)
        values.update((_FIELD_OF.get((section, key)) or key, value) for key, value in checked.items())
        problems += found
    if problems:
        return defaults, problems
    name = values.pop("name", None) or root.name
    return _with_obsidian(Settings(root=root, name=name, **values), set(values)), []


def _fields(text: str, table: Any) -> tuple[tuple[tuple[str, str], ...], list[Problem]]:
    """`[fields]`: reljournal's front-matter key = the vault's property for it (`with = "people"`)."""
    from reljournal.model import FRONT_MATTER_KEYS  # the keys reljournal reads

    known = sorted({k for keys in FRONT_MATTER_KEYS.values() for k in keys} - {"type"})
    out: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for key, value in table.items():
        if key not in known:
            problems.append(_bad(text, "fields", key, f"[fields] {key}: not a field reljournal reads; known: "
                                 + ", ".join(known)))
        elif not isinstance(value, str) or not value.strip():
            problems.append(_bad(text, "fields", key, f"[fields] {key} = {value!r}: expected the vault's property "
                                 "name, in quotes"))
        else:
            out.append((str(key), value.strip()))
    return tuple(out), problems


def _with_obsidian(settings: Settings, ours: set[str]) -> Settings:
    """The vault's Obsidian settings, where `.reljournal.toml` does not say otherwise (SPEC 11): the templates
    folder (`templates.json`), daily notes as plain notes (`daily-notes.json`), `userIgnoreFilters` and the
    attachment folder never read (`app.json`)."""
    folder = settings.root / ".obsidian"
    if not folder.is_dir():
        return settings
    read: dict[str, Any] = {}
    texts = []
    for name in ("templates.json", "daily-notes.json", "app.json"):
        try:
            raw = (folder / name).read_text(encoding="utf-8")
            value = json.loads(raw)
        except (OSError, ValueError):
            continue
        if isinstance(value, dict):
            read[name] = value
            texts.append(f"{name}\0{raw}")
    changes: dict[str, Any] = {"obsidian_text": "\0".join(texts)}
    template_settings = read.get("templates.json", {})
    templates = obsidian_folder(template_settings.get("folder"))
    if templates and "templates" not in ours:  # `ours`: the settings `.reljournal.toml` wrote, which win
        changes["templates"] = templates
    for key, name in (("dateFormat", "date_format"), ("timeFormat", "time_format")):
        if isinstance(template_settings.get(key), str) and template_settings[key].strip():
            changes[name] = template_settings[key].strip()
    daily = obsidian_folder(read.get("daily-notes.json", {}).get("folder"))
    if daily:
        changes["plain"] = (*settings.plain, daily)
    app = read.get("app.json", {})
    # a filter is a path prefix (`Archive/`, `Clippings`); one written `/regex/` is Obsidian's own and not read
    ignore = [f"/{f.strip('/')}" + ("" if f.endswith(".md") else "/")
              for f in app.get("userIgnoreFilters", []) if isinstance(f, str) and f.strip("/ ")
              and not (len(f) > 2 and f.startswith("/") and f.endswith("/"))]
    attachments = obsidian_folder(app.get("attachmentFolderPath"))
    if attachments:
        ignore.append(f"/{attachments}/")
    if ignore:
        changes["ignore"] = (*settings.ignore, *ignore)
    return replace(settings, **changes)


def obsidian_folder(value: Any) -> str | None:
    """A folder from Obsidian's settings, vault-relative (`./` and slashes trimmed), or None (`/`, `./`: the
    vault's root, which is no folder of its own)."""
    if not isinstance(value, str):
        return None
    folder = value.strip().removeprefix("./").strip("/")
    return folder or None


_RANDOM_PART = re.compile(r"[A-Za-z0-9_%-]{16,}")


def looks_secret(url: str) -> bool:
    """A calendar address that grants reading it: credentials in it, or a long random part (Google's
    `private-…`, Outlook's and iCloud's published tokens), or a token in its query."""
    lowered = url.casefold()
    if "://" not in lowered:
        return False
    rest = lowered.split("://", 1)[1]
    if "@" in rest.split("/", 1)[0] or "private-" in lowered or re.search(r"[?&](token|key|auth|secret)=", lowered):
        return True
    return any(_RANDOM_PART.fullmatch(part) and re.search(r"\d", part) and re.search(r"[a-z]", part)
               for part in re.split(r"[/?&=.@]", url.split("://", 1)[1]))


def secret_warnings(settings: Settings) -> list[Problem]:
    """`check`'s `secret` warnings: an address that grants reading a calendar, or a password, written in
    the settings of a vault (which git versions and teams share). They belong in a password manager."""
    out = [warning(SETTINGS_FILE, c.line, "secret",
                   f"[[calendars]] {c.name}: its `source` looks like a secret address (it grants reading the "
                   "calendar) and this file is versioned; keep it in a password manager and use "
                   "`source_command` (`pass show work-ics-url`)")
           for c in settings.calendars if c.source is not None and looks_secret(c.source)]
    dav = settings.caldav
    if dav is not None and dav.password_written:
        out.append(warning(SETTINGS_FILE, _line_of(settings.text, "caldav", "password"), "secret",
                           "[caldav] password: a password does not belong in a versioned file and is never read; "
                           "remove it and use `password_command`, $RELJOURNAL_CALDAV_PASSWORD or ~/.netrc"))
    if dav is not None and re.match(r"[a-z]+://[^/@]*:[^/@]*@|.*[?&](token|key|auth|secret|password)=", dav.url,
                                    re.IGNORECASE):
        out.append(warning(SETTINGS_FILE, _line_of(settings.text, "caldav", "url"), "secret",
                           "[caldav] url: the address holds a password or a token; write it without, and give "
                           "the password through `password_command`"))
    return out


def _calendars(text: str, tables: Any, known: dict[tuple[str, str], Setting]
               ) -> tuple[tuple[CalendarSettings, ...], list[Problem]]:
    """`[[calendars]]`: each table checked as the other sections are; it needs `source` or `source_command`."""
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        return (), [_bad(text, None, "calendars", "calendars must be tables written [[calendars]]")]
    problems: list[Problem] = []
    out: list[CalendarSettings] = []
    for n, table in enumerate(tables):
        values, found = _table(text, "calendars", table, known, nth=n)
        problems += found
        line = _line_of(text, "calendars", None, nth=n)
        if ("source" in values) == ("source_command" in values):
            problems.append(error(SETTINGS_FILE, line, "settings",
                                  "[[calendars]] needs one of `source` (a file, a folder or a URL) or "
                                  "`source_command` (a command that prints it)"))
            continue
        values.setdefault("name", f"calendar {n + 1}")
        out.append(CalendarSettings(line=line, **values))
    return tuple(out), problems


def _caldav(text: str, table: dict[str, Any], known: dict[tuple[str, str], Setting]
            ) -> tuple[CaldavSettings | None, list[Problem]]:
    """`[caldav]`: checked as the other sections are; it needs `url`."""
    values, problems = _table(text, "caldav", table, known)
    line = _line_of(text, "caldav", None)
    if "url" not in values:
        if not problems:
            problems.append(error(SETTINGS_FILE, line, "settings", "[caldav] needs `url`: the calendar's address, "
                                  "or the server's with `calendar = \"NAME\"`"))
        return None, problems
    written = values.pop("password", None) is not None
    return CaldavSettings(line=line, password_written=written, **values), problems


# Values that may be secrets (an address that grants reading a calendar, a password): never repeated in a message.
_HIDDEN = {("calendars", "source"), ("caldav", "url"), ("caldav", "password")}
_NEVER_READ = {("caldav", "password")}  # accepted, so that `check` can warn, but never offered


def _table(text: str, section: str, table: dict[str, Any], known: dict[tuple[str, str], Setting], nth: int = 0
           ) -> tuple[dict[str, Any], list[Problem]]:
    """The values of one table of `section` (the `nth` of `[[section]]`), each checked by its `Setting`."""
    label = f"[[{section}]]" if section in ARRAYS else f"[{section}]"
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in table.items():
        setting = known.get((section, key))
        if setting is None:
            allowed = ", ".join(s.key for s in SETTINGS if s.section == section and (section, s.key) not in _NEVER_READ)
            problems.append(_bad(text, section, key, f"unknown key {key!r} in {label}; allowed: {allowed}", nth))
            continue
        try:
            values[str(key)] = setting.accepts(value)
        except ValueError as exc:
            shown = "(hidden)" if (section, key) in _HIDDEN else repr(value)
            problems.append(_bad(text, section, key, f"{label} {key} = {shown}: expected {exc}", nth))
    return values, problems


def _bad(text: str, section: str | None, key: str | None, message: str, nth: int = 0) -> Problem:
    return error(SETTINGS_FILE, _line_of(text, section, key, nth), "settings", message)


def setting_line(settings: Settings, section: str, key: str) -> int:
    """The line of `key` in `[section]` of the vault's settings file (1 when it is not written there)."""
    return _line_of(settings.text, section, key)


def _line_of(text: str, section: str | None, key: str | None, nth: int = 0) -> int:
    """The line of `key` in `[section]` (or of the section header when key is None); `nth`: in the nth
    table of an array of tables (`[[calendars]]`)."""
    current, seen = "", -1
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = re.fullmatch(r"\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?", stripped)
        if header:
            current = header[1].strip("\"'")
            seen = seen + 1 if current == section else seen
            if key is None and current == section and seen == nth:
                return number
            continue
        if key is not None and (section is None or (current == section and seen == nth)):
            m = re.match(r"""\s*(["']?)([^"'=\s]+)\1\s*=""", line)
            if m and m[2] == key:
                return number
    return 1
