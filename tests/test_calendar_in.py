"""Calendar in (SPEC 7): `import ics` and `sync` on real-shaped exports (tests/data/calendars: Google with
X-WR-TIMEZONE, a series with an excluded, a moved and a cancelled occurrence, a declined pitch, an all-hands,
an out-of-office, HTML; Outlook with Windows zone names and Teams; an Apple vdir; broken events), and
calendar URLs against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import json
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import Result
from conftest import DATA, Run, wait_for, write_note
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reljournal.app import Journal
from reljournal.calendars.http import HttpError, get, host_of, https_of
from reljournal.calendars.importing import IMPORTED_FILE, Window, import_calendar
from reljournal.calendars.meetings import note_id
from reljournal.calendars.reading import read
from reljournal.calendars.source import SourceError, source_of

CALENDARS = DATA / "calendars"
TODAY = "2026-03-15"
SETTINGS = '[vault]\ntimezone = "Europe/London"\nme = ["jane.doe@acme.example"]\n'


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    write_note(root, ".reljournal.toml", SETTINGS)
    write_note(root, "people/Bob Smith.md", "---\ntype: person\nemail: bob.smith@client.example\ncadence: 30d\n---\n")
    write_note(root, "people/Priya Shah.md",
               "---\ntype: person\nemail: [PRIYA.SHAH@partner.example, priya@home.example]\n---\n")
    write_note(root, "people/Carla Mendes.md", "---\ntype: person\n---\n")
    write_note(root, "people/Sam Lee.md", "---\ntype: person\naliases: [Sam]\n---\n")
    write_note(root, "people/Samantha Ray.md", "---\ntype: person\naliases: [Sam]\n---\n")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".reljournal" not in p.relative_to(root).parts}


def notes(root: Path) -> dict[str, str]:
    """Interaction notes by file name."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((root / "interactions").rglob("*.md"))}


def imported(rj: Run, source: str | Path, *args: str) -> Result:
    return rj("import", "ics", str(source), *args)


# ---- a Google export ---------------------------------------------------------------------------------------
GOOGLE_SUMMARY = ("14 added, 0 moved, 0 cancelled, 0 already there, 2 with nobody you know, "
                  "4 skipped (2 declined or cancelled, 1 too many attendees, 1 all-day)\n")


def test_a_google_export(vault: Path) -> None:
    rj = Run(vault, TODAY)
    result = imported(rj, CALENDARS / "google.ics")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(GOOGLE_SUMMARY)
    names = list(notes(vault))
    weekly = [n[:10] for n in names if "Weekly check-in" in n]
    # Mondays 5 Jan to 30 Mar: 19 Jan excluded, 2 Feb moved to the Tuesday, 16 Feb cancelled
    assert weekly == ["2026-01-05", "2026-01-12", "2026-01-26", "2026-02-03", "2026-02-09", "2026-02-23",
                      "2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23", "2026-03-30"]
    series = "ics:weekly-checkin-0001@google.com/20260202T093000Z"
    moved = notes(vault)[f"2026-02-03 Weekly check-in with Bob Smith {note_id(series)}.md"]
    assert moved.startswith("---\ntype: interaction\ndate: 2026-02-03T14:00\nend: 2026-02-03T14:30\n"
                            'with: ["[[Bob Smith]]"]\nkind: meeting\n'
                            'source: "ics:weekly-checkin-0001@google.com/20260202T093000Z"\n---\n')
    coffee = next(text for name, text in notes(vault).items() if "Coffee with Priya" in name)
    assert coffee.endswith("---\nCoffee with Priya\n\nLocation: Café Nero, Moorgate\n\n"
                           "Agenda\nHer Q2 plan and the hiring\n\n- treasury lead\n- analyst\n")
    assert "kind: coffee" in coffee and 'with: ["[[Priya Shah]]"]' in coffee  # e-mail in another case, in a list
    sync = next(text for name, text in notes(vault).items() if "Project sync" in name)
    assert "kind: video" in sync and 'with: ["[[Carla Mendes]]"]' in sync  # by her name alone; a Meet link
    assert not any("Pitch" in n or "All hands" in n or "Out of office" in n or "Intro" in n or "Catch-up" in n
                   for n in names)
    assert rj("check").exit_code == 0
    due = {d["name"]: (d["last"], d["next"], d["reason"]) for d in json.loads(rj("due", "--all", "--json").output)}
    assert due["Bob Smith"] == ("2026-03-09", "2026-03-16", "planned")  # the arranged check-in is his plan
    agenda = rj("agenda", "--days", "7").output
    assert "  09:30  meeting  Meeting with Bob Smith\n" in agenda and "12:30  meeting  Lunch with Bob Smith" in agenda


