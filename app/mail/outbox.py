"""Writing to the outbox and claiming from it. Callers write in their own
transaction (a password reset's link and its message commit together) and
never commit here; the worker claims, sends, and records."""

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from app.db import utcnow
from app.mail.models import ERROR_MAX, SUBJECT_MAX, MailKind, MailOutbox, MailStatus

# Retries wait 1, 2, 4 … minutes, at most an hour; after this many attempts
# (about four hours of a server that will not take it) the message failed.
MAX_ATTEMPTS = 9
BACKOFF_CAP = timedelta(hours=1)
# A claim lasts this long: a worker that dies mid-batch frees its messages.
LEASE = timedelta(minutes=10)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def mail_enqueue(
    session: Session,
    *,
    kind: MailKind,
    to: str,
    subject: str = "",
    text: str = "",
    html: str = "",
    user_id: int | None = None,
    notification_id: int | None = None,
    dedupe_key: str | None = None,
    due_at: datetime | None = None,
) -> int | None:
    """Queue one message; its id, or None when `dedupe_key` is queued already
    (a second scoop of the same hour joins the first one's message)."""
    values = {
        "kind": kind,
        "to_address": to[:254],
        "subject": subject[:SUBJECT_MAX],
        "body_text": text,
        "body_html": html,
        "user_id": user_id,
        "notification_id": notification_id,
        "dedupe_key": dedupe_key,
        "due_at": due_at or utcnow(),
    }
    if dedupe_key is None:
        row = MailOutbox(**values)
        session.add(row)
        session.flush()
        return row.id
    dialect = session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(MailOutbox)
    now = utcnow()
    statement = (
        insert.values(**values, status=MailStatus.queued, attempts=0, last_error="", created_at=now)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(MailOutbox.id)
    )
    return session.execute(statement).scalar()


def mail_claim(
    session: Session, *, limit: int, ids: Sequence[int] | None = None, now: datetime | None = None
) -> list[int]:
    """Due messages nobody is sending, leased to the caller, oldest first. On
    PostgreSQL two workers never wait for each other: rows one is claiming
    are skipped by the other (FOR UPDATE SKIP LOCKED); on SQLite the write
    transaction lets one writer in at a time."""
    now = now or utcnow()
    due = sa.or_(
        sa.and_(MailOutbox.status == MailStatus.queued, MailOutbox.due_at <= now),
        sa.and_(MailOutbox.status == MailStatus.sending, MailOutbox.lease_until < now),
    )
    query = select(MailOutbox.id).where(due).order_by(MailOutbox.due_at, MailOutbox.id).limit(limit)
    if ids is not None:
        query = query.where(MailOutbox.id.in_(list(ids)))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claimed = list(session.exec(query))
    if claimed:
        session.execute(
            sa.update(MailOutbox)
            .where(MailOutbox.id.in_(claimed))
            .values(
                status=MailStatus.sending,
                lease_until=now + LEASE,
                attempts=MailOutbox.attempts + 1,
            )
        )
    return claimed


def mail_sent(session: Session, *, mail_id: int, subject: str, text: str, html: str) -> None:
    session.execute(
        sa.update(MailOutbox)
        .where(MailOutbox.id == mail_id)
        .values(
            status=MailStatus.sent,
            subject=subject[:SUBJECT_MAX],
            body_text=text,
            body_html=html,
            sent_at=utcnow(),
            lease_until=None,
            last_error="",
        )
    )


def mail_not_sent(session: Session, *, mail_id: int, attempts: int, error: str) -> MailStatus:
    """Queue it again after the backoff, or mark it failed after the last try."""
    status = MailStatus.failed if attempts >= MAX_ATTEMPTS else MailStatus.queued
    session.execute(
        sa.update(MailOutbox)
        .where(MailOutbox.id == mail_id)
        .values(
            status=status,
            last_error=error[:ERROR_MAX],
            due_at=utcnow() + backoff(attempts),
            lease_until=None,
        )
    )
    return status


def mail_dropped(session: Session, *, mail_id: int, reason: str) -> None:
    session.execute(
        sa.update(MailOutbox)
        .where(MailOutbox.id == mail_id)
        .values(status=MailStatus.dropped, last_error=reason[:ERROR_MAX], lease_until=None)
    )


def next_mail_due(session: Session) -> datetime | None:
    return session.exec(
        select(sa.func.min(MailOutbox.due_at)).where(MailOutbox.status == MailStatus.queued)
    ).first()
