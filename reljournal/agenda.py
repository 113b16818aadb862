"""The agenda: the coming days, day by day, with anything overdue placed on today (SPEC 3).

It is a window over `events.events(view, until=last)`: today .. today + days - 1 (`last`), plus every
overdue reach-out, task and objective (moved to today, with how many days late). Of the interactions and
plain notes, only those with a meeting in that span are read (`View.meetings_until`); their open tasks come
from the index's rows (`View.open_tasks_until`).
Filters (`--tag --tier --org --owner --relationship`) apply to the people an item names: an item stays
when one of its people passes. An objective names nobody, so it is judged by its organisation instead
(tier, tags, title, its `owner` or a `team` member); nothing can pass `--relationship` for an org. An
item that names nobody and has no org (a task in a daily note that links no one) is left out whenever a
filter is given.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from reljournal.events import KIND_ORDER, OBJECTIVE, Event, events
from reljournal.model import Interaction
from reljournal.queries import Filters, View

DEFAULT_DAYS = 7


class AgendaItem(NamedTuple):
    """One line of the agenda: an event placed on a day of the window (a named tuple, as `Event`)."""

    date: dt.date  # where it shows: its own date, or today when overdue
    event: Event
    overdue_days: int

    @property
    def kind(self) -> str:
        return self.event.kind

    @property
    def title(self) -> str:
        return self.event.title

    @property
    def people(self) -> list[str]:
        return [p.title for p in self.event.people]

    @property
    def path(self) -> str:
        return self.event.path

    def sort_key(self) -> tuple[dt.date, int, str, str, int]:
        return (self.date, KIND_ORDER[self.kind], self.title.casefold(), self.path, self.event.line)

    def as_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "kind": self.kind,
            "title": self.title,
            "people": self.people,
            "path": self.path,
            "overdue_days": self.overdue_days,
        }


def agenda(view: View, days: int = DEFAULT_DAYS, filters: Filters | None = None) -> list[AgendaItem]:
    """The items of today .. today + days - 1, sorted by date, kind (meeting, due, task, objective,
    birthday), then title; overdue items sit on today."""
    if days < 1:
        raise ValueError("an agenda covers at least one day")
    filters = filters or Filters()
    today = view.today
    last = today + dt.timedelta(days=days - 1)
    items = []
    filtered = filters != Filters()  # asked once, not for each of 100,000 events
    for e in events(view, until=last, tasks_keep_notes=False):
        late = e.overdue_days(today)
        if not (late or today <= e.date <= last):
            continue
        if filtered and not _admitted(view, e, filters):
            continue
        items.append(AgendaItem(today if late else e.date, e, late))
    items.sort(key=AgendaItem.sort_key)
    return items


def meeting_time(interaction: Interaction | None, tz: dt.tzinfo | None) -> str:
    """`19:30` for a meeting with a time (in the vault's zone when it gives an offset), else ``."""
    if interaction is None or interaction.at is None:
        return ""
    at = interaction.at
    if at.tzinfo is not None and tz is not None:
        at = at.astimezone(tz)
    return f"{at:%H:%M}"


def _admitted(view: View, e: Event, filters: Filters) -> bool:
    """Whether an item passes the filters (some given): by its people, an objective by its organisation."""
    if e.people:
        return any(filters.admits_person(view, p) for p in e.people)
    if e.kind == OBJECTIVE and e.org is not None:
        return filters.admits_org(e.org)
    return False

