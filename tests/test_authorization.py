"""Every route that takes an id answers 404 to anyone but the owner of what
the id names, and every page or call answers a stranger with a login or a
401. The routes are read from the app, so a new route is covered the day it
is added."""

import re

import pytest
import sqlalchemy as sa
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import select

from app.feeds.models import Feed
from app.inbox.models import Suggestion
from app.journal.models import JournalEntry, JournalRevision
from app.main import create_app
from app.projects.models import Assessment, PlanVersion, Project
from app.releases.models import Release, ReleaseLink
from app.replans.models import Replan, ReplanDraft
from app.security import CSRF_COOKIE
from tests import factories

# For people not logged in: signing up and forgotten passwords (tests/security),
# and where an invite link lands before it asks who you are (tests/teams).
_PUBLIC = {
    "/demo",  # only on an instance with no accounts: tests/demo
    "/teams/{team_id}/join/{token}",
    "/login",
    "/signup",
    "/signup/confirm/{token}",
    "/healthz",
    "/logout",
    "/forgot",
    "/reset",
    "/reset/{token}",
    "/api/docs",
    "/calendar/{token}.ics",  # a calendar app, with the private link: tests/calendar_feed
    "/mail/unsubscribe/{token}",  # a signed token is the credential: tests/mail
}
_ID = re.compile(r"\{([a-z_]+)\}")


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
# Tokens have their own test (tests/auth): they belong to users, not projects.


def _names_owned_data(path: str) -> bool:
    names = _ID.findall(path)
    return "token_id" not in names and any(n.endswith("_id") or n == "number" for n in names)


OWNED_ROUTES = [(m, p) for m, p in ROUTES if _names_owned_data(p) and p not in _PUBLIC]


def test_the_matrix_is_not_empty():
    assert len(OWNED_ROUTES) >= 25


@pytest.fixture
def theirs(db, other_user):
    """Another user's project with a plan, a release and a link."""
    project = factories.make_project(db, other_user, "Their secret project", goal="secret plan")
    release = factories.make_release(db, other_user, "Their secret release")
    link = factories.make_link(db, other_user, release, project, effect="related")
    entry = factories.make_entry(
        db, other_user, body="Their secret project diary", project_id=project.id
    )
    # Their team, a project shared with it and a plan shared up to its other manager.
    team = factories.make_team(db, other_user, "Their secret team")
    manager = factories.make_user(db, display_name="Their manager")
    factories.add_member(db, team, manager, "manager")
    shared = factories.make_project(
        db, other_user, "Their secret project, shared", team_id=team.id, goal="secret plan"
    )
    request = factories.make_request(db, shared, other_user, manager, ["Their secret question?"])
    scoring_round = factories.make_round(db, shared, other_user, [manager])
    invite, _raw = factories.make_invite(db, team, other_user)
    feed = factories.make_feed(db, other_user, "Their secret feed")
    suggestion = factories.make_suggestion(db, release, project)
    upload = factories.make_import(db, other_user, "Title\nTheir secret project import\n")
    return {
        "import_id": upload.id,
        "feed_id": feed.id,
        "suggestion_id": suggestion.id,
        "project_id": project.id,
        "release_id": release.id,
        "link_id": link.id,
        "entry_id": entry.id,
        "team_id": team.id,
        "user_id": manager.id,
        "invite_id": invite.id,
        "request_id": request.id,
        "round_id": scoring_round.id,
        "token": "gfi_forged",
        "number": 1,
        "fmt": "json",
    }


@pytest.fixture
def mine(db, user):
    project = factories.make_project(db, user, "My project")
    release = factories.make_release(db, user, "My release")
    return {"project_id": project.id, "release_id": release.id}


def _fill(path: str, ids: dict) -> str:
    return _ID.sub(lambda m: str(ids[m.group(1)]), path)


def _api_body(method: str, path: str, mine: dict) -> dict | None:
    """A valid body, so that only ownership can make the call fail."""
    if path.endswith("/replans"):
        return factories.replan_data(version=1, release_id=mine["release_id"])
    if path.endswith("/links") and method == "POST":
        return {"project_id": mine["project_id"], "effect": "scoop", "note": "hijack"}
    if path.startswith("/api/v1/links/"):
        return {"effect": "scoop"}
    if path.startswith("/api/v1/journal/entries/") and method == "PATCH":
        return {"version": 1, "body": "hijack"}
    if path.endswith("/join"):
        return {"token": "gfi_forged"}
    if path.endswith("/invites") and method == "POST":
        return {}
    if path.startswith("/api/v1/teams/") and method == "PATCH":
        return {"role": "manager"} if "/members/" in path else {"version": 1, "name": "Hijack"}
    if path.endswith("/reviews") and method == "POST":
        return {"reviewer_id": 1, "questions": ["Hijack?"]}
    if path.endswith("/questions"):
        return {"version": 1, "questions": ["Hijack?"]}
    if path.endswith("/withdraw"):
        return {"version": 1}
    if path.endswith("/review"):
        return {"version": 1, "plan_number": 1, "decision": "approved"}
    if path.endswith("/comments") and method == "POST":
        return {"body": "hijack"}
    if path.endswith("/rounds") and method == "POST":
        return {"estimator_ids": [1]}
    if path.endswith("/estimate"):
        return {"attainability": 1, "scoop_risk": 1, "impact": 1}
    if path.endswith("/close"):
        return {"version": 1}
    if path.startswith("/api/v1/feeds/") and method == "PATCH":
        return {"title": "Hijack"}
    if method == "PATCH":
        return {"version": 1, "title": "Hijack"}
    return None


