"""`reljournal agenda`: the coming days, day by day, overdue first."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from reljournal.agenda import DEFAULT_DAYS, AgendaItem, agenda, meeting_time
from reljournal.cli.common import Ctx, filter_options, filters_from, json_option, mention_problems, pass_ctx
from reljournal.events import BIRTHDAY, DUE, KIND_ORDER, MEETING, OBJECTIVE, TASK
from reljournal.output import clip, echo, fitted, measured, print_json, style, styler, width
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
    kind = e.kind
    if kind == TASK:
        return ", ".join([p.title for p in e.people])
    if kind == DUE:
        reason = e.status.reason if e.status else None
        answer = view.answers_at([e.path]).get(e.path)  # the person's, as its status
        return ", ".join(x for x in (reason, answer.org if answer else None) if x)
    if kind == OBJECTIVE:
        return e.org.title if e.org else ""
    if kind == BIRTHDAY and e.person and e.person.birthday and e.person.birthday.year:
        return f"turns {item.date.year - e.person.birthday.year}"
    return ""


LINES_AT_ONCE = 1000


def render(items: list[AgendaItem], view: View, days: int) -> None:
    today = view.today
    if not items:
        echo("Nothing today." if days == 1 else f"Nothing in the next {days} days.")
        return
    # Measured and padded as `table` does it: a column at a time, the cells as shown, each measured once (by
    # its length when all are ASCII), padded by `str.ljust` where they fit (100,000 lines: 0.8 s cell by cell).
    cells = measured([(_when(i, view), i.kind, i.title, _detail(i, view)) for i in items])
    columns, sizes = cells.columns, cells.sizes
    when_w, kind_w, title_w, detail_w = cells.longest
    fixed = len(INDENT) + when_w + 2 + kind_w + 2
    room = width() - fixed - (2 if detail_w else 0)
    # The longer of title and detail gives way first, neither below 12 characters.
    while title_w + detail_w > room and max(title_w, detail_w) > 12:
        if title_w >= detail_w:
            title_w -= 1
        else:
            detail_w -= 1
    whens, kinds, titles = (fitted(columns[n], sizes[n], w, align)
                            for n, w, align in ((0, when_w, ">"), (1, kind_w, "<"), (2, title_w, "<")))
    details = [d if n <= detail_w else clip(d, detail_w)
               for d, n in zip(columns[3], map(len, columns[3]) if sizes[3] is None else sizes[3], strict=True)]
    del cells, columns  # the cells as padded are what is left to write
    late = styler(fg="red")

    def line(k: int) -> str:
        text = f"{INDENT}{whens[k]}  {kinds[k]}  {titles[k]}  {details[k]}".rstrip()
        return late(text) if items[k].overdue_days else text

    by_day: dict[dt.date, list[int]] = {}
    for n, item in enumerate(items):
        by_day.setdefault(item.date, []).append(n)
    # Overdue first (most overdue first within a kind), then the day's own items in agenda order (a stable sort).
    order = [(0, KIND_ORDER[i.kind], -i.overdue_days) if i.overdue_days else (1, 0, 0) for i in items]
    lines: list[str] = []  # written LINES_AT_ONCE at a time: 100,000 lines echoed one by one took a second
    for n, (day, entries) in enumerate(by_day.items()):
        if n:
            lines.append("")
        lines.append(style(day_heading(day, today), bold=True))
        entries.sort(key=order.__getitem__)
        for at in range(0, len(entries), LINES_AT_ONCE):
            lines.extend(map(line, entries[at:at + LINES_AT_ONCE]))
            if len(lines) >= LINES_AT_ONCE:
                echo("\n".join(lines))
                lines = []
    if lines:
        echo("\n".join(lines))
