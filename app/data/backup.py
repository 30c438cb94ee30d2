"""Online backups of a SQLite database, and restoring one.

A backup goes through SQLite's backup API in a single step: it copies the
database as one read transaction sees it, so writers carry on (WAL mode)
and the copy is consistent, never a file copy caught between two writes.
It is written under a temporary name, checked (`PRAGMA integrity_check`)
and renamed into place, so a backup interrupted halfway never looks like a
good one. PostgreSQL has pg_dump for this (README, "Your data")."""

import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from app.config import create_private

PREFIX = "goldfish-"
SUFFIX = ".db"
_WAIT_SECONDS = 30  # for another writer's lock, before a restore gives up


class BackupError(Exception):
    """A backup or restore that cannot be done, with one line saying why."""


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            "`goldfish backup` copies a SQLite database; for PostgreSQL use pg_dump"
            ' (README, "Your data") or `goldfish export`'
        )
    if not url.database or url.database == ":memory:":
        raise BackupError("DATABASE_URL names no database file")
    return Path(url.database)


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    else:
        connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA busy_timeout={_WAIT_SECONDS * 1000}")
    return connection


def _integrity(connection: sqlite3.Connection) -> str:
    rows = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    return "ok" if rows == ["ok"] else "; ".join(rows[:3])


def row_counts(path: Path) -> dict[str, int]:
    """Rows in each table of the database at `path`."""
    with _closing(_connect(path, read_only=True)) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
            for name in names
        }


class _closing:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, *_exc: object) -> None:
        self.connection.close()


def _copy(source: Path, target: Path) -> None:
    """`source` into `target` through the backup API, in one step."""
    with _closing(_connect(source)) as src, _closing(_connect(target)) as dst:
        src.backup(dst)


@dataclass
class Backup:
    path: Path
    removed: list[Path]


def _backups(directory: Path) -> list[Path]:
    return sorted(directory.glob(f"{PREFIX}*{SUFFIX}"))


def backup_create(database_url: str, directory: Path, *, keep: int | None = None) -> Backup:
    """A consistent copy of the live database in `directory`, named by the
    time it was taken (UTC); with `keep`, only the newest `keep` backups
    there are kept."""
    source = sqlite_path(database_url)
    if not source.exists():
        raise BackupError(f"no database at {source}")
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = directory / f"{PREFIX}{stamp}{SUFFIX}"
    partial = directory / f".{final.name}.partial"
    partial.unlink(missing_ok=True)
    create_private(partial)  # owner-only from the first byte: it holds everyone's data
    try:
        _copy(source, partial)
        with _closing(_connect(partial)) as copy:
            # One self-contained file (the live database's WAL mode came along).
            copy.execute("PRAGMA journal_mode=DELETE")
            problem = _integrity(copy)
        if problem != "ok":
            raise BackupError(f"the copy failed its integrity check: {problem}")
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, final)
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"backup failed: {exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    removed: list[Path] = []
    if keep is not None:
        for old in _backups(directory)[:-keep] if keep > 0 else []:
            old.unlink()
            removed.append(old)
    return Backup(path=final, removed=removed)


def _holds_data(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    counts = row_counts(path)
    return any(n for name, n in counts.items() if name != "alembic_version")


@dataclass
class Restored:
    path: Path
    rows: dict[str, int]
    saved_previous: Path | None


def backup_restore(backup: Path, database_url: str, *, force: bool = False) -> Restored:
    """Replace the database at DATABASE_URL with `backup`. A database that
    holds data is replaced only with `force`, and is backed up beside
    itself first. The copy goes through SQLite's backup API, which takes
    the database's locks: a server still running sees the restored data."""
    target = sqlite_path(database_url)
    if not backup.is_file():
        raise BackupError(f"no backup file at {backup}")
    try:
        with _closing(_connect(backup, read_only=True)) as source:
            problem = _integrity(source)
            listed = source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            tables = {row[0] for row in listed}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{backup} is not a SQLite database: {exc}") from None
    if problem != "ok":
        raise BackupError(f"{backup} fails its integrity check: {problem}")
    if "alembic_version" not in tables:
        raise BackupError(f"{backup} is not a Goldfish database (it has no schema revision)")
    saved = None
    if _holds_data(target):
        if not force:
            raise BackupError(
                f"{target} holds data: refusing to overwrite it; pass --force to replace it"
                " (it is backed up beside itself first)"
            )
        saved = backup_create(database_url, target.parent).path
    create_private(target)
    try:
        _copy(backup, target)
    except sqlite3.Error as exc:
        raise BackupError(f"restore failed: {exc}") from None
    return Restored(path=target, rows=row_counts(target), saved_previous=saved)
