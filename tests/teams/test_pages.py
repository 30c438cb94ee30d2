"""Teams through the pages: making one, invite links, roles, leaving."""

from datetime import timedelta

import pytest
from sqlmodel import select

from app.auth.models import User
from app.db import utcnow
from app.teams.models import Invite, Membership, Team
from app.teams.routes import INVITE_COOKIE
from tests import factories
from tests.conftest import Client
from tests.helpers import soup


@pytest.fixture
def team(db, user):
    """Ada (the `user`) made it: manager and admin."""
    return factories.make_team(db, user, "Vision group")


@pytest.fixture
def newcomer(app, db):
    person = factories.make_user(db, display_name="Newcomer")
    with Client(app, base_url="https://testserver", follow_redirects=False) as c:
        factories.log_in(c, db, person)
        c.person = person
        yield c


def test_making_a_team_makes_you_its_manager_and_admin(logged_in, db, user):
    r = logged_in.submit("/teams", {"name": "NLP <lab>"})
    assert r.status_code == 303
    page = soup(logged_in.get(r.headers["location"]))
    assert page.h1.text == "NLP <lab>"
    assert "manager" in page.select_one(f"#member-{user.id}").text
    assert page.select_one(f"#member-{user.id} td:nth-of-type(3)").text == "yes"


def test_a_team_needs_a_name(logged_in, db):
    r = logged_in.submit("/teams", {"name": "  "})
    assert r.status_code == 422
    assert soup(r).select_one("#e-name").text == "This is required."
    assert db.exec(select(Team)).all() == []


NOT_VALID = "This invite link is not valid here"


def land(client, link_path: str):
    """Open an invite link: it lands once and the browser goes on to a plain URL."""
    r = client.get(link_path)
    assert r.status_code == 303
    team_id = link_path.split("/")[2]
    assert r.headers["location"] == f"/teams/{team_id}/join"
    assert "gfi_" not in r.headers["location"]
    return r.headers["location"]


def test_an_invite_link_lets_one_person_in_once(logged_in, newcomer, db, team):
    r = logged_in.submit(f"/teams/{team.id}/invites", {"role": "manager", "days": "7"})
    assert r.status_code == 200
    link = soup(r).select_one("#invite-link")["value"]
    path = link.removeprefix("https://testserver")
    assert path.startswith(f"/teams/{team.id}/join/gfi_")
    raw = path.rsplit("/", 1)[1]
    # Only the hash is kept.
    assert raw not in {i.token_hash for i in db.exec(select(Invite))}

    clean = land(newcomer, path)
    page = newcomer.get(clean)
    assert "join Vision group as a manager" in soup(page).text.replace("\n", " ").replace("  ", " ")
    assert raw not in page.text  # not in the form's action, nor anywhere on the page
    r = newcomer.submit(clean)
    assert r.status_code == 303 and r.headers["location"].endswith(f"/teams/{team.id}")
    assert INVITE_COOKIE not in newcomer.cookies  # spent, and forgotten
    membership = db.exec(select(Membership).where(Membership.user_id == newcomer.person.id)).one()
    assert membership.role == "manager" and not membership.is_admin

    # A second person with the same link is turned away.
    other = factories.make_user(db)
    factories.log_in(newcomer, db, other)
    r = newcomer.submit(land(newcomer, path))
    assert r.status_code == 404
    assert NOT_VALID in soup(r).select_one("#invite-error").text
    assert db.exec(select(Membership).where(Membership.user_id == other.id)).first() is None


def _expired(db, invite):
    invite.expires_at = utcnow() - timedelta(minutes=1)
    db.add(invite)


def _withdrawn(db, invite):
    invite.revoked_at = utcnow()
    db.add(invite)


def _issuer_demoted(db, invite):
    membership = db.exec(select(Membership).where(Membership.user_id == invite.created_by_id)).one()
    membership.is_admin = False
    db.add(membership)


@pytest.mark.parametrize("spoil", [_expired, _withdrawn, _issuer_demoted])
def test_a_link_that_cannot_let_anyone_in_says_one_thing(newcomer, db, user, team, spoil):
    invite, raw = factories.make_invite(db, team, user)
    spoil(db, invite)
    db.commit()
    clean = land(newcomer, f"/teams/{team.id}/join/{raw}")
    for send in (newcomer.get, newcomer.submit):
        factories.set_cookie(newcomer, INVITE_COOKIE, raw)
        response = send(clean)
        assert response.status_code == 404
        assert NOT_VALID in soup(response).select_one("#invite-error").text
        assert (
            INVITE_COOKIE not in response.headers.get("set-cookie", "")
            or "Max-Age=0" in (response.headers["set-cookie"])
        )
    assert len(db.exec(select(Membership)).all()) == 1


def test_a_forged_link_is_refused(newcomer, db, team):
    r = newcomer.submit(land(newcomer, f"/teams/{team.id}/join/gfi_madeup"))
    assert r.status_code == 404
    assert NOT_VALID in soup(r).select_one("#invite-error").text
    assert len(db.exec(select(Membership)).all()) == 1


def test_the_join_page_without_a_link_is_refused(newcomer, db, team):
    r = newcomer.get(f"/teams/{team.id}/join")
    assert r.status_code == 404
    assert NOT_VALID in soup(r).select_one("#invite-error").text


