"""`week`: what counts, the streak, the top tier, the 12-week chart; exact output on tests/data/vaults/views.

This week (2026-W25, Monday 15 June) up to Thursday 18 June holds: Amara's last_contact (she is dormant:
her contacts still count), the video with Priya (whose last_contact the same day is that same contact),
and a kind-`note` interaction with Bob (never counts). The dinner on the 19th is still to come.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import Run, copy_vault, write_note
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reljournal.app import Journal
from reljournal.cli.week import bars
from reljournal.model import NOT_A_CONTACT
from reljournal.output import unstyle
from reljournal.queries import View
from reljournal.week import contact_days, week

TODAY = "2026-06-18"


@pytest.fixture
def views(tmp_path: Path) -> Run:
    return Run(copy_vault("views", tmp_path), TODAY)


def test_week_json(views: Run) -> None:
    result = views("week", "--json")
    assert result.exit_code == 0
    counts = [0] * 12
    counts[0], counts[4], counts[9], counts[10], counts[11] = 1, 1, 2, 2, 2  # W14, W18 (a Log entry), W23-W25
    starts = ["2026-03-30", "2026-04-06", "2026-04-13", "2026-04-20", "2026-04-27", "2026-05-04",
              "2026-05-11", "2026-05-18", "2026-05-25", "2026-06-01", "2026-06-08", "2026-06-15"]
    assert json.loads(result.stdout) == {
        "week": "2026-W25",
        "start": "2026-06-15",
        "end": "2026-06-21",
        "target": 2,
        "count": 2,
        "on_target": True,
        "streak": 3,
        "weeks": [{"week": f"2026-W{14 + n}", "start": s, "count": c}
                  for n, (s, c) in enumerate(zip(starts, counts, strict=True))],
        "overdue_top_tier": [{"name": "Bob Smith", "days": 48}],
    }


def test_week_human(views: Run) -> None:
    result = views("week")
    assert result.exit_code == 0
    assert result.stdout == """\
2026-W25 (Mon 15 Jun - Sun 21 Jun): 2 interactions, target 2: on target
Streak: 3 weeks on target

Last 12 weeks  (| marks the target)
  2026-W14  30 Mar  ####   |   1
  2026-W15   6 Apr         |   0
  2026-W16  13 Apr         |   0
  2026-W17  20 Apr         |   0
  2026-W18  27 Apr  ####   |   1
  2026-W19   4 May         |   0
  2026-W20  11 May         |   0
  2026-W21  18 May         |   0
  2026-W22  25 May         |   0
  2026-W23   1 Jun  ########   2
  2026-W24   8 Jun  ########   2
  2026-W25  15 Jun  ########   2  this week

Overdue in tier A
  Bob Smith  48d late
"""


def test_streak_counts_this_week_only_once_on_target(views: Run) -> None:
    """On Monday only Amara's contact is in: not yet on target, so the streak is W23 and W24."""
    report = json.loads(views("week", "--json", today="2026-06-15").stdout)
    assert (report["count"], report["on_target"], report["streak"]) == (1, False, 2)
    assert views("week", today="2026-06-15").stdout.splitlines()[:2] == [
        "2026-W25 (Mon 15 Jun - Sun 21 Jun): 1 interaction, target 2: 1 to go",
        "Streak: 2 weeks on target",
    ]


def test_what_counts(empty_vault: Path) -> None:
    write_note(empty_vault, ".reljournal.toml", "[week]\ntarget = 1\n")
    write_note(empty_vault, "people/Ann.md", """
        ---
        type: person
        last_contact: 2026-06-16
        ---
        ## Log
        - 2026-06-16 call: the same call as the note below, logged twice? no: a second entry
        - 2026-06-17 note: likes tea
        - 2026-06-20 lunch: arranged
        Not in a list: 2026-06-17 coffee
        """)
    write_note(empty_vault, "people/Bo.md", "---\ntype: person\nlast_contact: 2026-06-30\n---\n")
    write_note(empty_vault, "interactions/a.md", """
        ---
        type: interaction
        date: 2026-06-15
        with: ["[[Ann]]", "[[Bo]]"]
        kind: meeting
        ---
        """)
    write_note(empty_vault, "interactions/b.md", "---\ntype: interaction\ndate: 2026-06-18T23:30:00\nkind: call\n---\n")
    report = json.loads(Run(empty_vault, TODAY)("week", "--json").stdout)
    # a.md once for two people; the Log call; b.md with nobody; Ann's last_contact is her Log call that
    # day; the `note`, the future lunch and Bo's future last_contact do not count.
    assert report["count"] == 3
    assert report["overdue_top_tier"] == []


