"""calendar feed: a private iCalendar link and the weekly review slot

Revision ID: 2ff3f2db9a6c
Revises: d28c3110c145
Create Date: 2026-12-03 11:30:16.436217

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401 - autogenerate may emit sqlmodel.sql.sqltypes.AutoString
from alembic import op

import app.db  # noqa: F401 - custom column types (UTCDateTime)

revision: str = '2ff3f2db9a6c'
down_revision: str | None = 'd28c3110c145'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('calendar_feed',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('prefix', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(), nullable=True),
    sa.Column('last_used_at', app.db.UTCDateTime(), nullable=True),
    sa.Column('review_weekday', sa.SmallInteger(), nullable=False),
    sa.Column('review_hour', sa.SmallInteger(), nullable=False),
    sa.Column('review_minute', sa.SmallInteger(), nullable=False),
    sa.Column('review_minutes', sa.SmallInteger(), nullable=False),
    sa.CheckConstraint('review_hour BETWEEN 0 AND 23', name=op.f('ck_calendar_feed_review_hour_range')),
    sa.CheckConstraint('review_minute BETWEEN 0 AND 59', name=op.f('ck_calendar_feed_review_minute_range')),
    sa.CheckConstraint('review_minutes BETWEEN 15 AND 240', name=op.f('ck_calendar_feed_review_minutes_range')),
    sa.CheckConstraint('review_weekday BETWEEN 0 AND 6', name=op.f('ck_calendar_feed_review_weekday_range')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_calendar_feed_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_calendar_feed')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feed_token_hash'))
    )


def downgrade() -> None:
    op.drop_table('calendar_feed')
