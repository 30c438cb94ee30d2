"""Reads of notifications: only ever the user's own."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.auth.models import User
from app.notifications.models import Notification

PAGE = 50


@dataclass(frozen=True)
class Notice:
    notification: Notification
    actor_name: str


def notifications_of(
    session: Session,
    *,
    user: User,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = PAGE,
) -> list[Notice]:
    actor = aliased(User)
    query = (
        select(Notification, actor.display_name)
        .join(actor, actor.id == Notification.actor_id)
        .where(Notification.user_id == user.id)
    )
    if since is not None:
        query = query.where(Notification.created_at >= since)
    if until is not None:
        query = query.where(Notification.created_at < until)
    rows = session.exec(
        query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    ).all()
    return [Notice(n, name) for n, name in rows]


def unread_count(session: Session, *, user: User) -> int:
    return session.exec(
        select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ).one()
