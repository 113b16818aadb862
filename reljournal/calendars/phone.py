"""Reminders on the phone, both ways: `[caldav]` in `sync`, `watch` and `serve` (SPEC 8).

One sync: read back what the phone did since the last one (one `sync-collection` request when nothing
changed), apply it to the vault (a reach-out done is logged, moved is snoozed or brought forward, a
follow-up done is ticked, a deleted reminder is dismissed), then push: the collection is made to hold
exactly the feed's items, sending only what changed (`If-None-Match: *` to create, `If-Match` to replace
or delete), never touching an item reljournal did not make.

What was pushed (each item's ETag, the digest of its content, what it stands for) is kept in
`.reljournal/caldav.json`. Losing it costs a full comparison (every item listed and read), never a
duplicate: items are named from their UIDs, and those not ours are never read, changed or deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import netrc
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reljournal.atomic import write_atomic
from reljournal.calendars.commands import CommandError, first_line_of
from reljournal.calendars.dav import Dav, DavError, is_ours, item_href
from reljournal.calendars.http import host_of
from reljournal.calendars.reminders import (
    DISMISSED,
    DONE,
    MOVED,
    Found,
    Outcome,
    Reminder,
    done_day,
    found_in,
    read_back,
    reminders,
)
from reljournal.config import CaldavSettings, Settings
from reljournal.edit import edit_note, edit_task
from reljournal.events import DUE, TASK
from reljournal.feed import PRODID
from reljournal.index.sync import digest as digest_of
from reljournal.index.sync import settings_fingerprint
from reljournal.lognote import NewInteraction, write_interaction
from reljournal.queries import View

STATE_FILE = "caldav.json"
PASSWORD_ENV = "RELJOURNAL_CALDAV_PASSWORD"


class PhoneError(Exception):
    """One line: what failed, naming the server's host only."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class PhoneResult:
    new: int = 0
    changed: int = 0
    removed: int = 0
    done: int = 0
    snoozed: int = 0
    earlier: int = 0
    ticked: int = 0
    dismissed: int = 0
    conflicts: int = 0
    lines: list[str] = field(default_factory=list)  # what changed in the vault (`would …` for a dry run)
    requests: int = 0
    written: int = 0  # notes written or edited in the vault: the view is brought up to date only after one

    def summary(self) -> str:
        """`3 new, 1 changed, 2 removed; 1 done on the phone, 1 snoozed`."""
        text = f"{self.new} new, {self.changed} changed, {self.removed} removed"
        back = [f"{n} {what}" for n, what in ((self.done, "done on the phone"), (self.snoozed, "snoozed"),
                                             (self.earlier, "brought forward"), (self.ticked, "ticked"),
                                             (self.dismissed, "dismissed"),
                                             (self.conflicts, "changed on both sides, read back next time"))
                if n]
        return text + ("; " + ", ".join(back) if back else "")


# ---- the password ------------------------------------------------------------------------------------------
def credentials(dav: CaldavSettings, root: Path) -> tuple[str | None, str | None]:
    """(user name, password): the password from `password_command`, else $RELJOURNAL_CALDAV_PASSWORD,
    else ~/.netrc for the server's host (which may give the user name too). Never from the vault."""
    username = dav.username
    if dav.password_command:
        return username, _run_password_command(dav.password_command, root)
    if os.environ.get(PASSWORD_ENV):
        return username, os.environ[PASSWORD_ENV]
    try:
        entry = netrc.netrc().authenticators(host_of(dav.url))
    except (OSError, netrc.NetrcParseError):
        entry = None
    if entry is not None:
        login, _, password = entry
        return username or login or None, password
    return username, None


def _run_password_command(command: str, root: Path) -> str:
    try:
        return first_line_of(command, cwd=root, setting="password_command", what="a password")
    except CommandError as exc:
        raise PhoneError(exc.message) from None


