"""Find the vault and read `.reljournal.toml` into typed `Settings`.

One table (`SETTINGS`) names every setting with its default, what it accepts and its help; the
validation, the defaults and the settings reference in docs/ all come from it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reljournal.dates import Duration, parse_duration
from reljournal.errors import Problem, UserError, error

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
)
SECTIONS = ("vault", "tiers", "folders", "feed", "week")


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
    text: str = ""  # the settings file as read: its hash decides whether the index must be rebuilt

    @property
    def tz(self) -> dt.tzinfo | None:
        return ZoneInfo(self.timezone) if self.timezone else None

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def index_path(self) -> Path:
        return self.state_dir / INDEX_FILE

    def today(self) -> dt.date:
        """The real date in the vault's zone (the machine's when none is set)."""
        return dt.datetime.now(self.tz).date()


_FIELD_OF: dict[tuple[str, str], str] = {("feed", "path"): "feed_path", ("week", "target"): "week_target"}


VAULT_MARKERS = (SETTINGS_FILE, ".obsidian")  # a folder holding one of these is a vault's root


def is_vault_root(folder: Path) -> bool:
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
        return defaults, []
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
        if not isinstance(table, dict):
            problems.append(_bad(text, None, section, f"{section} must be a table: [{section}]"))
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
        for key, value in table.items():
            setting = known.get((section, key))
            if setting is None:
                allowed = ", ".join(s.key for s in SETTINGS if s.section == section)
                problems.append(_bad(text, section, key, f"unknown key {key!r} in [{section}]; allowed: {allowed}"))
                continue
            try:
                values[_FIELD_OF.get((section, str(key))) or str(key)] = setting.accepts(value)
            except ValueError as exc:
                problems.append(_bad(text, section, key, f"[{section}] {key} = {value!r}: expected {exc}"))
    if problems:
        return defaults, problems
    name = values.pop("name", None) or root.name
    return Settings(root=root, name=name, **values), []


def _bad(text: str, section: str | None, key: str | None, message: str) -> Problem:
    return error(SETTINGS_FILE, _line_of(text, section, key), "settings", message)


def _line_of(text: str, section: str | None, key: str | None) -> int:
    """The line of `key` in `[section]` (or of the section header when key is None)."""
    current = ""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = re.fullmatch(r"\[\s*([^\]]+?)\s*\]\s*(#.*)?", stripped)
        if header:
            current = header[1].strip("\"'")
            if key is None and current == section:
                return number
            continue
        if key is not None and (section is None or current == section):
            m = re.match(r"""\s*(["']?)([^"'=\s]+)\1\s*=""", line)
            if m and m[2] == key:
                return number
    return 1
