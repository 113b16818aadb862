"""The feed (SPEC 4): events and their dates, calendar properties, UIDs, determinism, privacy, owners.

Most tests read tests/data/vaults/feed (today 2026-03-15, Europe/London; British Summer Time starts on
2026-03-29, so the two meetings with a time straddle it).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import icalendar
import pytest
import vobject
from conftest import VAULTS, Run, copy_vault, write_note
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reljournal.app import Journal
from reljournal.errors import UserError
from reljournal.feed import Entry, EventBytes, FeedBuilder, build_feed, days_ago, owners, write_feed

TODAY = "2026-03-15"
UTC = dt.timezone.utc


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return copy_vault("feed", tmp_path)


def build(vault: Path, today: str = TODAY, owner: str | None = None) -> bytes:
    journal = Journal.open(vault, today)
    try:
        return build_feed(journal.view(), owner=owner)
    finally:
        journal.close()


def vevents(data: bytes) -> dict[str, Any]:
    """Summary → event (Any: icalendar's property types are a union that mypy cannot narrow)."""
    cal: Any = icalendar.Calendar.from_ical(data)
    found: dict[str, Any] = {}
    for ev in cal.walk("VEVENT"):
        summary = str(ev["SUMMARY"])
        assert summary not in found, f"two events called {summary!r}"
        found[summary] = ev
    return found


def start(ev: Any) -> dt.date | dt.datetime:
    return ev.decoded("DTSTART")


def text_of(data: bytes) -> str:
    """The feed as a reader would see it: lines unfolded, escapes undone."""
    unfolded = data.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], unfolded)


# ---- what is an event, on which day ----------------------------------------------------------------------
EXPECTED = {
    # overdue reach-outs and objectives sit on today (overdue = "today", the default)
    "Reach out: Ada Obi (CFO, Lagos Bank)": dt.date(2026, 3, 15),
    "Objective: Renew the credit line (Lagos Bank)": dt.date(2026, 3, 15),
    "Follow-up: buy stamps": dt.date(2026, 3, 16),
    "Follow-up: call Bola Ade about the merger": dt.date(2026, 3, 16),
    "Follow-up: send the deck to Ada (Ada Obi)": dt.date(2026, 3, 17),
    "Follow-up with Ada Obi": dt.date(2026, 3, 18),  # the task names only a private person
    "Lunch with Chidi Eze": dt.datetime(2026, 3, 20, 12, 30, tzinfo=UTC),  # GMT: the same as UTC
    "Lunch with Bola Ade": dt.date(2026, 3, 25),  # a Log entry after today
    "Reach out: Kemi Snooze": dt.date(2026, 4, 1),  # snoozed
    "Call with Chidi Eze": dt.datetime(2026, 4, 2, 9, 0, tzinfo=UTC),  # 10:00 BST; Efe is private
    "Objective: Win the payroll mandate (Lagos Bank)": dt.date(2026, 6, 30),
    "Birthday: Ada Obi": dt.date(2026, 2, 28),  # 29 February, this year's: no birth year in the feed
    "Birthday: Dayo Ola": dt.date(2026, 7, 14),  # --07-14
}


def test_every_kind_of_event_on_its_day(vault: Path) -> None:
    found = vevents(build(vault))
    assert {s: start(ev) for s, ev in found.items()} == EXPECTED


