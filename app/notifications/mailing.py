"""Notifications that the recipient asked to get by e-mail are queued in the
outbox with them, in the same transaction. What the message says is
composed when it is sent (app.mailings), so that a reader who lost access
to the project meanwhile is told nothing of it."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.auth.models import User
from app.db import utcnow
from app.mail.models import MailKind, MailPreference, ScoopMail
from app.mail.outbox import mail_enqueue
from app.notifications.models import NoticeKind, Notification

# Which preference each kind of notification answers to.
REVIEW_KINDS = {NoticeKind.review_requested, NoticeKind.review_answered}


def next_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def mail_notifications(session: Session, *, notices: Sequence[Notification]) -> None:
    wanted = [n for n in notices if n.kind in REVIEW_KINDS or n.kind is NoticeKind.scoop_suggested]
    if not wanted:
        return
    user_ids = {n.user_id for n in wanted}
    rows = session.exec(
        select(User.id, User.email, User.is_active, MailPreference)
        .join(MailPreference, MailPreference.user_id == User.id)
        .where(User.id.in_(user_ids))
    ).all()
    people = {uid: (email, pref) for uid, email, active, pref in rows if active}
    for notice in wanted:
        if notice.user_id not in people:
            continue
        email, pref = people[notice.user_id]
        if (notice.kind in REVIEW_KINDS and pref.reviews) or (
            pref.scoops is ScoopMail.each and notice.kind is NoticeKind.scoop_suggested
        ):
            mail_enqueue(
                session,
                kind=MailKind.notice,
                to=email,
                user_id=notice.user_id,
                notification_id=notice.id,
            )
        elif notice.kind is NoticeKind.scoop_suggested and pref.scoops is ScoopMail.hourly:
            due = next_hour(notice.created_at or utcnow())
            mail_enqueue(
                session,
                kind=MailKind.scoops,
                to=email,
                user_id=notice.user_id,
                dedupe_key=f"scoops:{notice.user_id}:{due:%Y%m%d%H}",
                due_at=due,
            )
