"""What `output` writes: `--json` text, byte for byte what the json module gives."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

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
