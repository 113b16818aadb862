"""Calendars in and out: meetings read from the user's calendars (`import ics`, `sync`; SPEC 7), and,
to come, reminders pushed to a CalDAV calendar and read back (SPEC 8). One HTTP layer (`http`) for both."""
