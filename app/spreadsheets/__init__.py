"""Importing projects from a spreadsheet (CSV or XLSX): upload, map the
columns, preview, then an all-or-nothing import run by `goldfish worker` or
`goldfish import projects`."""
