"""Note text -> record + problems: kinds, links, Log sections, tasks, typed fields, bad input with lines."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reljournal.config import Settings
from reljournal.model import Interaction, Link, Note, Org, Person
from reljournal.parse.links import link_text, links_in_value
from reljournal.parse.note import parse_note

SETTINGS = Settings(root=Path("/vault"), name="vault", timezone="Europe/London")


def parse(path: str, text: str | bytes):  # type: ignore[no-untyped-def]
    return parse_note(path, text.encode() if isinstance(text, str) else text, SETTINGS)


def codes(parsed) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [(p.source.line, p.code) for p in parsed.problems]


def test_kind_from_type_beats_folder_and_unknown_type_falls_back() -> None:
    assert parse("notes/x.md", "---\ntype: Person\n---\n").kind == "person"
    assert parse("people/x.md", "---\ntype: org\n---\n").kind == "org"
    assert parse("people/deep/x.md", "---\ntype: whatever\n---\n").kind == "person"
    assert parse("orgs/x.md", "no front matter").kind == "org"
    assert parse("daily/x.md", "plain").kind == "note"


def test_readme_in_interactions_folder_is_a_plain_note() -> None:
    parsed = parse("interactions/README.md", "How we name notes.\n")
    assert isinstance(parsed.record, Note) and parsed.problems == ()


@pytest.mark.parametrize("value", [
    '"[[Jane Doe]]"', '"[[Jane Doe|Jane]]"', '"[[people/Jane Doe]]"', '"[[Jane Doe#Log]]"', "Jane Doe",
    '"[[Jane Doe.md]]"',
])
def test_link_forms(value: str) -> None:
    parsed = parse("interactions/i.md", f"---\ndate: 2026-03-01\nwith: [{value}]\n---\n")
    assert isinstance(parsed.record, Interaction)
    (link,) = parsed.record.with_
    assert link.target == "Jane Doe" and link.key == "jane doe"


def test_link_details() -> None:
    (link,) = links_in_value("[[people/Jane Doe#Log|Jane]]", 4)
    assert link == Link("Jane Doe", "people", "Jane", 4)
    assert link_text("Met [[Jane Doe|Jane]] and [[people/Bo Li#Log]].") == "Met Jane and Bo Li."


def test_unquoted_link_reads_as_link_with_a_warning() -> None:
    parsed = parse("interactions/i.md", "---\ndate: 2026-03-01\nwith: [[Thabo Mbeki]]\n---\n")
    assert [link.target for link in parsed.record.with_] == ["Thabo Mbeki"]
    assert codes(parsed) == [(3, "unquoted-link")]


def test_two_unquoted_links_do_not_parse_and_the_error_says_quote_each() -> None:
    parsed = parse("interactions/i.md", "---\ndate: 2026-03-01\nwith: [[A]], [[B]]\n---\n")
    assert parsed.broken and codes(parsed) == [(3, "yaml")]
    assert "quote each link" in parsed.problems[0].message


@pytest.mark.parametrize("value", ["0b_", "-0x_", "+0b__", "[a, 0b_]", "{x: 0x_}"])
def test_a_value_yaml_takes_for_a_number_and_cannot_read_is_an_error_on_its_own_line(value: str) -> None:
    """PyYAML resolves `0b_` to an int and then fails without a position: the error names the value's line."""
    parsed = parse("people/Ann.md", f"---\ntype: person\nrole: Adviser\n\ntier: {value}\nowner: bo\n---\n")
    assert parsed.broken and codes(parsed) == [(5, "yaml")]
    assert value.strip("[]{}").split()[-1] in parsed.problems[0].message
    assert "put it in quotes" in parsed.problems[0].message


def test_block_list_links_carry_their_own_lines() -> None:
    parsed = parse("interactions/i.md", '---\ndate: 2026-03-01\nwith:\n  - "[[A]]"\n  - B\n---\n')
    assert [(link.target, link.line) for link in parsed.record.with_] == [("A", 4), ("B", 5)]


