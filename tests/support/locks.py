"""Another program holding the database's write lock, for tests of what a
server does when it cannot write."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import make_url


@contextmanager
def write_lock_held_elsewhere(database_url: str) -> Iterator[None]:
    """Another program holds the write lock: SQLite's, or on PostgreSQL a lock
    on the journal's table that lets reads through and stops writes."""
    if database_url.startswith("sqlite"):
        other = sqlite3.connect(make_url(database_url).database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as other:
            other.exec_driver_sql("LOCK TABLE journal_entry IN EXCLUSIVE MODE")
            try:
                yield
            finally:
                other.rollback()
    finally:
        engine.dispose()
