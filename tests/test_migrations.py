"""The schema comes only from Alembic: migrations build it, match the models,
and come back down cleanly."""

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from app.cli import alembic_config
from app.db import make_engine
from app.models import metadata


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_on_empty_database_matches_models_and_downgrades(new_database_url):
    url = new_database_url("migrations")
    config = alembic_config(url)
    command.upgrade(config, "head")
    assert _tables(url) == set(metadata.tables)
    # `alembic check`: raises if the models and the migrations disagree.
    command.check(config)
    command.downgrade(config, "base")
    assert _tables(url) == set()
    command.upgrade(config, "head")
    assert _tables(url) == set(metadata.tables)


def test_migration_history_is_linear():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    engine.dispose()