def test_person_fields_and_log_section() -> None:
    parsed = parse("people/Kofi Annan.md", """---
type: person
aliases: [Kofi]
tier: 1
cadence: quarterly
birthday: --04-08
tags: ["#un", board]
---
# Kofi
## Log
- 2026-02-14 lunch: talked about the board
- 2026-03-20 call: booked
- 2026-03-01 workshop: not a known kind
- no date on this line
### Details
- 2026-03-02 still inside Log (deeper heading)
## Ideas
- 2026-03-14 not in the Log section
```
## Log
- 2026-01-01 inside a code fence
```
""")
    p = parsed.record
    assert isinstance(p, Person)
    assert (p.tier, p.cadence.spec, str(p.birthday)) == ("1", "quarterly", "--04-08")
    assert (p.tags, p.aliases) == (("un", "board"), ("Kofi",))
    assert [(e.date.isoformat(), e.kind, e.text, e.line) for e in p.log] == [
        ("2026-02-14", "lunch", "talked about the board", 11),
        ("2026-03-20", "call", "booked", 12),
        ("2026-03-01", None, "workshop: not a known kind", 13),
        ("2026-03-02", None, "still inside Log (deeper heading)", 16),
    ]


def test_tasks_obsidian_tasks_and_dataview() -> None:
    parsed = parse("daily/d.md", """Notes
- [ ] send the deck to [[Jane Doe]] 📅 2026-03-17
- [x] done thing 📅 2026-03-16
* [ ] call back [due:: 2026-03-19]
1. [ ] no date
- [-] cancelled 📅 2026-03-18
- [ ] bad date 📅 2026-02-30
""")
    tasks = parsed.record.tasks
    assert [(t.text, t.status, t.due, t.line) for t in tasks] == [
        ("send the deck to [[Jane Doe]]", " ", dt.date(2026, 3, 17), 2),
        ("done thing", "x", dt.date(2026, 3, 16), 3),
        ("call back", " ", dt.date(2026, 3, 19), 4),
        ("no date", " ", None, 5),
        ("cancelled", "-", dt.date(2026, 3, 18), 6),
        ("bad date", " ", None, 7),
    ]
    assert [t.target for t in tasks[0].links] == ["Jane Doe"]
    assert codes(parsed) == [(7, "date")]


def test_interaction_date_time_counts_in_the_vault_zone() -> None:
    late = parse("interactions/i.md", "---\ndate: 2026-03-14T23:30:00\nwith: [A]\n---\n").record
    assert late.date == dt.date(2026, 3, 14) and late.at == dt.datetime(2026, 3, 14, 23, 30)
    zoned = parse("interactions/i.md", "---\ndate: 2026-07-14T23:30:00-05:00\nwith: [A]\n---\n").record
    assert zoned.date == dt.date(2026, 7, 15)  # 05:30 next day in London (BST)


def test_org_objectives() -> None:
    parsed = parse("orgs/Acme.md", """---
type: org
key_account: true
revenue: 120000
team: [alice, bob]
objectives:
  - title: Win the mandate
    measure: awarded
    due: 2026-06-30
  - title: Bad one
    due: someday
    status: maybe
  - no title here
---
""")
    o = parsed.record
    assert isinstance(o, Org) and o.key_account and o.revenue == 120000 and o.team == ("alice", "bob")
    assert [(x.title, x.due, x.status, x.line) for x in o.objectives] == [
        ("Win the mandate", dt.date(2026, 6, 30), "open", 7),
        ("Bad one", None, "open", 10),
        ("no title here", None, "open", 13),
    ]
    assert codes(parsed) == [(10, "date"), (10, "value")]


@pytest.mark.parametrize(("text", "line", "code"), [
    ("---\ntype: person\nrole: CFO: of everything\n---\n", 3, "yaml"),
    ("---\ntype: person\nlast_contact: 2026-13-45\n---\n", 3, "date"),
    ("---\ntype: person\nnext: 2w\n---\n", 3, "date"),
    ("---\ntype: person\ncadence: sometimes\n---\n", 3, "duration"),
    ("---\ntype: person\nbirthday: April 12\n---\n", 3, "date"),
    ("---\n- type\n- person\n---\n", 2, "front-matter"),
    ("---\njust text\n---\n", 2, "front-matter"),
    ("---\ntype: person\ntags: [a\n", 1, "yaml"),
    ("---\ntype: person\n\tcadence: 1w\n---\n", 3, "yaml"),
    ("---\ntype: person\nstatus: maybe\n---\n", 3, "value"),
    ("---\ntype: person\nrelationship: friend\n---\n", 3, "value"),
    ("---\ntype: person\ntags: 3\n---\n", 3, "value"),
    ("---\ntype: person\nowner: no\n---\n", 3, "value"),
    ("---\ntype: interaction\nwith: 42\ndate: 2026-01-01\n---\n", 3, "value"),
    ("---\ntype: interaction\nwith: [A]\n---\n", 1, "no-date"),
    ("---\ntype: interaction\ndate: 2026-01-01\nwith: [A]\nkind: picnic\n---\n", 5, "value"),
])
def test_bad_input_is_reported_on_its_line(text: str, line: int, code: str) -> None:
    parsed = parse("people/x.md", text)
    assert (line, code) in codes(parsed)


