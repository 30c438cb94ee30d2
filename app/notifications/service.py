"""Writing notifications. Called by the services whose events they report,
inside the same transaction: a review that is rolled back notifies no one."""

from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session

from app.auth.models import User
from app.db import utcnow
from app.notifications.mailing import mail_notifications
from app.notifications.models import NoticeKind, Notification


def notify(
    session: Session,
    *,
    user_ids: Iterable[int | None],
    kind: NoticeKind,
    actor: User,
    summary: str,
    project_id: int | None = None,
    request_id: int | None = None,
    release_id: int | None = None,
    round_id: int | None = None,
    tell_actor: bool = False,
) -> None:
    """One notification per recipient. The actor is not told of their own act,
    unless `tell_actor`: their own feed finding a scoop is news to them."""
    wanted = {uid for uid in user_ids if uid is not None and (tell_actor or uid != actor.id)}
    notices = []
    for user_id in sorted(wanted):
        notices.append(
            Notification(
                user_id=user_id,
                kind=kind,
                actor_id=actor.id,
                project_id=project_id,
                request_id=request_id,
                release_id=release_id,
                round_id=round_id,
                summary=summary[:300],
            )
        )
    session.add_all(notices)
    session.flush()
    # Those who asked for it get it by e-mail too, queued in this transaction.
    mail_notifications(session, notices=notices)


def notifications_mark_read(session: Session, *, user: User, up_to_id: int | None = None) -> int:
    """Mark the user's unread notifications read (those up to an id, if given,
    so a list read a moment ago does not swallow one that arrived since)."""
    clause = [Notification.user_id == user.id, Notification.read_at.is_(None)]
    if up_to_id is not None:
        clause.append(Notification.id <= up_to_id)
    result = session.execute(sa.update(Notification).where(*clause).values(read_at=utcnow()))
    return result.rowcount
