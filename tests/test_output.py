"""What `output` writes: `--json` text, byte for byte what the json module gives."""

from __future__ import annotations

import contextlib
import io
import json
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

from reljournal import output
from reljournal.jsontext import _json_default, json_text

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
    odd = [{"100%": "%s", "%(x)s": {"%d": ["%%"]}, "": {}}, {"100%": 1, "%(x)s": None, "": {"a": [1, "b"]}}]
    assert json_text(odd) == json.dumps(odd, indent=2, ensure_ascii=False)  # keys are formats' text, never format
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


def reference_table(columns: list[output.Column], rows: list[list[str]], styles: list[str | None],
                    room: int) -> str:
    """A table fitted cell by cell (as `table` was before it worked a column at a time)."""
    rows = [[output.visible(cell) for cell in row] for row in rows]
    sizes = [[output.display_width(cell) for cell in row] for row in rows]
    widths = [max(output.display_width(c.header), *(s[i] for s in sizes)) for i, c in enumerate(columns)]
    total = sum(widths) + 2 * (len(widths) - 1)
    for i in sorted((i for i, c in enumerate(columns) if c.shrink), key=lambda i: -widths[i]):
        if total <= room:
            break
        cut = min(total - room, widths[i] - max(columns[i].min_width, output.display_width(columns[i].header), 4))
        if cut > 0:
            widths[i] -= cut
            total -= cut
    def fitted(text: str, size: int, align: str) -> str:
        return output.pad(output.clip(text, size), size, align)

    lines = ["  ".join(fitted(c.header, w, c.align) for c, w in zip(columns, widths, strict=True)).rstrip()]
    for n, row in enumerate(rows):
        line = "  ".join(fitted(cell, w, c.align) for c, cell, w in zip(columns, row, widths, strict=True))
        colour = styles[n] if n < len(styles) else None
        lines.append(output.style(line.rstrip(), fg=colour) if colour else line.rstrip())
    return "\n".join(lines)


CELLS = (st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30)  # ASCII
         | st.text(st.sampled_from("aéøßÅ Zœ"), max_size=20)  # Latin letters: a column each
         | st.text(st.characters(exclude_categories=("Cs",)), max_size=12))  # wide, combining, control


@given(st.lists(st.builds(output.Column, st.text(st.characters(min_codepoint=65, max_codepoint=90), max_size=6),
                          st.integers(0, 12), st.booleans(), st.sampled_from("<>")), min_size=1, max_size=5)
       .flatmap(lambda columns: st.tuples(
           st.just(columns), st.lists(st.lists(CELLS, min_size=len(columns), max_size=len(columns)), max_size=8),
           st.lists(st.sampled_from([None, "red", "yellow"]), max_size=10), st.integers(10, 120))))
def test_a_table_is_what_fitting_each_cell_gives(case: tuple[list[output.Column], list[list[str]],
                                                             list[str | None], int]) -> None:
    """`table`, with its `ljust` and `%` short cuts, equals the table fitted cell by cell."""
    columns, rows, styles, room = case
    with mock.patch.dict("os.environ", {"COLUMNS": str(room)}):
        got = output.table(columns, rows, styles)
    assert got == (reference_table(columns, rows, styles, room) if rows else "")
