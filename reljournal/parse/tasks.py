"""Tasks (SPEC 1): list items with a checkbox, `[ ]` open, `[x]` done, a due date as `📅 DATE` or
`[due:: DATE]`."""

from __future__ import annotations

import re

from reljournal.dates import parse_date
from reljournal.errors import Problem, error
from reljournal.model import (
    Task,
)
from reljournal.parse.links import links_in_text

TASK_LINE = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+\[(.)\][ \t]+(.*?)[ \t]*$")
TASK_DUE = re.compile(r"(?:📅\ufe0f?[ \t]*(\S+))|(?:\[due::[ \t]*([^\]]*?)[ \t]*\])")
_BLANKS = re.compile(r"[ \t]{2,}")  # what taking the due date out of a task leaves between words


def task_text(text: str) -> str:
    """A task's text (after its box) as `Task.text` holds it: without its due-date marker, and the blanks
    taking it out leaves made one."""
    dm = TASK_DUE.search(text)
    if not dm:
        return text
    return _BLANKS.sub(" ", (text[: dm.start()] + text[dm.end():]).strip())


def tasks_in(lines: list[tuple[int, str]], path: str, problems: list[Problem]) -> tuple[Task, ...]:
    tasks = []
    for n, line in lines:
        m = TASK_LINE.match(line)
        if not m:
            continue
        status, text = m[1], m[2]
        due = None
        dm = TASK_DUE.search(text)
        if dm:
            raw = dm[1] or dm[2]
            try:
                due = parse_date(raw)
            except ValueError as exc:
                problems.append(error(path, n, "date", f"task due date: {exc}"))
            text = task_text(text)
        tasks.append(Task(text, status.lower() if status in "xX" else status, due, tuple(links_in_text(text, n)), n))
    return tuple(tasks)
