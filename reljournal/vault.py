"""Walk the vault: which files are notes, with the stat that decides whether to read them again.

Never read: names starting with `.` (`.git`, `.obsidian`, `.trash`, `.reljournal`), the templates folder,
paths matching `[folders] ignore` (gitignore rules, through pathspec), and symbolic links that leave the
vault. A file reached twice through links inside the vault is read once (the first path in sorted order).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pathspec

from reljournal.config import Settings
from reljournal.errors import Problem, error


@dataclass(frozen=True)
class FileStat:
    path: str  # relative to the vault, forward slashes
    mtime_ns: int
    size: int  # -1 when the file could not be stat'ed (a dangling link): reading it reports why


def ignore_spec(settings: Settings) -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines(settings.ignore)


def is_note_path(rel: str, settings: Settings, spec: pathspec.PathSpec | None = None) -> bool:
    """Whether a vault-relative path is a note the index reads (used by `watch` to filter events)."""
    parts = rel.split("/")
    if not rel.lower().endswith(".md") or any(p.startswith(".") for p in parts):
        return False
    if rel == settings.templates or rel.startswith(settings.templates + "/"):
        return False
    spec = spec or ignore_spec(settings)
    return not spec.match_file(rel)


def walk(settings: Settings, under: str = "") -> tuple[list[FileStat], list[Problem]]:
    """Every note of the vault (or of the folder `under`, vault-relative: the watcher's new folders)."""
    root = settings.root
    real_root = os.path.realpath(root)
    spec = ignore_spec(settings)
    files: list[FileStat] = []
    problems: list[Problem] = []
    seen_dirs: set[str] = set()
    by_real: dict[str, tuple[bool, str, FileStat]] = {}  # real path -> (reached through a link, rel, stat)

    def inside(real: str) -> bool:
        return real == real_root or real.startswith(real_root + os.sep)

    def visit(directory: str, rel_dir: str) -> None:
        real_dir = os.path.realpath(directory)
        if real_dir in seen_dirs:  # a link loop, or a folder reached twice
            return
        seen_dirs.add(real_dir)
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            problems.append(error(rel_dir or ".", 1, "unreadable", f"cannot list this folder: {exc.strerror}"))
            return
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            rel = f"{rel_dir}/{name}" if rel_dir else name
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir()  # follows links
            except OSError:
                # A link loop (ELOOP): treated as a file, so that a note name in a loop is reported as
                # unreadable instead of vanishing without a word.
                is_link, is_dir = True, False
            if is_link:
                real = os.path.realpath(entry.path)
                if not inside(real):
                    continue  # links that leave the vault are not followed
            if is_dir:
                if rel == settings.templates or spec.match_file(rel + "/"):
                    continue
                visit(entry.path, rel)
                continue
            if not name.lower().endswith(".md") or spec.match_file(rel):
                continue
            real = os.path.realpath(entry.path) if is_link else os.path.join(real_dir, name)
            try:
                st = entry.stat()
                stat = FileStat(rel, st.st_mtime_ns, st.st_size)
            except OSError:
                stat = FileStat(rel, 0, -1)
            candidate = (is_link, rel, stat)
            if real not in by_real or candidate[:2] < by_real[real][:2]:
                by_real[real] = candidate  # the file's own path beats a link to it

    visit(str(root / under) if under else str(root), under.strip("/"))
    files = sorted((stat for _, _, stat in by_real.values()), key=lambda f: f.path)
    return files, problems


def read_bytes(settings: Settings, rel: str) -> bytes:
    return (Path(settings.root) / rel).read_bytes()