# ---- what was pushed ---------------------------------------------------------------------------------------
@dataclass
class State:
    key: str = ""  # which calendar, account and choices it is about: another one starts afresh
    collection: str | None = None
    token: str | None = None
    items: dict[str, dict[str, Any]] = field(default_factory=dict)  # uid -> href, etag, digest, kind, day, ...
    dismissed: dict[str, str] = field(default_factory=dict)  # uid -> the day it had when deleted on the phone
    made_from: str | None = None  # what the last push was made from: the same again, nothing to build
    auth: str | None = None  # the authentication scheme the server asked for

    @classmethod
    def load(cls, path: Path, key: str) -> State:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("key") != key:
                return cls(key)
            return cls(key, data.get("collection"), data.get("token"), dict(data.get("items", {})),
                       dict(data.get("dismissed", {})), data.get("made_from"), data.get("auth"))
        except (OSError, ValueError, AttributeError, TypeError):
            return cls(key)

    def save(self, path: Path) -> None:
        data = {"key": self.key, "collection": self.collection, "token": self.token, "made_from": self.made_from,
                "auth": self.auth,
                "items": dict(sorted(self.items.items())), "dismissed": dict(sorted(self.dismissed.items()))}
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(data, indent=1, sort_keys=True).encode(), only_if_changed=True)


def state_key(dav: CaldavSettings) -> str:
    return hashlib.blake2b("\0".join([dav.url, dav.calendar or "", dav.username or "", str(dav.todos),
                                      dav.owner or ""]).encode(), digest_size=12).hexdigest()


# ---- one sync ----------------------------------------------------------------------------------------------
def sync_phone(settings: Settings, today: dt.date, view_of: Callable[[], View], *, dry_run: bool = False,
               password: tuple[str | None, str | None] | None = None, timeout: float | None = None) -> PhoneResult:
    """Read back, apply to the vault, push. `PhoneError` when the server cannot be used (what was done
    before the failure is kept, and remembered)."""
    dav_settings = settings.caldav
    assert dav_settings is not None
    state_path = settings.state_dir / STATE_FILE
    state = State.load(state_path, state_key(dav_settings))
    username, secret = password if password is not None else credentials(dav_settings, settings.root)
    dav = Dav(dav_settings.url, username, secret, auth=state.auth, **({"timeout": timeout} if timeout else {}))
    result = PhoneResult()
    try:
        _sync(settings, today, view_of, dav, state, result, dry_run)
        state.auth = dav.auth
    except DavError as exc:
        if not dry_run:
            state.save(state_path)
        result.requests = dav.requests
        raise PhoneError(_advice(exc, dav_settings)) from None
    finally:
        result.requests = dav.requests
    if not dry_run:
        state.save(state_path)
    return result


def _advice(exc: DavError, dav: CaldavSettings) -> str:
    if exc.status == 401:
        return exc.message + "; check `username` and the password (password_command, $RELJOURNAL_CALDAV_PASSWORD " \
                             "or ~/.netrc; iCloud wants an app-specific password)"
    if exc.status in (403, 415) and dav.todos:
        return exc.message + "; the server may not take tasks (Google's CalDAV does not): set `todos = false`"
    return exc.message


def _sync(settings: Settings, today: dt.date, view_of: Callable[[], View], dav: Dav, state: State,
          result: PhoneResult, dry_run: bool) -> None:
    dav_settings = settings.caldav
    assert dav_settings is not None
    if state.collection is None:
        try:
            state.collection = dav.collection(dav_settings.url, dav_settings.calendar, create=not dry_run)
        except DavError as exc:
            if not (dry_run and exc.status == 404):
                raise
            result.lines.append(f"would make the calendar on {dav.host}")
            state.collection = None
    collection = state.collection
    if collection is None:  # a dry run against a calendar not made yet: everything would be new
        _push(settings, view_of(), dav, "", state, result, dry_run, {}, set())
        return
    changes = dav.changes(collection, state.token)
    by_href = {item["href"]: uid for uid, item in state.items.items()}
    server_etags = dict(changes.etags)
    changed = sorted(h for h, etag in changes.etags.items() if h in by_href and etag != state.items[by_href[h]]["etag"])
    gone = {h for h in changes.gone if h in by_href}
    orphans = []
    if changes.full:
        gone |= {h for h in by_href if h not in changes.etags}
        orphans = sorted(h for h in changes.etags if h not in by_href and is_ours(h))
    fetched = dav.fetch(collection, changed + orphans)
    gone |= {h for h in changed if h not in fetched}
    outcomes: list[Outcome] = []
    stale: set[str] = set()  # uids whose server copy is not what we pushed: pushed again, over it
    for href in changed:
        if href not in fetched:
            continue
        uid = by_href[href]
        etag, data = fetched[href]
        server_etags[href] = etag
        found = found_in(data)
        outcome = read_back({"uid": uid, **state.items[uid]}, found, today, settings.tz)
        if outcome is not None:
            outcomes.append(outcome)
        elif found.digest != state.items[uid].get("digest"):
            stale.add(uid)
        else:
            state.items[uid]["etag"] = etag  # our own write, its ETag not told at the time
    for href in sorted(gone):
        uid = by_href[href]
        pushed = state.items[uid]
        outcomes.append(Outcome(DISMISSED, uid, pushed["kind"], dt.date.fromisoformat(pushed["day"]),
                                pushed.get("summary", "")))
    orphan_found = {f.uid: (href, f) for href, (_, data) in fetched.items() if href in orphans
                    for f in (found_in(data),) if f.uid}
    # The vault is brought up to date again only after a note was written: the notes just written count in
    # what follows (a contact logged moves the next date), and each sync may walk 100,000 files.
    view = view_of()
    logged = {source for _, source, _, _, _ in view.index.sourced("caldav:")}
    _apply(settings, today, outcomes, state, result, dry_run, logged)
    if result.written:
        view = view_of()
    written = result.written
    _orphans_done(settings, view, orphan_found, state, result, dry_run, today, logged)
    if result.written != written:
        view = view_of()
    if not dry_run:
        state.token = changes.token
    _push(settings, view, dav, collection, state, result, dry_run, server_etags, stale,
          orphans={uid: href for uid, (href, _) in orphan_found.items()})


