"""SPEC 2, clause by clause, as pure functions over records and `today`."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from reljournal.dates import parse_duration
from reljournal.model import NO_CADENCE, Person
from reljournal.rules import Contact, cadence_of, has_unknown_tier, last_contact, next_contact

D = dt.date
TODAY = D(2026, 3, 15)
M1 = parse_duration("1m")
TIERS = {"A": parse_duration("2w"), "B": parse_duration("1m")}


def person(**fields: object) -> Person:
    return Person(path="people/P.md", title="P", **fields)  # type: ignore[arg-type]


def test_last_is_the_latest_contact_not_after_today() -> None:
    p = person(last_contact=D(2026, 2, 1))
    assert last_contact(p, [Contact(D(2026, 1, 1)), Contact(D(2026, 3, 20))], TODAY) == D(2026, 2, 1)
    assert last_contact(p, [Contact(D(2026, 3, 15))], TODAY) == D(2026, 3, 15)


def test_last_contact_after_today_is_ignored() -> None:
    assert last_contact(person(last_contact=D(2026, 4, 1)), [], TODAY) is None


def test_cadence_from_last() -> None:
    r = next_contact(person(), [Contact(D(2026, 1, 31))], TODAY, M1)
    assert (r.last, r.next, r.reason) == (D(2026, 1, 31), D(2026, 2, 28), "cadence")


def test_never_contacted_with_a_cadence_is_due_today() -> None:
    r = next_contact(person(), [], TODAY, M1)
    assert (r.next, r.reason, r.last) == (TODAY, "never", None)


def test_no_cadence_and_nothing_planned_has_no_next() -> None:
    r = next_contact(person(last_contact=D(2026, 1, 1)), [], TODAY, None)
    assert r.next is None and r.reason is None


def test_own_next_stands_until_fulfilled() -> None:
    p = person(next=D(2026, 3, 1), last_contact=D(2026, 1, 5))
    r = next_contact(p, [], TODAY, parse_duration("1y"))
    assert (r.next, r.reason) == (D(2026, 3, 1), "planned")  # overdue, still planned
    fulfilled = next_contact(p, [Contact(D(2026, 3, 1))], TODAY, M1)
    assert (fulfilled.next, fulfilled.reason) == (D(2026, 4, 1), "cadence")


def test_own_next_without_any_contact_is_planned() -> None:
    r = next_contact(person(next=D(2026, 3, 20)), [], TODAY, None)
    assert (r.next, r.reason, r.last) == (D(2026, 3, 20), "planned", None)


def test_interaction_next_stands_until_replaced_or_fulfilled() -> None:
    contacts = [Contact(D(2026, 2, 1), next=D(2026, 4, 10)), Contact(D(2026, 2, 20))]
    r = next_contact(person(), contacts, TODAY, M1)
    assert (r.next, r.reason) == (D(2026, 4, 10), "planned")
    replaced = contacts + [Contact(D(2026, 3, 1), next=D(2026, 5, 1))]
    assert next_contact(person(), replaced, TODAY, M1).next == D(2026, 5, 1)
    fulfilled = [Contact(D(2026, 2, 1), next=D(2026, 3, 1)), Contact(D(2026, 3, 1))]
    assert next_contact(person(), fulfilled, TODAY, M1).reason == "cadence"


def test_several_nexts_on_the_latest_date_take_the_earliest() -> None:
    contacts = [Contact(D(2026, 3, 1), next=D(2026, 5, 1)), Contact(D(2026, 3, 1), next=D(2026, 4, 1))]
    assert next_contact(person(), contacts, TODAY, None).next == D(2026, 4, 1)


def test_earliest_of_several_planned_dates() -> None:
    p = person(next=D(2026, 5, 1))
    contacts = [Contact(D(2026, 3, 3), next=D(2026, 4, 1)), Contact(D(2026, 4, 20))]
    r = next_contact(p, contacts, TODAY, None)
    assert (r.next, r.reason, r.meeting) == (D(2026, 4, 1), "planned", D(2026, 4, 20))


def test_future_interaction_is_an_arranged_meeting_not_a_contact() -> None:
    r = next_contact(person(), [Contact(D(2026, 1, 10)), Contact(D(2026, 3, 18))], TODAY, parse_duration("30d"))
    assert (r.last, r.next, r.reason) == (D(2026, 1, 10), D(2026, 3, 18), "planned")
    assert r.next_is_meeting


def test_snooze_moves_later_only() -> None:
    r = next_contact(person(snooze=D(2026, 4, 1), last_contact=D(2026, 3, 10)), [], TODAY, parse_duration("1w"))
    assert (r.next, r.reason) == (D(2026, 4, 1), "snoozed")
    early = next_contact(person(snooze=D(2026, 3, 1), last_contact=D(2026, 2, 20)), [], TODAY, M1)
    assert (early.next, early.reason) == (D(2026, 3, 20), "cadence")


def test_cadence_precedence() -> None:
    default = parse_duration("90d")
    assert cadence_of(person(cadence=parse_duration("10d"), tier="A"), TIERS, default).spec == "10d"  # type: ignore[union-attr]
    assert cadence_of(person(tier="A"), TIERS, default).spec == "2w"  # type: ignore[union-attr]
    assert cadence_of(person(tier="Z"), TIERS, default) is default
    assert cadence_of(person(), TIERS, None) is None
    assert cadence_of(person(cadence=NO_CADENCE, tier="A"), TIERS, default) is None
    assert has_unknown_tier(person(tier="Z"), TIERS)
    assert not has_unknown_tier(person(tier="Z", cadence=parse_duration("1w")), TIERS)
    assert not has_unknown_tier(person(tier="Z"), {})


def test_overdue_days() -> None:
    r = next_contact(person(), [Contact(D(2026, 3, 2))], TODAY, parse_duration("10d"))
    assert r.days(TODAY) == -3 and r.overdue_days(TODAY) == 3 and r.due(TODAY, 0)


dates = st.dates(min_value=D(2025, 1, 1), max_value=D(2027, 12, 31))
contacts_strategy = st.lists(st.builds(Contact, dates, st.one_of(st.none(), dates)), max_size=6)
cadences = st.one_of(st.none(), st.sampled_from(["1d", "10d", "2w", "1m", "3m", "1y"]).map(parse_duration))


@given(contacts_strategy, cadences, st.one_of(st.none(), dates), st.one_of(st.none(), dates))
def test_next_is_never_before_last_unless_planned(contacts: list[Contact], cadence, own_next, snooze) -> None:  # type: ignore[no-untyped-def]
    r = next_contact(person(next=own_next, snooze=snooze), contacts, TODAY, cadence)
    if r.next is not None and r.last is not None and r.reason != "planned":
        assert r.next >= r.last


past = st.dates(min_value=D(2025, 1, 1), max_value=TODAY)


@given(contacts_strategy, past, cadences, st.integers(0, 400), st.one_of(st.none(), dates))
def test_a_new_contact_never_makes_anyone_more_overdue(contacts: list[Contact], first: dt.date, cadence,  # type: ignore[no-untyped-def]
                                                       offset: int, own_next) -> None:
    """A contact on or after the last one never makes a person more overdue. (A first contact can: someone
    never contacted is due today, and logging a contact from last year makes them overdue since then.)"""
    p = person(next=own_next)
    contacts = contacts + [Contact(first)]
    before = next_contact(p, contacts, TODAY, cadence)
    assert before.last is not None
    day = min(TODAY, before.last + dt.timedelta(days=offset))
    after = next_contact(p, contacts + [Contact(day)], TODAY, cadence)
    assert after.overdue_days(TODAY) <= before.overdue_days(TODAY)
