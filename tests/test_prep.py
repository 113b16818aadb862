"""`prep NAME`: the one-page brief, exact output on tests/data/vaults/views (Thursday 2026-06-18)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Run, copy_vault, write_note

TODAY = "2026-06-18"


@pytest.fixture
def views(tmp_path: Path) -> Run:
    return Run(copy_vault("views", tmp_path), TODAY)


JANE = """\
Prep: Jane Doe  CFO, Acme Corp
  client, tier A, owner alice, last 2026-06-03, next 2026-06-19 (in 1d, planned)

Last interactions
  2026-06-03  email       sent her the treasury article
  2026-06-01  coffee      She is hiring a head of treasury
  2026-05-02  call        asked for advice on the vendor review
  2026-04-01  lunch       Agreed to share our Q2 outlook

Coming up
  2026-06-19  dinner      19:30

Agreed next step
  2026-06-01  Send two candidate names

You owe them
  2026-06-12  send the Q2 deck to Bob Smith   (interactions/2026/2026-04-01 Lun…
  2026-06-19  send Jane the cycling route     (people/Jane Doe.md:17)
  2026-06-20  ask Jane Doe about the offsite  (daily/2026-06-18.md:3)

Jane Doe promised
  2026-06-10  Jane: intro to her head of treasury  (people/Jane Doe.md:18)
  no date     Jane Doe to send the org chart       (interactions/2026/2026-06-0…

Common ground
  - both ex-Deloitte
  - cycling

Priorities
  - Q3 budget review
  - treasury hire

Motivations
  results  lead with outcomes
  data     bring numbers

Give and take: gave 2, received 1
  gave      Q2 market outlook
  gave      advice on hiring
  received  intro to Bob Smith

People in common
  Bob Smith (1 interaction)
  Priya Shah (1 interaction)

Suggested questions
  - Last time (2026-06-01): "She is hiring a head of treasury". What has
    happened since?
  - Any news on "intro to her head of treasury"?
  - Any news on "send the org chart"?
  - What is the latest on Q3 budget review?
  - What is the latest on treasury hire?
  - I was to send two candidate names: was it useful?
  - What result would make this quarter a success for you?
  - Which numbers are you watching most closely?
"""


def test_prep_human(views: Run) -> None:
    result = views("prep", "jane")  # an alias, any case
    assert result.exit_code == 0
    assert result.stdout == JANE
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_prep_someone_new(views: Run) -> None:
    assert views("prep", "TOM WEBER").stdout == """\
Prep: Tom Weber  Partner
  tier A, never contacted, next 2026-06-18 (today, never)

Last interactions
  none yet

You owe them
  nothing open

Tom Weber promised
  nothing open

Give and take: gave 0, received 0
  nothing recorded
"""


def test_prep_json(views: Run) -> None:
    result = views("prep", "Jane Doe", "--json")
    brief = json.loads(result.stdout)
    assert [f["text"] for f in brief["you_owe"]] == [
        "send the Q2 deck to Bob Smith", "send Jane the cycling route", "ask Jane Doe about the offsite"]
    assert [(f["text"], f["due"]) for f in brief["they_owe"]] == [
        ("Jane: intro to her head of treasury", "2026-06-10"), ("Jane Doe to send the org chart", None)]
    assert brief["balance"] == {"gave": 2, "received": 1}
    assert brief["next_action"] == "Send two candidate names"
    assert brief["people_in_common"] == [{"name": "Bob Smith", "interactions": 1},
                                         {"name": "Priya Shah", "interactions": 1}]
    assert brief["motivations"] == [{"motivation": "results", "suggests": "lead with outcomes"},
                                    {"motivation": "data", "suggests": "bring numbers"}]
    assert [h["date"] for h in brief["interactions"]] == ["2026-06-03", "2026-06-01", "2026-05-02", "2026-04-01"]


def test_prep_last_contact_on_an_interaction_day_shows_once_and_unknown_motivations(views: Run) -> None:
    brief = json.loads(views("prep", "Priya Shah", "--json").stdout)
    assert brief["interactions"] == [{"date": "2026-06-16", "kind": "video", "text": "Walked through the pilot scope",
                                      "path": "interactions/2026/2026-06-16 Video with Priya Shah.md"}]
    assert brief["motivations"][2] == {"motivation": "gossip", "suggests": None}
    assert brief["questions"] == [
        'Last time (2026-06-16): "Walked through the pilot scope". What has happened since?',
        "How are things going for you?",
        "Who else should I be talking to?",
    ]
    out = views("prep", "Priya Shah").stdout
    assert "  gossip         (no suggestion for this one)\n" in out
    assert "Last interactions\n  2026-06-16  video       Walked through the pilot scope\n\n" in out


def test_who_promised_what(empty_vault: Path) -> None:
    write_note(empty_vault, "people/Ann Lee.md", """
        ---
        type: person
        aliases: [Annie]
        ---
        - [ ] Ann Lee will call the bank
        - [ ] annie: the slides
        - [ ] [[people/Ann Lee|A.]] to review the draft
        - [ ] Anne Marie's intro
        - [ ] thank Ann Lee
        - [x] Ann Lee: done already
        """)
    write_note(empty_vault, "daily/today.md", "- [ ] [[Ann Lee]]: share the budget\n- [ ] [[Bo]]: not hers\n")
    brief = json.loads(Run(empty_vault, TODAY)("prep", "ann lee", "--json").stdout)
    assert [f["text"] for f in brief["they_owe"]] == [  # by due date, then path and line
        "Ann Lee: share the budget", "Ann Lee will call the bank", "annie: the slides", "A. to review the draft"]
    assert [f["text"] for f in brief["you_owe"]] == ["Anne Marie's intro", "thank Ann Lee"]
    assert brief["questions"] == ['Any news on "share the budget"?', 'Any news on "call the bank"?',
                                  'Any news on "the slides"?', 'Any news on "review the draft"?']


def test_prep_unknown_names_and_orgs(views: Run) -> None:
    result = views("prep", "Jane Do")
    assert result.exit_code == 1
    assert result.stderr == "reljournal: no person named 'Jane Do'; did you mean: Jane Doe?\n"
    result = views("prep", "Acme Corp")
    assert result.exit_code == 1
    assert result.stderr.startswith("reljournal: no person named 'Acme Corp'")


def test_prep_kind_note_is_shown_and_long_lines_wrap(views: Run) -> None:
    assert views("prep", "Bob Smith").stdout == """\
Prep: Bob Smith  Treasurer, Acme Corp
  client, tier A, owner bob, last 2026-04-01, next 2026-05-01 (48d late,
  cadence)

Last interactions
  2026-06-17  note        Bob is moving to Singapore
  2026-04-01  lunch       Agreed to share our Q2 outlook

You owe them
  2026-06-12  send the Q2 deck to Bob Smith  (interactions/2026/2026-04-01 Lunc…

Bob Smith promised
  nothing open

Give and take: gave 1, received 1
  gave      Q2 market outlook
  received  intro to Bob Smith

People in common
  Jane Doe (1 interaction)

Suggested questions
  - Last time (2026-06-17): "Bob is moving to Singapore". What has happened
    since?
"""
