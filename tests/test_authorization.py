"""Every route that takes a project id answers 404 to anyone but its owner,
and every page or call answers a stranger with a login or a 401. The routes
are read from the app, so a new route is covered the day it is added."""

import re

import pytest
import sqlalchemy as sa
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import select

from app.main import create_app
from app.projects.models import Assessment, PlanVersion, Project
from tests import factories

_PUBLIC = {"/login", "/signup", "/healthz", "/logout"}


def _api_routes(routes):
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # an included router
            yield from _api_routes(route.original_router.routes)


def _routes():
    for route in _api_routes(create_app().routes):
        for method in route.methods - {"HEAD"}:
            yield method, route.path


ROUTES = sorted(set(_routes()))
PROJECT_ROUTES = [(m, p) for m, p in ROUTES if "{project_id}" in p]


def test_the_matrix_is_not_empty():
    assert len(PROJECT_ROUTES) >= 10


def _fill(path: str, project_id: int) -> str:
    return re.sub(r"\{[a-z_]+\}", str(project_id), path)


_FORM = {
    "version": "1",
    "based_on": "1",
    "title": "Hijack",
    "attainability": "5",
    "scoop_risk": "1",
    "impact": "5",
    "success_axis": "first",
    "status": "active",
    "goal": "theirs",
}


@pytest.mark.parametrize(("method", "path"), PROJECT_ROUTES)
def test_someone_elses_project_is_not_found(method, path, logged_in, api, db, other_user):
    theirs = factories.make_project(db, other_user, "Their secret project", goal="secret plan")
    before = (
        db.exec(select(sa.func.count()).select_from(Assessment)).one(),
        db.exec(select(sa.func.count()).select_from(PlanVersion)).one(),
    )
    url = _fill(path, theirs.id)
    if path.startswith("/api/"):
        body = {"version": 1, "title": "Hijack"} if method == "PATCH" else None
        r = api.request(method, url, json=body)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    else:
        r = logged_in.get(url) if method == "GET" else logged_in.submit(url, _FORM)
        assert r.status_code == 404
    assert "Their secret project" not in r.text and "secret plan" not in r.text
    db.refresh(theirs)
    assert (
        theirs.title == "Their secret project"
        and theirs.archived_at is None
        and theirs.version == 1
    )
    after = (
        db.exec(select(sa.func.count()).select_from(Assessment)).one(),
        db.exec(select(sa.func.count()).select_from(PlanVersion)).one(),
    )
    assert after == before


@pytest.mark.parametrize(
    ("method", "path"), [r for r in ROUTES if r[1] not in _PUBLIC and r[1] != "/"]
)
def test_strangers_are_sent_to_log_in_or_refused(method, path, app, db, user):
    project = factories.make_project(db, user, "Private")
    with factories_client(app) as anonymous:
        url = _fill(path, project.id)
        if path.startswith("/api/"):
            r = anonymous.request(method, url, json={"version": 1})
            assert r.status_code == 401, (method, path)
        else:
            anonymous.get("/login")
            token = anonymous.cookies["goldfish_csrf"]
            if method == "GET":
                r = anonymous.get(url)
            else:
                r = anonymous.post(url, data={"csrftoken": token, **_FORM})
            assert r.status_code == 303, (method, path)
            assert r.headers["location"].startswith("/login")
        assert "Private" not in r.text
    db.refresh(project)
    assert project.version == 1 and project.archived_at is None


def factories_client(app) -> TestClient:
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


def test_anonymous_portfolio_goes_to_login(client, user):
    r = client.get("/")
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_users_only_see_their_own_projects(logged_in, api, db, user, other_user):
    factories.make_project(db, user, "Mine")
    factories.make_project(db, other_user, "Theirs")
    assert "Theirs" not in logged_in.get("/").text
    assert [p["title"] for p in api.get("/api/v1/projects").json()["items"]] == ["Mine"]
    assert db.exec(select(sa.func.count()).select_from(Project)).one() == 2
