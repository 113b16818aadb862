"""`agenda`: the window, overdue on today, the SPEC 3 JSON, filters, and the exact human output.

The vault is tests/data/vaults/views, seen on Thursday 2026-06-18.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import Run, copy_vault, write_note
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reljournal.agenda import agenda
from reljournal.app import Journal
from reljournal.cli import cli
from reljournal.events import KIND_ORDER
from reljournal.queries import Filters

TODAY = "2026-06-18"


@pytest.fixture
def views(tmp_path: Path) -> Run:
    return Run(copy_vault("views", tmp_path), TODAY)


def brief(result_output: str) -> list[tuple[str, str, str, list[str], int]]:
    return [(i["date"][5:], i["kind"], i["title"], i["people"], i["overdue_days"])
            for i in json.loads(result_output)]


def test_agenda_human(views: Run) -> None:
    result = views("agenda")
    assert result.exit_code == 0
    assert result.stdout == """\
Thu 18 Jun (today)
  48d late  due        Bob Smith                            cadence, Acme Corp
   8d late  task       Jane: intro to her head of treasury  Jane Doe
   6d late  task       send the Q2 deck to Bob Smith        Bob Smith
  17d late  objective  Name a relationship lead             Acme Corp
            due        Tom Weber                            never

Fri 19 Jun (tomorrow)
     19:30  meeting    Dinner with Jane Doe and Priya Shah
            task       book the team offsite
            task       send Jane the cycling route          Jane Doe

Sat 20 Jun
            task       ask Jane Doe about the offsite       Jane Doe
            objective  First pilot signed                   Lagos Fintech
            birthday   Birthday: Jane Doe                   turns 46

Sun 21 Jun
            birthday   Birthday: Leo Park

Mon 22 Jun
            due        Mia Chen                             snoozed

Wed 24 Jun
            objective  Renew the treasury mandate           Acme Corp
"""


def test_agenda_json_is_sorted_by_date_kind_title_with_overdue_on_today(views: Run) -> None:
    result = views("agenda", "--json")
    assert result.exit_code == 0
    items = json.loads(result.stdout)
    assert all(set(i) == {"date", "kind", "title", "people", "path", "overdue_days"} for i in items)
    assert brief(result.stdout) == [
        ("06-18", "due", "Bob Smith", ["Bob Smith"], 48),
        ("06-18", "due", "Tom Weber", ["Tom Weber"], 0),
        ("06-18", "task", "Jane: intro to her head of treasury", ["Jane Doe"], 8),
        ("06-18", "task", "send the Q2 deck to Bob Smith", ["Bob Smith"], 6),
        ("06-18", "objective", "Name a relationship lead", [], 17),
        ("06-19", "meeting", "Dinner with Jane Doe and Priya Shah", ["Jane Doe", "Priya Shah"], 0),
        ("06-19", "task", "book the team offsite", [], 0),
        ("06-19", "task", "send Jane the cycling route", ["Jane Doe"], 0),
        ("06-20", "task", "ask Jane Doe about the offsite", ["Jane Doe"], 0),
        ("06-20", "objective", "First pilot signed", [], 0),
        ("06-20", "birthday", "Birthday: Jane Doe", ["Jane Doe"], 0),
        ("06-21", "birthday", "Birthday: Leo Park", ["Leo Park"], 0),
        ("06-22", "due", "Mia Chen", ["Mia Chen"], 0),
        ("06-24", "objective", "Renew the treasury mandate", [], 0),
    ]
    # Jane's and Priya's next date is the arranged dinner: the dinner is their reminder, no `due` item.
    assert not [i for i in items if i["kind"] == "due" and i["title"] in ("Jane Doe", "Priya Shah")]
    assert items[0]["path"] == "people/Bob Smith.md"
    assert items[5]["path"] == "interactions/2026/2026-06-19 Dinner with Jane Doe and Priya Shah.md"


def test_window_is_today_to_today_plus_days_minus_one(views: Run) -> None:
    week = brief(views("agenda", "--days", "7", "--json").stdout)
    six = brief(views("agenda", "--days", "6", "--json").stdout)
    assert ("06-24", "objective", "Renew the treasury mandate", [], 0) in week
    assert six == week[:-1]
    one = brief(views("agenda", "--days", "1", "--json").stdout)
    assert {d for d, *_ in one} == {"06-18"} and len(one) == 5


def test_days_must_be_positive(views: Run) -> None:
    result = views("agenda", "--days", "0")
    assert result.exit_code == 2
    assert "--days" in result.stderr


def test_filters_keep_items_naming_a_matching_person(views: Run) -> None:
    titles = lambda *args: [t for _, _, t, _, _ in brief(views("agenda", "--json", *args).stdout)]  # noqa: E731
    # The dinner names Jane (tier A) and Priya (tier B): it stays. Objectives of a tier-A org stay;
    # an unlinked task in a daily note does not.
    assert titles("--tier", "A") == [
        "Bob Smith", "Tom Weber", "Jane: intro to her head of treasury", "send the Q2 deck to Bob Smith",
        "Name a relationship lead", "Dinner with Jane Doe and Priya Shah", "send Jane the cycling route",
        "ask Jane Doe about the offsite", "Birthday: Jane Doe", "Mia Chen", "Renew the treasury mandate",
    ]
    assert titles("--relationship", "prospect") == ["Dinner with Jane Doe and Priya Shah"]
    # An owner on an org's team sees its objectives; nobody's `owner` is carol.
    assert titles("--owner", "carol") == ["Name a relationship lead", "Renew the treasury mandate"]
    assert titles("--org", "Lagos Fintech") == ["Dinner with Jane Doe and Priya Shah", "First pilot signed"]
    assert titles("--tag", "finance") == [
        "Tom Weber", "Jane: intro to her head of treasury", "Dinner with Jane Doe and Priya Shah",
        "send Jane the cycling route", "ask Jane Doe about the offsite", "Birthday: Jane Doe",
    ]


def test_agenda_human_with_filter(views: Run) -> None:
    assert views("agenda", "--owner", "carol").stdout == """\
