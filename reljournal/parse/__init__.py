"""Parsing a note, one module per job (each named after the SPEC's section it reads):

- `note`: bytes of one file → one record and its problems (`parse_note`, the entry point);
- `frontmatter`: the front matter split off and read (PyYAML, and the fast path for flat YAML beside it);
- `fields`: front-matter values as typed fields, one coercion table;
- `links`: `[[links]]` in text and values;
- `body`: the body's lines (fenced code left out) and their links;
- `tasks`: tasks and their due dates;
- `log`: the `## Log` section.

Nothing is imported here, so that importing one part (`links` for showing link text) does not load PyYAML.
"""
