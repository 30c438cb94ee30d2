"""Sessions and tokens end: tokens may expire, making one asks for the
password, and logging out everywhere can take the tokens along."""

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from app.auth.models import ApiToken
from app.config import Settings
from app.db import utcnow
from tests import factories
from tests.helpers import count, soup


def _create(client, **form):
    return client.submit("/account/tokens", {"name": "bot", "expires_days": "90", **form})


def test_creating_a_token_asks_for_the_password_again(logged_in, db):
    for password in ("", "not my password"):
        r = _create(logged_in, password=password)
        assert r.status_code == 422
        assert "not your current password" in soup(r).select_one("#e-password").get_text()
        assert soup(r).select_one("input[name=name]")["value"] == "bot", "what was typed is kept"
    assert count(db, ApiToken) == 0


def test_a_token_expires_on_its_date(logged_in, db):
    r = _create(logged_in, password=factories.PASSWORD, expires_days="30")
    raw = soup(r).select_one("#new-token").get_text(strip=True)
    token = db.exec(select(ApiToken)).one()
    assert timedelta(days=29) < token.expires_at - utcnow() <= timedelta(days=30)
    bearer = {"Authorization": f"Bearer {raw}"}
    assert logged_in.get("/api/v1/projects", headers=bearer).status_code == 200
    db.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    assert logged_in.get("/api/v1/projects", headers=bearer).status_code == 401


def test_a_token_may_last_until_revoked(logged_in, db):
    assert _create(logged_in, password=factories.PASSWORD, expires_days="never").status_code == 201
    assert db.exec(select(ApiToken)).one().expires_at is None


def test_log_out_everywhere_can_revoke_the_tokens_too(client, db, user):
    kept = factories.make_token(db, user)
    factories.log_in(client, db, user)
    client.submit("/account/sessions/revoke")
    assert (
        client.get("/api/v1/projects", headers={"Authorization": f"Bearer {kept}"}).status_code
        == 200
    )
    factories.log_in(client, db, user)
    client.submit("/account/sessions/revoke", {"tokens": "revoke"})
    r = client.get("/api/v1/projects", headers={"Authorization": f"Bearer {kept}"})
    assert r.status_code == 401
    assert client.get("/account").status_code == 303, "logged out here too"


def test_sessions_default_to_a_week_idle_and_a_month_in_all():
    settings = Settings(env="test", secret_key="t" * 48)
    assert (settings.session_idle_days, settings.session_max_days) == (7, 30)
