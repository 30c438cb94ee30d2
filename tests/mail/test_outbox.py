"""The outbox: messages are queued in the transaction of their event and
delivered by the worker to a real SMTP server on 127.0.0.1, retried with
backoff when the server refuses or does not answer, sent once, and kept as
the record of what was sent or failed."""

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from app.auth.models import PasswordReset
from app.db import utcnow
from app.mail.models import MailKind, MailOutbox, MailStatus
from app.mail.outbox import MAX_ATTEMPTS, backoff, mail_enqueue
from app.mailings.worker import deliver
from tests.support.smtp import SilentServer


def _rows(db) -> list[MailOutbox]:
    db.expire_all()
    return list(db.exec(select(MailOutbox).order_by(MailOutbox.id)))


def _make_due(db) -> None:
    db.execute(sa.update(MailOutbox).values(due_at=utcnow() - timedelta(seconds=1)))
    db.commit()


def _queue_test_message(db, to="ada@example.org") -> int:
    mail_id = mail_enqueue(
        db,
        kind=MailKind.test,
        to=to,
        subject="Hello",
        text="Plain words, https://gf.example.org/x",
        html="<p>Rich <a href='https://gf.example.org/x'>words</a></p>",
    )
    db.commit()
    return mail_id


def test_a_reset_link_is_queued_with_its_token_and_sent_by_the_worker(client, db, user, smtp):
    r = client.submit("/forgot", {"email": user.email})
    assert r.status_code == 200
    assert smtp.inbox.messages == [], "a web request never sends"
    [row] = _rows(db)
    assert (row.status, row.kind, row.to_address) == (MailStatus.queued, "account", user.email)
    assert db.exec(select(sa.func.count()).select_from(PasswordReset)).one() == 1

    done = smtp.deliver()
    assert done.sent == 1
    [(to, message)] = smtp.inbox.messages
    assert to == [user.email]
    assert message["Subject"] == "Reset your Goldfish password"
    assert message["From"] == "Goldfish <goldfish@localhost>"
    assert message["Message-ID"].endswith("@gf.example.org>")
    assert message["Date"]
    assert "https://gf.example.org/reset/" in message.get_body(("plain",)).get_content()
    [row] = _rows(db)
    assert row.status is MailStatus.sent and row.attempts == 1 and row.sent_at is not None
    assert smtp.deliver().handled == 0, "sent once"
    assert len(smtp.inbox.messages) == 1


def test_a_failed_reset_request_queues_nothing(client, db, user, smtp):
    client.submit("/forgot", {"email": "nobody@example.org"})
    assert _rows(db) == []


def test_a_message_has_a_plain_and_an_html_part(db, app, smtp):
    _queue_test_message(db)
    smtp.deliver()
    [message] = smtp.inbox.received
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_body(("plain",)).get_content().startswith("Plain words")
    assert "<a href='https://gf.example.org/x'>" in message.get_body(("html",)).get_content()


def test_a_refusing_server_leaves_the_message_queued_then_it_is_sent_once(db, app, smtp):
    mail_id = _queue_test_message(db)
    smtp.inbox.refuse = "451 4.3.0 Try again later"
    done = smtp.deliver()
    assert (done.sent, done.retried) == (0, 1)
    [row] = _rows(db)
    assert row.status is MailStatus.queued and row.attempts == 1
    assert row.last_error == "The server answered 451: 4.3.0 Try again later"
    assert row.due_at > utcnow() + timedelta(seconds=50), "retried after a minute"
    smtp.inbox.refuse = ""
    assert smtp.deliver().handled == 0, "not before its backoff"
    _make_due(db)
    assert smtp.deliver().sent == 1
    assert len(smtp.inbox.messages) == 1
    [row] = _rows(db)
    assert (row.status, row.attempts, row.last_error) == (MailStatus.sent, 2, "")
    assert smtp.inbox.received[0]["Message-ID"].startswith(f"<goldfish.{mail_id}.")


def test_a_server_that_never_answers_times_out_and_the_retry_sends_once(db, app, smtp):
    _queue_test_message(db)
    _queue_test_message(db, to="grace@example.org")
    good_url = app.state.settings.smtp_url
    with SilentServer() as silent:
        app.state.settings.smtp_url = silent.url
        app.state.settings.smtp_timeout_seconds = 0.5
        done = smtp.deliver()
    assert done.retried == 2, "the rest of the batch waits too, without a timeout each"
    rows = _rows(db)
    assert [r.status for r in rows] == [MailStatus.queued] * 2
    assert rows[0].last_error == "The mail server did not answer in time"
    app.state.settings.smtp_url = good_url
    _make_due(db)
    assert smtp.deliver().sent == 2
    assert sorted(to for [to], _ in smtp.inbox.messages) == ["ada@example.org", "grace@example.org"]
    assert smtp.deliver().handled == 0


def test_backoff_doubles_from_a_minute_up_to_an_hour():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(20) == timedelta(hours=1)


def test_after_the_last_attempt_the_message_is_failed_with_the_reason(db, app, smtp):
    _queue_test_message(db)
    smtp.inbox.refuse = "550 5.1.1 No such user"
    for _ in range(MAX_ATTEMPTS):
        _make_due(db)
        smtp.deliver()
    [row] = _rows(db)
    assert (row.status, row.attempts) == (MailStatus.failed, MAX_ATTEMPTS)
    assert row.last_error == "The server answered 550: 5.1.1 No such user"
    _make_due(db)
    assert smtp.deliver().handled == 0, "a failed message is not tried again"


def test_without_a_mail_server_nothing_is_delivered(db, app):
    _queue_test_message(db)
    assert deliver(app.state.database, app.state.settings).handled == 0
    assert _rows(db)[0].status is MailStatus.queued