def test_a_link_for_one_team_does_not_open_another(newcomer, db, user, team):
    other_team = factories.make_team(db, user, "Other group")
    _, raw = factories.make_invite(db, team, user)
    r = newcomer.submit(land(newcomer, f"/teams/{other_team.id}/join/{raw}"))
    assert r.status_code == 404
    assert NOT_VALID in soup(r).select_one("#invite-error").text
    assert db.exec(select(Membership).where(Membership.user_id == newcomer.person.id)).all() == []


def test_opening_a_link_signed_out_says_who_invites_and_survives_logging_in(
    app, client, db, user, team
):
    _, raw = factories.make_invite(db, team, user, role="manager")
    clean = land(client, f"/teams/{team.id}/join/{raw}")
    r = client.get(clean)
    assert r.status_code == 200
    page = soup(r)
    said = " ".join(page.select_one("main").get_text(" ").split())
    assert "Ada invites you to join Vision group as a manager" in said
    log_in = page.find("a", string="Log in to join")["href"]
    assert log_in.endswith(f"/login?next=%2Fteams%2F{team.id}%2Fjoin") and raw not in r.text
    person = factories.make_user(db, display_name="Late comer")
    factories.log_in(client, db, person)
    r = client.submit(clean)
    assert r.status_code == 303
    assert db.exec(select(Membership).where(Membership.user_id == person.id)).one()


def test_an_invite_survives_creating_an_account(client, db, user, team):
    _, raw = factories.make_invite(db, team, user)
    clean = land(client, f"/teams/{team.id}/join/{raw}")
    sign_up = soup(client.get(clean)).find("a", string="Create an account")["href"]
    form = soup(client.get(sign_up))
    assert form.select_one("input[name=next]")["value"] == clean
    # The login page's "Create an account" keeps it too.
    login = soup(client.get(f"/login?next={clean}"))
    assert login.find("a", string="Create an account")["href"] == sign_up
    r = client.submit(
        "/signup",
        {
            "email": "newcomer@example.org",
            "display_name": "Newcomer",
            "password": factories.PASSWORD,
            "next": clean,
        },
    )
    assert r.status_code == 303 and r.headers["location"] == clean
    assert client.submit(clean).status_code == 303
    newcomer = db.exec(select(User).where(User.email == "newcomer@example.org")).one()
    assert db.exec(select(Membership).where(Membership.user_id == newcomer.id)).one()


def test_only_admins_invite_and_change_roles(app, db, user, team):
    member = factories.make_user(db, display_name="Member")
    factories.add_member(db, team, member)
    with Client(app, base_url="https://testserver", follow_redirects=False) as c:
        factories.log_in(c, db, member)
        page = soup(c.get(f"/teams/{team.id}"))
        assert page.select_one("#f-role") is None  # no invite form
        assert c.submit(f"/teams/{team.id}/invites", {"role": "manager"}).status_code == 403
        r = c.submit(
            f"/teams/{team.id}/members/{member.id}", {"role": "manager", "is_admin": "yes"}
        )
        assert r.status_code == 403
        assert c.submit(f"/teams/{team.id}/members/{user.id}/remove").status_code == 403
    db.expire_all()
    assert db.exec(select(Invite)).all() == []
    assert db.get(Membership, factories_membership_id(db, team, member)).role == "researcher"


def factories_membership_id(db, team, person) -> int:
    return db.exec(
        select(Membership.id).where(Membership.team_id == team.id, Membership.user_id == person.id)
    ).one()


def test_the_last_admin_cannot_leave_or_step_down(logged_in, db, user, team):
    member = factories.make_user(db)
    factories.add_member(db, team, member)
    r = logged_in.submit(f"/teams/{team.id}/members/{user.id}/remove")
    assert r.status_code == 409
    assert "only admin" in soup(r).select_one(".notice").text
    r = logged_in.submit(
        f"/teams/{team.id}/members/{user.id}", {"role": "manager", "is_admin": "no"}
    )
    assert r.status_code == 409
    # Once someone else is admin, Ada may go.
    r = logged_in.submit(
        f"/teams/{team.id}/members/{member.id}", {"role": "manager", "is_admin": "yes"}
    )
    assert r.status_code == 303
    assert logged_in.submit(f"/teams/{team.id}/members/{user.id}/remove").status_code == 303
    assert logged_in.get(f"/teams/{team.id}").status_code == 404


def test_strangers_do_not_see_a_team(app, db, team, other_user):
    with Client(app, base_url="https://testserver", follow_redirects=False) as c:
        factories.log_in(c, db, other_user)
        assert c.get(f"/teams/{team.id}").status_code == 404
        assert "Vision group" not in c.get("/teams").text


def test_demoting_a_manager_takes_effect_on_their_next_request(logged_in, app, db, user, team):
    manager = factories.make_user(db, display_name="Grace")
    factories.add_member(db, team, manager, "manager")
    project = factories.make_project(db, user, "Shared", team_id=team.id)
    request = factories.make_request(db, project, user, manager)
    with Client(app, base_url="https://testserver", follow_redirects=False) as c:
        factories.log_in(c, db, manager)
        assert c.get(f"/reviews/{request.id}").status_code == 200
        r = logged_in.submit(
            f"/teams/{team.id}/members/{manager.id}", {"role": "researcher", "is_admin": "no"}
        )
        assert r.status_code == 303
        assert c.get(f"/reviews/{request.id}").status_code == 404
        assert c.get(f"/teams/{team.id}/portfolio").status_code == 403
        assert c.get(f"/projects/{project.id}").status_code == 200  # still a member
