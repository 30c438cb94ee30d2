"""folded search text: accent- and case-blind search of releases and journal entries

Each release and journal entry keeps its searchable text folded (NFKD with
the combining marks dropped, then case-folded: app.listing.fold), so that
"tulu" finds "Tülu" with a plain LIKE on SQLite and PostgreSQL alike.
Existing rows are folded here, in batches.

Revision ID: d28c3110c145
Revises: 0ad75cb73eb1
Create Date: 2026-12-02 16:27:18.111594

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401 - autogenerate may emit sqlmodel.sql.sqltypes.AutoString
from alembic import op

import app.db  # noqa: F401 - custom column types (UTCDateTime)
from app.listing import folded_text

revision: str = 'd28c3110c145'
down_revision: str | None = '0ad75cb73eb1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each table and the columns its search text is folded from, in order.
TABLES = {
    "release": ("title", "organisation", "summary"),
    "journal_entry": ("body", "learned"),
}
BATCH = 500


def _backfill(name: str, sources: tuple[str, ...]) -> None:
    """Fold every row, BATCH rows at a time in id order (the rows are never
    all in memory), as the application folds them when it writes one."""
    rows = sa.table(
        name,
        sa.column("id", sa.Integer),
        sa.column("search_text", sa.Text),
        *(sa.column(source, sa.Text) for source in sources),
    )
    update = (
        rows.update()
        .where(rows.c.id == sa.bindparam("row_id"))
        .values(search_text=sa.bindparam("folded"))
    )
    conn = op.get_bind()
    after = 0
    while True:
        batch = conn.execute(
            sa.select(rows.c.id, *(rows.c[source] for source in sources))
            .where(rows.c.id > after)
            .order_by(rows.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        folded = [
            {"row_id": row.id, "folded": folded_text(*(row[1:]))} for row in batch
        ]
        conn.execute(update, folded)
        after = batch[-1].id


def upgrade() -> None:
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('search_text', sa.Text(), server_default='', nullable=False)
            )
    for name, sources in TABLES.items():
        _backfill(name, sources)


def downgrade() -> None:
    for name in reversed(TABLES):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_column('search_text')
