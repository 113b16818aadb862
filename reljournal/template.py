"""The starter vault (`vault-template/`): what `init` copies and what `demo` fills with sample notes.

The sample notes (everything under people/, orgs/ and interactions/ in the template) are written with
dates around SAMPLE_ANCHOR; copying them shifts every date by (today - SAMPLE_ANCHOR), so the sample
means the same thing whatever today's date is.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from reljournal.atomic import check_inside, write_atomic
from reljournal.config import Settings, load_settings
from reljournal.discover import Found, settings_text
from reljournal.errors import UserError
from reljournal.model import INTERACTION, ORG, PERSON
from reljournal.vault import read_regular

SAMPLE_ANCHOR = dt.date(2026, 11, 24)
SAMPLE_FOLDERS = ("people", "orgs", "interactions")
_ISO_DATE = re.compile(r"(?<![\d-])(\d{4}-\d{2}-\d{2})(?![\d])")
_NO_YEAR = re.compile(r"(?<![\w-])--(\d{2})-(\d{2})(?![\d])")  # a birthday without its year


def template_dir() -> Path:
    """The packaged template (a wheel), else the source tree's (an editable install)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "vault_template", here.parent / "vault-template"):
        if (candidate / ".reljournal.toml").is_file():
            return candidate
    raise UserError("the vault template is missing from this installation; reinstall reljournal")


def _is_sample(rel: str) -> bool:
    return rel.split("/", 1)[0] in SAMPLE_FOLDERS


def shift_dates(text: str, days: int) -> str:
    def move(m: re.Match[str]) -> str:
        try:
            return (dt.date.fromisoformat(m[1]) + dt.timedelta(days=days)).isoformat()
        except ValueError:
            return m[1]

    def move_no_year(m: re.Match[str]) -> str:
        try:
            moved = dt.date(SAMPLE_ANCHOR.year, int(m[1]), int(m[2])) + dt.timedelta(days=days)
        except ValueError:
            return m[0]
        return f"--{moved.month:02d}-{moved.day:02d}"

    return _NO_YEAR.sub(move_no_year, _ISO_DATE.sub(move, text))


@dataclass
class CopyResult:
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # already there: never overwritten


def machine_timezone() -> str | None:
    """The machine's IANA zone name, when it can be told (TZ, /etc/timezone, /etc/localtime)."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if "/" in tz and not tz.startswith("/"):
        return tz
    try:
        name = Path("/etc/timezone").read_text().strip()
        if name:
            return name
    except OSError:
        pass
    try:
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    except OSError:
        pass
    return None


def copy_template(dest: Path, *, sample: bool, today: dt.date, found: Found | None = None) -> CopyResult:
    """Copy the template into `dest`, adding only what is missing. Sample notes only with `sample`. Every file
    and folder it would write is checked to stay in the vault (no link out) before anything is written.
    `found`: what a vault of its own layout says (`discover`, SPEC 11): written into the settings, and the
    folders and templates its layout makes needless are not made; nor is a file whose name differs only in
    case from one there (`README.md` beside `Readme.md`)."""
    src = template_dir()
    result = CopyResult()
    own_layout = found is not None and found.kind_property is not None
    own_templates = own_layout or load_settings(dest)[0].templates != Settings.templates  # Obsidian names its own
    days = (today - SAMPLE_ANCHOR).days
    todo: list[tuple[str, bytes]] = []
    for path in sorted(src.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(src).as_posix()
        data = path.read_bytes()
        if _is_sample(rel):
            if not sample:
                continue
            rel = shift_dates(rel, days)
            parts = rel.split("/")
            if parts[0] == "interactions" and len(parts) == 3:  # the year folder follows the date
                rel = f"interactions/{parts[2][:4]}/{parts[2]}"
            data = shift_dates(data.decode("utf-8"), days).encode("utf-8")
        if rel == ".reljournal.toml":
            zone = machine_timezone()
            if zone:
                data = data.decode("utf-8").replace('# timezone = "Europe/London"', f'timezone = "{zone}"').encode()
            if found is not None:
                data = _with_found(data.decode("utf-8"), found).encode("utf-8")
        if ((own_layout and (_is_sample(rel) or rel.startswith(".obsidian/")))
                or (own_templates and rel.startswith("templates/"))):
            continue  # the vault keeps its notes, templates and Obsidian settings as they are
        todo.append((rel, data))
    folders = () if own_layout else SAMPLE_FOLDERS
    for rel in [*folders, *(rel for rel, _ in todo), ".gitignore"]:
        check_inside(dest, dest / rel)
    for folder in folders:
        (dest / folder).mkdir(parents=True, exist_ok=True)
    for rel, data in todo:
        target = dest / rel
        if os.path.lexists(target) or _there_in_another_case(target):  # a link counts as there
            result.kept.append(rel)
            continue
        write_atomic(target, data, exclusive=True, inside=dest)
        result.written.append(rel)
    _ensure_gitignore(dest, result)
    return result


def _there_in_another_case(path: Path) -> bool:
    """A file of the same name but for its case is there (`Readme.md` for `README.md`): one file on a disk that
    ignores case, and two confusingly alike names on one that does not."""
    try:
        return any(p.name.casefold() == path.name.casefold() for p in path.parent.iterdir())
    except OSError:
        return False


def _with_found(text: str, found: Found) -> str:
    """The template's settings with what `discover` found: the folders each kind lives in, `[kinds]` and
    `[fields]`."""
    for kind, key in ((PERSON, "people"), (ORG, "orgs"), (INTERACTION, "interactions")):
        folder = found.folders.get(kind)
        if folder:
            text = re.sub(rf'(?m)^# {key} = "{key}"\n', f'{key} = "{folder}"' + " " * max(1, 34 - len(key)
                          - len(folder) - 5) + "# where its notes are\n", text, count=1)
    return text + settings_text(found)


def _ensure_gitignore(dest: Path, result: CopyResult) -> None:
    """An existing .gitignore keeps its lines, byte for byte (whatever its encoding); `.reljournal/` is added
    when missing. A `.gitignore` that is a link out of the vault is refused (never copied in)."""
    path = dest / ".gitignore"
    check_inside(dest, path)
    data = read_regular(path) if path.exists() else b""
    ignored = (b".reljournal/", b".reljournal", b"/.reljournal/", b"/.reljournal")
    if any(line.strip() in ignored for line in data.splitlines()):
        return
    if data and not data.endswith(b"\n"):
        data += b"\r\n" if data.endswith(b"\r") or b"\r\n" in data else b"\n"
    data += b"# reljournal's index and feed: derived from the notes, never committed\n.reljournal/\n"
    write_atomic(path, data, inside=dest)
    if ".gitignore" not in result.written:
        result.written.append(".gitignore (.reljournal/ added)")
