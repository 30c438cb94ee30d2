"""Your data in and out: the full export and import (a versioned zip of JSON
Lines, app/data/archive.py), one person's download of their own data, and
online backups of a SQLite database (app/data/backup.py).

This feature sits above every other: an archive holds every table the app
owns, so it reads every feature's models (through app.models)."""
