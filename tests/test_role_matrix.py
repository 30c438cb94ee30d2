"""Every route, every role: exactly what each may do, and nobody sees what
is not theirs.

The cast: Ada owns a project shared with the Vision team (she is a
researcher in it) and a private one; Rita is another researcher in Vision;
Grace manages Vision (and is its admin); Otto manages another team; Olga is
in no team. Ada shared her plan up to Grace. Anonymous visitors have their
own test in test_authorization.py.

Each route is walked by every role inside a savepoint that is rolled back,
so one role's allowed write never changes what the next one meets. Every
route must be classified below: a new route fails this test until someone
decides who may use it.
"""

import re
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.models import metadata
from tests import factories
from tests.conftest import Client
from tests.test_authorization import ROUTES

ROLES = ("owner", "researcher", "manager", "other_manager", "outsider")
OK = "ok"  # allowed: anything but 401, 403, 404 or a 5xx

# Who gets what, per kind of route.
POLICIES = {
    # Everyone signed in; each sees only their own (checked by the secrets).
    "self": dict.fromkeys(ROLES, OK),
    # The project's owner only; team members who can read it are told 403.
    "project_write": {
        "owner": OK,
        "researcher": 403,
        "manager": 403,
        "other_manager": 404,
        "outsider": 404,
    },
    "project_read": {
        "owner": OK,
        "researcher": OK,
        "manager": OK,
        "other_manager": 404,
        "outsider": 404,
    },
    # Releases, links and journal entries belong to their author alone.
    "private": {
        "owner": OK,
        "researcher": 404,
        "manager": 404,
        "other_manager": 404,
        "outsider": 404,
    },
    # A review request: the researcher who asked and the team's managers.
    "review_read": {
        "owner": OK,
        "researcher": 404,
        "manager": OK,
        "other_manager": 404,
        "outsider": 404,
    },
    "review_answer": {
        "owner": 403,
        "researcher": 404,
        "manager": OK,
        "other_manager": 404,
        "outsider": 404,
    },
    "review_requester": {
        "owner": OK,
        "researcher": 404,
        "manager": 403,
        "other_manager": 404,
        "outsider": 404,
    },
    "team_member": {
        "owner": OK,
        "researcher": OK,
        "manager": OK,
        "other_manager": 404,
        "outsider": 404,
    },
    "team_manager": {
        "owner": 403,
        "researcher": 403,
        "manager": OK,
        "other_manager": 404,
        "outsider": 404,
    },
    "team_admin": {
        "owner": 403,
        "researcher": 403,
        "manager": OK,
        "other_manager": 404,
        "outsider": 404,
    },
    # A team's feed: every member sees and polls it; who added it and the
    # team's managers change it.
    "feed_read": {
        "owner": OK,
        "researcher": OK,
        "manager": OK,
        "other_manager": 404,
        "outsider": 404,
    },
    "feed_write": {
        "owner": OK,
        "researcher": 403,
        "manager": OK,
        "other_manager": 404,
        "outsider": 404,
    },
    # Removing Rita: the admin may, and Rita may leave; no one else.
    "member_remove": {
        "owner": 403,
        "researcher": OK,
        "manager": OK,
        "other_manager": 404,
        "outsider": 404,
    },
    # A scoring round: the project's owner and the estimators asked (Grace);
    # a teammate not asked (Rita) does not know it exists.
    "round_read": {
        "owner": OK,
        "researcher": 404,
        "manager": OK,
        "other_manager": 404,
        "outsider": 404,
    },
    "round_estimate": {
        "owner": 403,
        "researcher": 404,
        "manager": OK,
        "other_manager": 404,
        "outsider": 404,
    },
    "round_owner": {
        "owner": OK,
        "researcher": 404,
        "manager": 403,
        "other_manager": 404,
        "outsider": 404,
    },
    # A forged invite token opens nothing, for anyone.
    "join_forged": dict.fromkeys(ROLES, 404),
}