def test_encoding_problems() -> None:
    assert codes(parse("people/x.md", b"---\ntype: person\n---\nCaf\xe9\n")) == [(4, "encoding")]
    assert codes(parse("people/x.md", b"\x89PNG\r\n\x1a\n\x00\x00")) == [(1, "encoding")]


def test_bom_and_crlf_are_fine() -> None:
    parsed = parse("people/x.md", b"\xef\xbb\xbf---\r\ntype: person\r\ncadence: 30d\r\n---\r\nBody\r\n")
    assert parsed.problems == () and parsed.record.cadence.spec == "30d"
    assert parsed.record.lines["cadence"] == 3


def test_alias_bomb_is_refused_quickly() -> None:
    bomb = "---\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(20)) + "---\n"
    start = time.perf_counter()
    parsed = parse("people/x.md", bomb)
    assert time.perf_counter() - start < 1
    assert parsed.broken and codes(parsed)[0][1] == "yaml" and "aliases" in parsed.problems[0].message


def test_very_deep_nesting_is_refused() -> None:
    deep = "---\na: " + "[" * 5000 + "]" * 5000 + "\n---\n"
    parsed = parse("people/x.md", deep)
    assert parsed.broken and codes(parsed) == [(2, "yaml")]


def test_a_huge_note_parses_in_bounded_time() -> None:
    text = "---\ntype: person\ncadence: 30d\n---\n" + ("lorem ipsum [[Jane]] dolor\n" * 200_000)  # 5 MB
    start = time.perf_counter()
    parsed = parse("people/x.md", text)
    assert time.perf_counter() - start < 10
    assert parsed.problems == () and len(parsed.record.links) == 200_000


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_parses_without_exceptions(text: str) -> None:
    for path in ("people/x.md", "interactions/x.md", "orgs/x.md", "x.md"):
        parse(path, "---\n" + text + "\n---\n" + text)
        parse(path, text)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["type", "date", "with", "cadence", "next", "tags", "tier", "birthday",
                                         "objectives", "org", "status", "kind", "revenue", "key_account"]),
                       st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=12),
                                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c,
                                                                                         max_size=3),
                                    max_leaves=8)))
def test_any_front_matter_values_give_problems_not_exceptions(data: dict) -> None:  # type: ignore[type-arg]
    import yaml

    text = "---\n" + yaml.safe_dump(data) + "---\n"
    for path in ("people/x.md", "interactions/x.md", "orgs/x.md"):
        parsed = parse(path, text)
        assert all(p.source.line >= 1 for p in parsed.problems)


def test_a_misspelt_key_is_warned_about_and_own_keys_are_welcome() -> None:
    parsed = parse("people/x.md", "---\ntype: person\ncadance: 30d\nfavourite_tea: oolong\ncreated: 2026-01-01\n---\n")
    assert [(p.source.line, p.severity, p.code, p.message) for p in parsed.problems] == [
        (3, "warning", "unknown-key", "cadance: not a field reljournal reads; did you mean cadence?")]
    assert parse("daily/d.md", "---\ncadance: 30d\n---\n").problems == ()  # plain notes have no fields to miss
    swapped = parse("interactions/x.md", "---\ntype: interaction\ndate: 2026-03-16\nkidn: call\n---\n")
    assert [p.message for p in swapped.problems if p.code == "unknown-key"] == [
        "kidn: not a field reljournal reads; did you mean kind?"]


def test_a_colon_in_a_value_gets_a_hint_to_quote_it() -> None:
    parsed = parse("people/x.md", "---\ntype: person\nrole: Partner: tax\n---\n")
    assert codes(parsed) == [(3, "yaml")]
    assert parsed.problems[0].message.endswith('; a value holding ": " needs quotes: role: "Partner: tax"')