def _form(mine: dict) -> dict:
    """Every field any page's form takes, filled validly."""
    return {
        "version": "1",
        "based_on": "1",
        "title": "Hijack",
        "attainability": "5",
        "scoop_risk": "1",
        "impact": "5",
        "success_axis": "first",
        "status": "active",
        "goal": "theirs",
        "project_id": str(mine["project_id"]),
        "effect": "scoop",
        "note": "hijack",
        "step": "1",
        "action": "next",
        "release_choice": "existing",
        "release_id": str(mine["release_id"]),
        "kind": "experiment",
        "body": "hijack",
    }


def _snapshot(db) -> tuple:
    counts = tuple(
        db.exec(select(sa.func.count()).select_from(model)).one()
        for model in (
            Project,
            Assessment,
            PlanVersion,
            Release,
            ReleaseLink,
            Replan,
            ReplanDraft,
            JournalEntry,
            JournalRevision,
            Feed,
            Suggestion,
        )
    )
    texts = (
        tuple(db.exec(select(ReleaseLink.effect, ReleaseLink.note)).all()),
        tuple(db.exec(select(JournalEntry.body, JournalEntry.archived_at)).all()),
        tuple(db.exec(select(Feed.title, Feed.url, Feed.paused)).all()),
        tuple(db.exec(select(Suggestion.state, Suggestion.effect)).all()),
    )
    return counts, texts


@pytest.mark.parametrize(("method", "path"), OWNED_ROUTES)
def test_someone_elses_data_is_not_found(method, path, logged_in, api, db, theirs, mine):
    before = _snapshot(db)
    url = _fill(path, theirs)
    if path.startswith("/api/"):
        r = api.request(method, url, json=_api_body(method, path, mine))
        assert r.status_code == 404, r.text
        # Joining goes by the invite's token, not by membership: a forged one is invalid.
        expected = "invite_invalid" if path.endswith("/join") else "not_found"
        assert r.json()["error"]["code"] == expected
    else:
        r = logged_in.get(url) if method == "GET" else logged_in.submit(url, _form(mine))
        assert r.status_code == 404, r.text
    for secret in (
        "Their secret project",
        "secret plan",
        "Their secret release",
        "diary",
        "Their secret team",
        "Their secret question",
        "Their secret feed",
    ):
        assert secret not in r.text
    db.expire_all()
    assert _snapshot(db) == before
    project = db.get(Project, theirs["project_id"])
    assert (project.title, project.archived_at, project.version) == (
        "Their secret project",
        None,
        1,
    )


# The join page tells a signed-out visitor who invites them (tests/teams); joining needs a login.
_PUBLIC_READS = {"/teams/{team_id}/join"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        r
        for r in ROUTES
        if r[1] not in _PUBLIC and r[1] != "/" and not (r[0] == "GET" and r[1] in _PUBLIC_READS)
    ],
)
def test_strangers_are_sent_to_log_in_or_refused(method, path, app, db, user, mine):
    before = _snapshot(db)
    ids = {
        **mine,
        "link_id": 1,
        "number": 1,
        "token_id": 1,
        "entry_id": 1,
        "team_id": 1,
        "user_id": 1,
        "invite_id": 1,
        "request_id": 1,
        "feed_id": 1,
        "suggestion_id": 1,
        "import_id": 1,
        "round_id": 1,
        "token": "gfi_forged",
        "fmt": "json",
    }
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as anonymous:
        url = _fill(path, ids)
        if path.startswith("/api/"):
            r = anonymous.request(method, url, json=_api_body(method, path, mine))
            assert r.status_code == 401, (method, path)
        else:
            anonymous.get("/login")
            token = anonymous.cookies[CSRF_COOKIE]
            if method == "GET":
                r = anonymous.get(url)
            else:
                r = anonymous.post(url, data={"csrftoken": token, **_form(mine)})
            assert r.status_code == 303, (method, path)
            assert r.headers["location"].startswith("/login")
        assert "My project" not in r.text
    db.expire_all()
    assert _snapshot(db) == before


def test_anonymous_portfolio_goes_to_login(client, user):
    r = client.get("/")
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_users_only_see_their_own_projects(logged_in, api, db, user, other_user):
    factories.make_project(db, user, "Mine")
    factories.make_project(db, other_user, "Theirs")
    assert "Theirs" not in logged_in.get("/").text
    assert [p["title"] for p in api.get("/api/v1/projects").json()["items"]] == ["Mine"]
    assert db.exec(select(sa.func.count()).select_from(Project)).one() == 2
