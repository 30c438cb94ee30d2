"""Delivering the outbox: claim a batch, compose each message, send it over
one SMTP connection, record each outcome at once. Three kinds of short
transaction, none held while the server is talked to."""

import logging
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlmodel import Session

from app.config import Settings
from app.db import Database
from app.mail import outbox
from app.mail.models import MailKind, MailOutbox, MailStatus
from app.mail.smtp import Letter, as_message, connect, error_in_words, mail_configured

log = logging.getLogger(__name__)

BATCH = 50

# What the feature above composes for a notice, the scoops of an hour, a
# digest: the letter, or why there is nothing to send (said in the record).
Composer = Callable[[Session, MailOutbox, Settings], Letter | str]


def message_id(settings: Settings, row: MailOutbox) -> str:
    """The same for every attempt at this message."""
    host = urlsplit(settings.public_url).hostname or "localhost"
    return f"<goldfish.{row.id}.{row.created_at:%Y%m%d%H%M%S}@{host}>"


def stored_letter(_session: Session, row: MailOutbox, _settings: Settings) -> Letter | str:
    """Account mail and tests were composed when they were queued."""
    return Letter(to=row.to_address, subject=row.subject, text=row.body_text, html=row.body_html)


@dataclass
class Delivered:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0
    last_error: str = ""
    unreachable: bool = False

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.dropped


def deliver_due(
    database: Database,
    settings: Settings,
    *,
    composers: dict[MailKind, Composer] | None = None,
    ids: Sequence[int] | None = None,
    limit: int = BATCH,
) -> Delivered:
    """Send up to `limit` due messages (only `ids`, if given)."""
    done = Delivered()
    if not mail_configured(settings):
        return done
    with database.session(write=True) as session:
        claimed = outbox.mail_claim(session, limit=limit, ids=ids)
        session.commit()
    client: smtplib.SMTP | None = None
    try:
        for mail_id in claimed:
            client = _deliver_one(database, settings, composers or {}, mail_id, client, done)
            if done.unreachable:
                break
        # A server that cannot be reached now will not be for the rest of
        # the batch either: they wait their backoff rather than a timeout each.
        for mail_id in claimed[done.handled :]:
            _record(
                database,
                done,
                mail_id,
                attempts=_attempts(database, mail_id),
                error=done.last_error,
            )
    finally:
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()
    return done


def _deliver_one(database, settings, composers, mail_id, client, done: Delivered):
    with database.session() as session:
        row = session.get(MailOutbox, mail_id)
        compose = composers.get(row.kind, stored_letter)
        try:
            letter = compose(session, row, settings)
        except Exception:
            log.exception("composing mail %s failed", mail_id)
            letter = "Composing the message failed (logged for the administrator)."
        attempts, msgid = row.attempts, message_id(settings, row)
        session.rollback()
    if isinstance(letter, str):
        _record(database, done, mail_id, dropped=letter)
        return client
    letter = Letter(**{**letter.__dict__, "message_id": msgid})
    if client is None:
        try:
            client = connect(settings)
        except (smtplib.SMTPException, OSError) as exc:
            done.unreachable = True
            _record(database, done, mail_id, attempts=attempts, error=error_in_words(exc))
            return None
    try:
        client.send_message(as_message(settings, letter))
    except (smtplib.SMTPException, OSError) as exc:
        client.close()
        _record(database, done, mail_id, attempts=attempts, error=error_in_words(exc))
        return None
    _record(database, done, mail_id, letter=letter)
    return client


def _attempts(database: Database, mail_id: int) -> int:
    with database.session() as session:
        return session.get(MailOutbox, mail_id).attempts


def _record(
    database, done: Delivered, mail_id: int, *, letter=None, attempts=0, error="", dropped=""
):
    with database.session(write=True) as session:
        if letter is not None:
            outbox.mail_sent(
                session, mail_id=mail_id, subject=letter.subject, text=letter.text, html=letter.html
            )
            done.sent += 1
        elif dropped:
            outbox.mail_dropped(session, mail_id=mail_id, reason=dropped)
            done.dropped += 1
        else:
            status = outbox.mail_not_sent(session, mail_id=mail_id, attempts=attempts, error=error)
            done.last_error = error
            if status is MailStatus.failed:
                done.failed += 1
            else:
                done.retried += 1
            log.warning("mail %s not sent (attempt %s): %s", mail_id, attempts, error)
        session.commit()