_SELF = "self"
CLASSIFIED: dict[str, str] = {
    # pages
    "GET /account": _SELF,
    "GET /account/export": _SELF,
    "POST /account/tokens": _SELF,
    "POST /account/password": _SELF,
    "POST /account/sessions/revoke": _SELF,
    "POST /account/timezone": _SELF,
    "GET /account/calendar": _SELF,
    "POST /account/calendar/link": _SELF,
    "POST /account/calendar/revoke": _SELF,
    "POST /account/calendar/slot": _SELF,
    "POST /account/theme": _SELF,
    "POST /account/mail": _SELF,
    "GET /": _SELF,
    "GET /projects/new": _SELF,
    "POST /projects": _SELF,
    "POST /projects/{project_id}/scores": "project_write",
    "GET /projects/{project_id}/scores/edit": "project_write",
    "GET /projects/{project_id}/edit": "project_write",
    "POST /projects/{project_id}/edit": "project_write",
    "GET /projects/{project_id}/plan/edit": "project_write",
    "POST /projects/{project_id}/plan": "project_write",
    "POST /projects/{project_id}/archive": "project_write",
    "POST /projects/{project_id}/sharing": "project_write",
    "POST /projects/{project_id}/restore": "project_write",
    "GET /projects/{project_id}": "project_read",
    "GET /projects/{project_id}/what-if": "project_write",
    "POST /projects/{project_id}/what-if": "project_write",
    "GET /projects/{project_id}/plans/diff": "project_read",
    "GET /releases": _SELF,
    "GET /search": _SELF,
    "GET /releases/new": _SELF,
    "POST /releases": _SELF,
    "GET /releases/{release_id}": "private",
    "POST /releases/{release_id}/links": "private",
    "POST /projects/{project_id}/links": "project_write",
    "POST /links/{link_id}": "private",
    "GET /projects/{project_id}/replan": "project_write",
    "POST /projects/{project_id}/replan": "project_write",
    "POST /projects/{project_id}/replan/discard": "project_write",
    "GET /journal": _SELF,
    "POST /journal/entries": _SELF,
    "GET /journal/new": _SELF,
    "GET /journal/entries/{entry_id}": "private",
    "GET /journal/entries/{entry_id}/edit": "private",
    "POST /journal/entries/{entry_id}": "private",
    "POST /journal/entries/{entry_id}/archive": "private",
    "POST /journal/entries/{entry_id}/restore": "private",
    "GET /journal/pace": _SELF,
    "GET /journal/settings": _SELF,
    "POST /journal/settings": _SELF,
    "GET /journal/review": _SELF,
    "POST /journal/review": _SELF,
    "GET /journal/export.{fmt}": _SELF,
    "GET /teams/{team_id}/journal": "team_member",
    "POST /teams/{team_id}/journal/aggregates": "team_member",
    "GET /teams": _SELF,
    "POST /teams": _SELF,
    "GET /teams/{team_id}": "team_member",
    "POST /teams/{team_id}/invites": "team_admin",
    "POST /teams/{team_id}/invites/{invite_id}/revoke": "team_admin",
    "POST /teams/{team_id}/members/{user_id}": "team_admin",
    "POST /teams/{team_id}/members/{user_id}/remove": "member_remove",
    "GET /teams/{team_id}/join": "join_forged",
    "POST /teams/{team_id}/join": "join_forged",
    "GET /teams/{team_id}/portfolio": "team_manager",
    "GET /teams/{team_id}/settings": "team_admin",
    "POST /teams/{team_id}/settings": "team_admin",
    "GET /reviews": _SELF,
    "GET /projects/{project_id}/plans/{number}/share": "project_write",
    "POST /projects/{project_id}/plans/{number}/share": "project_write",
    "GET /reviews/{request_id}": "review_read",
    "POST /reviews/{request_id}/answer": "review_answer",
    "POST /reviews/{request_id}/comments": "review_read",
    "POST /reviews/{request_id}/questions": "review_requester",
    "POST /reviews/{request_id}/withdraw": "review_requester",
    "GET /rounds": _SELF,
    "GET /projects/{project_id}/rounds/new": "project_write",
    "POST /projects/{project_id}/rounds": "project_write",
    "GET /rounds/{round_id}": "round_read",
    "POST /rounds/{round_id}/estimate": "round_estimate",
    "POST /rounds/{round_id}/reveal": "round_owner",
    "POST /rounds/{round_id}/close": "round_owner",
    "GET /activity": _SELF,
    "POST /activity/read": _SELF,
    "GET /digest": _SELF,
    "GET /feeds": _SELF,
    "POST /feeds": _SELF,
    "GET /feeds/{feed_id}": "feed_read",
    "POST /feeds/{feed_id}/poll": "feed_read",
    "POST /feeds/{feed_id}": "feed_write",
    "POST /feeds/{feed_id}/delete": "feed_write",
    "GET /inbox": _SELF,
    "GET /inbox/{suggestion_id}": "private",
    "POST /inbox/{suggestion_id}/confirm": "private",
    "POST /inbox/{suggestion_id}/dismiss": "private",
    "POST /inbox/{suggestion_id}/reopen": "private",
    "GET /releases/{release_id}/touches": "private",
    "POST /releases/{release_id}/touches": "private",
    "GET /imports/projects": _SELF,
    "POST /imports/projects": _SELF,
    "GET /imports/{import_id}/mapping": "private",
    "POST /imports/{import_id}/mapping": "private",
    "GET /imports/{import_id}/preview": "private",
    "POST /imports/{import_id}/start": "private",
    "GET /imports/{import_id}": "private",
    # API
    "GET /api/v1/projects": _SELF,
    "POST /api/v1/projects": _SELF,
    "GET /api/v1/projects/{project_id}": "project_read",
    "PATCH /api/v1/projects/{project_id}": "project_write",
    "POST /api/v1/projects/{project_id}/archive": "project_write",
    "POST /api/v1/projects/{project_id}/restore": "project_write",
    "GET /api/v1/projects/{project_id}/assessments": "project_read",
    "GET /api/v1/projects/{project_id}/plans": "project_read",
    "GET /api/v1/projects/{project_id}/plans/{number}": "project_read",
    "POST /api/v1/releases": _SELF,
    "GET /api/v1/releases": _SELF,
    "GET /api/v1/search": _SELF,
    "GET /api/v1/releases/{release_id}": "private",
    "POST /api/v1/releases/{release_id}/links": "private",
    "GET /api/v1/releases/{release_id}/links": "private",
    "GET /api/v1/projects/{project_id}/links": "project_read",
    "PATCH /api/v1/links/{link_id}": "private",
    "POST /api/v1/projects/{project_id}/replans": "project_write",
    "GET /api/v1/projects/{project_id}/replans": "project_read",
    "POST /api/v1/journal/entries": _SELF,
    "GET /api/v1/journal/entries": _SELF,
    "GET /api/v1/journal/entries/{entry_id}": "private",
    "PATCH /api/v1/journal/entries/{entry_id}": "private",
    "POST /api/v1/journal/entries/{entry_id}/archive": "private",
    "POST /api/v1/journal/entries/{entry_id}/restore": "private",
    "GET /api/v1/teams": _SELF,
    "POST /api/v1/teams": _SELF,
    "GET /api/v1/teams/{team_id}": "team_member",
    "PATCH /api/v1/teams/{team_id}": "team_admin",
    "GET /api/v1/teams/{team_id}/members": "team_member",
    "PATCH /api/v1/teams/{team_id}/members/{user_id}": "team_admin",
    "DELETE /api/v1/teams/{team_id}/members/{user_id}": "member_remove",
    "GET /api/v1/teams/{team_id}/invites": "team_admin",
    "POST /api/v1/teams/{team_id}/invites": "team_admin",
    "POST /api/v1/teams/{team_id}/invites/{invite_id}/revoke": "team_admin",
    "POST /api/v1/teams/{team_id}/join": "join_forged",
    "GET /api/v1/reviews": _SELF,
    "POST /api/v1/projects/{project_id}/plans/{number}/reviews": "project_write",
    "GET /api/v1/reviews/{request_id}": "review_read",
    "PATCH /api/v1/reviews/{request_id}/questions": "review_requester",
    "POST /api/v1/reviews/{request_id}/withdraw": "review_requester",
    "POST /api/v1/reviews/{request_id}/review": "review_answer",
    "GET /api/v1/reviews/{request_id}/comments": "review_read",
    "POST /api/v1/reviews/{request_id}/comments": "review_read",
    "GET /api/v1/rounds": _SELF,
    "POST /api/v1/projects/{project_id}/rounds": "project_write",
    "GET /api/v1/rounds/{round_id}": "round_read",
    "PUT /api/v1/rounds/{round_id}/estimate": "round_estimate",
    "POST /api/v1/rounds/{round_id}/reveal": "round_owner",
    "POST /api/v1/rounds/{round_id}/close": "round_owner",
    "GET /api/v1/notifications": _SELF,
    "POST /api/v1/notifications/read": _SELF,
    "POST /api/v1/feeds": _SELF,
    "GET /api/v1/feeds": _SELF,
    "GET /api/v1/feeds/{feed_id}": "feed_read",
    "PATCH /api/v1/feeds/{feed_id}": "feed_write",
    "DELETE /api/v1/feeds/{feed_id}": "feed_write",
    "POST /api/v1/feeds/{feed_id}/poll": "feed_read",
    "GET /api/v1/feeds/{feed_id}/items": "feed_read",
    "GET /api/v1/suggestions": _SELF,
    "GET /api/v1/suggestions/{suggestion_id}": "private",
    "POST /api/v1/suggestions/{suggestion_id}/confirm": "private",
    "POST /api/v1/suggestions/{suggestion_id}/dismiss": "private",
}
# For people who are not logged in (a forgotten password): tests/security;
# where an invite link lands, signed in or not: tests/teams.
_UNGUARDED = {
    "/demo",  # only on an instance with no accounts: tests/demo
    "/teams/{team_id}/join/{token}",
    "/login",
    "/signup",
    "/signup/confirm/{token}",
    "/logout",
    "/healthz",
    "/forgot",
    "/reset",
    "/reset/{token}",
    "/api/docs",
    "/calendar/{token}.ics",  # the link is the key: tests/calendar_feed
    "/mail/unsubscribe/{token}",  # a signed token, no log-in: tests/mail
}
_TOKENS = {"POST /account/tokens/{token_id}/revoke"}  # tokens: tests/auth
MATRIX = [(m, p) for m, p in ROUTES if p not in _UNGUARDED and f"{m} {p}" not in _TOKENS]

