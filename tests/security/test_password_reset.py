"""Changing a password, and resetting a forgotten one: by a link the command
line prints, or one mailed through a real SMTP server on 127.0.0.1."""

import os
import subprocess
import sys
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from sqlmodel import select

from app.auth.models import PasswordReset, User, UserSession
from app.auth.password_routes import RESET_COOKIE
from app.auth.passwords import verify_password
from app.auth.service import reset_create, session_create, token_digest
from app.config import ROOT
from app.db import utcnow
from app.mailings.worker import deliver
from bench.server import free_port
from tests import factories
from tests.helpers import soup

NEW = "violet tram ledger 42"


def _error(response, field: str) -> str:
    node = soup(response).select_one(f"#e-{field}")
    return node.get_text(" ", strip=True) if node else ""


def _password_is(db, user, password: str) -> bool:
    db.expire_all()
    stored = db.exec(select(User.password_hash).where(User.id == user.id)).one()
    return verify_password(password, stored)[0]


def _live_sessions(db, user) -> int:
    return db.exec(
        select(sa.func.count())
        .select_from(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    ).one()


# ---------------------------------------------------------------- change


def test_changing_the_password_needs_the_current_one(logged_in, db, user):
    r = logged_in.submit(
        "/account/password", {"current_password": "not it at all", "new_password": NEW}
    )
    assert r.status_code == 422
    assert "not your current password" in _error(r, "current_password")
    assert _password_is(db, user, factories.PASSWORD)


def test_a_weak_new_password_is_refused_beside_its_field(logged_in, db, user):
    r = logged_in.submit(
        "/account/password",
        {"current_password": factories.PASSWORD, "new_password": "123456789012"},
    )
    assert r.status_code == 422
    assert "commonly used password" in _error(r, "new_password")
    assert _password_is(db, user, factories.PASSWORD)


def test_a_password_change_logs_out_every_other_browser(logged_in, db, user):
    other = session_create(db, user=user)  # another browser
    db.commit()
    r = logged_in.submit(
        "/account/password", {"current_password": factories.PASSWORD, "new_password": NEW}
    )
    assert r.status_code == 303
    assert _password_is(db, user, NEW)
    assert _live_sessions(db, user) == 1, "only this browser stays logged in"
    db.expire_all()
    assert db.get(UserSession, other.record_id).revoked_at is not None
    page = logged_in.get(r.headers["location"])
    assert page.status_code == 200
    assert "Password changed" in page.text


# ---------------------------------------------------------------- reset by CLI link


def _cli(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_prints_a_one_time_link_kept_hashed(new_database_url):
    url = new_database_url("cli")
    env = {**os.environ, "DATABASE_URL": url, "GOLDFISH_ENV": "test"}
    env |= {"GOLDFISH_SECRET_KEY": "c" * 48, "GOLDFISH_BASE_URL": "https://gf.example.org"}
    assert _cli(env, "migrate").returncode == 0
    created = _cli(env, "create-user", "ada@example.org", "--password", factories.PASSWORD)
    assert created.returncode == 0, created.stderr
    run = _cli(env, "reset-password", "ada@example.org")
    assert run.returncode == 0, run.stderr
    link = run.stdout.strip()
    assert link.startswith("https://gf.example.org/reset/")
    token = link.rsplit("/", 1)[1]
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        hashes = conn.execute(sa.text("SELECT token_hash FROM password_reset")).scalars().all()
    engine.dispose()
    assert hashes == [token_digest(token)]
    assert _cli(env, "reset-password", "nobody@example.org").returncode == 1


def _land(client, raw: str):
    r = client.get(f"/reset/{raw}")
    assert r.status_code == 303 and r.headers["location"] == "/reset"
    return r


def test_the_link_sets_a_new_password_once_and_logs_in(client, db, user):
    other = session_create(db, user=user)
    raw = reset_create(db, user=user)
    db.commit()
    _land(client, raw)
    assert RESET_COOKIE in client.cookies
    form = client.get("/reset")
    assert form.status_code == 200 and soup(form).select_one("input[name=password]")
    weak = client.submit("/reset", {"password": "qwertyuiopas"})
    assert weak.status_code == 422 and "commonly used password" in _error(weak, "password")
    assert _password_is(db, user, factories.PASSWORD)
    done = client.submit("/reset", {"password": NEW})
    assert done.status_code == 303
    assert _password_is(db, user, NEW)
    db.expire_all()
    assert db.get(UserSession, other.record_id).revoked_at is not None
    assert client.get("/").status_code == 200, "logged in with the new password"
    # Single use.
    _land(client, raw)
    again = client.get("/reset")
    assert again.status_code == 400 and "not valid here" in again.text


def test_an_expired_or_replaced_link_is_refused_in_the_same_words(client, db, user):
    old = reset_create(db, user=user)
    newer = reset_create(db, user=user)
    db.commit()
    _land(client, old)
    replaced = client.submit("/reset", {"password": NEW})
    db.execute(sa.update(PasswordReset).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.commit()
    _land(client, newer)
    expired = client.submit("/reset", {"password": NEW})
    _land(client, "made-up-token")
    unknown = client.get("/reset")
    assert replaced.status_code == expired.status_code == unknown.status_code == 400
    assert all("not valid here" in r.text for r in (replaced, expired, unknown))
    assert _password_is(db, user, factories.PASSWORD)


# ---------------------------------------------------------------- reset by mail


class _Inbox:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"


@pytest.fixture
def smtp(app):
    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.state.settings.smtp_url = f"smtp://127.0.0.1:{port}"
    app.state.settings.base_url = "https://gf.example.org"

    # What `goldfish worker` would have sent by the time the inbox is read.
    def delivered():
        deliver(app.state.database, app.state.settings)
        return inbox.messages

    inbox.deliver = delivered
    yield inbox
    controller.stop()


def test_forgot_password_mails_a_link_that_works(client, db, user, smtp):
    r = client.submit("/forgot", {"email": "ADA@example.org"})
    assert r.status_code == 200
    assert "If an account exists" in r.text
    [(to, message)] = smtp.deliver()
    assert to == [user.email]
    body = message.get_content()
    link = next(w for w in body.split() if w.startswith("https://gf.example.org/reset/"))
    _land(client, link.rsplit("/", 1)[1])
    assert client.submit("/reset", {"password": NEW}).status_code == 303
    assert _password_is(db, user, NEW)


def test_forgot_password_answers_the_same_for_an_unknown_email(client, db, user, smtp):
    known = client.submit("/forgot", {"email": user.email})
    unknown = client.submit("/forgot", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200

    def notice(r):
        return soup(r).select_one("[role=status]").get_text(" ", strip=True).split(" for ")[0]

    assert notice(known) == notice(unknown)
    assert len(smtp.deliver()) == 1


def test_without_a_mail_server_the_page_says_whom_to_ask(client):
    page = client.get("/forgot")
    assert "goldfish reset-password" in page.text
    assert not soup(page).select_one("form[action='/forgot']")


def test_asking_for_links_is_rate_limited(client, db, user, smtp):
    for _ in range(3):
        client.submit("/forgot", {"email": user.email})
    client.submit("/forgot", {"email": user.email})
    assert len(smtp.deliver()) == 3, "one inbox gets at most 3 links an hour"
    statuses = [client.submit("/forgot", {"email": "x@example.org"}).status_code for _ in range(8)]
    assert statuses[-1] == 429
