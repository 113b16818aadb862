"""Reminders on the phone (SPEC 8) against a real CalDAV server: Radicale on 127.0.0.1 and a free port,
started by the test with htpasswd authentication, always stopped. The phone's side is played by an
independent client: the `caldav` library, as DAVx⁵ or iOS would complete, move or delete a reminder."""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from conftest import Run, wait_for, write_note

from reljournal.app import Journal
from reljournal.calendars import dav as dav_module
from reljournal.calendars.phone import sync_phone

TODAY = "2026-03-15"
USER, PASSWORD = "jane", "s3cret-pw"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    folder: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        port = int(self.url.rsplit(":", 1)[1].rstrip("/"))
        self.process = subprocess.Popen([sys.executable, "-m", "radicale", "--config", str(self.folder / "config")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("Radicale did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None


@contextmanager
def radicale(tmp_path: Path) -> Iterator[Server]:
    folder = tmp_path / "radicale"
    folder.mkdir()
    (folder / "users").write_text(f"{USER}:{PASSWORD}\n")
    port = free_port()
    (folder / "config").write_text(f"""[server]
hosts = 127.0.0.1:{port}
[auth]
type = htpasswd
htpasswd_filename = {folder / 'users'}
htpasswd_encryption = plain
delay = 0
[storage]
filesystem_folder = {folder / 'collections'}
[rights]
type = owner_only
[logging]
level = error
""")
    server = Server(f"http://127.0.0.1:{port}/", folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with radicale(tmp_path) as s:
        yield s


def phone(server: Server) -> Any:
    """The phone: another CalDAV client, looking at the same calendar."""
    import caldav

    client = caldav.DAVClient(server.url, username=USER, password=PASSWORD, require_tls=False)
    calendars = [c for c in client.principal().calendars() if c.get_display_name() == "Relationships"]
    assert len(calendars) == 1
    return calendars[0]


def items(server: Server) -> dict[str, Any]:
    """UID -> the component, of everything in the phone's calendar."""
    out = {}
    for obj in _objects(server):
        for component in obj.icalendar_instance.walk():
            if component.name in ("VEVENT", "VTODO"):
                out[str(component["UID"])] = component
    return out


def _objects(server: Server) -> list[Any]:
    calendar = phone(server)
    return [*calendar.events(), *calendar.todos(include_completed=True)]


def settings_text(server: Server, *, todos: bool = True, extra: str = "") -> str:
    return (f'[vault]\ntimezone = "Europe/London"\n[caldav]\nurl = "{server.url}"\ncalendar = "Relationships"\n'
            f'username = "{USER}"\ntodos = {"true" if todos else "false"}\n{extra}')


@pytest.fixture
def vault(tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "vault"
    write_note(root, ".reljournal.toml", settings_text(server))
    write_note(root, "people/Jane Doe.md", "---\ntype: person\ncadence: 30d\nlast_contact: 2026-02-20\n---\n")
    write_note(root, "people/Bob Smith.md", "---\ntype: person\ncadence: 14d\nlast_contact: 2026-03-10\n---\n")
    write_note(root, "people/Tom Weber.md", "---\ntype: person\nbirthday: 1980-04-02\n---\n")
    write_note(root, "interactions/2026/Lunch.md",
               '---\ndate: 2026-03-01\nwith: ["[[Bob Smith]]"]\nkind: lunch\n---\nNotes.\n'
               "- [ ] send Bob the deck 📅 2026-03-18\n- [x] book the table\n")
    monkeypatch.setenv("RELJOURNAL_CALDAV_PASSWORD", PASSWORD)
    return root


def sync(root: Path, *args: str, today: str = TODAY) -> Result:
    return Run(root, today)("sync", *args)


def feed_uids(root: Path) -> set[str]:
    text = Run(root)("feed", "-o", "-").stdout.replace("\r\n ", "")
    return {line[4:] for line in text.splitlines() if line.startswith("UID:")}


def uid_of(server: Server, summary_start: str) -> str:
    return next(uid for uid, c in items(server).items() if str(c.get("SUMMARY")).startswith(summary_start))


def phone_item(server: Server, uid: str) -> Any:
    for obj in _objects(server):
        if any(str(c.get("UID")) == uid for c in obj.icalendar_instance.walk() if c.name in ("VEVENT", "VTODO")):
            return obj
    raise AssertionError(uid)


# ---- push ------------------------------------------------------------------------------------------------
def test_the_calendar_holds_exactly_the_feed(vault: Path, server: Server) -> None:
    first = sync(vault)
    assert first.exit_code == 0, first.output
    assert first.stdout.endswith("caldav: 4 new, 0 changed, 0 removed\n")
    found = items(server)
    assert set(found) == feed_uids(vault)  # the same UIDs as the feed
    kinds = {str(c.get("SUMMARY")).split(":")[0]: c.name for c in found.values()}
    assert kinds == {"Reach out": "VTODO", "Follow-up": "VTODO", "Birthday": "VEVENT"}
    jane = next(c for c in found.values() if str(c["SUMMARY"]) == "Reach out: Jane Doe")
    assert jane["DUE"].dt == dt.date(2026, 3, 22) and str(jane["STATUS"]) == "NEEDS-ACTION"
    again = sync(vault)
    assert again.stdout == "caldav: 0 new, 0 changed, 0 removed\n"


def test_requests_a_sync_costs(vault: Path, server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    journal = Journal.open(vault, TODAY)
    try:
        first = sync_phone(journal.settings, journal.today, journal.view)
        assert first.new == 4
        nothing = sync_phone(journal.settings, journal.today, journal.view)
        assert (nothing.new, nothing.changed, nothing.requests) == (0, 0, 1)  # one sync-collection REPORT
        write_note(vault, "people/Bob Smith.md", "---\ntype: person\ncadence: 7d\nlast_contact: 2026-03-10\n---\n")
        one = sync_phone(journal.settings, journal.today, journal.view)
        assert (one.changed, one.requests) == (1, 2)  # the REPORT, and one PUT with If-Match
        assert sync_phone(journal.settings, journal.today, journal.view).requests == 1  # our PUT is ours
    finally:
        journal.close()


def test_the_vault_is_brought_up_to_date_again_only_after_a_note_was_written(vault: Path, server: Server) -> None:
    journal = Journal.open(vault, TODAY)
    synced: list[int] = []

    def view_of() -> Any:
        synced.append(1)
        return journal.view()

    try:
        sync_phone(journal.settings, journal.today, view_of)
        synced.clear()
        sync_phone(journal.settings, journal.today, view_of)
        assert len(synced) == 1  # nothing done on the phone: one walk of the vault
        phone_item(server, uid_of(server, "Reach out: Jane Doe")).complete()
        synced.clear()
        done = sync_phone(journal.settings, journal.today, view_of)
        assert done.done == 1 and len(synced) == 2  # the contact logged counts in what is pushed
        assert str(items(server)[uid_of(server, "Reach out: Jane Doe")]["STATUS"]) == "NEEDS-ACTION"
    finally:
        journal.close()


def test_the_users_own_events_are_left_alone(vault: Path, server: Server) -> None:
    sync(vault)
    calendar = phone(server)
    calendar.save_event(dtstart=dt.datetime(2026, 3, 17, 9, tzinfo=dt.timezone.utc),
                        dtend=dt.datetime(2026, 3, 17, 10, tzinfo=dt.timezone.utc), summary="Dentist", uid="dentist-1")
    (vault / "people/Tom Weber.md").unlink()  # his birthday leaves the feed: ours is deleted, not the dentist
    result = sync(vault)
    assert result.stdout.endswith("caldav: 0 new, 0 changed, 1 removed\n")
    found = items(server)
    assert "dentist-1" in found and str(found["dentist-1"]["SUMMARY"]) == "Dentist"
    (vault / ".reljournal/caldav.json").unlink()  # the memory of what was pushed, lost
    lost = sync(vault)
    assert lost.stdout.endswith("caldav: 0 new, 3 changed, 0 removed\n")  # compared in full, no duplicate
    assert set(items(server)) == feed_uids(vault) | {"dentist-1"}


def test_a_missing_calendar_is_made(tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "v2"
    collection = server.url + f"{USER}/reljournal-reminders/"
    write_note(root, ".reljournal.toml", f'[caldav]\nurl = "{collection}"\nusername = "{USER}"\n')
    write_note(root, "people/Ann Lee.md", "---\ntype: person\ncadence: 30d\n---\n")
    monkeypatch.setenv("RELJOURNAL_CALDAV_PASSWORD", PASSWORD)
    assert "would make the calendar on 127.0.0.1" in sync(root, "--dry-run").stdout
    result = sync(root)
    assert result.stdout.endswith("caldav: 1 new, 0 changed, 0 removed\n")
    import caldav

    client = caldav.DAVClient(server.url, username=USER, password=PASSWORD, require_tls=False)
    made = caldav.Calendar(client=client, url=collection)
    assert [str(e.icalendar_component["SUMMARY"]) for e in made.events()] == ["Reach out: Ann Lee"]


# ---- read back -----------------------------------------------------------------------------------------
def test_a_reminder_done_on_the_phone_is_logged_once(vault: Path, server: Server) -> None:
    sync(vault)
    uid = uid_of(server, "Reach out: Jane Doe")
    item = phone_item(server, uid)
    item.complete(completion_timestamp=dt.datetime(2026, 3, 14, 17, 30, tzinfo=dt.timezone.utc))
    result = sync(vault)
    assert "; 1 done on the phone" in result.stdout
    logged = [p for p in (vault / "interactions").rglob("*.md") if "Jane Doe" in p.name]
    assert len(logged) == 1
    text = logged[0].read_text(encoding="utf-8")
    assert f'source: "caldav:{uid}/20260322"' in text and "date: 2026-03-14\n" in text
    assert items(server)[uid]["DUE"].dt == dt.date(2026, 4, 13)  # the next reminder: 30 days on
    assert str(items(server)[uid]["STATUS"]) == "NEEDS-ACTION"
    assert sync(vault).stdout == "caldav: 0 new, 0 changed, 0 removed\n"
    assert len([p for p in (vault / "interactions").rglob("*.md") if "Jane Doe" in p.name]) == 1


def _move(server: Server, uid: str, day: dt.date) -> None:
    item = phone_item(server, uid)
    todo = item.icalendar_component
    for key in ("DUE", "DTSTART"):
        del todo[key]
        todo.add(key, day)
    item.save()


def test_moved_later_snoozes_and_earlier_brings_forward(vault: Path, server: Server) -> None:
    sync(vault)
    jane, bob = uid_of(server, "Reach out: Jane Doe"), uid_of(server, "Reach out: Bob Smith")
    before = (vault / "people/Bob Smith.md").read_bytes()
    _move(server, jane, dt.date(2026, 3, 30))
    _move(server, bob, dt.date(2026, 3, 20))
    result = sync(vault)
    assert "; 1 snoozed, 1 brought forward" in result.stdout
    assert "snooze: 2026-03-30" in (vault / "people/Jane Doe.md").read_text(encoding="utf-8")
    assert (vault / "people/Bob Smith.md").read_bytes() == before.replace(
        b"last_contact: 2026-03-10\n", b"last_contact: 2026-03-10\nnext: 2026-03-20\n")  # one line added
    due = {d["name"]: (d["next"], d["reason"]) for d in json.loads(Run(vault)("due", "--all", "--json").output)}
    assert due["Jane Doe"] == ("2026-03-30", "snoozed") and due["Bob Smith"] == ("2026-03-20", "planned")
    assert sync(vault).stdout == "caldav: 0 new, 0 changed, 0 removed\n"


def test_a_follow_up_done_on_the_phone_ticks_its_box_and_nothing_else(vault: Path, server: Server) -> None:
    note = vault / "interactions/2026/Lunch.md"
    before = note.read_bytes()
    sync(vault)
    phone_item(server, uid_of(server, "Follow-up: send Bob the deck")).complete()
    result = sync(vault)
    assert "; 1 ticked" in result.stdout and result.stdout.endswith("0 new, 0 changed, 1 removed; 1 ticked\n")
    assert note.read_bytes() == before.replace(b"- [ ] send Bob the deck", b"- [x] send Bob the deck")


def test_a_reminder_deleted_on_the_phone_stays_away_until_its_day_moves(vault: Path, server: Server) -> None:
    sync(vault)
    uid = uid_of(server, "Reach out: Jane Doe")
    phone_item(server, uid).delete()
    result = sync(vault)
    assert "; 1 dismissed" in result.stdout and uid not in items(server)
    assert sync(vault).stdout == "caldav: 0 new, 0 changed, 0 removed\n"
    write_note(vault, "people/Jane Doe.md", "---\ntype: person\ncadence: 30d\nlast_contact: 2026-03-01\n---\n")
    back = sync(vault)
    assert back.stdout == "caldav: 1 new, 0 changed, 0 removed\n"
    assert items(server)[uid]["DUE"].dt == dt.date(2026, 3, 31)


def test_a_change_made_on_both_sides(vault: Path, server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """The phone's change between our reading and our writing: the write is refused (412), said, and the
    next sync reads the phone's change back before pushing."""
    sync(vault)
    uid = uid_of(server, "Reach out: Bob Smith")
    write_note(vault, "people/Bob Smith.md", "---\ntype: person\ncadence: 7d\nlast_contact: 2026-03-10\n---\n")
    real_put = dav_module.Dav.put

    def phone_first(self: Any, href: str, data: bytes, etag: str | None) -> str | None:
        _move(server, uid, dt.date(2026, 3, 28))  # the phone, just before us
        monkeypatch.setattr(dav_module.Dav, "put", real_put)
        return real_put(self, href, data, etag)

    monkeypatch.setattr(dav_module.Dav, "put", phone_first)
    raced = sync(vault)
    assert raced.exit_code == 0 and "1 changed on both sides, read back next time" in raced.stdout
    after = sync(vault)
    assert "; 1 snoozed" in after.stdout
    assert "snooze: 2026-03-28" in (vault / "people/Bob Smith.md").read_text(encoding="utf-8")
    assert items(server)[uid]["DUE"].dt == dt.date(2026, 3, 28)


# ---- failures --------------------------------------------------------------------------------------------------
def test_a_wrong_password_is_one_line_and_nothing_changes(vault: Path, server: Server,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELJOURNAL_CALDAV_PASSWORD", "wrong-password")
    before = {p: p.read_bytes() for p in vault.rglob("*.md")}
    result = sync(vault)
    assert result.exit_code == 1
    assert result.stderr.startswith("caldav: 127.0.0.1: access refused (401)") and len(result.stderr.splitlines()) == 1
    assert "wrong-password" not in result.output
    assert {p: p.read_bytes() for p in vault.rglob("*.md")} == before


def test_the_password_comes_from_a_command_and_never_from_the_vault(vault: Path, server: Server, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RELJOURNAL_CALDAV_PASSWORD")
    script = tmp_path / "pw.py"
    script.write_text(f"print({PASSWORD!r})\nprint('second line ignored')\n")
    (vault / ".reljournal.toml").write_text(settings_text(server, extra=f'password_command = "{sys.executable} '
                                                                        f'{script}"\npassword = "{PASSWORD}"\n'))
    result = sync(vault)
    assert result.exit_code == 0 and "4 new" in result.stdout
    checked = Run(vault)("check")
    assert "warning: [caldav] password: a password does not belong in a versioned file" in checked.output
    assert PASSWORD not in checked.output
    (vault / ".reljournal.toml").write_text(settings_text(server, extra=f'password = "{PASSWORD}"\n'))
    refused = sync(vault)  # written in the settings, it is not read: the server refuses
    assert refused.exit_code == 1 and "access refused (401)" in refused.stderr


def test_a_server_stopped_mid_sync_then_back(vault: Path, server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}
    real_put = dav_module.Dav.put

    def stop_after_two(self: Any, href: str, data: bytes, etag: str | None) -> str | None:
        calls["n"] += 1
        if calls["n"] == 3:
            server.stop()
        return real_put(self, href, data, etag)

    monkeypatch.setattr(dav_module.Dav, "put", stop_after_two)
    broken = sync(vault)
    assert broken.exit_code == 1 and broken.stderr.startswith("caldav: 127.0.0.1: ")
    assert len(broken.stderr.splitlines()) == 1
    monkeypatch.setattr(dav_module.Dav, "put", real_put)
    server.start()
    resumed = sync(vault)
    assert resumed.exit_code == 0 and resumed.stdout.endswith("caldav: 2 new, 0 changed, 0 removed\n")
    assert set(items(server)) == feed_uids(vault)  # the two pushed before the stop, not again


def test_a_server_that_takes_no_tasks(vault: Path, server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """Google's CalDAV answers 403 to a VTODO; Radicale stores any component, so that answer is given here by
    the server's side of `put` (the request is otherwise real)."""
    real_put = dav_module.Dav.put

    def no_tasks(self: Any, href: str, data: bytes, etag: str | None) -> str | None:
        if b"BEGIN:VTODO" in data:
            raise dav_module.DavError("127.0.0.1: the server refused the request (403)", 403)
        return real_put(self, href, data, etag)

    monkeypatch.setattr(dav_module.Dav, "put", no_tasks)
    result = sync(vault)
    assert result.exit_code == 1
    assert "set `todos = false`" in result.stderr and len(result.stderr.splitlines()) == 1
    (vault / ".reljournal.toml").write_text(settings_text(server, todos=False))
    assert sync(vault).stdout.endswith("caldav: 4 new, 0 changed, 0 removed\n")


# ---- watch pushes within seconds ---------------------------------------------------------------------------------
def test_watch_pushes_a_change_within_seconds(vault: Path, server: Server) -> None:
    from reljournal.watch import Watcher

    lines: list[tuple[str, bool]] = []
    journal = Journal.open(vault, TODAY)
    watcher = Watcher(journal, fixed_today=True, echo=lambda text, err: lines.append((text, err)))
    try:
        watcher.start()
        wait_for(lambda: any(t.startswith("caldav: 4 new") for t, _ in lines), "the first push", 30)
        uid = uid_of(server, "Reach out: Bob Smith")
        write_note(vault, "people/Bob Smith.md", "---\ntype: person\ncadence: 7d\nlast_contact: 2026-03-10\n---\n")
        wait_for(lambda: items(server)[uid]["DUE"].dt == dt.date(2026, 3, 17), "Bob's new reminder on the phone", 30)
    finally:
        watcher.stop()
        journal.close()
