"""Key accounts: organisations as account plans (SPEC 1 Organisation, SPEC 3 `orgs`, `show ORG`).

An organisation's *stakeholders* are the active people whose `org` links to it. The plan puts together:

- its objectives, open ones by due date (an open objective past its date is overdue);
- its stakeholders with their rule results (SPEC 2) and the coverage: those contacted at least once and
  not overdue, out of all stakeholders;
- who on the team contributes: the interactions with its stakeholders in the last `WINDOW_DAYS` days,
  credited to a team member. An interaction note names its member with `by:` (what `log --by NAME` or
  `$RELJOURNAL_USER` writes); without one, and for Log entries and `last_contact` (which cannot say), the
  credit goes to the owner of the stakeholder it was with (their `owner`, else the org's). One
  interaction with three stakeholders counts once; interactions of kind `note` are not contacts and do not
  count (as in SPEC 2 and `week`);
- revenue against budget, and the exposure, in the vault's currency.

Pure functions of a `View`; the cli modules render them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, Protocol, TypeVar

from reljournal.model import Objective, Org, Person
from reljournal.queries import Filters, PersonAnswer, PersonLine, View

WINDOW_DAYS = 90  # "interactions in the last 90 days", today included
NOBODY = "(nobody)"  # an interaction no `by:` and no owner credits
_STATUS_ORDER = {"open": 0, "done": 1, "dropped": 2}


# ---- one organisation's numbers (the `orgs` row) ---------------------------------------------------------
class Stakeholder(Protocol):
    """What an organisation's numbers read of a stakeholder: their answer (`show ORG`), or just the fields `orgs`
    shows (`PersonLine`)."""

    @property
    def title(self) -> str: ...

    @property
    def path(self) -> str: ...

    @property
    def last(self) -> dt.date | None: ...

    @property
    def next(self) -> dt.date | None: ...

    @property
    def days(self) -> int | None: ...


S = TypeVar("S", bound=Stakeholder)


@dataclass(frozen=True)
class OrgRow(Generic[S]):
    org: Org
    stakeholders: tuple[S, ...]  # active people whose `org` links to it, by name
    today: dt.date

    @property
    def people(self) -> tuple[S, ...]:
        return self.stakeholders

    @cached_property  # a row's figures are asked for several times (text, colour, JSON): worked out once
    def overdue(self) -> list[S]:
        """Overdue stakeholders, most overdue first, then by name."""
        late = [(days, r.title.casefold(), r.path, r) for r in self.stakeholders if (days := r.days or 0) < 0]
        return [r for *_, r in sorted(late, key=lambda row: row[:3])]

    @cached_property
    def covered(self) -> int:
        """Stakeholders contacted at least once and not overdue."""
        return sum(1 for r in self.stakeholders if is_covered(r))

    @property
    def coverage(self) -> float | None:
        """covered / stakeholders, rounded to 2 places; None without stakeholders (SPEC 3)."""
        return round(self.covered / len(self.stakeholders), 2) if self.stakeholders else None

    @property
    def coverage_text(self) -> str:
        """`3/4 (75%)`, or `-` without stakeholders."""
        if not self.stakeholders:
            return "-"
        return f"{self.covered}/{len(self.stakeholders)} ({percent(self.covered / len(self.stakeholders))})"

    @property
    def last(self) -> dt.date | None:
        return max((r.last for r in self.stakeholders if r.last), default=None)

    @property
    def next(self) -> dt.date | None:
        return min((r.next for r in self.stakeholders if r.next), default=None)

    @property
    def next_objective(self) -> Objective | None:
        """The open objective due soonest (title breaks ties)."""
        open_ = [o for o in self.org.objectives if o.status == "open" and o.due is not None]
        return min(open_, key=lambda o: (o.due or dt.date.max, o.title.casefold()), default=None)

    def as_json(self) -> dict[str, Any]:
        """SPEC 3 `orgs --json`, key for key."""
        o, nxt = self.org, self.next_objective
        return {
            "name": o.title,
            "path": o.path,
            "tier": o.tier,
            "key_account": o.key_account,
            "owner": o.owner,
            "team": list(o.team),
            "revenue": o.revenue,
            "budget": o.budget,
            "stakeholders": len(self.stakeholders),
            "covered": self.covered,
            "coverage": self.coverage,
            "overdue": [r.title for r in self.overdue],
            "next_objective": {"title": nxt.title, "due": nxt.due.isoformat()} if nxt and nxt.due else None,
        }


def is_covered(row: Stakeholder) -> bool:
    days = row.days
    return row.last is not None and (days is None or days >= 0)


def percent(share: float) -> str:
    """A share as a whole percentage, rounded half up (0.125 -> 13%, never banker's rounding)."""
    return f"{int(share * 100 + 0.5)}%"


def stakeholders(view: View, org: Org) -> tuple[PersonAnswer, ...]:
    return view.stakeholders.get(org.path, ())


def members(org: Org) -> list[str]:
    """The account's team: its owner first, then `team` in the order written, each once (any case)."""
    out: list[str] = []
    for name in ([org.owner] if org.owner else []) + list(org.team):
        if name.casefold() not in {m.casefold() for m in out}:
            out.append(name)
    return out


def orgs(view: View, filters: Filters | None = None) -> list[OrgRow[PersonLine]]:
    """Every organisation by name (that the filters admit), its stakeholders as `PersonLine`s: what `orgs` shows of
    them, read without the rest of their answers (`View.stakeholder_lines`)."""
    admit = filters or Filters()
    lines = view.stakeholder_lines()
    return [OrgRow(o, lines.get(o.path, ()), view.today) for o in view.orgs if admit.admits_org(o)]


def org_row(view: View, org: Org) -> OrgRow[PersonAnswer]:
    return OrgRow(org, stakeholders(view, org), view.today)


# ---- the account plan (`show ORG`) ------------------------------------------------------------------------
@dataclass(frozen=True)
class ObjectiveRow:
    objective: Objective
    days: int | None  # due − today; None without a due date

    @property
    def overdue(self) -> bool:
        return self.objective.status == "open" and self.days is not None and self.days < 0


@dataclass(frozen=True)
class Contribution:
    """One team member's interactions with the account's stakeholders in the window."""

    member: str
    count: int
    last: dt.date | None
    on_team: bool  # the org's owner or in its `team`


@dataclass(frozen=True)
class AccountPlan:
    row: OrgRow[PersonAnswer]
    objectives: tuple[ObjectiveRow, ...]  # open by due date, then done, then dropped
    contributions: tuple[Contribution, ...]  # most interactions first; silent team members last
    since: dt.date  # the window's first day
    interactions: int  # in the window, each once
    revenue_share: float | None  # revenue / budget

    @property
    def org(self) -> Org:
        return self.row.org


def account_plan(view: View, org: Org) -> AccountPlan:
    today = view.today
    row = org_row(view, org)
    objectives = sorted(
        (ObjectiveRow(o, (o.due - today).days if o.due else None) for o in org.objectives),
        key=lambda r: (_STATUS_ORDER.get(r.objective.status, 3), r.objective.due or dt.date.max,
                       r.objective.title.casefold(), r.objective.line))
    since = today - dt.timedelta(days=WINDOW_DAYS - 1)
    records = view.records_at([r.path for r in row.stakeholders])
    credited = credits(view, [p for r in row.stakeholders if isinstance(p := records.get(r.path), Person)], since,
                       today)
    team = members(org)
    by_member: dict[str, list[dt.date]] = {}
    spelling: dict[str, str] = {m.casefold(): m for m in team}
    for member, day in credited:
        name = spelling.setdefault(member.casefold(), member)
        by_member.setdefault(name, []).append(day)
    for member in team:
        by_member.setdefault(member, [])
    on_team = {m.casefold() for m in team}
    contributions = sorted(
        (Contribution(m, len(days), max(days, default=None), m.casefold() in on_team) for m, days in by_member.items()),
        key=lambda c: (-c.count, c.member == NOBODY, c.member.casefold(), c.member))
    share = org.revenue / org.budget if org.revenue is not None and org.budget else None
    return AccountPlan(row, tuple(objectives), tuple(contributions), since, len(credited), share)


def credits(view: View, people: list[Person], since: dt.date, until: dt.date) -> list[tuple[str, dt.date]]:
    """(team member, date) for each interaction with any of `people` dated in [since, until], each once.

    An interaction note credits its `by:`, else the owner of the first of these people it names; a Log
    entry or a `last_contact` credits the owner of the person it belongs to."""
    paths = {p.path for p in people}
    seen: set[tuple[str, int, str]] = set()
    out: list[tuple[str, dt.date]] = []
    for p in people:
        for h in view.history_of(p):
            if not since <= h.date <= until or not h.counts:
                continue
            key = (h.path, h.line, h.source)
            if key in seen:
                continue
            seen.add(key)
            member = h.interaction.by if h.interaction is not None else None
            if member is None:
                named = view.participants_of(h.interaction) if h.interaction is not None else [p]
                first = next((q for q in named if q.path in paths), p)
                member = view.owner_of(first)
            out.append((member or NOBODY, h.date))
    out.sort(key=lambda c: (c[1], c[0]))
    return out


def money(amount: float, currency: str | None) -> str:
    """`120,000 GBP`; cents only when there are any."""
    text = f"{int(amount):,}" if float(amount).is_integer() else f"{amount:,.2f}"
    return f"{text} {currency}" if currency else text
