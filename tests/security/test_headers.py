"""Security headers everywhere (error pages too), HSTS over HTTPS, and
no-store on what holds secrets or bulk personal data."""

from fastapi.testclient import TestClient

from tests import factories


def _explode() -> None:
    raise RuntimeError("a bug")


def test_error_pages_carry_the_security_headers(app):
    app.add_api_route("/explode", _explode)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
        for r in (c.get("/explode"), c.get("/no-such-page"), c.get("/api/v1/nothing")):
            assert r.status_code in (404, 500)
            assert "default-src 'self'" in r.headers["content-security-policy"]
            assert r.headers["x-frame-options"] == "DENY"


def test_hsts_over_https_only(app):
    with TestClient(app, base_url="https://testserver") as secure:
        assert "max-age=" in secure.get("/login").headers["strict-transport-security"]
    with TestClient(app, base_url="http://testserver") as plain:
        assert "strict-transport-security" not in plain.get("/login").headers


def test_account_api_and_exports_are_never_stored(logged_in, db, user):
    raw = factories.make_token(db, user)
    answers = [
        logged_in.get("/account"),
        logged_in.submit(
            "/account/tokens",
            {"name": "bot", "expires_days": "30", "password": factories.PASSWORD},
        ),
        logged_in.get("/api/v1/projects", headers={"Authorization": f"Bearer {raw}"}),
        logged_in.get("/journal/export.json"),
    ]
    for r in answers:
        assert r.status_code in (200, 201), r.text[:200]
        assert r.headers["cache-control"] == "no-store", r.url
    assert "no-store" not in logged_in.get("/").headers.get("cache-control", "")
