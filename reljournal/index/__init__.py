"""The SQLite index: derived state only; deleting `.reljournal/` loses nothing."""
