"""Rights in a team end when membership does: an admin's invite links with
their admin rights, a team with its last member, notifications with being a
manager, and team sums are never small enough to single anyone out
(tests/journal/test_sharing.py has the sums)."""

import pytest
from sqlmodel import select

from app.notifications.models import NoticeKind, Notification
from app.teams.models import Invite, Membership, Team
from tests import factories
from tests.helpers import as_user, error_of, soup, token_of

NOT_VALID = "This invite link is not valid here"


@pytest.fixture
def team(db, user):
    """Ada (the `user`) made it; Rui is a researcher in it."""
    team = factories.make_team(db, user, "Vision group")
    factories.add_member(db, team, factories.make_user(db, display_name="Rui"), "researcher")
    return team


@pytest.fixture
def maya(db, team):
    """A second manager and admin of the team."""
    maya = factories.make_user(db, display_name="Maya")
    factories.add_member(db, team, maya, "manager", is_admin=True)
    return maya


def _open_links(db, team, issuer) -> list[Invite]:
    db.expire_all()
    return list(
        db.exec(
            select(Invite).where(
                Invite.team_id == team.id,
                Invite.created_by_id == issuer.id,
                Invite.revoked_at.is_(None),
            )
        )
    )


def _join(client, db, person, team, raw):
    """`person` opens the link and presses Join; the response to that."""
    as_user(client, db, person)
    clean = client.get(f"/teams/{team.id}/join/{raw}").headers["location"]
    return client.submit(clean)


# ---------------------------------------------------------------- 8: invites die with rights


def test_stepping_down_as_admin_withdraws_the_links_one_made(client, db, user, team, maya):
    _, mine = factories.make_invite(db, team, maya, role="manager")
    factories.make_invite(db, team, user)
    r = as_user(client, db, user).submit(f"/teams/{team.id}/members/{maya.id}", {"is_admin": "no"})
    assert r.status_code == 303
    assert _open_links(db, team, maya) == []
    assert len(_open_links(db, team, user)) == 1  # another admin's links stand
    stranger = factories.make_user(db, display_name="Stranger")
    r = _join(client, db, stranger, team, mine)
    assert r.status_code == 404 and NOT_VALID in soup(r).select_one("#invite-error").text


def test_a_removed_admin_cannot_come_back_with_their_own_link(client, db, user, team, maya):
    """Today's attack: make a manager link, get removed, join again with it."""
    _, raw = factories.make_invite(db, team, maya, role="manager")
    r = as_user(client, db, user).submit(f"/teams/{team.id}/members/{maya.id}/remove")
    assert r.status_code == 303
    assert _open_links(db, team, maya) == []
    r = _join(client, db, maya, team, raw)
    assert r.status_code == 404 and NOT_VALID in soup(r).select_one("#invite-error").text
    assert db.exec(select(Membership).where(Membership.user_id == maya.id)).first() is None


def test_a_link_whose_maker_is_no_longer_admin_is_refused_on_accept(api, db, user, team, maya):
    """Even a link that was not withdrawn (made before this rule, or a race):
    accepting it checks its maker is an admin of the team now."""
    _, raw = factories.make_invite(db, team, maya)
    maya = db.exec(select(Membership).where(Membership.user_id == maya.id)).one()
    maya.is_admin = False  # straight in the table: nothing was withdrawn
    db.add(maya)
    db.commit()
    newcomer = token_of(db, factories.make_user(db))
    r = api.post(f"/api/v1/teams/{team.id}/join", json={"token": raw}, headers=newcomer)
    assert NOT_VALID in error_of(r, 404, "invite_invalid")["message"]


# ---------------------------------------------------------------- 9: no orphaned teams


def test_the_only_admin_cannot_leave_while_others_remain(client, db, user, team, maya):
    as_user(client, db, maya).submit(f"/teams/{team.id}/members/{maya.id}/remove")
    r = as_user(client, db, user).submit(f"/teams/{team.id}/members/{user.id}/remove")
    assert r.status_code == 409
    assert "only admin" in soup(r).select_one("[role=alert]").text
    db.expire_all()
    assert db.exec(select(Membership).where(Membership.user_id == user.id)).one().is_admin