def test_a_second_run_changes_nothing_and_dry_run_says_what_the_run_does(vault: Path) -> None:
    rj = Run(vault, TODAY)
    before = snapshot(vault)
    dry = imported(rj, CALENDARS / "google.ics", "--dry-run")
    assert snapshot(vault) == before
    assert dry.stdout.endswith(GOOGLE_SUMMARY.replace("\n", " (dry run: nothing written)\n"))
    first = imported(rj, CALENDARS / "google.ics")
    assert [line.replace("would add ", "") for line in dry.stdout.splitlines()[:-1]] == [
        line.removeprefix("+ ") for line in first.stdout.splitlines()[:-1]]
    after_first = snapshot(vault)
    second = imported(rj, CALENDARS / "google.ics")
    assert second.stdout == ("0 added, 0 moved, 0 cancelled, 14 already there, 2 with nobody you know, "
                             "4 skipped (2 declined or cancelled, 1 too many attendees, 1 all-day)\n")
    assert snapshot(vault) == after_first


def test_the_record_of_imports_is_versioned_and_a_deleted_note_stays_deleted(vault: Path, tmp_path: Path) -> None:
    rj = Run(vault, TODAY)
    imported(rj, CALENDARS / "google.ics")
    record = (vault / IMPORTED_FILE).read_text(encoding="utf-8").splitlines()
    assert record[1:] == sorted(record[1:]) and "ics:lunch-bob@google.com" in record
    assert (vault / ".gitattributes").read_text(encoding="utf-8") == f"/{IMPORTED_FILE} merge=union\n"
    lunch = next(p for p in (vault / "interactions").rglob("*Lunch with Bob*"))
    lunch.unlink()
    assert imported(rj, CALENDARS / "google.ics").stdout.startswith("0 added")
    assert not lunch.exists()
    clone = tmp_path / "clone"  # another clone: the notes and the record, none of the derived state
    shutil.copytree(vault, clone, ignore=shutil.ignore_patterns(".reljournal"))
    assert imported(Run(clone, TODAY), CALENDARS / "google.ics").stdout.startswith("0 added")
    assert not any(clone.rglob("*Lunch with Bob*"))


def _calendar_with(tmp_path: Path, change: Callable[[str], str]) -> Path:
    path = tmp_path / "changed.ics"
    path.write_bytes(change((CALENDARS / "google.ics").read_bytes().decode()).encode())
    return path


def test_a_moved_meeting_moves_its_note_and_keeps_the_users_words(vault: Path, tmp_path: Path) -> None:
    rj = Run(vault, TODAY)
    imported(rj, CALENDARS / "google.ics")
    lunch = next((vault / "interactions").rglob("*Lunch with Bob*"))
    lunch.write_text(lunch.read_text(encoding="utf-8").replace("kind: lunch\n", "kind: lunch\noutcome: booked\n")
                     + "My own words.\n", encoding="utf-8")
    before = lunch.read_text(encoding="utf-8")
    moved = _calendar_with(tmp_path, lambda s: s.replace("20260320T123000", "20260321T130000")
                           .replace("20260320T140000", "20260321T143000"))
    result = imported(rj, moved)
    assert result.stdout.startswith(f"~ {lunch.relative_to(vault).as_posix()}: moved from 2026-03-20T12:30 to "
                                    "2026-03-21T13:00\n")
    assert "1 moved" in result.stdout
    after = lunch.read_text(encoding="utf-8")
    assert after == before.replace("date: 2026-03-20T12:30", "date: 2026-03-21T13:00").replace(
        "end: 2026-03-20T14:00", "end: 2026-03-21T14:30")
    assert lunch.name.startswith("2026-03-20")  # the file keeps its name


