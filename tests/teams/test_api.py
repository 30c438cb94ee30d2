"""The teams API: teams, members, invite links, joining and leaving, and
projects shared with a team. `user` (Ada) calls through the `api` fixture;
other people send their own token in the request's headers."""

import hashlib
from datetime import timedelta

import pytest
from sqlmodel import select

from app.db import utcnow
from app.projects.models import Project
from app.teams.models import Invite, Membership, Team
from tests import factories
from tests.helpers import count, error_of, field_error, token_of

# Every link that cannot let its holder in answers the same, whatever the reason.
NOT_VALID = "This invite link is not valid here"


@pytest.fixture
def team(db, user):
    """Ada's team: she made it, so she is its manager and admin."""
    return factories.make_team(db, user, "Vision group")


@pytest.fixture
def grace(db, other_user, team):
    """Grace, a researcher of Ada's team, and her token."""
    factories.add_member(db, team, other_user, "researcher")
    return token_of(db, other_user)


@pytest.fixture
def outsider(db):
    return token_of(db, factories.make_user(db, display_name="Outsider"))


# ---------------------------------------------------------------- teams


def test_create_a_team_with_the_instance_formula_and_list_it(api, app, db, user):
    r = api.post("/api/v1/teams", json={"name": "  Language models  "})
    assert r.status_code == 201, r.text
    created = r.json()
    defaults = app.state.scoring
    assert created["name"] == "Language models"
    assert (created["role"], created["is_admin"], created["version"]) == ("manager", True, 1)
    assert created["score_mapping"] == list(defaults.mapping)
    assert created["residual_open"] == defaults.residuals["open"]
    assert api.get(f"/api/v1/teams/{created['id']}").json() == created
    assert [t["name"] for t in api.get("/api/v1/teams").json()["items"]] == ["Language models"]
    membership = db.exec(select(Membership).where(Membership.team_id == created["id"])).one()
    assert (membership.user_id, membership.role, membership.is_admin) == (user.id, "manager", True)


def test_the_team_list_shows_only_my_teams_with_my_role(api, db, user, other_user, team):
    theirs = factories.make_team(db, other_user, "Another team")
    factories.add_member(db, theirs, user, "researcher")
    factories.make_team(db, other_user, "Not mine")
    listing = api.get("/api/v1/teams").json()["items"]
    assert [(t["name"], t["role"], t["is_admin"]) for t in listing] == [
        ("Another team", "researcher", False),
        ("Vision group", "manager", True),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": 5}, "name"),
        ({"name": "Ok", "owner_id": 1}, "owner_id"),
    ],
)
def test_bad_team_names_answer_422(api, db, body, field):
    field_error(api.post("/api/v1/teams", json=body), field)
    assert count(db, Team) == 0


def test_an_admin_changes_the_formula_and_a_stale_version_conflicts(api, db, team):
    r = api.patch(
        f"/api/v1/teams/{team.id}",
        json={
            "version": 1,
            "name": "Vision",
            "score_mapping": [0.2, 0.3, 0.5, 0.7, 0.95],
            "residual_first": 0.05,
        },
    )
    assert r.status_code == 200, r.text
    changed = r.json()
    assert (changed["name"], changed["version"]) == ("Vision", 2)
    assert changed["score_mapping"] == [0.2, 0.3, 0.5, 0.7, 0.95]
    assert changed["residual_first"] == 0.05
    stale = api.patch(f"/api/v1/teams/{team.id}", json={"version": 1, "residual_best": 0.9})
    assert "version 2" in error_of(stale, 409, "version_conflict")["message"]
    db.expire_all()
    assert db.get(Team, team.id).residual_best == changed["residual_best"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "No version"}, "version"),
        ({"version": "1"}, "version"),
        ({"version": 1, "score_mapping": [0.9, 0.7, 0.5, 0.3, 0.1]}, "score_mapping"),
        ({"version": 1, "score_mapping": [0.1, 0.2, 0.3]}, "score_mapping"),
        ({"version": 1, "residual_first": 1.5}, "residual_first"),
        ({"version": 1, "residual_open": "0.5"}, "residual_open"),
        ({"version": 1, "colour": "blue"}, "colour"),
    ],
)
def test_bad_team_settings_answer_422(api, db, team, body, field):
    field_error(api.patch(f"/api/v1/teams/{team.id}", json=body), field)
    db.expire_all()
    assert db.get(Team, team.id).version == 1


