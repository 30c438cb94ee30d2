"""stored body html: Markdown rendered once, when a body is written

Journal entries (weekly reviews are entries too), their revisions and review
comments keep their body's sanitized HTML beside it, so that pages never
render Markdown per view. Existing rows are rendered here, in batches.

Revision ID: 594455d2ac87
Revises: 06d1571a32d2
Create Date: 2026-12-01 21:24:32.075197

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401 - autogenerate may emit sqlmodel.sql.sqltypes.AutoString
from alembic import op

import app.db  # noqa: F401 - custom column types (UTCDateTime)
from app.markdown import render_markdown

revision: str = '594455d2ac87'
down_revision: str | None = '06d1571a32d2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("journal_entry", "journal_revision", "review_comment")
BATCH = 500


def _backfill(name: str) -> None:
    """Render every body, BATCH rows at a time in id order (the rows are
    never all in memory). The renderer is the application's as it is when
    the migration runs: the HTML the app would write today."""
    rows = sa.table(
        name,
        sa.column("id", sa.Integer),
        sa.column("body", sa.Text),
        sa.column("body_html", sa.Text),
    )
    update = (
        rows.update()
        .where(rows.c.id == sa.bindparam("row_id"))
        .values(body_html=sa.bindparam("html"))
    )
    conn = op.get_bind()
    after = 0
    while True:
        batch = conn.execute(
            sa.select(rows.c.id, rows.c.body)
            .where(rows.c.id > after)
            .order_by(rows.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        rendered = [{"row_id": r.id, "html": str(render_markdown(r.body))} for r in batch if r.body]
        if rendered:
            conn.execute(update, rendered)
        after = batch[-1].id


def upgrade() -> None:
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('body_html', sa.Text(), server_default='', nullable=False)
            )
    for name in TABLES:
        _backfill(name)


def downgrade() -> None:
    for name in reversed(TABLES):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_column('body_html')