def test_a_cancelled_or_vanished_future_meeting_is_marked_and_counts_nowhere(vault: Path, tmp_path: Path) -> None:
    rj = Run(vault, TODAY)
    source = tmp_path / "changed.ics"  # the same source read twice: what it held the first time is remembered
    shutil.copy(CALENDARS / "google.ics", source)
    imported(rj, source)
    lunch = next((vault / "interactions").rglob("*Lunch with Bob*"))
    check_in = next((vault / "interactions").rglob("2026-03-23 Weekly*"))
    past = next((vault / "interactions").rglob("2026-03-09 Weekly*"))
    changed = _calendar_with(tmp_path, lambda s: s.replace(
        "STATUS:CONFIRMED\r\nSUMMARY:Lunch with Bob", "STATUS:CANCELLED\r\nSUMMARY:Lunch with Bob").replace(
        "RRULE:FREQ=WEEKLY;WKST=MO;UNTIL=20260330T083000Z;BYDAY=MO",
        "RRULE:FREQ=WEEKLY;WKST=MO;UNTIL=20260330T083000Z;BYDAY=MO\r\nEXDATE;TZID=Europe/London:20260323T093000,"
        "20260309T093000"))
    result = imported(rj, changed)
    assert "2 cancelled" in result.stdout  # the lunch (cancelled) and 23 Mar (gone); 9 Mar is past: kept
    for note in (lunch, check_in):
        assert "status: cancelled\n---" in note.read_text(encoding="utf-8")
    assert "status:" not in past.read_text(encoding="utf-8")
    due = {d["name"]: d for d in json.loads(rj("due", "--all", "--json").output)}
    assert due["Bob Smith"]["next"] == "2026-03-16"
    assert "Lunch with Bob" not in rj("agenda", "--days", "14").output
    assert "Lunch with Bob" not in rj("feed", "-o", "-").output
    shown = rj("show", "Bob Smith").output
    assert "  2026-03-20  lunch       Lunch with Bob  (cancelled)" in shown


# ---- Outlook, a vdir, broken events ------------------------------------------------------------------------
def test_an_outlook_export_with_windows_zones(vault: Path) -> None:
    rj = Run(vault, TODAY)
    result = imported(rj, CALENDARS / "outlook.ics")
    assert result.stdout.endswith("5 added, 0 moved, 0 cancelled, 0 already there, 0 with nobody you know, "
                                  "2 skipped (1 all-day, 1 free time)\n")
    reviews = {name[:10]: text for name, text in notes(vault).items() if "Monthly review" in name}
    assert sorted(reviews) == ["2026-01-05", "2026-02-02", "2026-03-02", "2026-04-06", "2026-05-04"]
    # 10:00 in Berlin (W. Europe Standard Time) is 09:00 in London, winter and summer alike
    assert "date: 2026-01-05T09:00\nend: 2026-01-05T10:00\n" in reviews["2026-01-05"]
    assert "date: 2026-04-06T09:00\nend: 2026-04-06T10:00\n" in reviews["2026-04-06"]
    assert "kind: video" in reviews["2026-01-05"]  # a Teams meeting


def test_a_vdir_folder_and_broken_events(vault: Path) -> None:
    rj = Run(vault, TODAY)
    folder = imported(rj, CALENDARS / "vdir")
    assert folder.stdout.endswith("2 added, 0 moved, 0 cancelled, 0 already there, 0 with nobody you know, "
                                  "1 skipped (1 unreadable)\n")
    assert {n[:-8] for n in notes(vault)} == {"2026-02-25 Lunch with Priya Shah",
                                              "2026-02-27 Call pricing with Bob Smith"}
    assert "kind: call" in next(t for n, t in notes(vault).items() if "Call pricing" in n)
    broken = imported(rj, CALENDARS / "broken-events.ics")
    assert broken.exit_code == 0
    assert broken.stdout.endswith("1 added, 0 moved, 0 cancelled, 0 already there, 0 with nobody you know, "
                                  "2 skipped (2 unreadable)\n")