# What each role must never find in any response: Ada's private things
# everywhere, and her shared project outside her team.
PRIVATE_SECRETS = ("Ada private diary", "Ada unlinked release", "Ada private project Beta")
TEAM_SECRETS = ("Shared project Alpha", "Alpha contingency", "Vision question")
# Grace's estimate in a round not yet revealed: only she may see it.
BLIND_SECRETS = ("Grace blind estimate",)


def test_every_route_is_classified():
    unclassified = [f"{m} {p}" for m, p in MATRIX if f"{m} {p}" not in CLASSIFIED]
    assert unclassified == []
    stale = set(CLASSIFIED) - {f"{m} {p}" for m, p in MATRIX}
    assert stale == set()


@dataclass
class Cast:
    users: dict[str, User]
    ids: dict[str, object]


def _person(db, name: str) -> User:
    # No Argon2 here: these people log in by session, never by password.
    user = User(email=f"{name.lower()}@example.org", display_name=name, password_hash="!")
    db.add(user)
    db.flush()
    return user


@pytest.fixture
def cast(db) -> Cast:
    users = {
        role: _person(db, name)
        for role, name in zip(ROLES, ("Ada", "Rita", "Grace", "Otto", "Olga"), strict=True)
    }
    db.commit()
    vision = factories.make_team(db, users["manager"], "Vision")
    factories.add_member(db, vision, users["owner"])
    factories.add_member(db, vision, users["researcher"])
    other = factories.make_team(db, users["other_manager"], "Other team")
    ada = users["owner"]
    shared = factories.make_project(
        db,
        ada,
        "Shared project Alpha",
        team_id=vision.id,
        contingency="Alpha contingency",
        questions="Vision question?",
    )
    factories.make_project(db, ada, "Ada private project Beta")
    release = factories.make_release(db, ada, "Ada linked release")
    factories.make_release(db, ada, "Ada unlinked release")
    link = factories.make_link(db, ada, release, shared, effect="related")
    entry = factories.make_entry(db, ada, body="Ada private diary", project_id=shared.id)
    feed = factories.make_feed(db, ada, "Vision feed", team_id=vision.id)
    suggested = factories.make_release(db, ada, "Ada suggested release")
    suggestion = factories.make_suggestion(db, suggested, shared)
    request = factories.make_request(db, shared, ada, users["manager"], ["Vision question?"])
    invite, _ = factories.make_invite(db, vision, users["manager"])
    upload = factories.make_import(db, ada, "Title\nAda private project Beta import\n")
    scoring_round = factories.make_round(db, shared, ada, [users["manager"]])
    factories.make_estimate(
        db, scoring_round, users["manager"], (2, 5, 3), scoop_risk_rationale="Grace blind estimate"
    )
    del other
    return Cast(
        users,
        {
            "project_id": shared.id,
            "number": 1,
            "release_id": release.id,
            "link_id": link.id,
            "entry_id": entry.id,
            "team_id": vision.id,
            "invite_id": invite.id,
            "user_id": users["researcher"].id,
            "request_id": request.id,
            "feed_id": feed.id,
            "suggestion_id": suggestion.id,
            "import_id": upload.id,
            "round_id": scoring_round.id,
            "token": "gfi_forged",
            "fmt": "json",
        },
    )


