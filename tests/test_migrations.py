"""The schema comes only from Alembic: migrations build it, match the models,
and come back down cleanly."""

from datetime import date

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlmodel import Session

from app.cli import alembic_config
from app.db import UTCDateTime, make_engine, utcnow
from app.fulltext import is_index_object
from app.journal import service as journal_service
from app.journal.models import EntryUpdate
from app.markdown import render_markdown
from app.models import metadata
from app.reviews import queries as review_queries
from app.reviews import service as review_service
from app.reviews.models import CommentCreate
from tests import factories

BEFORE_STORED_HTML = "06d1571a32d2"  # the revision before bodies kept their HTML


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        names = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
        # SQLite's FTS5 tables (and their shadow tables) have no model: they are
        # the full-text index, made by its migration (see alembic/env.py).
        return {name for name in names if not is_index_object(name)}
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


STORED_HTML_TABLES = ("journal_entry", "journal_revision", "review_comment")


def _columns(engine, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns(table)}


def _bodies(conn, table: str) -> list[tuple[str, str]]:
    rows = sa.table(table, sa.column("body"), sa.column("body_html"))
    return [tuple(row) for row in conn.execute(sa.select(rows.c.body, rows.c.body_html))]


def test_bodies_written_before_html_was_stored_get_it_on_upgrade(new_database_url):
    url = new_database_url("backfill")
    config = alembic_config(url)
    command.upgrade(config, "head")
    engine = make_engine(url)
    try:
        # Rows of every kind, written by today's services...
        with Session(engine, expire_on_commit=False) as db:
            ada = factories.make_user(db, display_name="Ada")
            grace = factories.make_user(db, display_name="Grace")
            team = factories.make_team(db, grace)
            factories.add_member(db, team, ada)
            project = factories.make_project(db, ada, "P", team_id=team.id)
            request = factories.make_request(db, project, ada, grace)
            review_service.comment_add(
                db,
                view=review_queries.request_for(db, user=ada, request_id=request.id),
                actor=ada,
                data=CommentCreate(body="A **comment**"),
            )
            entry = factories.make_entry(db, ada, body="An **entry**")
            journal_service.entry_update(
                db, entry=entry, data=EntryUpdate(version=1, body="- edited")
            )
            db.commit()
        # ... taken back to before the column, where more rows are written
        # than the migration renders in one batch.
        command.downgrade(config, BEFORE_STORED_HTML)
        assert "body_html" not in _columns(engine, "journal_entry")
        old_entries = sa.table(
            "journal_entry",
            *(sa.column(name) for name in ("author_id", "day", "kind", "body", "learned")),
            *(sa.column(name) for name in ("serves_purpose", "version")),
            sa.column("created_at", UTCDateTime),
            sa.column("updated_at", UTCDateTime),
        )
        now = utcnow()
        with engine.begin() as conn:
            conn.execute(
                old_entries.insert(),
                [
                    {
                        "author_id": ada.id,
                        "day": date(2026, 11, 1),
                        "kind": "reading",
                        "body": f"Old entry *{i}*" if i % 7 else "",
                        "learned": "",
                        "serves_purpose": False,
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(1_200)
                ],
            )
        command.upgrade(config, "head")
        with engine.connect() as conn:
            stored = {table: _bodies(conn, table) for table in STORED_HTML_TABLES}
        assert {table: len(rows) for table, rows in stored.items()} == {
            "journal_entry": 1_201,
            "journal_revision": 1,
            "review_comment": 1,
        }
        for table, rows in stored.items():
            assert all(html == render_markdown(body) for body, html in rows), table
        entries = dict(stored["journal_entry"])
        assert entries["Old entry *1*"] == "<p>Old entry <em>1</em></p>\n"
        assert entries[""] == ""
    finally:
        engine.dispose()


BEFORE_FOLDED_SEARCH = "0ad75cb73eb1"  # the revision before search text was folded


def test_rows_written_before_search_was_folded_are_folded_on_upgrade(new_database_url):
    url = new_database_url("folded")
    config = alembic_config(url)
    command.upgrade(config, "head")
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            ada = factories.make_user(db, display_name="Ada")
        command.downgrade(config, BEFORE_FOLDED_SEARCH)
        old_releases = sa.table(
            "release",
            *(sa.column(name) for name in ("owner_id", "title", "kind", "organisation")),
            *(sa.column(name) for name in ("released_on", "summary", "source")),
            sa.column("created_at", UTCDateTime),
        )
        with engine.begin() as conn:
            conn.execute(
                old_releases.insert(),
                [
                    {
                        "owner_id": ada.id,
                        "title": f"Tülu {i}",
                        "kind": "model",
                        "organisation": "Ai2" if i % 2 else "",
                        "released_on": date(2026, 11, 1),
                        "summary": "Instruction-tuned, ÉVALUATION included",
                        "source": "manual",
                        "created_at": utcnow(),
                    }
                    for i in range(1_200)
                ],
            )
        command.upgrade(config, "head")
        with engine.connect() as conn:
            folded = conn.execute(sa.text("SELECT title, search_text FROM release")).all()
        assert len(folded) == 1_200
        by_title = dict(folded)
        assert by_title["Tülu 1"] == "tulu 1\nai2\ninstruction-tuned, evaluation included"
        assert by_title["Tülu 1199"].startswith("tulu 1199\nai2\n")
        assert by_title["Tülu 2"] == "tulu 2\ninstruction-tuned, evaluation included"
    finally:
        engine.dispose()


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