def test_what_is_not_a_calendar_is_refused_and_nothing_is_written(vault: Path, tmp_path: Path) -> None:
    rj = Run(vault, TODAY)
    before = snapshot(vault)
    (tmp_path / "data.json").write_text('{"items": []}')
    for source, says in ((CALENDARS / "login.ics", "it is a web page (a login page?), not a calendar"),
                         (tmp_path / "data.json", "it is JSON, not a calendar"),
                         (tmp_path / "missing.ics", "no such file or folder")):
        result = imported(rj, source)
        assert result.exit_code == 1, source
        assert says in result.stderr and result.stderr.endswith("; nothing was written\n")
    assert snapshot(vault) == before


# ---- people: by e-mail, by name, you, new ones ----------------------------------------------------------------
def test_new_people_and_you(vault: Path, tmp_path: Path) -> None:
    rj = Run(vault, TODAY)
    result = imported(rj, CALENDARS / "google.ics", "--new-people")
    assert "+ people/Dana Stranger.md" in result.stdout and "; 1 person added" in result.stdout
    assert not (vault / "people/Sam.md").exists()  # "Sam" is two people already: not a third
    dana = (vault / "people/Dana Stranger.md").read_text(encoding="utf-8")
    assert "cadence: none" in dana and "email: dana@elsewhere.example" in dana
    assert (vault / "people/Pitch Team.md").exists() is False  # a declined meeting brings nobody in
    assert not (vault / "people/Jane Doe.md").exists()  # you are never a person
    assert not any("Colleague" in p.name for p in (vault / "people").iterdir())  # nor an all-hands crowd
    assert imported(rj, CALENDARS / "google.ics", "--new-people").stdout.startswith("0 added")


def test_without_me_the_address_on_most_events_is_you(vault: Path) -> None:
    (vault / ".reljournal.toml").write_text('[vault]\ntimezone = "Europe/London"\n', encoding="utf-8")
    result = imported(Run(vault, TODAY), CALENDARS / "google.ics")
    assert result.stdout.endswith(GOOGLE_SUMMARY)  # the declined pitch still skipped
    assert "taking jane.doe@acme.example to be you" in result.stderr


# ---- URLs ---------------------------------------------------------------------------------------------------
SECRET = "private-0a1b2c3d4e5f60718293a4b5"


@dataclass
class Server:
    port: int
    requests: list[dict[str, str]] = field(default_factory=list)
    routes: dict[str, Callable[[http.server.BaseHTTPRequestHandler], None]] = field(default_factory=dict)

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"


@contextmanager
def calendar_server() -> Iterator[Server]:
    """A real HTTP server on 127.0.0.1 and a free port, in a thread; always shut down."""
    server_state = Server(0)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            server_state.requests.append({"path": self.path, **{k: v for k, v in self.headers.items()}})
            route = server_state.routes.get(self.path.split("?")[0])
            if route is None:
                self.send_error(404)
                return
            route(self)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    server_state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def serve_file(data: bytes, etag: str = '"v1"', content_type: str = "text/calendar; charset=utf-8"
               ) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    def answer(h: http.server.BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == etag:
            h.send_response(304)
            h.send_header("ETag", etag)
            h.end_headers()
            return
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("ETag", etag)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)
    return answer