def test_members_may_read_a_team_but_only_admins_change_it(api, db, team, grace, outsider):
    assert api.get(f"/api/v1/teams/{team.id}", headers=grace).json()["role"] == "researcher"
    error_of(
        api.patch(f"/api/v1/teams/{team.id}", json={"version": 1, "name": "Mine"}, headers=grace),
        403,
        "forbidden",
    )
    error_of(api.get(f"/api/v1/teams/{team.id}", headers=outsider), 404, "not_found")
    error_of(
        api.patch(
            f"/api/v1/teams/{team.id}", json={"version": 1, "name": "Mine"}, headers=outsider
        ),
        404,
        "not_found",
    )
    error_of(api.get("/api/v1/teams/999999"), 404, "not_found")
    db.expire_all()
    assert (db.get(Team, team.id).name, db.get(Team, team.id).version) == ("Vision group", 1)


# ---------------------------------------------------------------- members


def test_members_are_listed_managers_first(api, db, user, other_user, team, grace, outsider):
    members = api.get(f"/api/v1/teams/{team.id}/members", headers=grace).json()["items"]
    assert [(m["display_name"], m["role"], m["is_admin"]) for m in members] == [
        ("Ada", "manager", True),
        ("Grace", "researcher", False),
    ]
    assert members[1]["user_id"] == other_user.id
    error_of(api.get(f"/api/v1/teams/{team.id}/members", headers=outsider), 404, "not_found")


def test_an_admin_changes_roles(api, db, other_user, team, grace):
    url = f"/api/v1/teams/{team.id}/members/{other_user.id}"
    r = api.patch(url, json={"role": "manager", "is_admin": True})
    assert r.status_code == 200, r.text
    assert (r.json()["role"], r.json()["is_admin"], r.json()["display_name"]) == (
        "manager",
        True,
        "Grace",
    )
    membership = db.exec(select(Membership).where(Membership.user_id == other_user.id)).one()
    db.refresh(membership)
    assert (membership.role, membership.is_admin) == ("manager", True)


def test_role_changes_need_an_admin_and_a_member(api, db, user, other_user, team, grace, outsider):
    error_of(
        api.patch(
            f"/api/v1/teams/{team.id}/members/{user.id}", json={"role": "researcher"}, headers=grace
        ),
        403,
        "forbidden",
    )
    error_of(
        api.patch(
            f"/api/v1/teams/{team.id}/members/{other_user.id}",
            json={"is_admin": True},
            headers=outsider,
        ),
        404,
        "not_found",
    )
    stranger = factories.make_user(db)
    error_of(
        api.patch(f"/api/v1/teams/{team.id}/members/{stranger.id}", json={"role": "manager"}),
        404,
        "not_found",
    )
    assert count(db, Membership, Membership.user_id == stranger.id) == 0


def test_the_last_admin_cannot_step_down(api, db, user, team, grace):
    r = api.patch(f"/api/v1/teams/{team.id}/members/{user.id}", json={"is_admin": False})
    assert "admin" in error_of(r, 409, "last_admin")["message"]
    assert api.get(f"/api/v1/teams/{team.id}").json()["is_admin"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "boss"}, "role"),
        ({"is_admin": "yes"}, "is_admin"),
        ({"is_admin": 1}, "is_admin"),
        ({"role": "manager", "shares": True}, "shares"),
    ],
)
def test_bad_role_changes_answer_422(api, db, other_user, team, grace, body, field):
    field_error(api.patch(f"/api/v1/teams/{team.id}/members/{other_user.id}", json=body), field)