# Searches for "a", a prefix of a word of every secret: the API answers
# with plain titles, so a leak shows (the page marks the words it found).
_QUERIES = {"/search": "?q=a", "/api/v1/search": "?q=a"}


def _fill(path: str, ids: dict) -> str:
    filled = re.sub(r"\{([a-z_]+)\}", lambda m: str(ids[m.group(1)]), path)
    return filled + _QUERIES.get(path, "")


def _form(path: str, ids: dict) -> dict:
    """Every field any form takes, filled validly where it can be."""
    if path == "/journal/entries":  # about no project: one's own entry
        return {"kind": "experiment", "body": "An entry"}
    return {
        "version": "1",
        "based_on": "1",
        "plan_number": "1",
        "title": "Changed",
        "name": "Changed",
        "attainability": "5",
        "scoop_risk": "1",
        "impact": "5",
        "success_axis": "first",
        "status": "active",
        "goal": "changed",
        "project_id": str(ids["project_id"]),
        "effect": "scoop",
        "note": "changed",
        "step": "1",
        "action": "next",
        "release_choice": "existing",
        "release_id": str(ids["release_id"]),
        "kind": "experiment",
        "body": "changed",
        "role": "researcher",
        "is_admin": "no",
        "days": "7",
        "reviewer_id": "0",
        "questions": "Changed?",
        "decision": "acknowledged",
        "answer-1": "An answer",
        "comment": "A comment",
        "on": "yes",
        "estimator_ids": str(ids["user_id"]),
    }


