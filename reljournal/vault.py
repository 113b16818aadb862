"""Walk the vault: which files are notes, with the stat that decides whether to read them again.

Never read: names starting with `.` (`.git`, `.obsidian`, `.trash`, `.reljournal`), the templates folder,
paths matching `[folders] ignore` (gitignore rules, through pathspec), and symbolic links that leave the
vault. A file reached twice through links inside the vault is read once (the first path in sorted order).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable
from functools import lru_cache
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple

from reljournal.config import Settings
from reljournal.errors import Problem, error, warning

if TYPE_CHECKING:
    import pathspec


class FileStat(NamedTuple):  # a NamedTuple: 111,000 of them are made on every walk
    path: str  # relative to the vault, forward slashes
    mtime_ns: int
    size: int  # -1 when the file could not be stat'ed (a dangling link): reading it reports why


def ignore_spec(settings: Settings) -> pathspec.PathSpec | None:
    """The `[folders] ignore` patterns as git reads them; None without any."""
    if not settings.ignore:
        return None
    import pathspec  # here: a vault without ignore patterns never needs it (10-20 ms of a start)

    return pathspec.GitIgnoreSpec.from_lines(settings.ignore)


def folder_ignored(spec: pathspec.PathSpec, rel: str) -> bool:
    """Whether git ignores the folder `rel` itself (its parents are judged apart): the last pattern that
    matches the folder decides. pathspec answers for files, matching a folder's contents too; here a pattern
    matches the folder only when what it matched is the folder, not a parent of it (`!archive/keep/` does not
    bring back `archive/keep/deep`) nor an empty rest (`archive/**` is what is inside `archive`, not
    `archive` itself, so that `!archive/keep/` can bring `archive/keep` back)."""
    path = rel + "/"
    ignored = False
    for pattern in spec.patterns:
        if pattern.include is None or pattern.regex is None:
            continue
        if _matches_folder(pattern.regex.pattern, path):
            ignored = bool(pattern.include)
    return ignored


@lru_cache(maxsize=1024)
def _folder_regex(regex: str) -> re.Pattern[str]:
    return re.compile(f"(?:{regex})\\Z")  # a folder pattern's match must end with the folder itself


def _matches_folder(regex: str, path: str) -> bool:
    if "(?P<ps_d>" in regex:  # `archive/`, `*/`, `*.md`: a name, and the folder mark after it
        m = _folder_regex(regex).search(path)
        return m is not None and m.group("ps_d") is not None
    m = re.search(regex, path)  # `archive/**`: what is below `archive/`, at least one name
    return m is not None and m.end() < len(path)


class Walked:
    """The one answer to "is this path in the vault?", for the full walk, the watcher, the sync of single
    paths and (through the index, which holds only what is walked) links and `check`.

    A folder is walked when neither it nor a folder above it is hidden (`.name`), the templates folder or
    ignored; a note, when its folder is walked and it is a `.md` file, not hidden, not ignored. `ignore`
    applies as git applies it: nothing is re-included below an ignored folder (`["archive/",
    "!archive/keep/"]` leaves `archive/keep/` out), which a pattern match of the path alone would not say."""

    def __init__(self, settings: Settings, spec: pathspec.PathSpec | None = None) -> None:
        self.templates = settings.templates
        self.spec = spec if spec is not None else ignore_spec(settings)
        self._folders: dict[str, bool] = {"": True}

    def folder_itself(self, rel: str) -> bool:
        """The folder's own name and path (its parents are judged on their own)."""
        if rel.rpartition("/")[2].startswith(".") or rel == self.templates:
            return False
        return self.spec is None or not folder_ignored(self.spec, rel)

    def folder(self, rel: str) -> bool:
        rel = rel.strip("/")
        if rel not in self._folders:
            parent = rel.rpartition("/")[0]
            self._folders[rel] = self.folder(parent) and self.folder_itself(rel)
        return self._folders[rel]

    def note_test(self) -> Callable[[str, str], bool]:
        """`test(name, rel)`: the file's own name and path (its folder is judged apart): a `.md` file, not
        hidden, not ignored. A function made once, for the walk's loop over 111,000 files."""
        match = self.spec.match_file if self.spec is not None else None
        if match is None:
            return lambda name, rel: name[-3:].lower() == ".md" and name[:1] != "."
        return lambda name, rel: name[-3:].lower() == ".md" and name[:1] != "." and not match(rel)

    def note(self, rel: str) -> bool:
        return self.folder(rel.rpartition("/")[0]) and self.note_test()(rel.rpartition("/")[2], rel)