Thu 18 Jun (today)
  17d late  objective  Name a relationship lead    Acme Corp

Wed 24 Jun
            objective  Renew the treasury mandate  Acme Corp
"""


def test_nothing_to_show(empty_vault: Path) -> None:
    run = Run(empty_vault, TODAY)
    assert run("agenda").stdout == "Nothing in the next 7 days.\n"
    assert run("agenda", "--days", "1").stdout == "Nothing today.\n"
    assert run("agenda", "--json").stdout == "[]\n"


def test_long_names_fit_80_columns(empty_vault: Path) -> None:
    write_note(empty_vault, "people/Maximiliana Alexandra Wolfeschlegelsteinhausen-Bergerdorff.md", """
        ---
        type: person
        cadence: 10d
        ---
        - [ ] prepare the extraordinarily detailed quarterly portfolio review for the board 📅 2026-06-19
        """)
    lines = Run(empty_vault, TODAY)("agenda").stdout.splitlines()
    assert lines == [
        "Thu 18 Jun (today)",
        "    due   Maximiliana Alexandra Wolfeschleg…  never",
        "",
        "Fri 19 Jun (tomorrow)",
        "    task  prepare the extraordinarily detai…  Maximiliana Alexandra Wolfeschleg…",
    ]
    assert max(len(line) for line in lines) <= 80


def test_colour_only_when_asked_for(views: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR")
    args = ["--vault", str(views.vault), "--today", TODAY, "agenda", "--days", "1"]
    plain = CliRunner().invoke(cli, args).stdout
    coloured = CliRunner().invoke(cli, args, color=True).stdout
    assert "\x1b[" not in plain
    assert "\x1b[31m  48d late  due        Bob Smith" in coloured
    assert "\x1b[1mThu 18 Jun (today)" in coloured


def test_meeting_time_in_the_vaults_zone(empty_vault: Path) -> None:
    write_note(empty_vault, ".reljournal.toml", '[vault]\ntimezone = "Europe/London"\n')
    write_note(empty_vault, "people/Ann.md", "---\ntype: person\n---\n")
    write_note(empty_vault, "interactions/call.md", """
        ---
        type: interaction
        date: 2026-06-19T09:00:00+02:00
        with: ["[[Ann]]"]
        kind: call
        ---
        """)
    assert Run(empty_vault, TODAY)("agenda").stdout == "Fri 19 Jun (tomorrow)\n  08:00  meeting  Call with Ann\n"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset=st.integers(min_value=-60, max_value=120), days=st.integers(min_value=1, max_value=40))
def test_agenda_properties(tmp_path_factory: pytest.TempPathFactory, offset: int, days: int) -> None:
    """On any day and window: inside the window, overdue only on today, sorted, and a longer window only
    adds items."""
    vault = _shared_views_vault(tmp_path_factory)
    today = dt.date(2026, 6, 18) + dt.timedelta(days=offset)
    journal = Journal.open(vault, today.isoformat())
    try:
        view = journal.view()
        items = agenda(view, days)
        longer = agenda(view, days + 1)
        filtered = agenda(view, days, Filters(tiers=("Z",)))
    finally:
        journal.close()
    last = today + dt.timedelta(days=days - 1)
    for item in items:
        assert today <= item.date <= last
        if item.overdue_days:
            assert item.date == today and item.kind in ("due", "task", "objective")
            assert item.event.date == today - dt.timedelta(days=item.overdue_days)
    keys = [(i.date, KIND_ORDER[i.kind], i.title.casefold()) for i in items]
    assert keys == sorted(keys)
    assert [i.as_json() for i in items] == [i.as_json() for i in longer if i.date <= last]
    assert filtered == []


_VAULT: dict[str, Path] = {}


def _shared_views_vault(factory: pytest.TempPathFactory) -> Path:
    """One copy for every example (the examples only read it)."""
    if "views" not in _VAULT:
        _VAULT["views"] = copy_vault("views", factory.mktemp("views"))
    return _VAULT["views"]


def test_a_control_character_is_shown_visible_and_measured_as_shown(empty_vault: Path) -> None:
    """A task typed with a terminal escape in it shows `\\x1b` and keeps the columns of its day aligned."""
    write_note(empty_vault, "people/Ann.md", "---\ntype: person\ncadence: none\n---\n"
               "- [ ] call about \x1b[2J the deal 📅 2026-06-19\n- [ ] call about the offer 📅 2026-06-19\n")
    lines = Run(empty_vault, TODAY)("agenda").stdout.splitlines()
    tasks = [line for line in lines if "call about" in line]
    assert "\x1b" not in "".join(lines) and "\\x1b[2J" in tasks[0] + tasks[1]
    assert len({line.index("Ann") for line in tasks}) == 1, tasks


CELL_TEXT = st.text(st.sampled_from("abc XYZ-é漢😀\x1b\u0301"), max_size=40)


@settings(max_examples=60, deadline=None)
@given(tasks=st.lists(st.tuples(CELL_TEXT, st.lists(CELL_TEXT, max_size=3), st.integers(-3, 4)), min_size=1,
                      max_size=12), columns=st.integers(20, 120))
def test_agenda_lines_are_its_cells_fitted_one_by_one(tasks: list[tuple[str, list[str], int]], columns: int) -> None:
    """The agenda pads and cuts a column at a time; each line is what fitting its cells one by one gives:
    the cells as shown, the longer of title and detail giving way first, overdue first on today."""
    import contextlib
    import io
    from types import SimpleNamespace
    from unittest import mock

    import reljournal.cli.agenda as agenda_cli
    from reljournal.agenda import AgendaItem
    from reljournal.events import TASK, Event
    from reljournal.model import Person
    from reljournal.output import clip, display_width, fit, visible

    today = dt.date(2026, 6, 18)
    items = sorted((AgendaItem(max(today, today + dt.timedelta(days=offset)), Event(
        TASK, today + dt.timedelta(days=offset), title, tuple(Person(f"people/{n}.md", name) for n, name in
                                                              enumerate(names)), f"notes/{k}.md", 3), max(0, -offset))
                    for k, (title, names, offset) in enumerate(tasks)), key=AgendaItem.sort_key)
    view = SimpleNamespace(today=today)
    out = io.StringIO()
    with mock.patch.object(agenda_cli, "width", lambda: columns), contextlib.redirect_stdout(out):
        agenda_cli.render(items, view, 7)  # type: ignore[arg-type]

    rows = [[visible(cell) for cell in (agenda_cli._when(i, view), i.kind, i.title, agenda_cli._detail(i, view))]
            for i in items]  # type: ignore[arg-type]
    when_w, kind_w, title_w, detail_w = (max(display_width(row[n]) for row in rows) for n in range(4))
    room = columns - (2 + when_w + 2 + kind_w + 2) - (2 if detail_w else 0)
    while title_w + detail_w > room and max(title_w, detail_w) > 12:
        if title_w >= detail_w:
            title_w -= 1
        else:
            detail_w -= 1
    expected: list[str] = []
    for day in sorted({i.date for i in items}):
        if expected:
            expected.append("")
        expected.append(agenda_cli.day_heading(day, today))
        on_day = sorted((n for n, i in enumerate(items) if i.date == day), key=lambda n: (
            (0, KIND_ORDER[items[n].kind], -items[n].overdue_days) if items[n].overdue_days else (1, 0, 0)))
        for n in on_day:
            when, kind, title, detail = rows[n]
            expected.append(f"  {fit(when, when_w, '>')}  {fit(kind, kind_w, '<')}  {fit(title, title_w, '<')}  "
                            f"{clip(detail, detail_w)}".rstrip())
    assert out.getvalue().splitlines() == expected
