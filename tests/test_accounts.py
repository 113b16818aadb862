"""Key accounts (issue 6): the account plan of `show ORG`, `orgs` and its filters, coverage arithmetic, who on
the team is credited with an interaction (`by:`), and `--owner` on the listings.

The fixture vault tests/data/vaults/accounts on 2026-03-15 (tiers A = 30d, B = 90d, currency GBP):
Northwind Bank (owner alice, team alice + bob) has five active stakeholders: Jane (met 03-01, lunch arranged
03-20), Omar (met 03-01 and a Log call 02-10; owned through the org by alice), Priya (owner dave, Log lunch
01-20, 24 days late), Tom (never contacted, due today) and Lena (`last_contact` 2025-11-01, 104 days late);
Finn is dormant and no stakeholder. Contoso Retail (owner bob, team bob + carol) has Maria (carol's) and Ken
(no cadence, never contacted). Fabrikam has nothing at all.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reljournal.accounts import AccountPlan, OrgRow, account_plan, money, orgs, percent
from reljournal.app import Journal
from reljournal.lookup import find
from reljournal.model import Org, Person
from reljournal.queries import Filters, PersonAnswer, View
from reljournal.rules import NextContact
from tests.conftest import Run, copy_vault, write_note

TODAY = "2026-03-15"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return copy_vault("accounts", tmp_path)


@pytest.fixture
def rj(vault: Path) -> Run:
    return Run(vault)


def view_of(vault: Path, today: str = TODAY) -> View:
    return Journal.open(vault, today).view()


# ---- show ORG: the account plan ---------------------------------------------------------------------------
def test_account_plan(rj: Run) -> None:
    result = rj("show", "northwind bank")
    assert result.exit_code == 0
    assert result.output == """\
Northwind Bank  (orgs/Northwind Bank.md)
  tier:          A
  key account:   yes
  owner:         alice
  team:          alice, bob
  revenue:       120,000 GBP
  budget:        180,000 GBP (67% reached, 60,000 GBP to go)
  exposure:      2,000,000 GBP
  tags:          banking

Objectives  1 overdue
  DUE             WHEN  STATUS   OBJECTIVE
  2026-03-01  14d late  open     Agree the annual review agenda
                                 measure: agenda signed off
  2026-06-30   in 107d  open     Win the Asia cash-management mandate
                                 measure: mandate awarded by the regional board
  2026-01-15            done     Onboard the treasury desk
                        dropped  Sponsor the trade fair

Stakeholders  coverage 2/5 (40%), 2 overdue
  NAME         ROLE              OWNER  LAST        NEXT             WHEN
  Jane Doe     CFO               alice  2026-03-01  2026-03-20      in 5d
  Lena Park    Head of Risk      alice  2025-11-01  2025-12-01  104d late
  Omar Haddad  Head of Treasury  alice  2026-03-01  2026-03-31     in 16d
  Priya Raman  COO               dave   2026-01-20  2026-02-19   24d late
  Tom Weber    Analyst           alice  never       2026-03-15      today

Interactions in the last 90 days  4 (since 2025-12-16)
  MEMBER  COUNT  LAST
  alice       2  2026-02-20
  bob         1  2026-03-01
  dave        1  2026-01-20  not on team
"""


def test_account_plan_over_budget_with_cents_and_a_silent_team_member(rj: Run) -> None:
    assert rj("show", "Contoso Retail").output == """\
Contoso Retail  (orgs/Contoso Retail.md)
  tier:          B
  owner:         bob
  team:          bob, carol
  revenue:       95,000.50 GBP
  budget:        90,000 GBP (106% reached, 5,000.50 GBP over)
  tags:          retail

Objectives
  DUE           WHEN  STATUS  OBJECTIVE
  2026-04-10  in 26d  open    Renew the supply contract
                              measure: contract renewed

Stakeholders  coverage 1/2 (50%)
  NAME          ROLE           OWNER  LAST        NEXT          WHEN
  Ken Ito       Store manager  bob    never
  Maria Garcia  Buyer          carol  2026-02-01  2026-05-02  in 48d

