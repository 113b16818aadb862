"""`reljournal week`: this week's interactions against the target, the streak, the last 12 weeks."""

from __future__ import annotations

import sys

import click

from reljournal.cli.agenda import MONTH_NAMES, short_date
from reljournal.cli.common import Ctx, json_option, mention_problems, pass_ctx
from reljournal.output import echo, plural, print_json, style
from reljournal.week import WeekReport, week

BAR_WIDTH = 40  # the longest bar; longer weeks are scaled down to it
NAME_WIDTH = 60
UNIT_MAX = 4  # at most this many characters per interaction


@click.command("week")
@json_option
@pass_ctx
def command(ctx: Ctx, as_json: bool) -> None:
    """This ISO week's interactions against the weekly target ([week] target in .reljournal.toml),
    the streak of weeks on target, the most overdue people of the top tier, and the last 12 weeks.

    Each interaction note, Log entry and last_contact counts once, however many people it names;
    kind `note` never counts.

    \b
    Example:
      $ reljournal week
      2026-W25 (Mon 15 Jun - Sun 21 Jun): 2 interactions, target 2: on target
      Streak: 3 weeks on target

    \b
      Last 12 weeks  (| marks the target)
        ...
        2026-W22  25 May         |   0
        2026-W23   1 Jun  ########   2
        2026-W24   8 Jun  ########   2
        2026-W25  15 Jun  ########   2  this week

    \b
      Overdue in tier A
        Bob Smith  48d late
    """
    view = ctx.view()
    report = week(view)
    if as_json:
        print_json(report.as_json())
    else:
        render(report, fancy=_fancy())
    mention_problems(view)


def _fancy() -> bool:
    """Block characters only on a terminal that can show them."""
    return sys.stdout.isatty() and (sys.stdout.encoding or "").casefold().replace("-", "") == "utf8"


def bars(report: WeekReport, fancy: bool) -> list[str]:
    """One row per week, oldest first: `2026-W09  23 Feb  ####|     4`. The `|` marks the target
    where the bar falls short of it. Plain characters unless writing to a terminal."""
    full, mark = ("█", "│") if fancy else ("#", "|")
    top = max([report.target, *(w.count for w in report.weeks)])
    # Characters per interaction: up to UNIT_MAX while it fits, fewer (scaled down) for busy weeks.
    scale = float(max(1, min(UNIT_MAX, BAR_WIDTH // top))) if top <= BAR_WIDTH else BAR_WIDTH / top
    target_at = round(report.target * scale)
    width = max(round(top * scale), target_at + 1)
    number_w = len(str(max(w.count for w in report.weeks)))
    rows = []
    for w in report.weeks:
        cells = [" "] * width
        filled = round(w.count * scale)
        for i in range(filled):
            cells[i] = full
        if report.target and filled < target_at:
            cells[target_at - 1] = mark
        row = f"  {w.week}  {w.start.day:>2} {MONTH_NAMES[w.start.month - 1]}  {''.join(cells)}  {w.count:>{number_w}}"
        if w.start == report.start:
            row += "  this week"
        rows.append(style(row, fg="green") if report.target and w.count >= report.target else row)
    return rows


def render(report: WeekReport, fancy: bool = False) -> None:
    start, end = short_date(report.start, report.end), short_date(report.end, report.end)
    verdict = style("on target", fg="green") if report.on_target else f"{report.target - report.count} to go"
    echo(style(report.week, bold=True) + f" ({start} - {end}): {plural(report.count, 'interaction')}, "
         f"target {report.target}: {verdict}")
    echo(f"Streak: {plural(report.streak, 'week')} on target")
    echo()
    echo(style("Last 12 weeks", bold=True) + (f"  ({'│' if fancy else '|'} marks the target)"
                                                     if report.target else ""))
    for row in bars(report, fancy):
        echo(row)
    if report.top_tier is not None:
        echo()
        echo(style(f"Overdue in tier {report.top_tier}", bold=True))
        if not report.overdue_top_tier:
            echo("  nobody")
        width = min(NAME_WIDTH, max((len(o.name) for o in report.overdue_top_tier), default=0))
        days_w = max((len(str(o.days)) for o in report.overdue_top_tier), default=0)
        for o in report.overdue_top_tier:
            name = o.name if len(o.name) <= width else o.name[: width - 1] + "…"
            echo(style(f"  {name:<{width}}  {o.days:>{days_w}}d late", fg="red"))
