"""Secrets printed by a command the user names (`source_command`, `password_command`), run as vdirsyncer
and khal run their `fetch` commands: without a shell, its first output line taken (`pass show work-ics-url`).
Nothing it prints is ever repeated in a message: only how it ended."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

COMMAND_TIMEOUT = 60.0


class CommandError(Exception):
    """The command gave nothing usable: one line naming the setting and the program, never its output."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def first_line_of(command: str, *, cwd: Path, setting: str, what: str) -> str:
    """The first line `command` prints (run in `cwd`); `CommandError` naming `setting` when it cannot run,
    fails, or prints no `what`."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise CommandError(f"{setting} cannot be read as a command: {exc}") from None
    if not argv:
        raise CommandError(f"{setting} is empty")
    try:
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False,
                              stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise CommandError(f"{setting}: {argv[0]!r} is not a command here") from None
    except subprocess.TimeoutExpired:
        raise CommandError(f"{setting}: {argv[0]} did not finish within {int(COMMAND_TIMEOUT)} s") from None
    except OSError as exc:
        raise CommandError(f"{setting}: {argv[0]} cannot run ({exc.strerror})") from None
    first = (done.stdout.splitlines() or [""])[0]
    if done.returncode != 0 or not first.strip():
        raise CommandError(f"{setting}: {argv[0]} exited {done.returncode} without printing {what}")
    return first
