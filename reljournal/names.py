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

TITLE_LIMIT = 120  # characters of a title reljournal makes from a name: well inside 255 bytes with `.md`
_UNSAFE_IN_TITLE = re.compile(r'[/\\:*?"<>|#^\[\]\x00-\x1f\x7f]')


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
    """One line of text: white space runs made one space, NFC (macOS writes names decomposed)."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def safe_title(name: str) -> str:
    """The note title (its file name without `.md`) reljournal makes for a person's or organisation's
    name: characters that file systems or Obsidian links refuse become `-`, no leading dot (a hidden file
    is never indexed), no trailing dot or space, at most TITLE_LIMIT characters; "" when nothing usable
    is left."""
    title = _UNSAFE_IN_TITLE.sub("-", clean(name))
    title = " ".join(title.split()).lstrip(".").rstrip(". ")
    if len(title) > TITLE_LIMIT:
        title = title[:TITLE_LIMIT].rstrip(". ")
    return title.strip()
