"""Making, revoking and finding a person's calendar link, and saving their
weekly review slot. The link is a random token in the URL; only its sha256 is
kept, so a copy of the database opens no one's calendar."""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from app.auth.models import User
from app.calendar_feed.models import CalendarFeed
from app.db import utcnow, write_apart

# Not an API token's "gf_": each kind of secret opens one door only.
LINK_PREFIX = "gfcal_"
# Noting each calendar app's poll would turn reads into writes.
_TOUCH_EVERY = timedelta(minutes=5)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def feed_of(session: Session, *, user: User) -> CalendarFeed:
    """The person's row, or the defaults (not yet stored) if they have none."""
    return session.get(CalendarFeed, user.id) or CalendarFeed(user_id=user.id)


def link_create(session: Session, *, user: User) -> str:
    """A new private link; the one before it, if any, stops working."""
    raw = LINK_PREFIX + secrets.token_urlsafe(32)
    feed = feed_of(session, user=user)
    feed.token_hash = _digest(raw)
    feed.prefix = raw[: len(LINK_PREFIX) + 4]
    feed.created_at = utcnow()
    feed.last_used_at = None
    session.add(feed)
    session.flush()
    return raw


def link_revoke(session: Session, *, user: User) -> bool:
    """Stop the link working; False if there was none."""
    feed = session.get(CalendarFeed, user.id)
    if feed is None or feed.token_hash is None:
        return False
    feed.token_hash = None
    feed.prefix = ""
    session.add(feed)
    session.flush()
    return True


def slot_save(
    session: Session, *, user: User, weekday: int, hour: int, minute: int, minutes: int
) -> CalendarFeed:
    feed = feed_of(session, user=user)
    feed.review_weekday, feed.review_hour, feed.review_minute = weekday, hour, minute
    feed.review_minutes = minutes
    session.add(feed)
    session.flush()
    return feed


def feed_lookup(session: Session, *, raw: str) -> tuple[User, CalendarFeed] | None:
    """Whose calendar a link opens: None for a link unknown, revoked, or of an
    account that is closed."""
    if not raw.startswith(LINK_PREFIX):
        return None
    row = session.exec(
        select(User, CalendarFeed)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.token_hash == _digest(raw), User.is_active)
    ).first()
    return (row[0], row[1]) if row else None


def note_use(session: Session, *, feed: CalendarFeed) -> None:
    """Remember when a calendar app last fetched the link (at most every few
    minutes, in a transaction of its own that never waits for the lock)."""
    if feed.last_used_at is not None and utcnow() - feed.last_used_at < _TOUCH_EVERY:
        return
    statement = (
        sa.update(CalendarFeed)
        .where(CalendarFeed.user_id == feed.user_id)
        .values(last_used_at=utcnow())
    )
    write_apart(session, statement, wait=False)