def test_an_admin_removes_a_member_who_then_sees_nothing(api, db, other_user, team, grace):
    r = api.delete(f"/api/v1/teams/{team.id}/members/{other_user.id}")
    assert r.status_code == 204 and r.content == b""
    assert count(db, Membership, Membership.user_id == other_user.id) == 0
    error_of(api.get(f"/api/v1/teams/{team.id}", headers=grace), 404, "not_found")
    assert api.get("/api/v1/teams", headers=grace).json()["items"] == []


def test_a_member_leaves_but_may_not_remove_others(api, db, user, other_user, team, grace):
    error_of(
        api.delete(f"/api/v1/teams/{team.id}/members/{user.id}", headers=grace), 403, "forbidden"
    )
    r = api.delete(f"/api/v1/teams/{team.id}/members/{other_user.id}", headers=grace)
    assert r.status_code == 204
    assert [
        m["display_name"] for m in api.get(f"/api/v1/teams/{team.id}/members").json()["items"]
    ] == ["Ada"]


def test_the_only_admin_cannot_leave_a_team_with_members(api, db, user, team, grace):
    r = api.delete(f"/api/v1/teams/{team.id}/members/{user.id}")
    assert "admin" in error_of(r, 409, "last_admin")["message"]
    assert count(db, Membership, Membership.team_id == team.id) == 2


def test_outsiders_cannot_remove_anyone(api, db, other_user, team, grace, outsider):
    error_of(
        api.delete(f"/api/v1/teams/{team.id}/members/{other_user.id}", headers=outsider),
        404,
        "not_found",
    )
    assert count(db, Membership, Membership.team_id == team.id) == 2


# ---------------------------------------------------------------- invites


def test_an_admin_makes_an_invite_and_someone_joins_with_it(api, db, team):
    r = api.post(f"/api/v1/teams/{team.id}/invites", json={"role": "manager", "days": 3})
    assert r.status_code == 201, r.text
    issued = r.json()
    assert issued["token"].startswith("gfi_")
    assert issued["url"] == f"https://testserver/teams/{team.id}/join/{issued['token']}"
    assert issued["role"] == "manager" and issued["used_at"] is None
    invite = db.get(Invite, issued["id"])
    assert invite.token_hash == hashlib.sha256(issued["token"].encode()).hexdigest()
    listed = api.get(f"/api/v1/teams/{team.id}/invites").json()
    assert [i["id"] for i in listed] == [issued["id"]]
    assert "token" not in listed[0] and "url" not in listed[0]

    newcomer = factories.make_user(db, display_name="Newcomer")
    joined = api.post(
        f"/api/v1/teams/{team.id}/join",
        json={"token": issued["token"]},
        headers=token_of(db, newcomer),
    )
    assert joined.status_code == 201, joined.text
    assert (joined.json()["display_name"], joined.json()["role"]) == ("Newcomer", "manager")
    assert api.get(f"/api/v1/teams/{team.id}/invites").json()[0]["used_at"] is not None


def test_invites_are_for_admins(api, db, team, grace, outsider):
    url = f"/api/v1/teams/{team.id}/invites"
    error_of(api.get(url, headers=grace), 403, "forbidden")
    error_of(api.post(url, json={}, headers=grace), 403, "forbidden")
    error_of(api.get(url, headers=outsider), 404, "not_found")
    error_of(api.post(url, json={}, headers=outsider), 404, "not_found")
    assert count(db, Invite) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"days": 0}, "days"),
        ({"days": 31}, "days"),
        ({"days": "7"}, "days"),
        ({"role": "owner"}, "role"),
        ({"note": "x" * 201}, "note"),
        ({"uses": 2}, "uses"),
    ],
)
def test_bad_invites_answer_422(api, db, team, body, field):
    field_error(api.post(f"/api/v1/teams/{team.id}/invites", json=body), field)
    assert count(db, Invite) == 0