def test_a_url_is_read_then_asked_again_with_its_etag(vault: Path) -> None:
    rj = Run(vault, TODAY)
    with calendar_server() as server:
        path = f"/calendar/ical/jane/{SECRET}/basic.ics"
        server.routes[path] = serve_file((CALENDARS / "google.ics").read_bytes())
        first = imported(rj, server.url(path))
        assert first.stdout.endswith(GOOGLE_SUMMARY)
        again = imported(rj, server.url(path))
        assert again.stdout.startswith("0 added, 0 moved, 0 cancelled, 14 already there")
        assert [r.get("If-None-Match") for r in server.requests] == [None, '"v1"']  # the second answered 304
        assert server.requests[0]["User-Agent"].startswith("reljournal/")
    for text in (first.output, again.output):
        assert SECRET not in text
    state = "".join(p.name + p.read_text(errors="replace") for p in (vault / ".reljournal").rglob("*") if p.is_file()
                    and p.suffix != ".sqlite" and "sqlite" not in p.name)
    assert SECRET not in state and "/calendar/ical" not in state  # kept by a hash of the address


@pytest.mark.parametrize(("status", "says"), [(404, "no calendar at this address (404)"),
                                              (401, "access refused (401)"), (500, "the server failed (500)")])
def test_a_failing_url_is_one_line_naming_the_host_only(vault: Path, status: int, says: str) -> None:
    rj = Run(vault, TODAY)
    before = snapshot(vault)
    with calendar_server() as server:
        path = f"/{SECRET}/basic.ics"
        server.routes[path] = lambda h: h.send_error(status)
        result = imported(rj, server.url(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"reljournal: import ics: 127.0.0.1: {says}")
    assert len(result.stderr.splitlines()) == 1 and SECRET not in result.output
    assert snapshot(vault) == before


def test_a_login_page_a_redirect_and_an_unreachable_host(vault: Path) -> None:
    rj = Run(vault, TODAY)
    with calendar_server() as server:
        server.routes["/login"] = serve_file((CALENDARS / "login.ics").read_bytes(), content_type="text/html")

        def redirect(h: http.server.BaseHTTPRequestHandler) -> None:
            h.send_response(302)
            h.send_header("Location", "/real.ics")
            h.end_headers()
        server.routes[f"/{SECRET}"] = redirect
        server.routes["/real.ics"] = serve_file((CALENDARS / "vdir/5B7C8D90-CALL.ics").read_bytes())
        page = imported(rj, server.url("/login"))
        assert page.exit_code == 1 and "127.0.0.1: not a calendar: it is a web page" in page.stderr
        followed = imported(rj, server.url(f"/{SECRET}"))
        assert followed.exit_code == 0 and followed.stdout.startswith("+ interactions/2026/2026-02-27 Call pricing")
        port = server.port
    gone = imported(rj, f"http://127.0.0.1:{port}/{SECRET}")  # the server is down now
    assert gone.exit_code == 1 and "127.0.0.1: the connection was refused" in gone.stderr and SECRET not in gone.output


def test_a_slow_server_times_out_and_a_huge_answer_is_refused(vault: Path) -> None:
    release = threading.Event()
    with calendar_server() as server:
        def slow(h: http.server.BaseHTTPRequestHandler) -> None:
            release.wait(10)
        server.routes["/slow.ics"] = slow

        def huge(h: http.server.BaseHTTPRequestHandler) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "text/calendar")
            h.end_headers()  # no length: the cap must count what arrives
            try:
                h.wfile.write(b"BEGIN:VCALENDAR\r\n" + b"X" * 4096 * 64)
            except OSError:
                pass
        server.routes["/huge.ics"] = huge
        journal = Journal.open(vault, TODAY)
        try:
            window = Window(dt.date(2026, 1, 1), dt.date(2026, 5, 1))
            started = time.monotonic()
            with pytest.raises(SourceError) as slow_error:
                import_calendar(journal.settings, journal.view, source_of(server.url("/slow.ics")), window,
                                timeout=0.5)
            assert time.monotonic() - started < 5
            assert slow_error.value.message.startswith("127.0.0.1: no answer within the time allowed")
            with pytest.raises(HttpError) as too_big:
                get(server.url("/huge.ics"), max_bytes=100_000)
            assert too_big.value.message == "127.0.0.1: the calendar is larger than 97 KB; not read"
        finally:
            release.set()
            journal.close()
    assert not (vault / "interactions").exists()


