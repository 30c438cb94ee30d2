"""full-text search of releases, projects and journal entries

SQLite: an FTS5 table per searched table, external content (the index only;
the text stays in its table), tokenizer `unicode61 remove_diacritics 2`,
prefix indexes for 2- and 3-letter prefixes, kept in sync by triggers and
built here from the existing rows ('rebuild').
PostgreSQL: the `goldfish_search` text search configuration (`simple`, with
`unaccent` in front for words that may carry accents) and a GIN index on the
weighted tsvector of each table, which PostgreSQL keeps in sync itself.
app/fulltext.py queries both; its Index.pg_document must spell the indexed
expressions exactly as below.

A later batch migration on SQLite that recreates one of these tables drops
its triggers: recreate them there (tests/search/test_fulltext.py would fail).

Revision ID: 7f3c2a91d5e0
Revises: f292c72226c2
Create Date: 2026-12-03 12:10:00

"""
from collections.abc import Sequence

from alembic import op

revision: str = '7f3c2a91d5e0'
down_revision: str | None = 'f292c72226c2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each table and its searched columns with their weight (A highest).
TABLES = {
    "release": (("title", "A"), ("organisation", "B"), ("summary", "C")),
    "project": (("title", "A"), ("summary", "C")),
    "journal_entry": (("body", "B"), ("learned", "B")),
}
CONFIG = "goldfish_search"


def _sqlite_up(table: str, columns: list[str]) -> None:
    fts = f"{table}_fts"
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    op.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', content_rowid='id',"
        " tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
    )
    forget = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
    learn = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"
    op.execute(f'CREATE TRIGGER {fts}_insert AFTER INSERT ON "{table}" BEGIN {learn} END')
    op.execute(f'CREATE TRIGGER {fts}_delete AFTER DELETE ON "{table}" BEGIN {forget} END')
    op.execute(
        f'CREATE TRIGGER {fts}_update AFTER UPDATE OF {names} ON "{table}"'
        f" BEGIN {forget} {learn} END"
    )
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def _document(columns: tuple[tuple[str, str], ...]) -> str:
    return " || ".join(
        f"setweight(to_tsvector('{CONFIG}', coalesce({column}, '')), '{weight}')"
        for column, weight in columns
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table, columns in TABLES.items():
            _sqlite_up(table, [name for name, _ in columns])
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = simple)")
    op.execute(
        f"ALTER TEXT SEARCH CONFIGURATION {CONFIG}"
        " ALTER MAPPING FOR word, hword, hword_part WITH unaccent, simple"
    )
    for table, columns in TABLES.items():
        op.execute(
            f'CREATE INDEX ix_{table}_fulltext ON "{table}" USING gin (({_document(columns)}))'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in reversed(TABLES):
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER {table}_fts_{event}")
            op.execute(f"DROP TABLE {table}_fts")
        return
    for table in reversed(TABLES):
        op.execute(f"DROP INDEX ix_{table}_fulltext")
    op.execute(f"DROP TEXT SEARCH CONFIGURATION {CONFIG}")
    # unaccent stays: other things may use it, and dropping it needs more rights.
