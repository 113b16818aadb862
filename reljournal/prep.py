"""`prep NAME`: a one-page brief before meeting someone (SPEC 3), built on `queries.person_detail`.

Follow-ups both ways. The open tasks about a person are those `show` lists (in their note and in the
interactions that name them) plus open tasks elsewhere (a daily note, say) that link to them. A task is
a promise *they* made when its text starts with their name, an alias or a link to them
(`- [ ] [[Jane Doe]] to send the org chart`, `- [ ] Jane: intro to Bob`), or with their first name and
`:` or a space when nobody else named in that note has the same first name (`- [ ] Emma: share the
RFP draft` in a meeting with Maria and Emma Schulz); every other one is a follow-up *you* owe them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from reljournal.model import CANCELLED, Interaction, Person, Record
from reljournal.names import name_key
from reljournal.parse.links import link_text
from reljournal.queries import FollowUp, HistoryItem, PersonDetail, View, person_detail, with_gists

LAST_SHOWN = 5
QUESTIONS_SHOWN = 8

# How someone operates -> how to approach them, and a question that suits them.
MOTIVATIONS: dict[str, tuple[str, str]] = {
    "data": ("bring numbers", "Which numbers are you watching most closely?"),
    "results": ("lead with outcomes", "What result would make this quarter a success for you?"),
    "logic": ("make a structured argument", "What would you need to see to decide?"),
    "feelings": ("ask how things are going", "How are things going for you?"),
    "relationships": ("mention people in common", "Who else should I be talking to?"),
    "instincts": ("keep it short", "What is your gut telling you?"),
}

_LEADING_LINK = re.compile(r"\s*\[\[([^\]|#]+)(?:#[^\]|]*)?(?:\|[^\]]*)?\]\]")


@dataclass(frozen=True)
class Common:
    person: Person
    interactions: int  # interactions both attended


@dataclass(frozen=True)
class Brief:
    person: Person
    detail: PersonDetail
    org: str | None
    last: tuple[HistoryItem, ...]  # newest first, up to LAST_SHOWN, today or earlier
    upcoming: tuple[HistoryItem, ...]  # arranged meetings, soonest first
    next_action: HistoryItem | None  # the latest past interaction that agreed a next action
    you_owe: tuple[FollowUp, ...]
    they_owe: tuple[FollowUp, ...]
    motivations: tuple[tuple[str, str | None], ...]  # (motivation, what it suggests, if known)
    in_common: tuple[Common, ...]
    questions: tuple[str, ...]

    @property
    def gave(self) -> tuple[str, ...]:
        return self.detail.gave

    @property
    def received(self) -> tuple[str, ...]:
        return self.detail.received

    def as_json(self) -> dict[str, Any]:
        p, row = self.person, self.detail.row
        s = row.rule
        return {
            "name": p.title,
            "path": p.path,
            "role": p.role,
            "org": self.org,
            "relationship": p.relationship,
            "tier": p.tier,
            "owner": row.owner,
            "last": row.last.isoformat() if row.last else None,
            "next": s.next.isoformat() if s and s.next else None,
            "reason": s.reason if s else None,
            "interactions": [_history_json(h) for h in self.last],
            "upcoming": [_history_json(h) for h in self.upcoming],
            "next_action": self.next_action.interaction.next_action
            if self.next_action and self.next_action.interaction else None,
            "you_owe": [_follow_up_json(f) for f in self.you_owe],
            "they_owe": [_follow_up_json(f) for f in self.they_owe],
            "common_ground": list(p.common_ground),
            "priorities": list(p.priorities),
            "motivations": [{"motivation": m, "suggests": s} for m, s in self.motivations],
            "gave": list(self.gave),
            "received": list(self.received),
            "balance": {"gave": len(self.gave), "received": len(self.received)},
            "people_in_common": [{"name": c.person.title, "interactions": c.interactions} for c in self.in_common],
            "questions": list(self.questions),
        }


def _history_json(h: HistoryItem) -> dict[str, Any]:
    return {"date": h.date.isoformat(), "kind": h.kind, "text": link_text(h.text), "path": h.path}


def _follow_up_json(f: FollowUp) -> dict[str, Any]:
    return {"text": link_text(f.text), "due": f.due.isoformat() if f.due else None, "path": f.path, "line": f.line}


def prep(view: View, person: Person) -> Brief:
    detail = person_detail(view, person)
    today = view.today
    # Newest first; a `last_contact` on a day that has a recorded interaction is that interaction. A cancelled
    # meeting did not happen and will not: it is in neither list.
    timeline = [h for h in detail.timeline if h.interaction is None or h.interaction.status != CANCELLED]
    recorded = {h.date for h in timeline if h.source != "last_contact"}
    past = [h for h in timeline if h.date <= today and not (h.source == "last_contact" and h.date in recorded)]
    upcoming = with_gists(view, reversed([h for h in timeline if h.date > today]))
    next_action = next((h for h in past if h.interaction is not None and h.interaction.next_action), None)

    you_owe: list[FollowUp] = []
    they_owe: list[FollowUp] = []
    follow_ups = _follow_ups(view, person, detail)
    first_name_is_theirs = _first_name_is_theirs(view, person, {f.path for f in follow_ups})
    for f in follow_ups:
        theirs = _promised_by(view, person, f.text, first_name=f.path in first_name_is_theirs) is not None
        (they_owe if theirs else you_owe).append(f)

    motivations = tuple((m, MOTIVATIONS.get(m.casefold(), (None, ""))[0]) for m in person.motivations)
    brief = Brief(person, detail, view.org_name(person), with_gists(view, past[:LAST_SHOWN]), upcoming, next_action,
                  tuple(you_owe), tuple(they_owe), motivations, _in_common(view, person, detail), ())
    return replace(brief, questions=_questions(view, brief, first_name_is_theirs))


def _follow_ups(view: View, person: Person, detail: PersonDetail) -> list[FollowUp]:
    """`show`'s follow-ups, plus open tasks in other notes that link to the person."""
    out = list(detail.follow_ups)
    seen = {person.path} | {h.path for h in detail.timeline}
    for record in view.linking_to(person, ["task"]):
        if record.path in seen:
            continue
        for t in record.tasks:
            if t.open and any(view.person_of(link) is person for link in t.links):
                out.append(FollowUp(t.text, t.due, record.path, t.line))
    out.sort(key=lambda f: (f.due or dt.date.max, f.path, f.line))
    return out


