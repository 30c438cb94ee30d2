"""The weekly digest by e-mail: `goldfish worker` queues each digest that
fell due (one per person and local day, whatever the number of workers) and
moves the person's next one on a week, at the same hour on their wall clock.
What it says is composed when it is sent (app/mailings/compose.py), from the
digest page's own data: the reader's week, nobody else's pace."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from app.auth.models import User
from app.db import utcnow
from app.mail.models import MailKind, MailPreference
from app.mail.outbox import mail_enqueue
from app.mail.preferences import next_digest_at

BATCH = 200


def digest_week(due_at: datetime, zone: str) -> date:
    """The Monday of the week a digest sent at `due_at` tells of: the week of
    the day before it, in the reader's zone (a Monday-morning digest tells of
    the week just ended; a Friday one, of this week so far)."""
    day = due_at.astimezone(ZoneInfo(zone)).date() - timedelta(days=1)
    return day - timedelta(days=day.weekday())


def digests_queue_due(session: Session, *, now: datetime | None = None, limit: int = BATCH) -> int:
    """Queue the digests due by `now`; how many people were due. On
    PostgreSQL two workers never take the same person (FOR UPDATE SKIP
    LOCKED); the outbox's dedupe key makes a second queueing a no-op anyway."""
    now = now or utcnow()
    query = (
        select(MailPreference, User)
        .join(User, User.id == MailPreference.user_id)
        .where(MailPreference.digest, MailPreference.digest_next_at <= now)
        .order_by(MailPreference.digest_next_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=MailPreference)
    due = session.exec(query).all()
    for pref, user in due:
        moment = pref.digest_next_at
        if user.is_active:
            local_day = moment.astimezone(ZoneInfo(user.timezone)).date()
            mail_enqueue(
                session,
                kind=MailKind.digest,
                to=user.email,
                user_id=user.id,
                dedupe_key=f"digest:{user.id}:{local_day.isoformat()}",
                due_at=moment,
            )
        # A worker that was down for weeks sends one digest, not one a week missed.
        pref.digest_next_at = next_digest_at(
            weekday=pref.digest_weekday,
            hour=pref.digest_hour,
            zone=user.timezone,
            after=max(now, moment),
        )
        session.add(pref)
    session.flush()
    return len(due)
