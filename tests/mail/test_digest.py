"""The weekly digest by e-mail: queued by the worker when it falls due at
the reader's local day and hour, once per person whatever the number of
workers, composed from the digest page's data when sent (the reader's week,
nobody else's pace), with the one-click unsubscribe."""

from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import select

from app.db import utcnow
from app.mail.models import MailKind, MailOutbox, MailPreference, MailStatus, ScoopMail
from app.mail.preferences import preference_save
from app.mailings.compose import UNSUBSCRIBED
from app.mailings.digests import digest_week, digests_queue_due
from app.mailings.worker import queue_digests
from tests import factories


def _digest_on(db, user, *, weekday=0, hour=8):
    preference_save(
        db,
        user_id=user.id,
        zone=user.timezone,
        scoops=ScoopMail.off,
        reviews=False,
        digest=True,
        digest_weekday=weekday,
        digest_hour=hour,
    )
    db.commit()


def _due_now(db, user):
    db.execute(
        sa.update(MailPreference)
        .where(MailPreference.user_id == user.id)
        .values(digest_next_at=utcnow())
    )
    db.commit()


def _outbox(db):
    db.expire_all()
    return list(db.exec(select(MailOutbox).order_by(MailOutbox.id)))


def test_a_due_digest_is_mailed_with_the_readers_own_week(db, app, smtp, user, other_user):
    team = factories.make_team(db, other_user)  # Grace manages; Ada asks her for a review
    factories.add_member(db, team, user)
    project = factories.make_project(db, user, "Sparse attention", team_id=team.id)
    factories.make_request(db, project, user, other_user)
    factories.make_entry(db, other_user, body="Grace's private notes", hours="9.5")
    _digest_on(db, other_user)
    _due_now(db, other_user)

    assert queue_digests(app.state.database, app.state.settings) == 1
    [row] = _outbox(db)
    assert (row.kind, row.to_address) == (MailKind.digest, other_user.email)
    assert smtp.deliver().sent == 1
    [message] = smtp.inbox.received
    assert message["Subject"].startswith("Your Goldfish week: ")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Sparse attention, plan version 1" in part  # waiting for her review
        assert "https://gf.example.org/reviews/" in part
        assert "https://gf.example.org/digest?week=" in part
    assert "1 journal entry" in text  # her own week
    assert "Grace's private notes" not in text + html  # counts, never the entry itself


def test_no_one_elses_pace_is_in_the_digest(db, app, smtp, user, other_user):
    team = factories.make_team(db, other_user)
    factories.add_member(db, team, user)
    for _ in range(3):
        factories.make_entry(db, user, body="Ada's long night", hours=Decimal("4"))
    _digest_on(db, other_user)
    _due_now(db, other_user)
    queue_digests(app.state.database, app.state.settings)
    smtp.deliver()
    [message] = smtp.inbox.received
    text = message.get_body(("plain",)).get_content()
    assert "0 journal entries" in text and "Ada" not in text


def test_two_workers_queue_one_digest_and_the_next_is_a_week_on(db, app, smtp, user):
    user.timezone = "Europe/Berlin"
    db.add(user)
    db.commit()
    _digest_on(db, user, weekday=0, hour=8)
    # Monday 30 March 2026, 08:00 in Berlin (CEST, the day after the change) is 06:00 UTC.
    due = datetime(2026, 3, 30, 6, tzinfo=UTC)
    db.execute(sa.update(MailPreference).values(digest_next_at=due))
    db.commit()
    assert digests_queue_due(db, now=due) == 1
    db.commit()
    # A second worker that read the row before the first moved it on.
    db.execute(sa.update(MailPreference).values(digest_next_at=due))
    db.commit()
    digests_queue_due(db, now=due)
    db.commit()
    rows = _outbox(db)
    assert len(rows) == 1 and rows[0].dedupe_key == f"digest:{user.id}:2026-03-30"
    db.expire_all()
    assert db.get(MailPreference, user.id).digest_next_at == datetime(2026, 4, 6, 6, tzinfo=UTC)
    # The digest of Monday 30 March tells of the week of 23 March.
    assert digest_week(due, "Europe/Berlin").isoformat() == "2026-03-23"


def test_a_digest_before_the_change_goes_out_at_the_same_local_hour(db, app, smtp, user):
    user.timezone = "Europe/Berlin"
    db.add(user)
    db.commit()
    _digest_on(db, user, weekday=0, hour=8)
    due = datetime(2026, 3, 23, 7, tzinfo=UTC)  # 08:00 CET
    db.execute(sa.update(MailPreference).values(digest_next_at=due))
    db.commit()
    digests_queue_due(db, now=due)
    db.commit()
    db.expire_all()
    assert db.get(MailPreference, user.id).digest_next_at == datetime(2026, 3, 30, 6, tzinfo=UTC)


def test_a_digest_not_yet_due_waits(db, app, smtp, user):
    _digest_on(db, user)
    assert queue_digests(app.state.database, app.state.settings) == 0
    assert _outbox(db) == []


def test_turning_the_digest_off_after_it_was_queued_sends_nothing(db, app, smtp, user):
    _digest_on(db, user)
    _due_now(db, user)
    queue_digests(app.state.database, app.state.settings)
    preference_save(
        db,
        user_id=user.id,
        zone=user.timezone,
        scoops=ScoopMail.off,
        reviews=False,
        digest=False,
        digest_weekday=0,
        digest_hour=8,
    )
    db.commit()
    done = smtp.deliver()
    assert (done.sent, done.dropped) == (0, 1)
    [row] = _outbox(db)
    assert (row.status, row.last_error) == (MailStatus.dropped, UNSUBSCRIBED)


def test_without_a_mail_server_no_digest_is_queued(db, app, user):
    _digest_on(db, user)
    _due_now(db, user)
    assert app.state.settings.smtp_url in (None, "")
    assert queue_digests(app.state.database, app.state.settings) == 0
    assert _outbox(db) == []
