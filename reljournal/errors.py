"""Where things come from and what went wrong with them.

Every record carries a `Source`; every problem is a `Problem` value, collected and rendered as
`path:line: severity: message`. Only `UserError` is raised, and only the CLI's error boundary catches it.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Source:
    """A place in the vault: a path relative to the vault (forward slashes) and a 1-based line."""

    path: str
    line: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Problem:
    source: Source
    severity: str  # ERROR | WARNING
    code: str  # see SPEC 3, `check`
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.severity}: {self.message}"

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.source.path, self.source.line, 0 if self.severity == ERROR else 1, self.code, self.message)

    def as_json(self) -> dict[str, object]:
        return {"path": self.source.path, "line": self.source.line, "code": self.code, "message": self.message}


def error(path: str, line: int, code: str, message: str) -> Problem:
    return Problem(Source(path, line), ERROR, code, message)


def warning(path: str, line: int, code: str, message: str) -> Problem:
    return Problem(Source(path, line), WARNING, code, message)


class UserError(Exception):
    """A problem the user can fix; printed without a traceback. `exit_code` 1 = not found / failed, 2 = usage."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class SettingsError(UserError):
    """`.reljournal.toml` is wrong: every command but `check` refuses to run (exit 2)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems), exit_code=2)
        self.problems = problems
