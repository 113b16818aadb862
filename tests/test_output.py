"""What `output` writes: `--json` text, byte for byte what the json module gives."""

from __future__ import annotations

import contextlib
import io
import json
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

from reljournal import output
from reljournal.output import _json_default, json_text

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.dates(),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    | st.dictionaries(st.integers(-3, 3), inner, max_size=2),
    max_leaves=25)


@given(JSON_VALUES)
def test_json_text_is_what_the_json_module_writes(value: object) -> None:
    """The JSON of `--json` is written by a faster function, byte for byte `json.dumps(indent=2)`."""
    assert json_text(value) == json.dumps(value, indent=2, ensure_ascii=False, default=_json_default)


def test_json_text_of_a_listing() -> None:
    rows = [{"name": "Zoë \"Z\" Ng", "days": -3, "tags": ["a", "b\n"], "org": None, "key": True, "x": []}]
    assert json_text(rows) == json.dumps(rows, indent=2, ensure_ascii=False)
    assert json_text([]) == "[]" and json_text({}) == "{}"


@given(st.lists(st.dictionaries(st.text(max_size=3), st.integers() | st.text(max_size=3), max_size=3), max_size=30),
       st.integers(1, 40))
def test_print_json_in_pieces_writes_the_same_text(value: list[object], piece: int) -> None:
    out = io.StringIO()
    with mock.patch.object(output, "JSON_PIECE", piece), contextlib.redirect_stdout(out):
        output.print_json(value)
    assert out.getvalue() == json.dumps(value, indent=2, ensure_ascii=False) + "\n"


SHOWN = st.characters(exclude_categories=("Cc", "Cs"))  # a table makes control characters visible first


@given(st.text(SHOWN, max_size=12) | st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
       st.integers(0, 30), st.sampled_from("<>"))
def test_a_cell_is_fitted_as_clipping_then_padding_fits_it(text: str, size: int, align: str) -> None:
    """`fit` (the table's per-cell path, with its ASCII short cuts) equals `clip` then `pad`, measured or told,
    for the text a table hands it (`visible`: no control characters)."""
    expected = output.pad(output.clip(text, size), size, align)
    assert output.fit(text, size, align) == expected
    assert output.fit(text, size, align, output.display_width(text)) == expected


def test_every_printable_character_below_the_combining_accents_is_one_column_as_wcwidth_says() -> None:
    """`display_width` counts them without wcwidth: the installed wcwidth must agree, character by character."""
    from wcwidth import wcwidth

    below = [chr(c) for c in range(0x20, 0x300) if chr(c).isprintable()]
    assert [c for c in below if wcwidth(c) != 1] == []
    assert output.display_width("".join(below)) == len(below)


@given(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x3ff), max_size=20))
def test_display_width_is_what_wcwidth_says(text: str) -> None:
    """Latin text measured by its length, any other by wcwidth: the same columns (printable text)."""
    from wcwidth import wcswidth

    if text.isprintable():
        assert output.display_width(text) == max(wcswidth(text), 0)
