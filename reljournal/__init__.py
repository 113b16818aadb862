"""reljournal: a relationship journal in plain Markdown files."""

__version__ = "0.1.0"
