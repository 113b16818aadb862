"""`reljournal prep NAME`: a one-page brief before meeting someone."""

from __future__ import annotations

import datetime as dt
import textwrap

import click

from reljournal.agenda import meeting_time
from reljournal.cli.common import Ctx, complete_people, json_option, mention_problems, pass_ctx
from reljournal.lookup import find
from reljournal.model import PERSON, Person
from reljournal.output import clip, display_width, echo, pad, print_json, style, when, width
from reljournal.parse.links import link_text
from reljournal.prep import Brief, prep
from reljournal.queries import FollowUp, HistoryItem

INDENT = "  "


@click.command("prep")
@click.argument("name", shell_complete=complete_people)
@json_option
@pass_ctx
def command(ctx: Ctx, name: str, as_json: bool) -> None:
    """A one-page brief before meeting someone: who they are, your last interactions and their
    outcomes, open follow-ups both ways, common ground, priorities, motivations and what they
    suggest, give and take, people in common, and questions to ask.

    NAME is a person's title or alias, in any case, with or without accents. A task is theirs to do
    when its text starts with their name, an alias, a link to them, or their first name when nobody
    else named in that note shares it (`- [ ] Jane: intro to Bob`); any other open task about them
    is yours.

    \b
    Example:
      $ reljournal prep jane
    """
    view = ctx.view()
    person = find(view, name, (PERSON,))
    assert isinstance(person, Person)  # find() returns a record of the kinds asked for
    brief = prep(view, person)
    if as_json:
        print_json(brief.as_json())
    else:
        render(brief, view.settings.tz)
    mention_problems(view)


def _section(title: str, lines: list[str], empty: str | None = None, *, wrap: bool = False) -> None:
    """A bold title and its lines: rows are cut to fit the output's width, prose (`wrap`) is wrapped."""
    if not lines and empty is None:
        return
    echo()
    echo(style(title, bold=True))
    for line in lines or [empty or ""]:
        if wrap:
            echo("\n".join(textwrap.wrap(line, width(), initial_indent=INDENT + "- ",
                                         subsequent_indent=INDENT + "  ", break_on_hyphens=False)))
        else:
            echo(clip(f"{INDENT}{line}".rstrip(), width()))


def _history(h: HistoryItem, tz: dt.tzinfo | None) -> str:
    kind = h.kind or ("contact" if h.source == "last_contact" else "interaction")
    if h.source == "last_contact":
        text = "(recorded as last_contact)"
    elif h.interaction is not None and h.interaction.at is not None:
        text = f"{meeting_time(h.interaction, tz)}  {link_text(h.text)}"
    else:
        text = link_text(h.text)
    return f"{h.date}  {kind:<11} {text}".rstrip()


def _follow_ups(items: tuple[FollowUp, ...]) -> list[str]:
    texts = [link_text(f.text) for f in items]
    longest = max((display_width(t) for t in texts), default=0)
    return [f"{str(f.due) if f.due else 'no date':<10}  {pad(t, longest)}  ({f.path}:{f.line})"
            for f, t in zip(items, texts, strict=True)]


def render(b: Brief, tz: dt.tzinfo | None = None) -> None:
    p, row = b.person, b.detail.row
    who = ", ".join(x for x in (p.role, b.org) if x)
    echo(style(clip(f"Prep: {p.title}" + (f"  {who}" if who else ""), width()), bold=True))
    facts = [x for x in (p.relationship, f"tier {p.tier}" if p.tier else None,
                         f"owner {row.owner}" if row.owner else None) if x]
    facts.append(f"last {row.last}" if row.last else "never contacted")
    s = row.rule
    if s is not None and s.next is not None:
        facts.append(f"next {s.next} ({when(row.days)}, {s.reason})")
    echo("\n".join(textwrap.wrap(", ".join(facts), width(), initial_indent=INDENT, subsequent_indent=INDENT,
                                 break_on_hyphens=False)))

    _section("Last interactions", [_history(h, tz) for h in b.last], "none yet")
    _section("Coming up", [_history(h, tz) for h in b.upcoming])
    if b.next_action is not None and b.next_action.interaction is not None:
        action = link_text(b.next_action.interaction.next_action or "")
        _section("Agreed next step", [f"{b.next_action.date}  {action}"])
    _section("You owe them", _follow_ups(b.you_owe), "nothing open")
    _section(f"{p.title} promised", _follow_ups(b.they_owe), "nothing open")
    _section("Common ground", [link_text(c) for c in p.common_ground], wrap=True)
    _section("Priorities", [link_text(x) for x in p.priorities], wrap=True)
    longest = max((len(m) for m, _ in b.motivations), default=0)
    _section("Motivations", [f"{m:<{longest}}  {s or '(no suggestion for this one)'}" for m, s in b.motivations])
    give_take = [f"gave      {g}" for g in b.gave] + [f"received  {r}" for r in b.received]
    _section(f"Give and take: gave {len(b.gave)}, received {len(b.received)}", give_take, "nothing recorded")
    _section("People in common",
             [f"{c.person.title} ({c.interactions} interaction{'s' if c.interactions != 1 else ''})"
              for c in b.in_common])
    _section("Suggested questions", list(b.questions), wrap=True)
