"""Links (SPEC 1): `[[Name]]`, `[[folder/Name|shown]]`, `[[Name#Heading]]` in text and in front-matter values;
a value without brackets names a note by itself."""

from __future__ import annotations

import re

from reljournal.model import (
    Link,
)

WIKILINK = re.compile(r"!?\[\[([^\[\]|#^]*)((?:[#^][^\[\]|]*)?)(?:\|([^\[\]]*))?\]\]")


def _link(target: str, alias: str | None, line: int) -> Link | None:
    target = target.strip()
    if target.lower().endswith(".md"):
        target = target[:-3]
    folder, _, name = target.rpartition("/")
    name = name.strip()
    if not name:
        return None
    return Link(name, folder.strip("/") or None, (alias or "").strip() or name, line)


def links_in_text(text: str, line: int) -> list[Link]:
    out = []
    for m in WIKILINK.finditer(text):
        link = _link(m[1], m[3], line)
        if link is not None:
            out.append(link)
    return out


def links_in_value(value: str, line: int) -> list[Link]:
    """A YAML value names notes by `[[link]]`s, or is itself a bare name."""
    found = links_in_text(value, line)
    if found:
        return found
    bare = value.split("#", 1)[0].strip()
    link = _link(bare, None, line) if bare else None
    return [link] if link else []


def link_text(text: str) -> str:
    """Link markup shown as the link's text: `[[Jane Doe|Jane]]` → `Jane`, `[[people/Bo#Log]]` → `Bo`."""
    return WIKILINK.sub(_shown, text) if "[[" in text else text  # (the agenda's titles: 100,000 tasks)


def _shown(m: re.Match[str]) -> str:
    if m[3]:
        return m[3].strip()
    return m[1].strip().rpartition("/")[2].removesuffix(".md")