Interactions in the last 90 days  1 (since 2025-12-16)
  MEMBER  COUNT  LAST
  carol       1  2026-02-01
  bob         0
"""


def test_account_plan_of_a_bare_org(rj: Run) -> None:
    assert rj("show", "fabrikam").output == """\
Fabrikam  (orgs/Fabrikam.md)

Objectives
  none: add `objectives:` (title, measure, due, status) to the note

Stakeholders
  none: link people to it with `org: "[[Fabrikam]]"`

Interactions in the last 90 days  0 (since 2025-12-16)
  none, and no `owner` or `team` to credit
"""


def test_account_plan_fits_80_columns_with_long_names(vault: Path, rj: Run) -> None:
    write_note(vault, "people/Maximiliana Evangelina Bartholomew-Featherstonehaugh.md", """
        ---
        org: "[[Northwind Bank]]"
        role: Executive Vice President of Global Transaction Banking
        owner: an-owner-with-a-very-long-name
        tier: A
        ---
        """)
    write_note(vault, "orgs/Northwind Bank.md", (vault / "orgs/Northwind Bank.md").read_text().replace(
        "measure: agenda signed off", "measure: " + "the agenda signed off by every regional head " * 3))
    output = rj("show", "Northwind Bank").output
    assert max(len(line) for line in output.splitlines()) <= 80
    assert "\n  Maximiliana" in output and "measure: the agenda signed off by" in output


def test_objective_due_today_is_not_overdue_and_done_ones_never_are(vault: Path) -> None:
    plan = plan_of(vault, "Northwind Bank", "2026-03-01")
    by_title = {r.objective.title: r for r in plan.objectives}
    assert by_title["Agree the annual review agenda"].days == 0
    assert not by_title["Agree the annual review agenda"].overdue
    assert not by_title["Onboard the treasury desk"].overdue  # done, though its date has passed


# ---- who contributes --------------------------------------------------------------------------------------
def test_credits_by_field_then_the_stakeholders_owner(vault: Path) -> None:
    plan = plan_of(vault, "Northwind Bank")
    assert [(c.member, c.count, c.last, c.on_team) for c in plan.contributions] == [
        ("alice", 2, dt.date(2026, 2, 20), True),  # the 02-20 call (no `by:`; Jane's owner), Omar's Log call
        ("bob", 1, dt.date(2026, 3, 1), True),  # the 03-01 coffee names Jane and Omar: one interaction
        ("dave", 1, dt.date(2026, 1, 20), False),  # Priya's Log lunch; dave owns her but is not on the team
    ]
    assert plan.interactions == 4  # not the 03-05 note (kind note), the 03-20 lunch (arranged), 2025-11 call


def test_credit_without_by_goes_to_the_first_stakeholder_named(vault: Path) -> None:
    write_note(vault, "interactions/2026/2026-03-10 Dinner.md", """
        ---
        date: 2026-03-10
        with: ["[[Maria Garcia]]", "[[Priya Raman]]", "[[Jane Doe]]"]
        kind: dinner
        ---
        """)
    plan = plan_of(vault, "Northwind Bank")
    # Maria is not Northwind's: Priya is the first of its stakeholders named, and dave owns her
    assert {c.member: c.count for c in plan.contributions} == {"alice": 2, "bob": 1, "dave": 2}


def test_by_matches_the_team_in_any_case_and_strangers_are_listed(vault: Path) -> None:
    write_note(vault, "interactions/2026/2026-03-11 Call.md", """
        ---
        date: 2026-03-11
        with: ["[[Tom Weber]]"]
        kind: call
        by: BOB
        ---
        """)
    write_note(vault, "interactions/2026/2026-03-12 Call.md", """
        ---
        date: 2026-03-12
        with: ["[[Tom Weber]]"]
        kind: call
        by: Erin
        ---
        """)
    plan = plan_of(vault, "Northwind Bank")
    assert [(c.member, c.count, c.on_team) for c in plan.contributions] == [
        ("alice", 2, True), ("bob", 2, True), ("dave", 1, False), ("Erin", 1, False)]


def test_the_window_is_the_last_90_days_today_included(vault: Path) -> None:
    # 2025-11-15 + 89 days = 2026-02-12: on that day the old call to Omar is the window's first day
    plan = plan_of(vault, "Northwind Bank", "2026-02-12")
    assert plan.since == dt.date(2025, 11, 15)
    assert {c.member: c.count for c in plan.contributions}["bob"] == 1
    plan = plan_of(vault, "Northwind Bank", "2026-02-13")
    assert {c.member: c.count for c in plan.contributions}["bob"] == 0


def test_log_by_and_reljournal_user(vault: Path, rj: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    path = rj("log", "Tom Weber", "--kind", "call", "--by", "bob").output.strip()
    assert "by: bob\n" in (vault / path).read_text()
    monkeypatch.setenv("RELJOURNAL_USER", "carol")
    path = rj("log", "Tom Weber", "--kind", "video").output.strip()
    assert "by: carol\n" in (vault / path).read_text()
    output = rj("show", "Northwind Bank").output
    assert output.endswith("""\