def test_address_helpers() -> None:
    assert https_of("webcal://p12.icloud.example/published/2/x") == "https://p12.icloud.example/published/2/x"
    assert host_of(f"https://user:pw@calendar.example:8443/{SECRET}?token=x") == "calendar.example"
    assert host_of("not a url") == "the calendar's address"


# ---- settings, sync, check ----------------------------------------------------------------------------------
def test_sync_reads_every_calendar_and_says_which_failed(vault: Path, tmp_path: Path) -> None:
    script = tmp_path / "print-source.py"
    script.write_text(f"print({str(CALENDARS / 'outlook.ics')!r})\n")
    (vault / "cals").mkdir()
    shutil.copy(CALENDARS / "google.ics", vault / "cals/google.ics")
    (vault / ".reljournal.toml").write_text(SETTINGS + f"""
[[calendars]]
name = "work"
source = "cals/google.ics"

[[calendars]]
name = "outlook"
source_command = "{sys.executable} {script}"

[[calendars]]
name = "gone"
source = "http://127.0.0.1:9/{SECRET}/basic.ics"
""", encoding="utf-8")
    rj = Run(vault, TODAY)
    result = rj("sync")
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if not line.startswith("+ ")]
    assert lines == ["work: " + GOOGLE_SUMMARY.strip(),
                     "outlook: 5 added, 0 moved, 0 cancelled, 0 already there, 0 with nobody you know, "
                     "2 skipped (1 all-day, 1 free time)"]
    assert result.stderr.startswith("gone: 127.0.0.1: ") and SECRET not in result.output
    checked = rj("check")
    header = [n for n, line in enumerate((vault / ".reljournal.toml").read_text().splitlines(), 1)
              if line == "[[calendars]]"][2]
    assert f".reljournal.toml:{header}: warning: [[calendars]] gone: its `source` looks like a secret address" \
        in checked.output
    assert SECRET not in checked.output
    again = rj("sync", "--dry-run")
    assert "work: 0 added" in again.stdout and "(dry run: nothing written)" in again.stdout


@pytest.mark.parametrize(("script", "said"), [
    (f"print({SECRET!r}, file=__import__('sys').stderr); raise SystemExit(3)", "exited 3 without printing a source"),
    ("print('   ')", "exited 0 without printing a source"),
    ("import time; time.sleep(5)", None),
])
def test_a_source_command_that_fails_says_how_in_one_line_and_never_what_it_printed(
        vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str, said: str | None) -> None:
    from reljournal.calendars import commands

    monkeypatch.setattr(commands, "COMMAND_TIMEOUT", 0.5)
    program = tmp_path / "source.py"
    program.write_text(script + "\n")
    (vault / ".reljournal.toml").write_text(SETTINGS + f'[[calendars]]\nname = "work"\n'
                                                       f'source_command = "{sys.executable} {program}"\n')
    result = Run(vault, TODAY)("sync")
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    expected = said or "did not finish within 0 s"
    assert result.stderr.startswith("work: source_command: ") and expected in result.stderr
    assert SECRET not in result.output
    missing = (vault / ".reljournal.toml").read_text().replace(sys.executable, "no-such-program-here")
    (vault / ".reljournal.toml").write_text(missing)
    assert "'no-such-program-here' is not a command here" in Run(vault, TODAY)("sync").stderr


def test_calendar_settings_are_checked(vault: Path) -> None:
    (vault / ".reljournal.toml").write_text(SETTINGS + '[[calendars]]\nname = "x"\npoll = "15m"\n', encoding="utf-8")
    result = Run(vault, TODAY)("due")
    assert result.exit_code == 2
    assert ".reljournal.toml:6: error: [[calendars]] poll = '15m': expected an interval such as" in result.stderr
    assert ".reljournal.toml:4: error: [[calendars]] needs one of `source`" in result.stderr