def walk(settings: Settings, under: str = "") -> tuple[list[FileStat], list[Problem]]:
    """Every note of the vault (or of the folder `under`, vault-relative: the watcher's new folders)."""
    walker = _Walker(settings)
    if under and not walker.walked.folder(under):
        return [], walker.problems
    walker.visit(str(settings.root / under) if under else str(settings.root), under.strip("/"))
    return walker.notes(), walker.problems


class _Walker:
    """One walk. The hot loop (`visit`) does as little as it can per file: at 111,000 notes every microsecond
    is 0.1 s."""

    def __init__(self, settings: Settings) -> None:
        self.real_root = os.path.realpath(settings.root)
        self.walked = Walked(settings)
        self.is_note = self.walked.note_test()
        self.files: list[FileStat] = []
        self.linked: list[tuple[str, str, FileStat]] = []  # (real path, rel, stat) of files reached through a link
        self.problems: list[Problem] = []
        self.seen_dirs: dict[str, str] = {}  # real folder -> its vault-relative path, as first visited

    def inside(self, real: str) -> bool:
        return real == self.real_root or real.startswith(self.real_root + os.sep)

    def visit(self, directory: str, rel_dir: str) -> None:
        real_dir = os.path.realpath(directory)
        if real_dir in self.seen_dirs:  # a link loop, or a folder reached twice
            return
        self.seen_dirs[real_dir] = rel_dir
        try:
            with os.scandir(directory) as it:
                entries = list(it)  # the result is sorted once at the end; folders are visited in order
        except OSError as exc:
            self.problems.append(error(rel_dir or ".", 1, "unreadable", f"cannot list this folder: {exc.strerror}"))
            return
        prefix = f"{rel_dir}/" if rel_dir else ""
        folders: list[tuple[str, str]] = []
        is_note, files, new_stat = self.is_note, self.files, tuple.__new__
        for entry in entries:
            name = entry.name
            if name[0] == ".":
                continue
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir()  # follows links
            except OSError:
                # A link loop (ELOOP): treated as a file, so that a note name in a loop is reported as
                # unreadable instead of vanishing without a word.
                is_link, is_dir = True, False
            if is_link and not self.inside(os.path.realpath(entry.path)):
                continue  # links that leave the vault are not followed
            rel = prefix + name
            if is_dir:
                if self.walked.folder_itself(rel):  # its parents were walked: that is how we got here
                    folders.append((entry.path, rel))
                continue
            if not is_note(name, rel):
                continue
            try:
                st = entry.stat()
                if st.st_mode & 0o170000 != 0o100000:  # not S_ISREG: a FIFO would block the read
                    self.problems.append(warning(rel, 1, "not-a-file", NOT_A_FILE))
                    continue
                found = new_stat(FileStat, (rel, st.st_mtime_ns, st.st_size))  # FileStat(...), without __new__
            except OSError:
                found = FileStat(rel, 0, -1)
            if is_link:
                self.linked.append((os.path.realpath(entry.path), rel, found))
            else:
                files.append(found)
        for folder, rel in sorted(folders):  # in name order, so that a folder reached twice is kept the same way
            self.visit(folder, rel)

    def notes(self) -> list[FileStat]:
        """The notes found, by path; a file reached twice is read once: under its own path, else under the
        first link's."""
        files = list(self.files)
        if self.linked:
            real_of = {rel: real for real, rel in self.seen_dirs.items()}
            taken = {f"{real_of[f.path.rpartition('/')[0]]}/{f.path.rpartition('/')[2]}" for f in files}
            for real, _, stat in sorted(self.linked, key=lambda item: item[1]):
                if real not in taken:
                    taken.add(real)
                    files.append(stat)
        files.sort(key=itemgetter(0))  # by path
        return files


NOT_A_FILE = "not a regular file (a FIFO, socket or device): skipped without being opened"


def read_regular(path: str | os.PathLike[str]) -> bytes:
    """A regular file's bytes, through the bare system calls (4 µs a note where `Path.read_bytes` took 15).
    Anything else is an OSError without being waited on: opened with O_NONBLOCK (a FIFO's open blocks until
    a writer comes; a file swapped for one after the walk included), then checked with fstat."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, NOT_A_FILE)
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)

