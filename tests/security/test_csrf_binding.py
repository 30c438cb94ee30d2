"""The CSRF token belongs to the session it was issued with; a bearer header
skips the check on /api/ only; a request from an opaque origin is refused."""

from app.projects.models import Project
from app.security import CSRF_COOKIE
from tests import factories
from tests.helpers import count
from tests.projects.test_pages import NEW_PROJECT


def _new_project(client, token: str, **headers):
    return client.post(
        "/projects",
        data={"csrftoken": token, **NEW_PROJECT},
        headers=headers,
    )


def test_logging_in_replaces_the_csrf_token(client, user):
    before = client.csrf()
    r = client.submit("/login", {"email": user.email, "password": factories.PASSWORD})
    assert r.status_code == 303
    assert client.cookies[CSRF_COOKIE] != before
    assert _new_project(client, client.cookies[CSRF_COOKIE]).status_code == 303


def test_a_token_planted_before_the_login_does_not_pass(client, db, user):
    """An attacker who set the victim's CSRF cookie (a sibling subdomain, a
    shared computer) knows a token; once the victim logs in it is worthless."""
    planted = client.csrf()
    client.submit("/login", {"email": user.email, "password": factories.PASSWORD})
    factories.set_cookie(client, CSRF_COOKIE, planted)
    r = _new_project(client, planted)
    assert r.status_code == 403
    assert "expired" in r.text
    assert count(db, Project) == 0
    # The refusal hands out the right token: reload and submit again works.
    assert client.cookies[CSRF_COOKIE] != planted
    assert _new_project(client, client.cookies[CSRF_COOKIE]).status_code == 303


def test_a_token_from_another_session_does_not_pass(app, db, user, other_user):
    from fastapi.testclient import TestClient

    with (
        TestClient(app, base_url="https://testserver", follow_redirects=False) as mine,
        TestClient(app, base_url="https://testserver", follow_redirects=False) as theirs,
    ):
        factories.log_in(mine, db, user)
        factories.log_in(theirs, db, other_user)
        their_token = theirs.cookies[CSRF_COOKIE]
        factories.set_cookie(mine, CSRF_COOKIE, their_token)
        r = mine.post("/projects", data={"csrftoken": their_token, "title": "x"})
        assert r.status_code == 403
        assert count(db, Project) == 0


def test_a_page_read_with_an_unbound_token_is_given_a_bound_one(client, db, user):
    """Browsers logged in before tokens were bound keep working."""
    factories.log_in(client, db, user)
    bound = client.cookies[CSRF_COOKIE]
    factories.set_cookie(client, CSRF_COOKIE, factories.unbound_csrf_token(client))
    page = client.get("/projects/new")
    assert page.status_code == 200
    assert client.cookies[CSRF_COOKIE] == bound
    assert bound in page.text


def test_a_bearer_header_does_not_skip_the_check_on_pages(client, db, user):
    factories.log_in(client, db, user)
    raw = factories.make_token(db, user)
    r = client.post(
        "/projects",
        data=NEW_PROJECT,
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert r.status_code == 403
    assert count(db, Project) == 0


def test_a_bearer_header_still_works_on_the_api(app, db, user):
    from fastapi.testclient import TestClient

    raw = factories.make_token(db, user)
    with TestClient(app, base_url="https://testserver") as api:
        r = api.post(
            "/api/v1/projects",
            json=factories.project_data("Via API"),
            headers={"Authorization": f"Bearer {raw}"},
        )
    assert r.status_code == 201, r.text


def test_origin_null_is_refused(client, db, user):
    factories.log_in(client, db, user)
    r = _new_project(client, client.cookies[CSRF_COOKIE], Origin="null")
    assert r.status_code == 403
    assert count(db, Project) == 0
    assert _new_project(client, client.cookies[CSRF_COOKIE]).status_code == 303