Interactions in the last 90 days  6 (since 2025-12-16)
  MEMBER  COUNT  LAST
  alice       2  2026-02-20
  bob         2  2026-03-15
  carol       1  2026-03-15  not on team
  dave        1  2026-01-20  not on team
""")
    assert "  Tom Weber    Analyst           alice  2026-03-15  2026-06-13     in 90d\n" in output


def test_log_without_by_writes_no_by(vault: Path, rj: Run) -> None:
    path = rj("log", "Tom Weber", "--kind", "call").output.strip()
    assert "by:" not in (vault / path).read_text()


def test_a_bad_by_is_a_value_error_with_its_line(vault: Path, rj: Run) -> None:
    write_note(vault, "interactions/2026/2026-03-02 Call.md", """
        ---
        date: 2026-03-02
        with: ["[[Tom Weber]]"]
        by: [alice, bob]
        ---
        """)
    result = rj("check")
    assert result.exit_code == 1
    assert "interactions/2026/2026-03-02 Call.md:4: error: by: expected text, got a list" in result.output


# ---- orgs ---------------------------------------------------------------------------------------------
def test_orgs_table(rj: Run) -> None:
    assert rj("orgs").output == """\
NAME            TIER  OWNER  COVERAGE   OBJECTIVE DUE  OVERDUE
Contoso Retail  B     bob    1/2 (50%)  2026-04-10
Fabrikam                     -
Northwind Bank  A     alice  2/5 (40%)  2026-03-01     Lena Park, Priya Raman
"""


def test_orgs_json(rj: Run) -> None:
    result = rj("orgs", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [
        {"name": "Contoso Retail", "path": "orgs/Contoso Retail.md", "tier": "B", "key_account": False,
         "owner": "bob", "team": ["bob", "carol"], "revenue": 95000.5, "budget": 90000, "stakeholders": 2,
         "covered": 1, "coverage": 0.5, "overdue": [],
         "next_objective": {"title": "Renew the supply contract", "due": "2026-04-10"}},
        {"name": "Fabrikam", "path": "orgs/Fabrikam.md", "tier": None, "key_account": False, "owner": None,
         "team": [], "revenue": None, "budget": None, "stakeholders": 0, "covered": 0, "coverage": None,
         "overdue": [], "next_objective": None},
        {"name": "Northwind Bank", "path": "orgs/Northwind Bank.md", "tier": "A", "key_account": True,
         "owner": "alice", "team": ["alice", "bob"], "revenue": 120000, "budget": 180000, "stakeholders": 5,
         "covered": 2, "coverage": 0.4, "overdue": ["Lena Park", "Priya Raman"],
         "next_objective": {"title": "Agree the annual review agenda", "due": "2026-03-01"}},
    ]
    assert '"revenue": 120000,' in result.stdout  # a whole number stays one in JSON


@pytest.mark.parametrize(("args", "names"), [
    (("--owner", "alice"), ["Northwind Bank"]),
    (("--owner", "BOB"), ["Contoso Retail", "Northwind Bank"]),  # owner of one, on the team of the other
    (("--owner", "carol"), ["Contoso Retail"]),
    (("--owner", "dave"), []),  # owns a stakeholder, not an account
    (("--owner", "alice", "--owner", "carol"), ["Contoso Retail", "Northwind Bank"]),
    (("--tier", "a"), ["Northwind Bank"]),
    (("--tag", "retail"), ["Contoso Retail"]),
    (("--org", "fabrikam"), ["Fabrikam"]),
    (("--owner", "bob", "--tag", "banking"), ["Northwind Bank"]),
])
def test_orgs_filters(rj: Run, args: tuple[str, ...], names: list[str]) -> None:
    assert [o["name"] for o in json.loads(rj("orgs", "--json", *args).stdout)] == names


def test_orgs_filter_matching_nothing(rj: Run) -> None:
    assert rj("orgs", "--owner", "dave").output == "No organisation matches.\n"


def test_orgs_without_organisations(tmp_path: Path) -> None:
    (tmp_path / "v").mkdir()
    assert Run(tmp_path / "v")("orgs").output == "No organisations.\n"


def test_orgs_api_is_importable_from_accounts(vault: Path) -> None:
    rows = orgs(view_of(vault), Filters(owners=("carol",)))
    assert [r.org.title for r in rows] == ["Contoso Retail"]


# ---- coverage arithmetic ------------------------------------------------------------------------------
def test_coverage_counts_contacted_and_not_overdue(vault: Path) -> None:
    for name, role in (("Ann", "a"), ("Bo", "b"), ("Cy", "c")):
        write_note(vault, f"people/{name}.md", f"""
            ---
            org: "[[Fabrikam]]"
            role: {role}
            cadence: 30d
            ---
            """)
    view = view_of(vault)
    (row,) = orgs(view, Filters(orgs=("Fabrikam",)))
    assert (len(row.stakeholders), row.covered, row.coverage, row.coverage_text) == (3, 0, 0.0, "0/3 (0%)")
    write_note(vault, "interactions/2026/2026-03-14 Call.md", """
        ---
        date: 2026-03-14
        with: ["[[Ann]]"]
        ---
        """)
    (row,) = orgs(view_of(vault), Filters(orgs=("Fabrikam",)))
    assert (row.covered, row.coverage, row.coverage_text) == (1, 0.33, "1/3 (33%)")
    write_note(vault, "interactions/2026/2026-01-01 Call.md", """
        ---
        date: 2026-01-01
        with: ["[[Bo]]"]
        ---
        """)  # Bo: contacted, but 43 days late: not covered, overdue
    (row,) = orgs(view_of(vault), Filters(orgs=("Fabrikam",)))
    assert (row.covered, row.coverage, [r.title for r in row.overdue]) == (1, 0.33, ["Bo"])
    write_note(vault, "interactions/2026/2026-02-20 Call.md", """
        ---
        date: 2026-02-20
        with: ["[[Cy]]"]
        ---
        """)  # due on 2026-03-22: covered
    (row,) = orgs(view_of(vault), Filters(orgs=("Fabrikam",)))
    assert (row.covered, row.coverage, row.coverage_text) == (2, 0.67, "2/3 (67%)")


def test_percent_rounds_half_up() -> None:
    assert [percent(x) for x in (0, 0.125, 0.5, 2 / 3, 1, 1.064)] == ["0%", "13%", "50%", "67%", "100%", "106%"]


def test_money() -> None:
    assert money(120000, "GBP") == "120,000 GBP"
    assert money(95000.5, None) == "95,000.50"
    assert money(2_000_000.0, "EUR") == "2,000,000 EUR"


PERSON_STATES = st.tuples(st.booleans(), st.one_of(st.none(), st.integers(-400, 400)))


@given(st.lists(PERSON_STATES, max_size=12))
def test_coverage_partitions_the_stakeholders(states: list[tuple[bool, int | None]]) -> None:
    """covered + overdue + (never contacted, not overdue) = stakeholders; coverage = covered / n to 2 places;
    overdue are sorted most overdue first."""
    today = dt.date(2026, 3, 15)
    rows = []
    for n, (contacted, days) in enumerate(states):
        person = Person(path=f"people/P{n}.md", title=f"P{n}")
        last = today - dt.timedelta(days=10) if contacted else None
        nxt = today + dt.timedelta(days=days) if days is not None else None
        status = NextContact(last, None, None, None, nxt, "cadence" if nxt else None)
        rows.append(PersonAnswer(person.path, person.title, (), None, "active", None, None, None, None, last, status,
                                 today))
    row = OrgRow(Org(path="orgs/X.md", title="X"), tuple(rows), today)
    never = sum(1 for contacted, days in states if not contacted and (days is None or days >= 0))
    assert row.covered + len(row.overdue) + never == len(states)
    assert 0 <= row.covered <= len(states)
    if states:
        assert row.coverage == round(row.covered / len(states), 2)
        assert row.coverage_text == f"{row.covered}/{len(states)} ({percent(row.covered / len(states))})"
    else:
        assert row.coverage is None and row.coverage_text == "-"
    late = [r.days or 0 for r in row.overdue]
    assert late == sorted(late)
    assert all((r.days or 0) < 0 for r in row.overdue)


# ---- --owner on the listings (person owner, else the org's) ------------------------------------------
def test_due_owner(rj: Run) -> None:
    assert rj("due", "--owner", "alice").output == """\
