"""Sign-up, log-in, sessions, rate limiting, CSRF and API tokens."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.auth.deps import SESSION_COOKIE
from app.auth.models import ApiToken, LoginAttempt, User, UserSession
from app.db import utcnow
from app.security import CSRF_COOKIE
from tests import factories
from tests.helpers import soup


def _error_beside(response, field: str) -> str:
    node = soup(response).select_one(f"#e-{field}")
    return node.get_text(strip=True) if node else ""


def test_empty_instance_offers_to_create_the_first_account(client):
    r = client.get("/")
    assert r.status_code == 303 and r.headers["location"] == "/signup"
    page = client.get("/signup")
    assert "no accounts yet" in page.text


def test_signup_creates_account_logs_in_and_hashes_with_argon2(client, db):
    r = client.submit(
        "/signup",
        {"email": "Ada@Example.org ", "display_name": "Ada", "password": "a long enough pw"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/"
    user = db.exec(select(User)).one()
    assert user.email == "ada@example.org"
    assert user.password_hash.startswith("$argon2id$")
    assert "a long enough pw" not in user.password_hash
    assert client.get("/").status_code == 200


def test_session_cookie_is_httponly_secure_samesite(client):
    r = client.submit(
        "/signup", {"email": "a@example.org", "display_name": "A", "password": factories.PASSWORD}
    )
    cookie = next(
        v for k, v in r.headers.multi_items() if k == "set-cookie" and SESSION_COOKIE in v
    )
    lowered = cookie.lower()
    assert "httponly" in lowered and "secure" in lowered and "samesite=lax" in lowered
    assert "path=/" in lowered and "domain" not in lowered


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (
            {"email": "not-an-email", "display_name": "A", "password": factories.PASSWORD},
            "email",
            "valid email",
        ),
        (
            {"email": "a@example.org", "display_name": "", "password": factories.PASSWORD},
            "display_name",
            "required",
        ),
        (
            {"email": "a@example.org", "display_name": "A", "password": "short"},
            "password",
            "at least 12",
        ),
        (
            # eleven characters, random enough, still too short
            {"email": "a@example.org", "display_name": "A", "password": "Qz8!vkP2#mL"},
            "password",
            "at least 12",
        ),
        (
            {"email": "a@example.org", "display_name": "A" * 101, "password": factories.PASSWORD},
            "display_name",
            "at most",
        ),
    ],
)
def test_signup_errors_show_beside_the_field_and_save_nothing(client, db, form, field, message):
    r = client.submit("/signup", form)
    assert r.status_code == 422
    assert message in _error_beside(r, field).lower()
    assert db.exec(select(sa.func.count()).select_from(User)).one() == 0


def test_signup_with_taken_email_is_refused(client, db, user):
    r = client.submit(
        "/signup", {"email": user.email, "display_name": "B", "password": factories.PASSWORD}
    )
    assert r.status_code == 422
    assert "exists" in _error_beside(r, "email")


def test_closed_signup_refuses_new_accounts_but_not_the_first(client, app, db):
    app.state.settings.signup_open = False
    r = client.submit(
        "/signup",
        {"email": "first@example.org", "display_name": "F", "password": factories.PASSWORD},
    )
    assert r.status_code == 303, "the first account can always be created"
    client.cookies.clear()
    r = client.submit(
        "/signup",
        {"email": "second@example.org", "display_name": "S", "password": factories.PASSWORD},
    )
    assert r.status_code == 403
    assert "closed" in r.text
    assert db.exec(select(sa.func.count()).select_from(User)).one() == 1


def test_login_with_right_password_starts_a_session(client, user):
    r = client.submit(
        "/login", {"email": "ADA@example.org", "password": factories.PASSWORD, "next": "/account"}
    )
    assert r.status_code == 303 and r.headers["location"] == "/account"
    assert client.get("/account").status_code == 200


def test_login_never_redirects_off_site(client, user):
    r = client.submit(
        "/login", {"email": user.email, "password": factories.PASSWORD, "next": "//evil.example/"}
    )
    assert r.headers["location"] == "/"


def test_wrong_password_and_unknown_email_read_the_same(client, user):
    wrong = client.submit("/login", {"email": user.email, "password": "not the password"})
    unknown = client.submit(
        "/login", {"email": "nobody@example.org", "password": "not the password"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert "do not match" in wrong.text and "do not match" in unknown.text
    assert SESSION_COOKIE not in client.cookies


def test_login_is_rate_limited_before_the_password_is_checked(client, db, user, app):
    free = app.state.settings.login_free_failures
    for _ in range(free + 1):
        assert (
            client.submit("/login", {"email": user.email, "password": "guess guess"}).status_code
            == 401
        )
    r = client.submit("/login", {"email": user.email, "password": factories.PASSWORD})
    assert r.status_code == 429
    assert "Too many failed attempts" in r.text
    assert 0 < int(r.headers["retry-after"]) <= app.state.settings.login_max_delay_seconds
    assert SESSION_COOKIE not in client.cookies
    # Old failures age out of the window.
    db.execute(sa.update(LoginAttempt).values(attempted_at=utcnow() - timedelta(hours=1)))
    db.commit()
    assert (
        client.submit("/login", {"email": user.email, "password": factories.PASSWORD}).status_code
        == 303
    )


def test_a_tampered_session_cookie_is_refused(client, db, user):
    factories.log_in(client, db, user)
    signed = client.cookies[SESSION_COOKIE]
    raw, _, signature = signed.rpartition(".")
    assert client.get("/account").status_code == 200
    client.cookies.set(SESSION_COOKIE, raw)  # the bare token, unsigned
    assert client.get("/account").status_code == 303
    client.cookies.set(SESSION_COOKIE, f"{raw}.{signature[::-1]}")
    assert client.get("/account").status_code == 303


def test_logout_revokes_the_session_server_side(client, db, user):
    factories.log_in(client, db, user)
    raw = client.cookies[SESSION_COOKIE]
    assert client.submit("/logout").status_code == 303
    client.cookies.set(SESSION_COOKIE, raw)  # a stolen copy of the cookie
    assert client.get("/account").status_code == 303


def test_log_out_everywhere_ends_every_session(client, db, user):
    factories.log_in(client, db, user)
    laptop = client.cookies[SESSION_COOKIE]
    factories.log_in(client, db, user)  # a second device
    assert client.submit("/account/sessions/revoke").status_code == 303
    live = select(sa.func.count()).select_from(UserSession).where(UserSession.revoked_at.is_(None))
    assert db.exec(live).one() == 0
    client.cookies.set(SESSION_COOKIE, laptop)
    assert client.get("/account").status_code == 303


def test_idle_session_expires(client, db, user, app):
    factories.log_in(client, db, user)
    days = app.state.settings.session_idle_days
    db.execute(
        sa.update(UserSession).values(last_seen_at=utcnow() - timedelta(days=days, minutes=1))
    )
    db.commit()
    r = client.get("/account")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_pages_need_login_and_come_back_after(client, user):
    r = client.get("/projects/new")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/projects/new"


# ---------------------------------------------------------------- CSRF


def test_state_changes_without_csrf_token_are_refused(client, db, user):
    factories.log_in(client, db, user)
    client.csrf()
    r = client.post("/projects", data={"title": "No token"})
    assert r.status_code == 403
    r = client.post("/projects", data={"title": "Wrong token", "csrftoken": "forged"})
    assert r.status_code == 403
    assert "expired" in r.text


def test_login_form_needs_csrf_even_without_cookies(client, user):
    r = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert r.status_code == 403


def test_htmx_requests_carry_the_token_in_a_header(logged_in, db, user):
    project = factories.make_project(db, user)
    r = logged_in.post(
        f"/projects/{project.id}/scores",
        data={"impact": "5", "version": "1"},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 403
    ok = logged_in.htmx(
        f"/projects/{project.id}/scores",
        {"attainability": "3", "scoop_risk": "3", "impact": "5", "version": "1"},
    )
    assert ok.status_code == 200


def test_cross_site_posts_are_refused_even_with_a_token(logged_in):
    token = logged_in.csrf()
    r = logged_in.post(
        "/logout", data={"csrftoken": token}, headers={"Origin": "https://evil.example"}
    )
    assert r.status_code == 403
    r = logged_in.post(
        "/logout", data={"csrftoken": token}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert r.status_code == 403


def test_pages_render_the_csrf_token_for_htmx(logged_in):
    page = soup(logged_in.get("/"))
    assert logged_in.cookies[CSRF_COOKIE] in page.body["hx-headers"]


def test_security_headers(logged_in):
    r = logged_in.get("/")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"


# ---------------------------------------------------------------- API tokens


def test_account_page_creates_shows_once_and_revokes_tokens(logged_in, db, app):
    r = logged_in.submit(
        "/account/tokens",
        {"name": "release bot", "expires_days": "30", "password": factories.PASSWORD},
    )
    assert r.status_code == 201
    raw = soup(r).select_one("#new-token").get_text(strip=True)
    assert raw.startswith("gf_")
    token = db.exec(select(ApiToken)).one()
    assert token.name == "release bot" and raw not in token.token_hash
    api_headers = {"Authorization": f"Bearer {raw}"}
    assert logged_in.get("/api/v1/projects", headers=api_headers).status_code == 200
    assert raw not in logged_in.get("/account").text
    assert logged_in.submit(f"/account/tokens/{token.id}/revoke").status_code == 303
    r = logged_in.get("/api/v1/projects", headers=api_headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"


def test_cannot_revoke_someone_elses_token(logged_in, db, other_user):
    factories.make_token(db, other_user)
    theirs = db.exec(select(ApiToken).where(ApiToken.user_id == other_user.id)).one()
    assert logged_in.submit(f"/account/tokens/{theirs.id}/revoke").status_code == 404
    db.refresh(theirs)
    assert theirs.revoked_at is None