# ---- the watcher reads the calendars every `poll` -------------------------------------------------------------
def test_watch_polls_the_calendars(vault: Path, tmp_path: Path) -> None:
    from reljournal.watch import Watcher

    source = tmp_path / "live.ics"
    source.write_bytes((CALENDARS / "vdir/3E1F2A10-LUNCH.ics").read_bytes())
    (vault / ".reljournal.toml").write_text(SETTINGS + f'[[calendars]]\nname = "live"\nsource = "{source}"\n'
                                            'poll = "1s"\n', encoding="utf-8")
    lines: list[tuple[str, bool]] = []
    journal = Journal.open(vault, TODAY)
    watcher = Watcher(journal, fixed_today=True, echo=lambda text, err: lines.append((text, err)))
    try:
        watcher.start()
        wait_for(lambda: any("Lunch with Priya Shah" in p.name for p in vault.rglob("*.md")), "the first read")
        source.write_bytes((CALENDARS / "vdir/5B7C8D90-CALL.ics").read_bytes())  # the lunch gone, a call in
        wait_for(lambda: any("Call pricing" in p.name for p in vault.rglob("*.md")), "the next read")
        wait_for(lambda: any(t.startswith("live: 1 added") for t, _ in lines), "its line")
        source.write_text("<html>gone</html>")
        wait_for(lambda: any(err and t.startswith("live: ") and "not a calendar" in t for t, err in lines), "the error")
        poller = watcher._poller
        assert poller is not None
        rounds = poller.rounds
        wait_for(lambda: poller.rounds >= rounds + 2, "two more reads (after 1 s, then 2 s)")
        assert sum(1 for t, err in lines if err and "not a calendar" in t) == 1  # said once
        source.write_bytes((CALENDARS / "vdir/5B7C8D90-CALL.ics").read_bytes())
        wait_for(lambda: ("live: read again", False) in lines, "the calendar back")
    finally:
        watcher.stop()
        journal.close()


# ---- any calendar: a second run adds nothing, and the notes are the occurrences with someone known -----------
people_pool = ["Bob Smith", "Priya Shah", "Carla Mendes", "Nobody Known"]
emails = {"Bob Smith": "bob.smith@client.example", "Priya Shah": "priya.shah@partner.example",
          "Carla Mendes": "carla@elsewhere.example", "Nobody Known": "nobody@x.example"}


