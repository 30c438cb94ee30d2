"""Reads of notifications: only ever the user's own."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.auth.models import User
from app.db import UTCDateTime
from app.inputs import INT_MAX
from app.listing import newest_first_page
from app.navigation import nav_count
from app.notifications.models import NoticeKind, Notification

PAGE = 50

# A cursor is (created_at, id) of the last row shown, written "<ISO datetime>_<id>".
NoticeCursor = tuple[datetime, int]


# The projects a reader can open today, as a SELECT of ids. Projects sit above
# notifications, so they register it here (as the nav counts do); until they
# have, no project is readable and every project's notification is hidden.
ReadableProjects = Callable[[Any], sa.Select]
_readable: list[ReadableProjects] = []


def readable_projects(query: ReadableProjects) -> ReadableProjects:
    _readable[:] = [query]
    return query


def _hidden(user: User) -> sa.ColumnElement[bool]:
    """A notification about a project the reader can no longer open (they
    left its team, it went private): its summary, written then, names it."""
    if not _readable:
        return Notification.project_id.is_not(None)
    return sa.and_(
        Notification.project_id.is_not(None),
        Notification.project_id.not_in(_readable[0](user)),
    )


@nav_count("unread")
def unread_count_query(user: User) -> sa.Select:
    """The user's unread notifications."""
    return (
        select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def unread_count(session: Session, *, user: User) -> int:
    return session.exec(unread_count_query(user)).one()


@dataclass(frozen=True)
class NoticeRow:
    """One line of the activity list: the notification's columns and who acted."""

    id: int
    kind: NoticeKind
    actor_id: int
    actor_name: str
    project_id: int | None
    request_id: int | None
    release_id: int | None
    round_id: int | None
    summary: str
    created_at: datetime
    read_at: datetime | None
    hidden: bool = False

    @property
    def unread(self) -> bool:
        return self.read_at is None


def parse_notice_cursor(value: str) -> NoticeCursor | None:
    """ "2026-11-23T09:15:02.123456+00:00_42" -> (that instant, 42); anything else None."""
    stamp, _, ident = value.rpartition("_")
    try:
        moment, number = datetime.fromisoformat(stamp), int(ident)
    except ValueError:
        return None
    if moment.tzinfo is None or not 1 <= number <= INT_MAX:
        return None
    return moment, number


def _rows_query(user: User) -> sa.Select:
    actor = aliased(User)
    hidden = _hidden(user)
    return (
        select(
            Notification.id,
            Notification.kind,
            Notification.actor_id,
            actor.display_name.label("actor_name"),
            Notification.project_id,
            Notification.request_id,
            Notification.release_id,
            Notification.round_id,
            sa.case((hidden, ""), else_=Notification.summary).label("summary"),
            Notification.created_at,
            Notification.read_at,
            sa.case((hidden, True), else_=False).label("hidden"),
        )
        .join(actor, actor.id == Notification.actor_id)
        .where(Notification.user_id == user.id)
    )


def notifications_page(
    session: Session,
    *,
    user: User,
    before: NoticeCursor | None = None,
    limit: int = PAGE,
    unread_only: bool = False,
) -> tuple[list[NoticeRow], str | None]:
    """The user's notifications newest first (only the unread ones, if
    asked), a page at a time: the (user, created_at) index walks straight to
    the cursor. One query."""
    bound = None
    if before is not None:
        # Bound with the column's own type: the instant is compared as stored.
        bound = (sa.literal(before[0], UTCDateTime()), before[1])
    query = _rows_query(user)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    rows, cursor = newest_first_page(
        session,
        query,
        day=Notification.created_at,
        ident=Notification.id,
        before=bound,
        limit=limit,
    )
    return [NoticeRow(**row._mapping) for row in rows], cursor


def notifications_latest(
    session: Session, *, user: User, unread_only: bool = False, limit: int = PAGE
) -> list[NoticeRow]:
    """The user's newest notifications (only the unread ones, if asked). One query."""
    query = _rows_query(user)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    rows = session.exec(
        query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    )
    return [NoticeRow(**row._mapping) for row in rows]


def notifications_between(
    session: Session, *, user: User, since: datetime, until: datetime, limit: int = 200
) -> list[NoticeRow]:
    """The user's notifications in [since, until), newest first."""
    rows = session.exec(
        _rows_query(user)
        .where(Notification.created_at >= since, Notification.created_at < until)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return [NoticeRow(**row._mapping) for row in rows]


def newest_id(session: Session, *, user: User) -> int | None:
    """The id that "mark all as read" goes up to: newer arrivals stay unread."""
    return session.exec(
        select(sa.func.max(Notification.id)).where(Notification.user_id == user.id)
    ).one()


def counts_by_kind(
    session: Session, *, user: User, since: datetime, until: datetime
) -> dict[NoticeKind, int]:
    """How many notifications of each kind the user got in [since, until), every kind listed."""
    rows = session.exec(
        select(Notification.kind, sa.func.count())
        .where(
            Notification.user_id == user.id,
            Notification.created_at >= since,
            Notification.created_at < until,
        )
        .group_by(Notification.kind)
    ).all()
    found = {NoticeKind(kind): n for kind, n in rows}
    return {kind: found.get(kind, 0) for kind in NoticeKind}


def notice_for(session: Session, *, user: User, notification_id: int) -> NoticeRow | None:
    """One of the user's notifications (as the list shows it), for its e-mail."""
    row = session.exec(_rows_query(user).where(Notification.id == notification_id)).first()
    return NoticeRow(**row._mapping) if row else None