NEXT             WHEN  NAME       WHY      LAST        ORG
2025-12-01  104d late  Lena Park  cadence  2025-11-01  Northwind Bank
2026-03-15      today  Tom Weber  never    never       Northwind Bank
2026-03-20      in 5d  Jane Doe   planned  2026-03-01  Northwind Bank
"""
    # Tom and Omar have no owner of their own: Northwind's owner (alice) owns them, bob never does
    assert [r["name"] for r in json.loads(rj("due", "--all", "--json", "--owner", "bob").stdout)] == ["Sam Lee"]


def test_people_owner(rj: Run) -> None:
    owned = {o: [p["name"] for p in json.loads(rj("people", "--json", "--owner", o).stdout)]
             for o in ("alice", "bob", "carol", "dave")}
    assert owned == {
        "alice": ["Finn Dormant", "Jane Doe", "Lena Park", "Omar Haddad", "Tom Weber"],
        "bob": ["Ken Ito", "Sam Lee"],
        "carol": ["Maria Garcia"],
        "dave": ["Priya Raman"],
    }


def test_agenda_owner_keeps_their_people_and_their_accounts_objectives(rj: Run) -> None:
    def agenda(owner: str) -> list[tuple[str, str, str]]:
        items = json.loads(rj("agenda", "--days", "120", "--json", "--owner", owner).stdout)
        return [(i["date"], i["kind"], i["title"]) for i in items]

    assert agenda("bob") == [
        ("2026-03-15", "due", "Sam Lee"),
        ("2026-03-15", "objective", "Agree the annual review agenda"),
        ("2026-04-10", "objective", "Renew the supply contract"),
        ("2026-06-30", "objective", "Win the Asia cash-management mandate"),
    ]
    assert agenda("carol") == [
        ("2026-03-18", "task", "send Maria the catalogue"),
        ("2026-04-10", "objective", "Renew the supply contract"),
        ("2026-05-02", "due", "Maria Garcia"),
    ]
    assert agenda("dave") == [("2026-03-15", "due", "Priya Raman")]


def plan_of(vault: Path, name: str, today: str = TODAY) -> AccountPlan:
    view = view_of(vault, today)
    org = find(view, name)
    assert isinstance(org, Org)
    return account_plan(view, org)