def test_no_tiers_no_top_tier_section_and_target_zero_streak_is_bounded(empty_vault: Path) -> None:
    write_note(empty_vault, ".reljournal.toml", "[week]\ntarget = 0\n")
    write_note(empty_vault, "people/Ann.md", "---\ntype: person\nlast_contact: 2026-05-20\n---\n")
    run = Run(empty_vault, TODAY)
    report = json.loads(run("week", "--json").stdout)
    # Every week from the first contact's (W21) to this one (W25) is on a target of 0.
    assert (report["on_target"], report["streak"], report["overdue_top_tier"]) == (True, 5, [])
    out = run("week").stdout
    assert "Overdue in tier" not in out and "marks the target" not in out and "|" not in out


def test_empty_vault(empty_vault: Path) -> None:
    report = json.loads(Run(empty_vault, TODAY)("week", "--json").stdout)
    assert (report["target"], report["count"], report["streak"]) == (5, 0, 0)
    assert [w["count"] for w in report["weeks"]] == [0] * 12


def test_top_tier_lists_five_most_overdue_first(empty_vault: Path) -> None:
    write_note(empty_vault, ".reljournal.toml", '[tiers]\nVIP = "10d"\nA = "1d"\n')
    for n, day in enumerate(["2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05", "2026-05-06"]):
        write_note(empty_vault, f"people/P{n}.md", f"---\ntype: person\ntier: VIP\nlast_contact: {day}\n---\n")
    write_note(empty_vault, "people/Lower.md", "---\ntype: person\ntier: A\nlast_contact: 2026-01-01\n---\n")
    write_note(empty_vault, "people/Gone.md", "---\ntype: person\ntier: VIP\nstatus: archived\n---\n")
    report = json.loads(Run(empty_vault, TODAY)("week", "--json").stdout)
    assert report["overdue_top_tier"] == [{"name": f"P{n}", "days": 38 - n} for n in range(5)]


def test_top_tier_overdue_since_yesterday_is_listed_and_due_today_is_not(empty_vault: Path) -> None:
    """The overdue are read from the rows due by yesterday: the day boundary holds."""
    write_note(empty_vault, ".reljournal.toml", '[tiers]\nVIP = "10d"\n')
    write_note(empty_vault, "people/Yesterday.md", "---\ntype: person\ntier: VIP\nlast_contact: 2026-06-07\n---\n")
    write_note(empty_vault, "people/Today.md", "---\ntype: person\ntier: VIP\nlast_contact: 2026-06-08\n---\n")
    report = json.loads(Run(empty_vault, TODAY)("week", "--json").stdout)
    assert report["overdue_top_tier"] == [{"name": "Yesterday", "days": 1}]


def test_bars_scale_and_terminal_glyphs(views: Run) -> None:
    journal = Journal.open(views.vault, TODAY)
    try:
        report = week(journal.view())
    finally:
        journal.close()
    fancy = [unstyle(row) for row in bars(report, fancy=True)]
    assert fancy[9] == "  2026-W23   1 Jun  ████████   2"
    assert fancy[1] == "  2026-W15   6 Apr         │   0"
    assert bars(report, fancy=False) == bars(report, fancy=False)  # deterministic


def test_busy_weeks_scale_down_to_fit_80_columns(empty_vault: Path) -> None:
    write_note(empty_vault, "people/Ann.md", "---\ntype: person\n---\n## Log\n"
               + "".join(f"- 2026-06-{d:02d} call: catch-up {n}\n" for d in (15, 16) for n in range(50)))
    lines = Run(empty_vault, TODAY)("week").stdout.splitlines()
    assert "  2026-W25  15 Jun  " + "#" * 40 + "  100  this week" in lines
    assert max(len(line) for line in lines) <= 80


