"""Sign-up is limited per address, and with mail it answers the same whether
or not the email has an account: the inbox tells the truth."""

from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from app.auth.models import User
from app.auth.routes import SIGNUP_PER_IP_HOUR
from app.mailings.worker import deliver
from bench.server import free_port
from tests import factories
from tests.helpers import count, soup


def _signup(client, email: str, name: str = "Grace"):
    return client.submit(
        "/signup", {"email": email, "display_name": name, "password": factories.PASSWORD}
    )


def test_signup_is_rate_limited_per_address(client, db, user):
    statuses = []
    for n in range(SIGNUP_PER_IP_HOUR + 1):
        client.cookies.clear()
        statuses.append(_signup(client, f"person{n}@example.org").status_code)
    assert statuses[:-1] == [303] * SIGNUP_PER_IP_HOUR
    assert statuses[-1] == 429
    assert count(db, User) == SIGNUP_PER_IP_HOUR + 1  # Ada and the ten


class _Inbox:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos[0], message["Subject"], message.get_content()))
        return "250 OK"


@pytest.fixture
def smtp(app):
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.state.settings.smtp_url = f"smtp://127.0.0.1:{controller.port}"
    app.state.settings.base_url = "https://gf.example.org"

    # What `goldfish worker` would have sent by the time the inbox is read.
    def delivered():
        deliver(app.state.database, app.state.settings)
        return inbox.messages

    inbox.deliver = delivered
    yield inbox
    controller.stop()


def _answer(response) -> str:
    text = soup(response).select_one("[role=status]").get_text(" ", strip=True)
    return text.split(" to ", 1)[0]


def test_with_mail_a_taken_email_gets_the_same_answer(client, db, user, smtp):
    taken = _signup(client, user.email)
    client.cookies.clear()
    free = _signup(client, "grace@example.org")
    assert taken.status_code == free.status_code == 200
    assert _answer(taken) == _answer(free)
    assert "exists" not in taken.text
    assert count(db, User) == 1, "no account until the link is opened"
    by_address = {to: (subject, body) for to, subject, body in smtp.deliver()}
    assert "already have" in by_address[user.email][0]
    assert "/forgot" in by_address[user.email][1]
    assert "/signup/confirm/" in by_address["grace@example.org"][1]


def test_the_mailed_link_creates_the_account_once(client, db, user, smtp):
    _signup(client, "grace@example.org")
    [(_, _, body)] = smtp.deliver()
    link = next(w for w in body.split() if "/signup/confirm/" in w)
    path = link.removeprefix("https://gf.example.org")
    client.cookies.clear()
    r = client.get(path)
    assert r.status_code == 303
    grace = db.exec(select(User).where(User.email == "grace@example.org")).one()
    assert grace.display_name == "Grace"
    assert client.get("/").status_code == 200, "logged in"
    client.cookies.clear()
    again = client.get(path)
    assert again.status_code == 400 and "not valid here" in again.text