def _json(method: str, path: str, ids: dict) -> dict | None:
    if method not in ("POST", "PATCH", "PUT"):
        return None
    if path.endswith("/rounds"):
        return {"estimator_ids": [ids["user_id"]]}
    if path.endswith("/estimate"):
        return {"attainability": 4, "scoop_risk": 4, "impact": 4}
    if path.endswith(("/reveal", "/close")):
        # The version before Grace's estimate: the owner is told it is stale (409).
        return {"version": 1, "adopt": {}} if path.endswith("/close") else {"version": 1}
    if path.endswith("/replans"):
        return factories.replan_data(version=1, release_id=ids["release_id"])
    if path.endswith("/join"):
        return {"token": ids["token"]}
    if path.endswith("/questions"):
        return {"version": 1, "questions": ["Changed?"]}
    if path.endswith("/withdraw"):
        return {"version": 1}
    if path.endswith("/review"):
        return {"version": 1, "plan_number": 1, "decision": "acknowledged", "answers": ["A"]}
    if path.endswith("/comments"):
        return {"body": "A comment"}
    if path.endswith("/reviews"):
        # A teammate who is no manager: the owner is told to choose another (422).
        return {"reviewer_id": ids["user_id"], "questions": ["Changed?"]}
    if path.endswith("/invites"):
        return {"role": "researcher"}
    if "/members/" in path:
        return {"role": "manager"}
    if path.startswith("/api/v1/teams"):
        return {"version": 1, "name": "Changed"} if method == "PATCH" else {"name": "New team"}
    if path.endswith("/links"):
        return {"project_id": ids["project_id"], "effect": "related"}
    if path.startswith("/api/v1/links/"):
        return {"effect": "related"}
    if path.startswith("/api/v1/journal/entries/") and method == "PATCH":
        return {"version": 1, "body": "changed"}
    if path.startswith("/api/v1/feeds/") and method == "PATCH":
        return {"title": "Changed"}
    if method == "PATCH":
        return {"version": 1, "title": "Changed"}
    return {}