# ---- counted from the index: the same as from every record ------------------------------------------------
def counted_from_records(view: View) -> Counter[dt.date]:
    """`contact_days` as the module's rules say it, over every interaction record and each person's history:
    what the index's counts (`Index.contacts_by_day`, `Index.contacts_on`) must equal."""
    counts: Counter[dt.date] = Counter()
    for i in view.interactions:
        if i.date is not None and i.date <= view.today and i.counts:
            counts[i.date] += 1
    for p in view.people:
        for e in p.log:
            if e.date <= view.today and e.kind != NOT_A_CONTACT:
                counts[e.date] += 1
        if p.last_contact is not None and p.last_contact <= view.today:
            if not any(h.date == p.last_contact and h.source != "last_contact" and h.counts
                       for h in view.history.get(p.path, [])):
                counts[p.last_contact] += 1
    return counts


@pytest.mark.parametrize("name", ["views", "accounts", "query", "good", "feed"])
def test_counts_from_the_index_equal_the_records(name: str, tmp_path: Path) -> None:
    journal = Journal.open(copy_vault(name, tmp_path), TODAY)
    try:
        view = journal.view()
        assert contact_days(view) == counted_from_records(journal.view())
        assert "_rest" not in view.__dict__  # no interaction note read
    finally:
        journal.close()


DAYS = ["2026-06-10", "2026-06-15", "2026-06-20"]  # TODAY is 2026-06-18: the last is ahead
NAMES = ["[[Ann]]", "[[Annie]]", "[[people/Ann]]", "[[notes/Ann]]", "[[Bo]]", "Bo", "[[Nobody]]"]
INTERACTIONS = st.lists(st.tuples(st.sampled_from(DAYS), st.sampled_from(["call", "note", None]),
                                  st.lists(st.sampled_from(NAMES), max_size=3)), max_size=6)
PERSON_DAYS = st.one_of(st.none(), st.sampled_from(DAYS))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# A meeting of kind `note` on the day is not the contact; nor is a meeting on someone else's last_contact day.
@example([("2026-06-10", "note", ["[[Ann]]"])], "2026-06-10", None, [])
@example([("2026-06-15", "call", ["[[Annie]]"])], "2026-06-10", "2026-06-15", [])
@example([("2026-06-10", "call", ["[[notes/Ann]]", "Bo"])], "2026-06-10", "2026-06-10", [("2026-06-10", "note")])
@given(INTERACTIONS, PERSON_DAYS, PERSON_DAYS, st.lists(st.tuples(st.sampled_from(DAYS),
                                                                  st.sampled_from(["call", "note"])), max_size=3))
def test_last_contact_is_found_in_the_notes_of_its_day(tmp_path_factory: pytest.TempPathFactory,
                                                       interactions: list[tuple[str, str | None, list[str]]],
                                                       ann_last: str | None, bo_last: str | None,
                                                       ann_log: list[tuple[str, str]]) -> None:
    vault = tmp_path_factory.mktemp("w")
    log = "".join(f"- {day} {kind}: talked\n" for day, kind in ann_log)
    write_note(vault, "people/Ann.md", "---\ntype: person\naliases: [Annie]\n"
               + (f"last_contact: {ann_last}\n" if ann_last else "") + "---\n## Log\n" + log)
    write_note(vault, "people/Bo.md", "---\ntype: person\n" + (f"last_contact: {bo_last}\n" if bo_last else "")
               + "---\n")
    write_note(vault, "notes/Ann.md", "A plain note called Ann.\n")
    for n, (day, kind, names) in enumerate(interactions):
        write_note(vault, f"interactions/{day} {n}.md", f"---\ntype: interaction\ndate: {day}\n"
                   + (f"kind: {kind}\n" if kind else "") + f"with: {json.dumps(names)}\n---\n")
    journal = Journal.open(vault, TODAY)
    try:
        assert contact_days(journal.view()) == counted_from_records(journal.view())
    finally:
        journal.close()