def test_the_last_member_out_closes_the_team_and_its_links(client, db, user):
    team = factories.make_team(db, user, "Solo")
    _, raw = factories.make_invite(db, team, user)
    r = as_user(client, db, user).submit(f"/teams/{team.id}/members/{user.id}/remove")
    assert r.status_code == 303
    db.expire_all()
    assert db.get(Team, team.id).closed_at is not None
    assert db.exec(select(Invite.revoked_at).where(Invite.team_id == team.id)).one() is not None
    # No one gets in, and no one is left to manage it.
    r = _join(client, db, factories.make_user(db, display_name="Late"), team, raw)
    assert r.status_code == 404
    assert db.exec(select(Membership).where(Membership.team_id == team.id)).all() == []


# ------------------------------------------------ 10: notifications follow membership


@pytest.fixture
def thread(db, user, team, maya):
    """Ada shared her plan up to Maya, who answered; Maya is then removed."""
    project = factories.make_project(db, user, "Token pruning", team_id=team.id)
    request = factories.make_request(db, project, user, maya)
    factories.make_review(db, request, maya)
    return project, request


def _notices(db, person, kind):
    db.expire_all()
    return db.exec(
        select(Notification).where(Notification.user_id == person.id, Notification.kind == kind)
    ).all()


def test_a_removed_manager_hears_no_more_of_the_thread(api, db, user, team, thread, maya):
    project, request = thread
    url = f"/api/v1/reviews/{request.id}/comments"
    assert api.post(url, json={"body": "Before"}).status_code == 201
    assert len(_notices(db, maya, NoticeKind.comment_added)) == 1
    remove = f"/api/v1/teams/{team.id}/members/{maya.id}"
    assert api.delete(remove).status_code == 204
    r = api.patch(f"/api/v1/projects/{project.id}", json={"version": 1, "title": "Secret pivot"})
    assert r.status_code == 200, r.text
    assert api.post(url, json={"body": "After"}).status_code == 201
    notices = _notices(db, maya, NoticeKind.comment_added)
    assert len(notices) == 1 and "Secret pivot" not in notices[0].summary


def test_old_notifications_hide_what_the_reader_can_no_longer_open(
    client, api, db, user, team, thread, maya
):
    _, request = thread
    as_maya = token_of(db, maya)
    assert (
        api.post(f"/api/v1/reviews/{request.id}/comments", json={"body": "Hi"}).status_code == 201
    )
    page = soup(as_user(client, db, maya).get("/activity"))
    assert "Token pruning" in page.select_one(".activity-item").text
    assert api.delete(f"/api/v1/teams/{team.id}/members/{maya.id}").status_code == 204

    page = soup(client.get("/activity"))
    items = page.select(".activity-item")
    assert items and all("Token pruning" not in item.text for item in items)
    assert "a project you can no longer open" in items[0].text
    assert items[0].select("a") == []  # no link to a page that would say "not found"
    listed = api.get("/api/v1/notifications", headers=as_maya).json()["items"]
    assert listed and all(n["hidden"] and n["summary"] == "" for n in listed)
    # The owner still reads theirs.
    mine = api.get("/api/v1/notifications").json()["items"]
    assert mine and not any(n["hidden"] for n in mine)


def test_a_request_left_without_its_reviewer_tells_every_current_manager(api, db, user, team, maya):
    project = factories.make_project(db, user, "Open question", team_id=team.id)
    request = factories.make_request(db, project, user, maya)
    grace = factories.make_user(db, display_name="Grace")
    factories.add_member(db, team, grace, "manager")
    assert api.delete(f"/api/v1/teams/{team.id}/members/{maya.id}").status_code == 204
    r = api.post(f"/api/v1/reviews/{request.id}/comments", json={"body": "Anyone?"})
    assert r.status_code == 201
    assert len(_notices(db, grace, NoticeKind.comment_added)) == 1
    assert (
        len(_notices(db, user, NoticeKind.comment_added)) == 0
    )  # Ada made it, and Ada is a manager
    assert _notices(db, maya, NoticeKind.comment_added) == []