def _snapshot(connection) -> tuple:
    """Every row of every table (timestamps of sessions and tokens aside).
    Read on the bare connection: a Session's own savepoints would tangle
    with the per-role savepoint."""
    rows = []
    for table in metadata.sorted_tables:
        if table.name in ("user_session", "api_token", "login_attempt"):
            continue
        columns = [c for c in table.columns if c.name not in ("last_seen_at", "last_used_at")]
        query = sa.select(*columns).order_by(*table.primary_key.columns)
        rows.append(tuple(tuple(row) for row in connection.execute(query)))
    return tuple(rows)


def _secrets_for(role: str) -> tuple[str, ...]:
    if role == "owner":
        return BLIND_SECRETS
    if role == "manager":
        return PRIVATE_SECRETS
    if role == "researcher":
        return PRIVATE_SECRETS + BLIND_SECRETS
    return PRIVATE_SECRETS + TEAM_SECRETS + BLIND_SECRETS


@pytest.mark.parametrize(("method", "path"), MATRIX)
def test_each_role_gets_exactly_what_it_should(method, path, app, db, connection, cast):
    key = f"{method} {path}"
    policy = POLICIES[CLASSIFIED[key]]
    url = _fill(path, cast.ids)
    clients = {}
    for role in ROLES:
        client = Client(app, base_url="https://testserver", follow_redirects=False)
        if path.startswith("/api/"):
            client.headers["Authorization"] = f"Bearer {factories.make_token(db, cast.users[role])}"
        else:
            factories.log_in(client, db, cast.users[role])
        clients[role] = client
    db.commit()
    before = _snapshot(connection)
    wrong = []
    for role, client in clients.items():
        savepoint = connection.begin_nested()
        try:
            if path.startswith("/api/"):
                response = client.request(method, url, json=_json(method, path, cast.ids))
            elif method == "GET":
                response = client.get(url)
            else:
                response = client.submit(url, _form(path, cast.ids))
            expected = policy[role]
            status = response.status_code
            if status >= 500:
                wrong.append(f"{role}: {status} (server error)")
            elif expected == OK and status in (401, 403, 404):
                wrong.append(f"{role}: {status}, expected to be allowed")
            elif expected != OK and status != expected:
                wrong.append(f"{role}: {status}, expected {expected}")
            leaked = [s for s in _secrets_for(role) if s in response.text]
            if leaked:
                wrong.append(f"{role}: sees {leaked}")
            if expected != OK and _snapshot(connection) != before:
                wrong.append(f"{role}: refused, but something changed")
        finally:
            savepoint.rollback()
    assert wrong == [], f"{key}: " + "; ".join(wrong)
