"""Where a calendar comes from: an .ics file, a folder of them (a vdir, as vdirsyncer writes), or a URL
(`http(s)://`, `webcal://`), named directly or printed by a command (`source_command`).

A URL is fetched through `calendars.http` with the validators of the last good read, kept in
`.reljournal/calendars/` beside a copy of what was read: an unchanged calendar costs one request (a 304)
and is read from that copy. That folder also keeps which occurrences the last read of each source held, so
that one gone from it is noticed. Nothing of it is needed: losing it costs a full download and a missed
"gone", never a duplicate. Files there are named by a hash of the source, never by the source itself.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from reljournal.atomic import write_atomic
from reljournal.calendars.commands import CommandError, first_line_of
from reljournal.calendars.http import (
    MAX_BYTES,
    TIMEOUT,
    HttpError,
    Response,
    Validators,
    get,
    host_of,
    https_of,
    is_url,
)
from reljournal.calendars.reading import NotACalendar, looks_like_icalendar


class SourceError(Exception):
    """The source could not be read: one line, naming at most a URL's host."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Source:
    location: str = field(repr=False)  # a path, or a URL (a secret)
    label: str  # what messages call it: the path as given, or the URL's host

    @property
    def is_url(self) -> bool:
        return is_url(self.location)

    @property
    def key(self) -> str:
        """What its state in `.reljournal/calendars/` is filed under: a hash, never the source itself."""
        where = https_of(self.location) if self.is_url else str(Path(self.location).expanduser().resolve())
        return hashlib.blake2b(where.encode(), digest_size=12).hexdigest()


def source_of(text: str) -> Source:
    text = text.strip()
    return Source(text, host_of(text) if is_url(text) else text)


def from_command(command: str, *, cwd: Path) -> Source:
    """The source printed (first line) by `command` (`calendars.commands`)."""
    try:
        return source_of(first_line_of(command, cwd=cwd, setting="source_command", what="a source"))
    except CommandError as exc:
        raise SourceError(exc.message) from None


@dataclass
class State:
    """What is kept of one source between reads (`.reljournal/calendars/KEY.json`)."""

    etag: str | None = None
    last_modified: str | None = None
    seen: dict[str, str] = field(default_factory=dict)  # occurrence source -> its date (ISO), at the last read

    @classmethod
    def load(cls, folder: Path, source: Source) -> State:
        try:
            data = json.loads((folder / f"{source.key}.json").read_text(encoding="utf-8"))
            return cls(data.get("etag"), data.get("last_modified"), dict(data.get("seen", {})))
        except (OSError, ValueError, AttributeError, TypeError):
            return cls()

    def save(self, folder: Path, source: Source) -> None:
        data = {"etag": self.etag, "last_modified": self.last_modified, "seen": dict(sorted(self.seen.items()))}
        write_atomic(folder / f"{source.key}.json", json.dumps(data, indent=1).encode(), only_if_changed=True,
                     durable=False)


@dataclass(frozen=True)
class Fetched:
    texts: tuple[tuple[str, bytes], ...]  # (where, calendar data): one for a file or URL, one per file of a vdir
    validators: Validators = Validators()
    body: bytes | None = None  # a URL's body, to keep for the next conditional request
    from_folder: bool = False  # a vdir: a file in it that is not a calendar is counted, not fatal


def fetch(source: Source, folder: Path, state: State, *, timeout: float | None = None) -> Fetched:
    """The calendar data of `source`. A URL that answers 304 is read from the copy kept in `folder`."""
    if source.is_url:
        return _fetch_url(source, folder, state, timeout)
    path = Path(source.location).expanduser()
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.casefold() == ".ics" and p.is_file())
        if not files:
            raise SourceError(f"{source.label}: a folder without .ics files")
        return Fetched(tuple((p.name, _read_file(p, source)) for p in files), from_folder=True)
    data = _read_file(path, source)
    _check(data, source.label)
    return Fetched(((path.name, data),))


def _read_file(path: Path, source: Source) -> bytes:
    try:
        if not path.is_file():
            raise SourceError(f"{source.label}: no such file or folder")
        if path.stat().st_size > MAX_BYTES:  # as for a calendar read over HTTP: a bound on what one read costs
            raise SourceError(f"{source.label}: larger than {MAX_BYTES // 2**20} MB; not read")
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{source.label}: cannot be read ({exc.strerror})") from None


def _fetch_url(source: Source, folder: Path, state: State, timeout: float | None) -> Fetched:
    copy = folder / f"{source.key}.ics"
    validators = Validators(state.etag, state.last_modified) if copy.is_file() else Validators()
    reply = _get(source, validators, timeout)
    if reply.status == 304:
        try:
            return Fetched(((source.label, copy.read_bytes()),), validators)
        except OSError:  # the copy went meanwhile: ask for the whole calendar
            reply = _get(source, Validators(), timeout)
    _check(reply.body, source.label)
    return Fetched(((source.label, reply.body),), Validators(reply.etag, reply.last_modified), reply.body)


def _get(source: Source, validators: Validators, timeout: float | None) -> Response:
    try:
        return get(source.location, validators, timeout=timeout or TIMEOUT)
    except HttpError as exc:
        raise SourceError(exc.message) from None


def _check(data: bytes, label: str) -> None:
    try:
        looks_like_icalendar(data)
    except NotACalendar as exc:
        raise SourceError(f"{label}: not a calendar: {exc}") from None


def remember(folder: Path, source: Source, fetched: Fetched, state: State) -> None:
    """After a good import: the validators and the copy of a URL's calendar, and what it held."""
    if fetched.body is not None:
        write_atomic(folder / f"{source.key}.ics", fetched.body, only_if_changed=True, durable=False)
    state.etag, state.last_modified = fetched.validators.etag, fetched.validators.last_modified
    state.save(folder, source)
