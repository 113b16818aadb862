"""`reljournal agenda`: the coming days, day by day, overdue first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import click

from reljournal.agenda import DEFAULT_DAYS, AgendaItem, agenda, meeting_time
from reljournal.cli.common import Ctx, filter_options, filters_from, json_option, mention_problems, pass_ctx
from reljournal.events import BIRTHDAY, DUE, KIND_ORDER, MEETING, OBJECTIVE, TASK
from reljournal.output import clip, display_width, echo, fit, print_json, shown_cells, style, styler, width
from reljournal.queries import View

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
INDENT = "  "


@click.command("agenda")
@click.option("--days", type=click.IntRange(min=1, max=36600), default=DEFAULT_DAYS, show_default=True, metavar="N",
              help="How many days, today included.")
@filter_options
@json_option
@pass_ctx
def command(ctx: Ctx, days: int, as_json: bool, **kwargs: Any) -> None:
    """The coming days: arranged meetings, people falling due, follow-up tasks, objectives, birthdays.

    Anything overdue is shown on today, first. The filters keep the items that name at least one
    matching person; an objective is judged by its organisation (tier, tag, title, owner or team);
    an item that names nobody is left out when any filter is given.

    \b
    Example:
      $ reljournal agenda --days 2 --tier A
      Thu 18 Jun (today)
        48d late  due        Bob Smith                            cadence, Acme Corp
         8d late  task       Jane: intro to her head of treasury  Jane Doe
         6d late  task       send the Q2 deck to Bob Smith        Bob Smith
        17d late  objective  Name a relationship lead             Acme Corp
                  due        Tom Weber                            never

    \b
      Fri 19 Jun (tomorrow)
           19:30  meeting    Dinner with Jane Doe and Priya Shah
                  task       send Jane the cycling route          Jane Doe
    """
    view = ctx.view()
    items = agenda(view, days, filters_from(kwargs))
    if as_json:
        print_json([i.as_json() for i in items])
    else:
        render(items, view, days)
    mention_problems(view)


def short_date(day: dt.date, today: dt.date) -> str:
    """`Thu 12 Mar` (with the year when it is not this year's), independent of the machine's locale."""
    text = f"{DAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}"
    return text if day.year == today.year else f"{text} {day.year}"


def day_heading(day: dt.date, today: dt.date) -> str:
    """`Thu 12 Mar (today)`, `Fri 13 Mar (tomorrow)`, `Sat 14 Mar`."""
    text = short_date(day, today)
    offset = (day - today).days
    return text + (" (today)" if offset == 0 else " (tomorrow)" if offset == 1 else "")


def _when(item: AgendaItem, view: View) -> str:
    if item.overdue_days:
        return f"{item.overdue_days}d late"
    return meeting_time(item.event.interaction, view.settings.tz) if item.kind == MEETING else ""


def _detail(item: AgendaItem, view: View) -> str:
    e = item.event
    if item.kind == DUE:
        reason = e.status.reason if e.status else None
        answer = view.answers_at([e.person.path]).get(e.person.path) if e.person else None  # as its status
        return ", ".join(x for x in (reason, answer.org if answer else None) if x)
    if item.kind == TASK:
        return ", ".join(item.people)
    if item.kind == OBJECTIVE:
        return e.org.title if e.org else ""
    if item.kind == BIRTHDAY and e.person and e.person.birthday and e.person.birthday.year:
        return f"turns {item.date.year - e.person.birthday.year}"
    return ""


LINES_AT_ONCE = 1000


def render(items: list[AgendaItem], view: View, days: int) -> None:
    today = view.today
    if not items:
        echo("Nothing today." if days == 1 else f"Nothing in the next {days} days.")
        return
    # as `table` measures: the cells as shown, each measured once (by its length when all are ASCII: 100,000 lines)
    rows, ascii_only = shown_cells([(_when(i, view), i.kind, i.title, _detail(i, view)) for i in items])
    sizes = [tuple(map(len if ascii_only else display_width, row)) for row in rows]
    when_w, kind_w, title_w, detail_w = (max(size[n] for size in sizes) for n in range(4))
    fixed = len(INDENT) + when_w + 2 + kind_w + 2
    room = width() - fixed - (2 if detail_w else 0)
    # The longer of title and detail gives way first, neither below 12 characters.
    while title_w + detail_w > room and max(title_w, detail_w) > 12:
        if title_w >= detail_w:
            title_w -= 1
        else:
            detail_w -= 1

    by_day: dict[dt.date, list[tuple[AgendaItem, Sequence[str], tuple[int, ...]]]] = {}
    for item, row, size in zip(items, rows, sizes, strict=True):
        by_day.setdefault(item.date, []).append((item, row, size))
    late = styler(fg="red")
    lines: list[str] = []  # written LINES_AT_ONCE at a time: 100,000 lines echoed one by one took a second
    for n, (day, entries) in enumerate(by_day.items()):
        if n:
            lines.append("")
        lines.append(style(day_heading(day, today), bold=True))
        # Overdue first (most overdue first within a kind), then the day's own items in agenda order.
        entries.sort(key=lambda e: (0 if e[0].overdue_days else 1, KIND_ORDER[e[0].kind] if e[0].overdue_days
                                    else 0, -e[0].overdue_days))
        for item, (when, kind, title, detail), (when_has, kind_has, title_has, detail_has) in entries:
            shown = detail if detail_has <= detail_w else clip(detail, detail_w)
            line = (f"{INDENT}{fit(when, when_w, '>', when_has)}  {fit(kind, kind_w, '<', kind_has)}  "
                    f"{fit(title, title_w, '<', title_has)}  {shown}").rstrip()
            lines.append(late(line) if item.overdue_days else line)
            if len(lines) >= LINES_AT_ONCE:
                echo("\n".join(lines))
                lines = []
    if lines:
        echo("\n".join(lines))
