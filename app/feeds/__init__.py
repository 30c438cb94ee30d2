"""Feeds: arXiv queries and RSS/Atom URLs polled for new releases."""
