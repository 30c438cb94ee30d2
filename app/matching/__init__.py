"""Matching new releases to research projects (a pure module: no database, no web)."""