def test_calendar_properties(vault: Path) -> None:
    cal: Any = icalendar.Calendar.from_ical(build(vault))
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["X-WR-CALNAME"]) == "Test feed"
    assert str(cal["PRODID"]).startswith("-//reljournal//")
    assert cal.decoded("REFRESH-INTERVAL") == dt.timedelta(hours=1)
    assert cal["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert str(cal["X-PUBLISHED-TTL"].to_ical().decode()) == "PT1H"


def test_all_day_events_last_one_day_and_meetings_an_hour_unless_end(vault: Path) -> None:
    found = vevents(build(vault))
    reach = found["Reach out: Ada Obi (CFO, Lagos Bank)"]
    assert reach.decoded("DTEND") == dt.date(2026, 3, 16)
    assert reach["DTSTART"].params.get("VALUE") == "DATE"
    assert found["Lunch with Chidi Eze"].decoded("DTEND") == dt.datetime(2026, 3, 20, 14, 0, tzinfo=UTC)  # end:
    assert found["Call with Chidi Eze"].decoded("DTEND") == dt.datetime(2026, 4, 2, 10, 0, tzinfo=UTC)


def test_times_are_written_in_utc(vault: Path) -> None:
    data = build(vault)
    assert b"DTSTART:20260402T090000Z\r\n" in data
    assert b"TZID" not in data  # no VTIMEZONE needed: UTC or all-day or floating only


def test_meeting_without_any_zone_is_floating(tmp_path: Path) -> None:
    vault = tmp_path / "v"
    write_note(vault, "people/Jo.md", "---\ntype: person\n---\n")
    write_note(vault, "interactions/Lunch.md", """\
        ---
        type: interaction
        date: 2026-03-20 12:30
        with: ["[[Jo]]"]
        kind: lunch
        ---
        """)
    write_note(vault, "interactions/Call.md", """\
        ---
        type: interaction
        date: 2026-03-21T08:00-05:00
        with: ["[[Jo]]"]
        kind: call
        ---
        """)
    data = build(vault)
    assert b"DTSTART:20260320T123000\r\n" in data and b"DTEND:20260320T133000\r\n" in data  # floating
    assert b"DTSTART:20260321T130000Z\r\n" in data  # the note's own offset, in UTC
    found = vevents(data)
    assert found["Lunch with Jo"].decoded("DTSTART").tzinfo is None


def test_dtstamp_is_the_start_of_today_in_the_vault_zone(vault: Path) -> None:
    assert b"DTSTAMP:20260315T000000Z\r\n" in build(vault)  # GMT
    assert b"DTSTAMP:20260630T230000Z\r\n" in build(vault, today="2026-07-01")  # BST


def test_overdue_keep_leaves_items_on_their_date(vault: Path) -> None:
    settings = vault / ".reljournal.toml"
    settings.write_text(settings.read_text().replace("[feed]\n", '[feed]\noverdue = "keep"\n'))
    found = vevents(build(vault))
    assert start(found["Reach out: Ada Obi (CFO, Lagos Bank)"]) == dt.date(2026, 3, 3)  # 2026-02-01 + 30d
    assert start(found["Objective: Renew the credit line (Lagos Bank)"]) == dt.date(2026, 3, 1)


def test_reach_out_description_per_spec(vault: Path) -> None:
    desc = str(vevents(build(vault))["Reach out: Ada Obi (CFO, Lagos Bank)"]["DESCRIPTION"])
    assert desc == ("Why: cadence: every 30 days since the last contact\n"
                    "Overdue: since 2026-03-03 (12 days ago)\n"
                    "Last: 2026-02-01 coffee: Wants the deck\n"
                    "Next action: Send the deck\n"
                    "Note: people/Ada Obi.md")


def test_url_opens_the_note_in_obsidian(vault: Path) -> None:
    found = vevents(build(vault))
    assert str(found["Reach out: Ada Obi (CFO, Lagos Bank)"]["URL"]) == \
        "obsidian://open?vault=feed&file=people%2FAda%20Obi"


def test_summary_without_role_or_org_has_no_brackets(vault: Path) -> None:
    assert "Reach out: Kemi Snooze" in vevents(build(vault))
    write_note(vault, "people/Role Only.md", "---\ntype: person\nrole: Chair\ncadence: 1w\n---\n")
    assert "Reach out: Role Only (Chair)" in vevents(build(vault))


def test_arranged_meeting_replaces_the_reach_out(vault: Path) -> None:
    found = vevents(build(vault))
    assert not any(s.startswith("Reach out: Chidi") or s.startswith("Reach out: Bola") for s in found)


def test_dormant_people_and_done_items_are_absent(vault: Path) -> None:
    text = text_of(build(vault))
    for absent in ("Femi Dormant", "done thing", "Close the old account"):
        assert absent not in text


# ---- alarms -----------------------------------------------------------------------------------------------
def test_alarm_at_the_configured_time_of_day(vault: Path) -> None:
    found = vevents(build(vault))
    def trigger(summary: str) -> dt.timedelta:
        (alarm,) = found[summary].walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        return alarm.decoded("TRIGGER")
    assert trigger("Reach out: Ada Obi (CFO, Lagos Bank)") == dt.timedelta(hours=9)
    assert trigger("Lunch with Chidi Eze") == -dt.timedelta(hours=3, minutes=30)  # 09:00 on the day
    assert trigger("Call with Chidi Eze") == -dt.timedelta(hours=1)  # 10:00 BST


def test_alarm_setting(vault: Path) -> None:
    settings = vault / ".reljournal.toml"
    settings.write_text(settings.read_text().replace("[feed]\n", '[feed]\nalarm = "07:45"\n'))
    assert b"TRIGGER:PT7H45M\r\n" in build(vault)
    settings.write_text(settings.read_text().replace('alarm = "07:45"', "alarm = false"))
    assert b"VALARM" not in build(vault)


# ---- birthdays ---------------------------------------------------------------------------------------------
def test_leap_day_birthday_falls_on_28_february_in_other_years(vault: Path) -> None:
    ev = vevents(build(vault))["Birthday: Ada Obi"]
    rule = ev["RRULE"]
    assert rule["FREQ"] == ["YEARLY"] and rule["BYMONTH"] == [2] and rule["BYMONTHDAY"] == [-1]
    # expand with vobject (dateutil): an independent reader of the rule
    cal = vobject.readOne(build(vault).decode())
    (vev,) = [v for v in cal.vevent_list if v.summary.value == "Birthday: Ada Obi"]
    days = [d.date() if isinstance(d, dt.datetime) else d for d in list(vev.getrruleset())[:4]]
    assert days == [dt.date(2026, 2, 28), dt.date(2027, 2, 28), dt.date(2028, 2, 29), dt.date(2029, 2, 28)]


def test_leap_day_birthday_in_a_leap_year(vault: Path) -> None:
    ev = vevents(build(vault, today="2028-01-10"))["Birthday: Ada Obi"]
    assert start(ev) == dt.date(2028, 2, 29)


def test_birthday_without_year_repeats_yearly_and_reveals_no_year(vault: Path) -> None:
    data = build(vault)
    ev = vevents(data)["Birthday: Dayo Ola"]
    assert ev["RRULE"]["FREQ"] == ["YEARLY"] and "BYMONTH" not in ev["RRULE"]
    assert b"1980" not in data  # Ada's birth year stays in the vault


# ---- privacy -------------------------------------------------------------------------------------------------
def test_excluded_notes_never_appear_nor_their_names(vault: Path) -> None:
    data = build(vault)
    text = text_of(data)
    for secret in ("Efe", "Effie", "Secret", "board seat", "Dinner"):
        assert secret not in text, secret
    found = vevents(data)
    call = found["Call with Chidi Eze"]  # a meeting that involves Efe: no path, no URL
    assert "URL" not in call and "DESCRIPTION" not in call
    intro = found["Follow-up with Ada Obi"]
    assert "URL" not in intro and "2026-02-01 Coffee" not in str(intro.get("DESCRIPTION", ""))


def test_person_whose_next_date_is_an_excluded_meeting_shows_nothing_that_day(vault: Path) -> None:
    # Gbenga's next date is a private coffee on 2026-03-30: that meeting is his reminder, and it is hidden
    assert "Gbenga" not in text_of(build(vault))


def test_excluded_org_is_not_named_in_a_reach_out(vault: Path) -> None:
    write_note(vault, "people/Ngozi.md", '---\ntype: person\ncadence: 1w\norg: "[[Secret Co]]"\nrole: COO\n---\n')
    found = vevents(build(vault))
    assert "Reach out: Ngozi (COO)" in found


def test_outcome_naming_an_excluded_person_stays_out(vault: Path) -> None:
    note = vault / "interactions/2026/2026-02-01 Coffee with Ada.md"
    note.write_text(note.read_text().replace("outcome: Wants the deck", "outcome: Wants to meet Effie"))
    desc = str(vevents(build(vault))["Reach out: Ada Obi (CFO, Lagos Bank)"]["DESCRIPTION"])
    assert "Last: 2026-02-01 coffee\n" in desc and "Effie" not in desc


def test_exclude_tags_setting_decides(vault: Path) -> None:
    settings = vault / ".reljournal.toml"
    settings.write_text(settings.read_text().replace('exclude_tags = ["private"]', 'exclude_tags = ["client"]'))
    found = vevents(build(vault))
    assert not any("Ada Obi" in s for s in found)  # Ada is tagged client
    assert "Birthday: Efe Private" in found  # private is no longer excluded


def set_detail(vault: Path, detail: str) -> None:
    settings = vault / ".reljournal.toml"
    settings.write_text(settings.read_text().replace("[feed]\n", f'[feed]\ndetail = "{detail}"\n'))


def test_detail_minimal(vault: Path) -> None:
    set_detail(vault, "minimal")
    data = build(vault)
    cal: Any = icalendar.Calendar.from_ical(data)
    found = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert str(found["Reach out: Ada Obi (CFO, Lagos Bank)"]["DESCRIPTION"]) == (
        "Why: cadence: every 30 days since the last contact\nOverdue: since 2026-03-03 (12 days ago)\n"
        "Note: people/Ada Obi.md")
    tasks = sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT") if e["CATEGORIES"].cats == ["follow-up"])
    # the tasks' texts do not leave the vault: who, or just that there is one
    assert tasks == ["Follow-up", "Follow-up with Ada Obi", "Follow-up with Ada Obi", "Follow-up with Bola Ade"]
    text = text_of(data)
    for hidden in ("Wants the deck", "send the deck", "buy stamps", "at the club", "Send the deck"):
        assert hidden not in text, hidden


def test_detail_full_adds_the_body(vault: Path) -> None:
    assert "Prefers mornings" not in text_of(build(vault))
    set_detail(vault, "full")
    desc = str(vevents(build(vault))["Reach out: Ada Obi (CFO, Lagos Bank)"]["DESCRIPTION"])
    assert desc.endswith("Note: people/Ada Obi.md\n\nMet at the Lagos fintech summit. Prefers mornings.")
    # a body with a link to an excluded person stays out even in full detail
    text = text_of(build(vault))
    assert "Talked about the payroll mandate." not in text  # that note's task links Efe


def test_link_markup_shows_as_link_text(vault: Path) -> None:
    text = text_of(build(vault))
    assert "[[" not in text and "send the deck to Ada" in text


# ---- UIDs -------------------------------------------------------------------------------------------------------
def uids(data: bytes) -> dict[str, str]:
    return {s: str(ev["UID"]) for s, ev in vevents(data).items()}


def test_uids_are_unique_and_reveal_no_names(vault: Path) -> None:
    got = uids(build(vault))
    assert len(set(got.values())) == len(got)
    for uid in got.values():
        assert re.fullmatch(r"[0-9a-f]{32}@reljournal", uid)


def test_uids_survive_edits_and_moves(vault: Path) -> None:
    before = uids(build(vault))
    ada = vault / "people/Ada Obi.md"
    ada.write_text(ada.read_text().replace("role: CFO", "role: CEO").replace("tier: A", "tier: B"))
    (vault / "people/clients").mkdir()
    ada.rename(vault / "people/clients/Ada Obi.md")
    coffee = vault / "interactions/2026/2026-02-01 Coffee with Ada.md"
    coffee.write_text(coffee.read_text().replace("📅 2026-03-17", "📅 2026-03-19"))  # the task moves
    (vault / "interactions/2026/2026-03-20 Lunch with Chidi.md").rename(vault / "interactions/Lunch with Chidi.md")
    after = uids(build(vault))
    assert after["Reach out: Ada Obi (CEO, Lagos Bank)"] == before["Reach out: Ada Obi (CFO, Lagos Bank)"]
    for same in ("Birthday: Ada Obi", "Follow-up: send the deck to Ada (Ada Obi)",
                 "Objective: Win the payroll mandate (Lagos Bank)", "Lunch with Bola Ade"):
        assert after[same] == before[same], same
    # a meeting is known by its note's title: moving the note keeps it, renaming it does not
    assert after["Lunch with Chidi Eze"] != before["Lunch with Chidi Eze"]


def test_id_pins_uids_across_a_change_of_title(vault: Path) -> None:
    kemi = vault / "people/Kemi Snooze.md"
    kemi.write_text(kemi.read_text().replace("type: person\n", "type: person\nid: kemi-1\n"))
    before = uids(build(vault))["Reach out: Kemi Snooze"]
    kemi.rename(vault / "people/Kemi Adebayo.md")
    assert uids(build(vault))["Reach out: Kemi Adebayo"] == before
    dayo = uids(build(vault))["Birthday: Dayo Ola"]
    (vault / "people/Dayo Ola.md").rename(vault / "people/Dayo Olu.md")  # no id: a new title, a new UID
    assert uids(build(vault))["Birthday: Dayo Olu"] != dayo


def test_two_notes_with_one_title_get_different_uids(vault: Path) -> None:
    write_note(vault, "archive/Kemi Snooze.md", "---\ntype: person\ncadence: 1w\n---\n")
    data = build(vault)
    cal: Any = icalendar.Calendar.from_ical(data)
    kemis = [str(e["UID"]) for e in cal.walk("VEVENT") if str(e["SUMMARY"]) == "Reach out: Kemi Snooze"]
    assert len(kemis) == 2 and len(set(kemis)) == 2


def test_uids_do_not_depend_on_the_vault_folder(tmp_path: Path) -> None:
    a = copy_vault("feed", tmp_path / "a")
    b = copy_vault("feed", tmp_path / "b")
    b = b.rename(tmp_path / "b" / "other-name")
    assert uids(build(a)) == uids(build(b))


# ---- determinism and writing -------------------------------------------------------------------------------
def test_regeneration_is_byte_identical(vault: Path) -> None:
    assert build(vault) == build(vault)


@pytest.mark.parametrize("tz", ["Pacific/Auckland", "America/Los_Angeles", "UTC"])
def test_byte_identical_in_any_local_time_zone(vault: Path, tmp_path: Path, tz: str) -> None:
    out = tmp_path / f"{tz.replace('/', '-')}.ics"
    env = dict(os.environ, TZ=tz, LC_ALL="C")
    env.pop("RELJOURNAL_TODAY", None)
    subprocess.run([sys.executable, "-m", "reljournal", "--vault", str(vault), "--today", TODAY, "feed", "-o",
                    str(out)], check=True, env=env, capture_output=True)
    assert out.read_bytes() == build(vault)


def test_lines_are_crlf_and_folded(vault: Path) -> None:
    data = build(vault)
    assert data.count(b"\r\n") == data.count(b"\n")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))