def given_name(person: Person) -> str:
    return person.title.split()[0] if person.title.split() else ""


def _first_name_is_theirs(view: View, person: Person, paths: set[str]) -> set[str]:
    """The notes (of `paths`) where the person's first name alone means them: nobody else named in the note
    (its `with:`, its links, the person whose note it is) has the same first name."""
    mine = name_key(given_name(person))
    if not mine or " " not in person.title.strip():
        return set()  # a one-word title is matched as the title already
    out = set()
    for path, record in view.records_at(paths).items():
        if not any(name_key(given_name(p)) == mine for p in _named_in(view, record) if p.path != person.path):
            out.add(path)
    return out


def _named_in(view: View, record: Record) -> list[Person]:
    """The people a note names: an interaction's `with:`, the person whose note it is, and its links."""
    named: list[Person] = []
    if isinstance(record, Interaction):
        named += view.participants_of(record)
    elif isinstance(record, Person):
        named.append(record)
    links = [*record.links, *(link for t in record.tasks for link in t.links)]
    named += [p for p in (view.person_of(link) for link in links) if p is not None]
    return named


def _yours_open_in(view: View, path: str) -> bool:
    """Whether the note holds an open task of yours: one that no person named in it promised."""
    record = view.records_at([path]).get(path)
    if record is None:
        return False
    named = {p.path: p for p in _named_in(view, record)}.values()
    for task in (t for t in record.tasks if t.open):
        if not any(_promised_by(view, p, task.text, first_name=path in _first_name_is_theirs(view, p, {path}))
                   is not None for p in named):
            return True
    return False


def _promised_by(view: View, person: Person, text: str, *, first_name: bool = False) -> str | None:
    """What they promised (the text after their name), when the task starts with their name: their title,
    an alias, a link to them, or (`first_name`: nobody else in that note shares it) their first name
    followed by `:` or a space."""
    m = _LEADING_LINK.match(text)
    if m:
        target = m[1].strip()
        folder, _, name = target.rpartition("/")
        if view.person_named(name, folder or None) is person:
            return _after_name(text[m.end():])
        return None
    key = name_key(text)
    for name in sorted((person.title, *person.aliases), key=len, reverse=True):
        n = name_key(name)
        if n and key.startswith(n) and (len(key) == len(n) or not key[len(n)].isalnum()):
            return _after_name(" ".join(text.split())[len(n):])
    if first_name:
        n = name_key(given_name(person))
        if key.startswith(n) and len(key) > len(n) and key[len(n)] in ": ":
            return _after_name(" ".join(text.split())[len(n):])
    return None


def _after_name(rest: str) -> str:
    rest = rest.strip().lstrip(":,-–").strip()
    for word in ("to ", "will "):
        if rest.casefold().startswith(word):
            rest = rest[len(word):]
    return link_text(rest).strip()


def _in_common(view: View, person: Person, detail: PersonDetail) -> tuple[Common, ...]:
    """Co-attendees: the other people named by interactions (not kind `note`) that name this person."""
    counts: Counter[str] = Counter()
    by_path: dict[str, Person] = {}
    for h in detail.timeline:
        if h.interaction is None or not h.counts:
            continue
        for other in view.participants_of(h.interaction):
            if other is not person:
                counts[other.path] += 1
                by_path[other.path] = other
    common = [Common(by_path[path], n) for path, n in counts.items()]
    common.sort(key=lambda c: (-c.interactions, c.person.title.casefold(), c.person.path))
    return tuple(common)


def _questions(view: View, b: Brief, first_name_is_theirs: set[str]) -> tuple[str, ...]:
    """From the last interaction (its outcome, else its text), their open promises, their priorities, your
    last agreed step (once no task of yours in that note is open), and how they operate; in that order,
    without repeats."""
    out: list[str] = []
    last = next((h for h in b.last if h.interaction is not None and h.text), None)
    if last is not None:
        out.append(f'Last time ({last.date}): "{link_text(last.text)}". What has happened since?')
    for f in b.they_owe:
        promised = _promised_by(view, b.person, f.text, first_name=f.path in first_name_is_theirs)
        if promised:
            out.append(f'Any news on "{promised}"?')
    for priority in b.person.priorities:
        out.append(f"What is the latest on {link_text(priority)}?")
    step = b.next_action
    if step is not None and step.interaction is not None and not _yours_open_in(view, step.path):
        action = link_text(step.interaction.next_action or "")
        out.append(f"I was to {_lower_first(action)}: was it useful?")
    for m in b.person.motivations:
        question = MOTIVATIONS.get(m.casefold())
        if question:
            out.append(question[1])
    return tuple(dict.fromkeys(out))[:QUESTIONS_SHOWN]


def _lower_first(text: str) -> str:
    """`Send the deck` -> `send the deck`, but `Q1 outlook` and `CFO review` keep their capitals."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper() and not text[1].isdigit():
        return text[0].lower() + text[1:]
    return text