def test_a_revoked_invite_lets_no_one_in(api, db, user, team):
    invite, raw = factories.make_invite(db, team, user)
    r = api.post(f"/api/v1/teams/{team.id}/invites/{invite.id}/revoke")
    assert r.status_code == 200 and r.json()["revoked_at"] is not None
    newcomer = token_of(db, factories.make_user(db))
    r = api.post(f"/api/v1/teams/{team.id}/join", json={"token": raw}, headers=newcomer)
    assert NOT_VALID in error_of(r, 404, "invite_invalid")["message"]
    assert count(db, Membership, Membership.team_id == team.id) == 1


def test_revoking_needs_an_admin_and_an_invite_of_this_team(api, db, user, other_user, team, grace):
    invite, _raw = factories.make_invite(db, team, user)
    url = f"/api/v1/teams/{team.id}/invites/{invite.id}/revoke"
    error_of(api.post(url, headers=grace), 403, "forbidden")
    theirs = factories.make_team(db, other_user, "Theirs")
    their_invite, _ = factories.make_invite(db, theirs, other_user)
    error_of(
        api.post(f"/api/v1/teams/{team.id}/invites/{their_invite.id}/revoke"), 404, "not_found"
    )
    db.expire_all()
    assert db.get(Invite, their_invite.id).revoked_at is None
    assert db.get(Invite, invite.id).revoked_at is None


def test_an_invite_lets_one_person_in_once(api, db, user, team):
    _invite, raw = factories.make_invite(db, team, user)
    first = token_of(db, factories.make_user(db))
    second = token_of(db, factories.make_user(db))
    assert (
        api.post(f"/api/v1/teams/{team.id}/join", json={"token": raw}, headers=first).status_code
        == 201
    )
    r = api.post(f"/api/v1/teams/{team.id}/join", json={"token": raw}, headers=second)
    assert NOT_VALID in error_of(r, 404, "invite_invalid")["message"]
    assert count(db, Membership, Membership.team_id == team.id) == 2


def test_an_expired_invite_is_refused(api, db, user, team):
    invite, raw = factories.make_invite(db, team, user)
    invite.expires_at = utcnow() - timedelta(minutes=1)
    db.add(invite)
    db.commit()
    newcomer = token_of(db, factories.make_user(db))
    r = api.post(f"/api/v1/teams/{team.id}/join", json={"token": raw}, headers=newcomer)
    assert NOT_VALID in error_of(r, 404, "invite_invalid")["message"]
    assert count(db, Membership, Membership.team_id == team.id) == 1


def test_a_forged_invite_is_refused(api, db, user, team):
    _invite, raw = factories.make_invite(db, team, user)
    newcomer = token_of(db, factories.make_user(db))
    for forged in (raw[:-1] + ("A" if raw[-1] != "A" else "B"), "gfi_guess"):
        r = api.post(f"/api/v1/teams/{team.id}/join", json={"token": forged}, headers=newcomer)
        assert NOT_VALID in error_of(r, 404, "invite_invalid")["message"]
    assert count(db, Membership, Membership.team_id == team.id) == 1


def test_an_invite_of_another_team_is_refused(api, db, user, other_user, team):
    theirs = factories.make_team(db, other_user, "Theirs")
    _invite, raw = factories.make_invite(db, theirs, other_user)
    newcomer = token_of(db, factories.make_user(db))
    r = api.post(f"/api/v1/teams/{team.id}/join", json={"token": raw}, headers=newcomer)
    assert NOT_VALID in error_of(r, 404, "invite_invalid")["message"]
    assert count(db, Membership, Membership.team_id.in_([team.id, theirs.id])) == 2
    db.expire_all()
    assert db.exec(select(Invite.used_at).where(Invite.team_id == theirs.id)).one() is None


def test_a_member_joining_again_keeps_the_link_unused(api, db, user, team, grace):
    _invite, raw = factories.make_invite(db, team, user)
    r = api.post(f"/api/v1/teams/{team.id}/join", json={"token": raw}, headers=grace)
    error_of(r, 409, "already_member")
    assert db.exec(select(Invite.used_at)).one() is None


