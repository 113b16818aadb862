"""Calendars in and out: meetings read from the user's calendars into the vault (`import ics`, `sync`;
SPEC 7), and reminders pushed to a CalDAV calendar and read back from it (`sync`, `watch`, `serve`; SPEC 8).

source -> reading -> meetings (the plan) -> importing (applied); reminders -> dav -> phone. `http` is the
one place that says what a network failure means to the user, naming only the host."""
