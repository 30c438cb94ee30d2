"""Databases for the export/import tests: real ones, migrated, outside the
rolled-back harness (an import is one real transaction, an export one read).

`other_database_url` is of the OTHER kind than the suite runs on: PostgreSQL
(GOLDFISH_TEST_POSTGRES_URL) under the default SQLite run, an SQLite file
under `--postgres`. CI sets the URL for both runs, so both directions are
crossed; without it, the default run crosses SQLite to SQLite."""

import os
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy.engine import make_url

from app.cli import alembic_config
from app.db import Database, make_engine
from tests.conftest import _fresh_postgres_database


def migrated(url: str) -> Database:
    command.upgrade(alembic_config(url), "head")
    return Database(make_engine(url))


@pytest.fixture
def source(new_database_url) -> Iterator[Database]:
    database = migrated(new_database_url("source"))
    yield database
    database.dispose()


@pytest.fixture
def other_database_url(request, tmp_path, postgres_admin_url) -> Iterator[str]:
    admin_url = None if postgres_admin_url else os.environ.get("GOLDFISH_TEST_POSTGRES_URL")
    if admin_url is None:
        yield f"sqlite:///{tmp_path / 'other.db'}"
        return
    url, admin = _fresh_postgres_database(admin_url)
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    admin.dispose()