def test_write_feed_only_when_changed(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "feed.ics"
    journal = Journal.open(vault, TODAY)
    try:
        view = journal.view()
        assert write_feed(view, out).written is True
        os.utime(out, (1_000_000_000, 1_000_000_000))
        assert write_feed(view, out).written is False
        assert out.stat().st_mtime == 1_000_000_000
        assert out.read_bytes() == build_feed(view)
        assert [p.name for p in out.parent.iterdir()] == ["feed.ics"]  # no temporary file left behind
    finally:
        journal.close()
    write_note(vault, "people/New Person.md", "---\ntype: person\ncadence: 1w\n---\n")
    journal = Journal.open(vault, TODAY)
    try:
        assert write_feed(journal.view(), out).written is True
    finally:
        journal.close()


# ---- a feed kept as it is when nothing it is made from changed -------------------------------------------------
def _unbuildable(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: FeedBuilder) -> tuple[bytes, ...]:
        raise AssertionError("the feed was built again")

    monkeypatch.setattr(FeedBuilder, "parts", refuse)


def test_feed_not_built_again_when_nothing_changed(vault: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "feed.ics"
    rj = Run(vault)
    first = rj("feed", "-o", str(out))
    events = re.search(r"\((\d+) events\)", first.output)
    assert first.output.startswith(f"Wrote {out} (") and events
    written = out.read_bytes()
    with monkeypatch.context() as patch:
        _unbuildable(patch)
        again = rj("feed", "-o", str(out))
    assert again.output.startswith(f"{out} is up to date ({events[1]} events); nothing written.")
    assert out.read_bytes() == written
    os.utime(vault / "people/Ada Obi.md", (1_700_000_000, 1_700_000_000))  # touched, same bytes (a checkout)
    with monkeypatch.context() as patch:
        _unbuildable(patch)
        assert "is up to date" in rj("feed", "-o", str(out)).output


@pytest.mark.parametrize("change", ["note", "today", "owner", "settings", "file edited", "file deleted", "moved"])
def test_feed_built_again_when_what_it_is_made_from_changed(vault: Path, tmp_path: Path, change: str) -> None:
    """Each input of the feed, changed alone after a write, gives the feed of the changed vault."""
    out = tmp_path / "feed.ics"
    assert Run(vault)("feed", "-o", str(out)).exit_code == 0
    today, owner, where = TODAY, None, vault
    if change == "note":
        note = write_note(vault, "people/Ada Obi.md", (vault / "people/Ada Obi.md").read_text().replace(
            "tier: A", "tier: A\nnext: 2026-03-18"), mtime=1_700_000_000)
        assert b"next: 2026-03-18" in note.read_bytes()
    elif change == "today":
        today = "2026-03-16"
    elif change == "owner":
        owner = "alice"
    elif change == "settings":
        settings_file = vault / ".reljournal.toml"
        settings_file.write_text(settings_file.read_text() + 'detail = "full"\n')
    elif change == "file edited":
        out.write_bytes(out.read_bytes().replace(b"Ada Obi", b"Ada Obx"))
    elif change == "file deleted":
        out.unlink()
    elif change == "moved":  # the vault's folder name is in the feed (its obsidian:// links)
        where = vault.rename(tmp_path / "renamed")
    result = Run(where)("feed", "-o", str(out), *(["--owner", owner] if owner else []), today=today)
    assert result.output.startswith(f"Wrote {out}"), result.output
    assert out.read_bytes() == build(where, today, owner)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(steps=["feed", "edit"]).via("a note changed after a write")
@example(steps=["feed", "tamper"]).via("the file changed after a write")
@given(steps=st.lists(st.sampled_from(["feed", "edit", "day", "owner", "tamper", "other file"]), min_size=1,
                      max_size=6))
def test_feed_after_any_steps_is_the_feed_of_the_vault(tmp_path_factory: pytest.TempPathFactory,
                                                       steps: list[str]) -> None:
    """Whatever happened in between, every `feed` leaves the file holding the feed of the vault as it is."""
    vault = copy_vault("feed", tmp_path_factory.mktemp("v"))
    out, other = vault.parent / "feed.ics", vault.parent / "other.ics"
    day, owner = 15, None
    for n, step in enumerate(steps + ["feed"]):
        if step == "edit":
            write_note(vault, f"people/Person {n}.md", f"---\ntype: person\nnext: 2026-03-{20 + n}\n---\n",
                       mtime=1_700_000_000 + n)
        elif step == "day":
            day += 1
        elif step == "owner":
            owner = None if owner else "alice"
        elif step == "tamper" and out.exists():
            out.write_bytes(out.read_bytes()[:-40])
        elif step == "other file":  # another path has its own stamp
            assert Run(vault)("feed", "-o", str(other), today=f"2026-03-{day}").exit_code == 0
        elif step == "feed":
            args = ["feed", "-o", str(out), *(["--owner", owner] if owner else [])]
            assert Run(vault)(*args, today=f"2026-03-{day}").exit_code == 0
            assert out.read_bytes() == build(vault, f"2026-03-{day}", owner)


# ---- owners --------------------------------------------------------------------------------------------------
def test_owner_filter(vault: Path) -> None:
    alice = set(vevents(build(vault, owner="alice")))
    assert alice == {
        "Reach out: Ada Obi (CFO, Lagos Bank)", "Birthday: Ada Obi",  # Ada's own owner
        "Lunch with Chidi Eze", "Call with Chidi Eze",  # Chidi: his org's owner
        "Follow-up: send the deck to Ada (Ada Obi)", "Follow-up with Ada Obi",
        "Objective: Renew the credit line (Lagos Bank)", "Objective: Win the payroll mandate (Lagos Bank)",
    }
    assert set(vevents(build(vault, owner="BOB"))) == {"Follow-up: call Bola Ade about the merger",
                                                       "Lunch with Bola Ade"}
    # on the team only: the org's objectives, none of its people
    assert set(vevents(build(vault, owner="carol"))) == {"Objective: Renew the credit line (Lagos Bank)",
                                                         "Objective: Win the payroll mandate (Lagos Bank)"}
    cal: Any = icalendar.Calendar.from_ical(build(vault, owner="alice"))
    assert str(cal["X-WR-CALNAME"]) == "Test feed (alice)"


def test_unknown_owner_is_an_error(vault: Path) -> None:
    with pytest.raises(UserError) as err:
        build(vault, owner="zed")
    assert err.value.exit_code == 1
    assert "alice, bob, carol" in err.value.message
    journal = Journal.open(vault, TODAY)
    try:
        assert owners(journal.view()) == ["alice", "bob", "carol"]
    finally:
        journal.close()


# ---- the command --------------------------------------------------------------------------------------------
def test_feed_command_writes_the_default_path(vault: Path) -> None:
    rj = Run(vault)
    first = rj("feed")
    assert first.exit_code == 0
    assert first.output == "Wrote .reljournal/feed.ics (13 events).\n"
    assert (vault / ".reljournal/feed.ics").read_bytes() == build(vault)
    again = rj("feed")
    assert again.output == ".reljournal/feed.ics is up to date (13 events); nothing written.\n"


def test_feed_command_output_and_owner(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "alice.ics"
    result = Run(vault)("feed", "-o", str(out), "--owner", "alice")
    assert result.exit_code == 0 and result.output == f"Wrote {out} (8 events).\n"
    bad = Run(vault)("feed", "--owner", "nobody")
    assert bad.exit_code == 1
    assert "no owner named 'nobody'; owners: alice, bob, carol" in bad.output


def test_feed_command_help_has_an_example() -> None:
    from click.testing import CliRunner

    from reljournal.cli import cli
    result = CliRunner().invoke(cli, ["feed", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and "--owner NAME" in result.output


# ---- an independent parser, and open-ended input ----------------------------------------------------------------
def test_vobject_reads_every_event(vault: Path) -> None:
    cal = vobject.readOne(build(vault).decode("utf-8"))
    got = {}
    for ev in cal.vevent_list:
        value = ev.dtstart.value
        got[ev.summary.value] = value.astimezone(UTC) if isinstance(value, dt.datetime) else value
        assert ev.uid.value and ev.dtstamp.value == dt.datetime(2026, 3, 15, tzinfo=UTC)
    assert got == EXPECTED


TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=60).filter(
    lambda s: s.strip() and "[[" not in s and "]]" not in s and "📅" not in s and "[due::" not in s)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(task=TEXT)
def test_any_task_text_round_trips(tmp_path_factory: pytest.TempPathFactory, task: str) -> None:
    vault = tmp_path_factory.mktemp("v")
    write_note(vault, "people/Jo.md", f"---\ntype: person\n---\n- [ ] {task} 📅 2026-03-20\n")
    data = build(vault)
    journal = Journal.open(vault, TODAY)
    try:
        (record,) = journal.view().people
        (parsed,) = record.tasks
    finally:
        journal.close()
    want = f"Follow-up: {parsed.text}" + ("" if "jo" in parsed.text.casefold() else " (Jo)")
    assert [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(data).walk("VEVENT")] == [want]
    assert [e.summary.value for e in vobject.readOne(data.decode()).vevent_list] == [want]
    assert data == build(vault)


def test_the_good_vault_feed_parses(good_vault: Path) -> None:
    data = build(good_vault)
    cal: Any = icalendar.Calendar.from_ical(data)
    assert cal.walk("VEVENT")
    vobject.readOne(data.decode())


def test_the_feed_vault_is_untouched_by_tests() -> None:
    assert (VAULTS / "feed" / "people" / "Ada Obi.md").read_text().count("role: CFO") == 1


@pytest.mark.parametrize("name", ["feed", "good", "views", "accounts"])
def test_kept_event_bytes_change_no_feed(tmp_path: Path, name: str) -> None:
    """The bytes a long-running process keeps (`EventBytes`) are a pure cache: a warm one, a cold one, one
    that overflows, and none give the same feed, for every owner and across days."""
    vault = copy_vault(name, tmp_path)
    kept, tiny = EventBytes(), EventBytes(limit=3)
    for today in ("2026-03-15", "2026-03-16", "2026-03-15"):
        journal = Journal.open(vault, today, tolerate_bad_settings=True)
        try:
            view = journal.view()
            for owner in (None, *owners(view)):
                plain = build_feed(view, owner=owner)
                assert build_feed(view, owner=owner, kept=kept) == plain
                assert build_feed(view, owner=owner, kept=kept) == plain  # warm
                assert build_feed(view, owner=owner, kept=tiny) == plain
                assert len(tiny) <= 3
        finally:
            journal.close()


STAMPS = st.builds(lambda day, hours: dt.datetime.combine(day, dt.time(0), dt.timezone.utc) - dt.timedelta(hours=hours),
                   st.dates(dt.date(2020, 1, 2), dt.date(2099, 12, 31)), st.sampled_from([0, 1, 5, 9]))
TEXTS = st.text(st.characters(blacklist_categories=["Cs"]), max_size=200) | st.sampled_from(
    ["DTSTAMP:20260315T000000Z", "\r\nDTSTAMP:20260315T000000Z\r\n", "x" * 70 + "SEQUENCE:2265", "LAST-MODIFIED:"])


@settings(max_examples=300, deadline=None)
@given(summary=TEXTS, description=TEXTS, old=STAMPS, new=STAMPS, timed=st.booleans(), alarm=st.booleans())
def test_a_restamped_event_is_the_event_written_on_the_new_day(summary: str, description: str, old: dt.datetime,
                                                              new: dt.datetime, timed: bool, alarm: bool) -> None:
    """`Entry.restamper` (a new day's feed without serialising again) gives the bytes `to_ical` gives on that day,
    whatever the event's text holds (a note's text that looks like a stamp line included)."""
    start: dt.date | dt.datetime = dt.date(2026, 3, 20)
    if timed:
        start = dt.datetime(2026, 3, 20, 9, tzinfo=dt.timezone.utc)
    entry = Entry("uid-1@reljournal", "meeting" if timed else "due", start, start + dt.timedelta(days=1), summary,
                  description, "obsidian://open?vault=v&file=n", None, dt.timedelta(hours=-1) if alarm else None)
    assert Entry.restamper(old, new)(entry.to_ical(old)) == entry.to_ical(new)


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(["due", "task", "objective"]), summary=TEXTS, rest=TEXTS, late=st.integers(-3, 1500),
       later=st.integers(1, 400), placed=st.booleans(), why=st.booleans(), alarm=st.booleans())
@example(kind="task", summary="Follow-up: é" * 20, rest="Note: a.md", late=9, later=1, placed=True, why=False,
         alarm=True)  # 9 -> 10 days ago: the description one character longer, folded elsewhere
def test_an_overdue_event_moved_by_its_bytes_is_the_event_written_on_the_later_day(
        kind: str, summary: str, rest: str, late: int, later: int, placed: bool, why: bool, alarm: bool) -> None:
    """`Entry.relater` (a new day's overdue events without building them again) gives the bytes `to_ical` gives
    of the event made on the later day, whatever the texts around its overdue line; and nothing for an event that
    was not overdue on the day it was made (built again instead)."""
    before = dt.date(2026, 3, 15)
    after = before + dt.timedelta(days=later)
    due = before - dt.timedelta(days=late)

    def made_on(day: dt.date) -> Entry:
        overdue = f"Overdue: {'since' if kind == 'due' else 'due'} {due.isoformat()} {days_ago((day - due).days)}"
        lines = [*(["Why: cadence: 30d since the last contact"] if why else []),
                 *([overdue] if due < day else []), *([rest] if rest else [])]
        start = day if placed and due < day else due
        return Entry("uid-1@reljournal", kind, start, start + dt.timedelta(days=1), summary, "\n".join(lines),
                     "obsidian://open?vault=v&file=n", None, dt.timedelta(hours=9) if alarm else None)

    stamp = dt.datetime(2026, 3, 15, tzinfo=dt.timezone.utc)
    moved = Entry.relater(before, after, placed)(made_on(before).to_ical(stamp))
    if due < before:
        expected = made_on(after)
        assert moved == (expected.to_ical(stamp), expected.sort_key()[0])
    else:
        assert moved is None
