"""A person's calendar feed: a private iCalendar URL and their weekly review slot."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SLOT_LENGTHS = (15, 30, 45, 60, 90, 120)


class CalendarFeed(SQLModel, table=True):
    """One row a person. The URL carries a random token; we keep its sha256
    (None: no link, or revoked). The weekly review slot is kept in the
    person's time zone, so it stays at 16:00 across daylight-saving changes."""

    __tablename__ = "calendar_feed"
    __table_args__ = (
        sa.CheckConstraint("review_weekday BETWEEN 0 AND 6", name="review_weekday_range"),
        sa.CheckConstraint("review_hour BETWEEN 0 AND 23", name="review_hour_range"),
        sa.CheckConstraint("review_minute BETWEEN 0 AND 59", name="review_minute_range"),
        sa.CheckConstraint("review_minutes BETWEEN 15 AND 240", name="review_minutes_range"),
    )

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    token_hash: str | None = Field(default=None, max_length=64, sa_column_kwargs={"unique": True})
    # The first characters, so a person can tell which link is live.
    prefix: str = Field(default="", max_length=16)
    created_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    review_weekday: int = Field(default=4, sa_type=sa.SmallInteger)  # Monday is 0: Friday
    review_hour: int = Field(default=16, sa_type=sa.SmallInteger)
    review_minute: int = Field(default=0, sa_type=sa.SmallInteger)
    review_minutes: int = Field(default=30, sa_type=sa.SmallInteger)