@pytest.mark.parametrize(
    ("body", "field"), [({}, "token"), ({"token": ""}, "token"), ({"token": 5}, "token")]
)
def test_joining_without_a_token_answers_422(api, db, team, body, field):
    field_error(api.post(f"/api/v1/teams/{team.id}/join", json=body), field)


# ---------------------------------------------------------------- sharing projects


def test_a_project_shared_with_the_team_is_readable_by_its_members_only(
    api, db, user, team, grace, outsider
):
    created = api.post(
        "/api/v1/projects", json={**factories.project_data("Shared"), "team_id": team.id}
    ).json()
    assert created["team_id"] == team.id
    pid = created["id"]
    for path in ("", "/assessments", "/plans"):
        assert api.get(f"/api/v1/projects/{pid}{path}", headers=grace).status_code == 200
        error_of(api.get(f"/api/v1/projects/{pid}{path}", headers=outsider), 404, "not_found")
    assert api.get(f"/api/v1/projects/{pid}", headers=grace).json()["title"] == "Shared"
    # Reading is not changing: teammates are told so, and nothing moves.
    error_of(
        api.patch(f"/api/v1/projects/{pid}", json={"version": 1, "title": "Hijack"}, headers=grace),
        403,
        "forbidden",
    )
    error_of(api.post(f"/api/v1/projects/{pid}/archive", headers=grace), 403, "forbidden")
    db.expire_all()
    project = db.get(Project, pid)
    assert (project.title, project.archived_at, project.version) == ("Shared", None, 1)


def test_a_project_can_only_be_shared_with_my_teams(api, db, user, other_user, team):
    theirs = factories.make_team(db, other_user, "Theirs")
    # A team one is not in is not found, as a project one cannot see would not be.
    r = api.post("/api/v1/projects", json={**factories.project_data("P"), "team_id": theirs.id})
    assert error_of(r, 404, "not_found")["fields"][0]["field"] == "team_id"
    project = factories.make_project(db, user, "Private")
    r = api.patch(f"/api/v1/projects/{project.id}", json={"version": 1, "team_id": theirs.id})
    assert error_of(r, 404, "not_found")["fields"][0]["field"] == "team_id"
    shared = api.patch(f"/api/v1/projects/{project.id}", json={"version": 1, "team_id": team.id})
    assert shared.status_code == 200 and shared.json()["team_id"] == team.id
    private = api.patch(f"/api/v1/projects/{project.id}", json={"version": 2, "team_id": None})
    assert private.json()["team_id"] is None


def test_leaving_takes_effect_on_the_next_request(api, db, user, other_user, team, grace):
    """Grace shares a project with Ada's team, then leaves: Ada loses sight of
    it at once and the project is private again."""
    project = factories.make_project(db, other_user, "Grace's", team_id=team.id)
    assert api.get(f"/api/v1/projects/{project.id}").status_code == 200
    assert (
        api.delete(f"/api/v1/teams/{team.id}/members/{other_user.id}", headers=grace).status_code
        == 204
    )
    error_of(api.get(f"/api/v1/projects/{project.id}"), 404, "not_found")
    mine = api.get(f"/api/v1/projects/{project.id}", headers=grace).json()
    assert mine["team_id"] is None and mine["version"] == 2


def test_a_removed_member_loses_sight_of_the_teams_projects(api, db, user, other_user, team, grace):
    project = factories.make_project(db, user, "Ada's", team_id=team.id)
    assert api.get(f"/api/v1/projects/{project.id}", headers=grace).status_code == 200
    assert api.delete(f"/api/v1/teams/{team.id}/members/{other_user.id}").status_code == 204
    error_of(api.get(f"/api/v1/projects/{project.id}", headers=grace), 404, "not_found")
    assert api.get(f"/api/v1/projects/{project.id}").json()["team_id"] == team.id
