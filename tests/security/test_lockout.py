"""Guessing is slowed per account and stopped per address, but nobody can
use it to keep the owner of an account out."""

from datetime import timedelta

import sqlalchemy as sa

from app.auth.deps import DEVICE_COOKIE, SESSION_COOKIE
from app.auth.models import LoginAttempt
from app.db import utcnow
from tests import factories


def _login(client, email: str, password: str):
    return client.submit("/login", {"email": email, "password": password})


def _age_failures(db, seconds: float) -> None:
    """Let `seconds` pass for every failure on record."""
    for attempt in db.exec(sa.select(LoginAttempt)).scalars():
        attempt.attempted_at -= timedelta(seconds=seconds)
    db.commit()


def test_the_delay_doubles_and_is_capped(client, db, user, app):
    settings = app.state.settings
    for _ in range(settings.login_free_failures):
        assert _login(client, user.email, "guess guess").status_code == 401
    waits = []
    for _ in range(9):
        r = _login(client, user.email, "guess guess")
        if r.status_code == 429:
            waits.append(int(r.headers["retry-after"]))
            _age_failures(db, waits[-1])  # the wait passes
            assert _login(client, user.email, "guess guess").status_code == 401
    assert waits[:4] == [1, 2, 4, 8]
    assert max(waits) <= settings.login_max_delay_seconds
    assert waits == sorted(waits), "each wrong guess makes the next wait longer"


def test_after_the_wait_the_right_password_still_works(client, db, user, app):
    """Under attack, the owner waits at most the cap, never the whole window."""
    for _ in range(app.state.settings.login_free_failures + 12):
        _age_failures(db, 60)  # the attacker sits out every wait
        assert _login(client, user.email, "guess guess").status_code == 401
    r = _login(client, user.email, factories.PASSWORD)
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) <= app.state.settings.login_max_delay_seconds
    _age_failures(db, int(r.headers["retry-after"]))
    assert _login(client, user.email, factories.PASSWORD).status_code == 303


def test_a_browser_that_logged_in_before_skips_the_accounts_wait(client, db, user, app):
    assert _login(client, user.email, factories.PASSWORD).status_code == 303
    device = client.cookies[DEVICE_COOKIE]
    client.post("/logout", headers={"x-csrftoken": client.csrf()})
    client.cookies.clear()
    for _ in range(app.state.settings.login_free_failures + 3):
        _login(client, user.email, "guess guess")  # someone else, guessing
    assert _login(client, user.email, factories.PASSWORD).status_code == 429
    client.cookies.clear()
    client.cookies.set(DEVICE_COOKIE, device)
    r = _login(client, user.email, factories.PASSWORD)
    assert r.status_code == 303
    assert SESSION_COOKIE in client.cookies


def test_a_device_cookie_of_another_account_or_forged_does_not_help(
    client, db, user, other_user, app
):
    assert _login(client, other_user.email, factories.PASSWORD).status_code == 303
    theirs = client.cookies[DEVICE_COOKIE]
    client.cookies.clear()
    for _ in range(app.state.settings.login_free_failures + 3):
        _login(client, user.email, "guess guess")
    for cookie in (theirs, theirs[:-2] + "xx"):
        client.cookies.clear()
        client.cookies.set(DEVICE_COOKIE, cookie)
        assert _login(client, user.email, factories.PASSWORD).status_code == 429


def test_one_address_trying_many_accounts_is_stopped(client, db, app):
    limit = app.state.settings.login_ip_max_failures
    for n in range(limit):
        assert _login(client, f"nobody{n}@example.org", "guess guess").status_code == 401
    r = _login(client, "someone-else@example.org", "guess guess")
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 60
    db.execute(sa.update(LoginAttempt).values(attempted_at=utcnow() - timedelta(hours=1)))
    db.commit()
    assert _login(client, "someone-else@example.org", "guess guess").status_code == 401