def _apply(settings: Settings, today: dt.date, outcomes: list[Outcome], state: State, result: PhoneResult,
           dry_run: bool, logged: set[str]) -> None:
    """What the phone did, made true in the vault (the phone's change first: the push then carries the
    vault's result)."""
    would = "would " if dry_run else ""
    for o in outcomes:
        if o.what == DISMISSED:
            result.dismissed += 1
            result.lines.append(f"{would}dismiss {o.summary or o.uid!r} "
                                "(deleted on the phone; back when its day moves)")
            if not dry_run:
                state.dismissed[o.uid] = o.pushed_day.isoformat()
                state.items.pop(o.uid, None)
            continue
        if o.what == DONE and o.person is not None:
            result.done += 1
            if not dry_run:
                path = _log_done(settings, o, today, logged)
                result.written += path is not None
                result.lines.append(f"+ {path}" if path else f"= {o.person}: logged before")
            else:
                result.lines.append(f"would log a contact with {o.person} on {o.day}")
        elif o.what == DONE and o.task is not None:
            result.ticked += 1
            path, line, text = o.task
            if not dry_run and not edit_task(settings, path, line, text, done=True):
                result.lines.append(f"= {path}:{line}: already done or gone")
            else:
                result.written += not dry_run
                result.lines.append(f"{'would tick' if dry_run else '~'} {path}:{line}: [x] {text}")
        elif o.what == MOVED and o.person is not None and o.day is not None:
            key = "snooze" if o.day > o.pushed_day else "next"
            if key == "snooze":
                result.snoozed += 1
            else:
                result.earlier += 1
            if dry_run:
                result.lines.append(f"would set {key}: {o.day} in {o.person}")
            else:
                edit = edit_note(settings, o.person, key, o.day)
                result.written += edit.changed
                result.lines.append(edit.describe())
        elif o.what == MOVED and o.task is not None and o.day is not None:
            path, line, text = o.task
            result.lines.append(f"{'would move' if dry_run else '~'} {path}:{line}: due {o.day}")
            if not dry_run:
                result.written += edit_task(settings, path, line, text, due=o.day)


def _log_done(settings: Settings, o: Outcome, today: dt.date, logged: set[str]) -> str | None:
    """The interaction a reminder done on the phone stands for, logged once (`source: caldav:UID/DAY`)."""
    assert o.person is not None and o.day is not None
    source = f"caldav:{o.uid}/{o.pushed_day:%Y%m%d}"
    if source in logged:
        return None
    logged.add(source)
    title = Path(o.person).stem
    entry = NewInteraction(when=min(o.day, today), people=(title,), source=source,
                           note=f"Done on the phone: the reminder to reach out to {title}.")
    return write_interaction(settings, entry)


