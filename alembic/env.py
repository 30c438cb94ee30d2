"""Migrations run against the application's own database URL.

A caller (the CLI, the tests) may hand over a connection in
`config.attributes["connection"]`; otherwise we connect to DATABASE_URL.
"""

from alembic import context
from sqlalchemy import Connection

import app.models  # noqa: F401 - registers every table on the metadata
from app.config import get_settings
from app.db import EnumText, make_engine
from app.fulltext import is_index_object
from app.models import metadata

config = context.config


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # EnumText is text in the database: migrations spell it as a String, so
    # they never depend on the application's enums.
    if type_ == "type" and isinstance(obj, EnumText):
        return f"sa.String(length={obj.impl.length})"
    return False


def _include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    # The full-text index (FTS5 tables with their shadow tables on SQLite,
    # GIN expression indexes on PostgreSQL) is built by raw SQL in its
    # migration and has no model: SQLAlchemy cannot declare a virtual table,
    # and alembic cannot compare expression indexes. Leave them out of the
    # comparison; tests/search/test_fulltext.py proves they exist and work.
    return not (reflected and is_index_object(name))


def _run(connection: Connection) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    if is_sqlite and not connection.in_transaction():
        # Batch migrations recreate tables; with foreign keys on, SQLite would
        # cascade-delete the children of a recreated parent. The pragma only
        # works outside a transaction, so it goes straight to the driver.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=is_sqlite,
        compare_type=True,
        render_item=_render_item,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or get_settings().database_url,
        target_metadata=metadata,
        literal_binds=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