@st.composite
def calendars(draw: st.DrawFn) -> tuple[bytes, int]:
    """A calendar of random events and series, and how many occurrences with a known person it holds."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//hypothesis//EN"]
    expected = 0
    for n in range(draw(st.integers(1, 6))):
        day = dt.date(2026, 2, 1) + dt.timedelta(days=draw(st.integers(0, 80)))
        hour = draw(st.integers(7, 20))
        who = draw(st.lists(st.sampled_from(people_pool), min_size=0, max_size=3, unique=True))
        count = draw(st.integers(1, 4))
        cancelled = draw(st.booleans()) and draw(st.booleans())
        start = dt.datetime.combine(day, dt.time(hour)).strftime("%Y%m%dT%H%M%S")
        lines += ["BEGIN:VEVENT", f"UID:event-{n}", "DTSTAMP:20260301T000000Z",
                  f"DTSTART;TZID=Europe/London:{start}", "DURATION:PT45M", f"SUMMARY:Meeting {n}"]
        if count > 1:
            lines.append(f"RRULE:FREQ=WEEKLY;COUNT={count}")
        if cancelled:
            lines.append("STATUS:CANCELLED")
        lines += [f"ATTENDEE;CN={p}:mailto:{emails[p]}" for p in who]
        lines.append("END:VEVENT")
        known = any(p in ("Bob Smith", "Priya Shah") for p in who) or "Carla Mendes" in who
        if known and not cancelled:
            starts = [day + dt.timedelta(weeks=k) for k in range(count)]
            expected += sum(1 for d in starts if dt.date(2026, 1, 1) <= d <= dt.date(2026, 5, 14))
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode(), expected


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(calendar=calendars())
def test_any_calendar_imports_once(vault: Path, calendar: tuple[bytes, int]) -> None:
    data, expected = calendar
    digest = hashlib.sha256(data).hexdigest()[:12]
    root = vault.parent / f"v-{digest}"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(vault, root)
    source = root.parent / f"c-{digest}.ics"
    source.write_bytes(data)
    rj = Run(root, TODAY)
    first = imported(rj, source, "--since", "2026-01-01", "--until", "2026-05-14")
    assert first.exit_code == 0, first.output
    written = list((root / "interactions").rglob("*.md")) if (root / "interactions").exists() else []
    assert len(written) == expected
    snapshot_after = snapshot(root)
    second = imported(rj, source, "--since", "2026-01-01", "--until", "2026-05-14")
    assert second.stdout.startswith("0 added, 0 moved, 0 cancelled")
    assert snapshot(root) == snapshot_after
    assert len(read(data, dt.date(2026, 1, 1), dt.date(2026, 5, 14)).occurrences) >= expected


# ---- the speed paths, held to the plain way ------------------------------------------------------------------
@pytest.mark.parametrize("name", ["google.ics", "outlook.ics", "vdir/3E1F2A10-LUNCH.ics"])
def test_occurrences_read_once_per_series_equal_those_read_one_by_one(name: str) -> None:
    """`read` reads attendees, descriptions and video links once per set of property objects (`_Memo`);
    reading every occurrence on its own gives the same occurrences."""
    import icalendar
    import recurring_ical_events

    from reljournal.calendars import reading

    data = (CALENDARS / name).read_bytes()
    first, last = dt.date(2025, 12, 1), dt.date(2026, 6, 1)
    fast = read(data, first, last)
    calendar = icalendar.Calendar.from_ical(data)
    series = {str(e["UID"]) for e in calendar.walk("VEVENT") if e.get("RRULE") or e.get("RECURRENCE-ID")}
    slow = []
    for event in recurring_ical_events.of(calendar, skip_bad_series=True).between(first, last + dt.timedelta(1)):
        try:
            slow.append(reading._occurrence(event, str(event["UID"]), str(event["UID"]) in series, reading._Memo()))
        except (ValueError, KeyError, TypeError, AttributeError):
            pass
    by_source = lambda occurrences: sorted(occurrences, key=lambda o: o.source)  # noqa: E731
    assert by_source(fast.occurrences) == by_source(slow)


def test_people_from_the_index_rows_equal_people_from_their_records(vault: Path) -> None:
    from reljournal.calendars.importing import known_of

    write_note(vault, "people/Old Friend.md", "---\ntype: person\nstatus: dormant\nemail: friend@old.example\n"
               "aliases: [Oldie, \"O. F.\"]\n---\n")
    write_note(vault, "people/Broken.md", "---\ntype: person\nemail: [unclosed\n---\n")
    journal = Journal.open(vault, TODAY)
    try:
        view = journal.view()
        known = known_of(view)
        by_email: dict[str, set[str]] = {}
        by_name: dict[str, set[str]] = {}
        for p in view.people:
            for address in p.email:
                by_email.setdefault(address.casefold(), set()).add(p.title)
            for n in (p.title, *p.aliases):
                by_name.setdefault(name_key_of(n), set()).add(p.title)
        assert {k: set(v) for k, v in known.by_email.items()} == by_email
        assert {k: set(v) for k, v in known.by_name.items()} == by_name
    finally:
        journal.close()


def name_key_of(name: str) -> str:
    from reljournal.names import name_key

    return name_key(name)


def test_a_calendar_read_in_a_second_process_gives_the_same(vault: Path, tmp_path: Path) -> None:
    """A large calendar is read in a forked process while the vault is opened: the same notes and summary."""
    results = []
    for parallel in (False, True):
        root = tmp_path / f"v{parallel}"
        shutil.copytree(vault, root)
        journal = Journal.open(root, TODAY)
        try:
            window = Window(dt.date(2025, 12, 15), dt.date(2026, 5, 14))
            outcome = import_calendar(journal.settings, journal.view, source_of(str(CALENDARS / "google.ics")), window,
                                      parallel=parallel)
            results.append((outcome.plan.summary(), outcome.added, snapshot(root)))
        finally:
            journal.close()
    assert results[0] == results[1] and results[0][1]