def _orphans_done(settings: Settings, view: View, found: dict[str, tuple[str, Found]], state: State,
                  result: PhoneResult, dry_run: bool, today: dt.date, logged: set[str]) -> None:
    """Without a memory of what was pushed (lost, or another machine's), only a completed reminder is read
    back: a move cannot be told from an old push."""
    if not found:
        return
    current = {r.uid: r for r in reminders(view, owner=settings.caldav.owner if settings.caldav else None,
                                            todos=bool(settings.caldav and settings.caldav.todos))}
    outcomes = []
    for uid, (_, f) in found.items():
        r = current.get(uid)
        if r is None or r.kind not in (DUE, TASK):
            continue
        if f.completed:
            outcomes.append(Outcome(DONE, r.uid, r.kind, r.day, r.summary, day=done_day(f.completed_at, today,
                                                                                         settings.tz),
                                    person=r.person, task=r.task))
    _apply(settings, today, outcomes, state, result, dry_run, logged)


def made_from(settings: Settings, view: View) -> str:
    """What a push is made from: the index's content (its token, replaced by every sync that changes a
    note), the day, the settings and this code. The same again: the reminders are the same."""
    parts = [view.index.content_token() or "-", view.today.isoformat(), settings_fingerprint(settings), PRODID]
    return digest_of("\0".join(parts).encode())


def _push(settings: Settings, view: View, dav: Dav, collection: str, state: State, result: PhoneResult,
          dry_run: bool, server_etags: dict[str, str], stale: set[str], orphans: dict[str, str] | None = None) -> None:
    dav_settings = settings.caldav
    assert dav_settings is not None
    source = made_from(settings, view)
    if source == state.made_from and not stale and not orphans:
        return  # nothing in the vault changed since the last push, nor on the server: 0 requests, no build
    desired: dict[str, Reminder] = {}
    for r in reminders(view, owner=dav_settings.owner, todos=dav_settings.todos):
        dismissed = state.dismissed.get(r.uid)
        if dismissed is not None and dismissed == r.day.isoformat():
            continue
        if not dry_run:
            state.dismissed.pop(r.uid, None)  # its day moved: pushed again
        desired[r.uid] = r
    orphans = orphans or {}
    for uid, r in desired.items():
        known = state.items.get(uid)
        if known is None or known["digest"] != r.digest or uid in stale:
            _put(dav, collection, state, result, r, dry_run, server_etags, orphans)
    for uid in sorted(set(state.items) - set(desired)):
        _remove(dav, state, result, uid, dry_run, server_etags)
    for uid, href in sorted(orphans.items()):
        if uid not in desired and not dry_run:
            dav.delete(href, server_etags.get(href))  # ours, from a memory lost: no longer in the feed
            result.removed += 1
    if not dry_run and not result.conflicts:
        state.made_from = source


def _put(dav: Dav, collection: str, state: State, result: PhoneResult, r: Reminder, dry_run: bool,
         server_etags: dict[str, str], orphans: dict[str, str]) -> None:
    """Push one new or changed reminder (`If-Match` its last ETag: one changed on the phone meanwhile is a
    conflict, read back at the next sync)."""
    known = state.items.get(r.uid)
    href = known["href"] if known is not None else orphans.get(r.uid) or item_href(collection, r.uid)
    etag = server_etags.get(href) or (known or {}).get("etag")
    exists = known is not None or href in orphans.values()
    if dry_run:
        result.changed += exists
        result.new += not exists
        return
    try:
        new_etag = dav.put(href, r.data, etag if exists else None)
    except DavError as exc:
        if exc.status != 412:
            raise
        if exists:
            result.conflicts += 1  # changed on the phone since we looked: read back at the next sync
            return
        listing = dav.etags(collection)  # there already (a memory lost): replace what is there
        new_etag = dav.put(href, r.data, listing.etags.get(href))
    result.changed += exists
    result.new += not exists
    state.items[r.uid] = {"href": href, "etag": new_etag, "digest": r.digest, "kind": r.kind, "summary": r.summary,
                          "day": r.day.isoformat(), "person": r.person, "task": list(r.task) if r.task else None}


def _remove(dav: Dav, state: State, result: PhoneResult, uid: str, dry_run: bool, server_etags: dict[str, str]
            ) -> None:
    """Take a reminder the vault no longer gives off the phone (unless changed there meanwhile)."""
    known = state.items[uid]
    result.removed += 1
    if dry_run:
        return
    try:
        dav.delete(known["href"], server_etags.get(known["href"]) or known.get("etag"))
    except DavError as exc:
        if exc.status != 412:
            raise
        result.removed -= 1
        result.conflicts += 1
        return
    state.items.pop(uid)
