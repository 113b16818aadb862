"""The index's tables (documented in docs/schema.md). A change to a table bumps SCHEMA_VERSION: an index
with another `PRAGMA user_version` is rebuilt by itself. (A setting such as FTS5's buffer is not a table:
an index without it reads the same, and takes it at its next rebuild.)"""

from reljournal.index.rows import table_ddl
from reljournal.model import INTERACTION, ORG, PERSON

SCHEMA_VERSION = 16

DDL = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (
    path TEXT PRIMARY KEY,          -- relative to the vault, forward slashes
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    hash TEXT NOT NULL,             -- blake2b of the bytes: an mtime change alone is not a change
    broken INTEGER NOT NULL         -- 1: the front matter failed; the note keeps its last good version
);
CREATE TABLE walk (                 -- the last full walk (reljournal.index.walked): at most one row, none after
    paths BLOB NOT NULL,            -- a sync of single files; paths in UTF-8, sorted, NUL between them
    mtimes BLOB NOT NULL,           -- mtime_ns of each path, 64-bit little-endian integers
    sizes BLOB NOT NULL
);
CREATE TABLE problems (
    path TEXT NOT NULL, line INTEGER NOT NULL, severity TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL
);
CREATE INDEX problems_path ON problems(path);
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,             -- person | org | interaction | note
    title TEXT NOT NULL,
    uid TEXT,                       -- `id:` in front matter
    aliases TEXT NOT NULL,          -- JSON list
    tags TEXT NOT NULL,             -- JSON list
    lines TEXT NOT NULL,            -- JSON {{front-matter key: line}}
    parsed INTEGER NOT NULL         -- 0: a link target only (its front matter never parsed)
);
CREATE INDEX notes_kind ON notes(kind);
CREATE TABLE names (key TEXT NOT NULL, note_id INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
                    alias INTEGER NOT NULL);
CREATE INDEX names_key ON names(key);
CREATE INDEX names_note ON names(note_id);
{table_ddl(PERSON)};
{table_ddl(ORG)};
CREATE TABLE objectives (
    note_id INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
    line INTEGER NOT NULL, title TEXT NOT NULL, measure TEXT, due TEXT, status TEXT NOT NULL
);
CREATE INDEX objectives_note ON objectives(note_id);
{table_ddl(INTERACTION)};
CREATE INDEX interactions_source ON interactions(source) WHERE source IS NOT NULL;
CREATE INDEX interactions_date ON interactions(date);
-- `query kind:lunch`: the kinds written and their notes, without reading every interaction
CREATE INDEX interactions_kind ON interactions(kind);
CREATE TABLE log_entries (
    note_id INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
    line INTEGER NOT NULL, date TEXT NOT NULL, kind TEXT, text TEXT NOT NULL
);
CREATE INDEX log_entries_note ON log_entries(note_id);
CREATE TABLE tasks (
    note_id INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
    line INTEGER NOT NULL, status TEXT NOT NULL, text TEXT NOT NULL, due TEXT
);
CREATE INDEX tasks_note ON tasks(note_id);
-- The agenda's open tasks due by its last day, their notes and the people with one: for a journal kept up to
-- date a few rows instead of every task (3 queries, 23 -> 1 ms at 100,000 tasks); where nearly all are overdue
-- it costs more than reading the table (+67 ms on an agenda of 100,000 lines, 1.7%).
CREATE INDEX tasks_open_due ON tasks(due, note_id) WHERE status = ' ';
CREATE TABLE links (
    note_id INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
    field TEXT NOT NULL,            -- with | org | body | task (the task on the same line)
    line INTEGER NOT NULL, target TEXT NOT NULL, folder TEXT, display TEXT NOT NULL, key TEXT NOT NULL
);
CREATE INDEX links_note ON links(note_id);
CREATE INDEX links_key ON links(key);
CREATE TABLE answers (              -- what the rules said of each person on `day` (queries.View.answers)
    note_id INTEGER PRIMARY KEY REFERENCES notes(id) ON DELETE CASCADE,
    day TEXT NOT NULL,              -- the day they were computed for: another day's rows are stale
    active INTEGER NOT NULL,        -- 1: the rules ran (an active person); 0: only `last` was worked out
    last TEXT, planned TEXT, meeting TEXT, cadence TEXT, next TEXT, reason TEXT,
    org TEXT, owner TEXT,           -- the organisation's name as shown, the owner (own, else the org's)
    org_path TEXT                   -- the organisation `org:` resolves to (its stakeholders, `orgs`)
);
CREATE TABLE answer_json (          -- each answer's `people --json` object (queries.people_json_items)
    note_id INTEGER PRIMARY KEY REFERENCES answers(note_id) ON DELETE CASCADE,
    json TEXT NOT NULL              -- as written in that list; apart, so that reading answers stays small
);
CREATE TABLE live_events (          -- the watcher's feed as it stopped, in its order (livefeed: save, restore)
    path TEXT NOT NULL, start TEXT NOT NULL, kind INTEGER NOT NULL, summary TEXT NOT NULL, uid TEXT NOT NULL,
    data BLOB NOT NULL, org TEXT, people TEXT NOT NULL
);
CREATE TABLE live_notes (           -- the notes as that feed had them: what changed since is built again
    path TEXT PRIMARY KEY, hash TEXT, kind TEXT NOT NULL, title TEXT NOT NULL, uid TEXT, aliases TEXT NOT NULL,
    tags TEXT NOT NULL, parsed INTEGER NOT NULL,
    with_keys TEXT                  -- an interaction's `with:` name keys, NUL between them
);
CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2');
-- FTS5 buffers the terms of new rows and writes a segment each time the buffer (1 MiB by default) fills,
-- then merges segments into bigger ones, rewriting the same terms. 32 MiB: the full-text rows of 111,000
-- notes took 1.4 s instead of 1.95. The buffer only ever holds one transaction's new rows.
INSERT INTO fts(fts, rank) VALUES ('hashsize', 33554432);
"""
