"""Names as people type them: how two names compare, and what a name may be as a file name. No I/O.

A name compares as Unicode NFC, case-folded, with runs of white space made one space (`name_key`):
macOS stores `José.md` decomposed (NFD) while a link or a command line types it composed, and Obsidian
links ignore case. On the command line, when nothing matches so, names compare without accents too
(`accent_free`: `jose nunez` finds José Núñez), as people type on a keyboard without them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

TITLE_LIMIT = 120  # characters of a title reljournal makes from a name
FILE_NAME_BYTES = 255  # the most a file name may take on the common file systems (ext4, APFS, NTFS in UTF-16)
TEMPORARY_BYTES = 14  # what a temporary name adds while a file is written: `.NAME.0123abcd.tmp`
NOTE_NAME_BYTES = FILE_NAME_BYTES - TEMPORARY_BYTES - len(".md")  # a note's title, temporary name included
# Characters Obsidian links do not take in a note's name (the file systems' own are pathvalidate's).
_UNSAFE_FOR_LINKS = re.compile(r"[#^\[\]|\x00-\x1f\x7f]")


def name_key(name: str) -> str:
    """The form two names are compared in: NFC, case-folded, white space runs made one space."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFD", name).casefold())
    return " ".join(folded.split())


@lru_cache(maxsize=65536)
def accent_free(key: str) -> str:
    """A name key without its accents and other combining marks: `josé núñez` -> `jose nunez`.
    Letters that are not a base letter plus a mark (`ø`, `ß`, `ł`) stay as they are."""
    decomposed = unicodedata.normalize("NFD", key)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def clean(text: str | None) -> str:
    """One line of text: white space runs made one space, control characters left out, NFC (macOS writes
    names decomposed)."""
    return " ".join(unicodedata.normalize("NFC", printable(text or "")).split())


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # C0 and C1 but tab, line feed, CR


def printable(text: str) -> str:
    """`text` without control characters, tab and line ends kept (a NUL made a note `check` calls binary;
    an escape sequence would reach the terminal)."""
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


def file_safe(text: str, max_bytes: int = NOTE_NAME_BYTES, replacement: str = "-") -> str:
    """`text` as a file name (before its `.md`) that Linux, macOS and Windows all take (pathvalidate's
    "universal" rules: no `<>:"/\\|?*` or control characters, no reserved name such as `CON` or `COM1`,
    no trailing dot or space) and Obsidian links too (no `#^[]|`), NFC, not hidden (no leading dot: a
    hidden note is never indexed), cut at a character to `max_bytes` of UTF-8. What is refused becomes
    `replacement`. "" when nothing is left."""
    from pathvalidate import sanitize_filename

    name = " ".join(_UNSAFE_FOR_LINKS.sub(replacement, clean(text)).split())
    for _ in range(3):  # each step may undo another's work ("..CON" -> "CON" -> "CON_"): until it holds
        before = name
        name = sanitize_filename(name, replacement_text=replacement, platform="universal", max_len=max_bytes)
        name = " ".join(name.split())
        name = cut_to_bytes(name.lstrip(". ").rstrip(". "), max_bytes).rstrip(". ")
        if name == before:
            break
    return name


def cut_to_bytes(text: str, max_bytes: int) -> str:
    """`text` cut to at most `max_bytes` of UTF-8, never inside a character."""
    data = text.encode("utf-8")
    return text if len(data) <= max_bytes else data[:max_bytes].decode("utf-8", "ignore")


def safe_title(name: str) -> str:
    """The note title (its file name without `.md`) reljournal makes for a person's or organisation's
    name: `file_safe`, and at most TITLE_LIMIT characters; "" when nothing usable is left."""
    return file_safe(clean(name)[:TITLE_LIMIT].rstrip(". "))
