"""Feeds: arXiv queries and RSS/Atom URLs that bring external releases in."""
