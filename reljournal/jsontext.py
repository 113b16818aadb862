"""JSON as `json.dumps(value, indent=2, ensure_ascii=False)` writes it, byte for byte (tests/test_output.py
holds them equal), at a third of the cost. Pure text, no output: what `output.print_json` writes and what the
index keeps of each person's `people --json` object (`queries.PersonAnswer.json_item`)."""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Any


def json_text(value: Any) -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)`. With `indent`, the json module encodes in Python,
    generator within generator, which took longer than reading the answers of 10,000 people (`people --json`).
    Strings go through its C escaper."""
    parts: list[str] = []
    _json_into(parts, value, "\n")
    return "".join(parts)


def json_item(value: Any) -> str:
    """`value` as an item of a JSON list at the top (`print_json_items`): indented one level."""
    parts: list[str] = []
    _json_into(parts, value, "\n  ")
    return "".join(parts)


_JSON_WORDS = {None: "null", True: "true", False: "false"}


def _json_into(parts: list[str], value: Any, newline: str) -> None:
    """Append `value` as `json.dumps(..., indent=2)` writes it, `newline` being the line break and indent of
    the line it is on."""
    if isinstance(value, str):
        parts.append(_encode_string(value))
    elif value is None or value is True or value is False:
        parts.append(_JSON_WORDS[value])
    elif type(value) is int:
        parts.append(int.__repr__(value))
    elif isinstance(value, dict) and (form := _object_form(tuple(value), newline)) is not None:
        inner = newline + "  "
        texts = []
        # The usual values in place, then the object in one `%`: a call per member took most of `people --json`.
        for v in value.values():
            kind = type(v)
            if kind is str:
                texts.append(_encode_string(v))
            elif v is None or v is True or v is False:
                texts.append(_JSON_WORDS[v])
            elif kind is int:
                texts.append(int.__repr__(v))
            elif (kind is list or kind is tuple) and v and all(type(item) is str for item in v):  # tags
                deeper = inner + "  "
                texts.append("[" + deeper + ("," + deeper).join(map(_encode_string, v)) + inner + "]")
            else:
                nested: list[str] = []
                _json_into(nested, v, inner)
                texts.append("".join(nested))
        parts.append(form % tuple(texts))
    elif isinstance(value, (list, tuple)):
        if not value:
            parts.append("[]")
            return
        inner = newline + "  "
        sep = "[" + inner
        for v in value:
            parts.append(sep)
            _json_into(parts, v, inner)
            sep = "," + inner
        parts.append(newline + "]")
    else:  # floats, dates, other keys: as the json module writes them, indented from this line
        text = json.dumps(value, indent=2, ensure_ascii=False, default=_json_default)
        parts.append(text.replace("\n", newline) if "\n" in text else text)


_encode_string = json.encoder.encode_basestring  # type: ignore[attr-defined]  # the C escaper (ensure_ascii=False)


@functools.lru_cache(maxsize=64)  # a listing's 10,000 objects share one set of keys and one indent
def _object_form(keys: tuple[Any, ...], newline: str) -> str | None:
    """A dict's JSON with its members' values left as `%s` (`{"name": %s, ...}`, keys escaped, one member a line
    below `newline`), or None when a key is not a string (the json module's way)."""
    if not all(isinstance(k, str) for k in keys):
        return None
    if not keys:
        return "{}"
    inner = newline + "  "
    members = ("," + inner).join((_encode_string(k) + ": ").replace("%", "%%") + "%s" for k in keys)
    return "{" + inner + members + newline + "}"


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")
