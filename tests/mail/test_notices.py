"""Review requests, answers and likely scoops by e-mail, for those who
asked: composed from the activity list's template when sent, with links on
GOLDFISH_BASE_URL and a one-click unsubscribe; nothing to a reader who can
no longer see what it is about."""

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.db import utcnow
from app.mail.models import MailKind, MailOutbox, MailPreference, MailStatus, ScoopMail
from app.mail.preferences import preference_save
from app.mailings.compose import HIDDEN, UNSUBSCRIBED
from app.notifications.models import NoticeKind
from app.notifications.service import notify
from app.teams import queries as team_queries
from app.teams import service as team_service
from tests import factories
from tests.helpers import soup


def _wants(db, user, **choices) -> None:
    values = {
        "scoops": ScoopMail.off,
        "reviews": False,
        "digest": False,
        "digest_weekday": 0,
        "digest_hour": 8,
    } | choices
    preference_save(db, user_id=user.id, zone=user.timezone, **values)
    db.commit()


def _outbox(db) -> list[MailOutbox]:
    db.expire_all()
    return list(db.exec(select(MailOutbox).order_by(MailOutbox.id)))


@pytest.fixture
def vision(db, user, other_user):
    """Maria manages Vision; Grace manages it too; Ada is a researcher in it
    with a project shared with the team."""
    maria = factories.make_user(db, display_name="Maria")
    team = factories.make_team(db, maria, "Vision group")
    factories.add_member(db, team, user, "researcher")
    factories.add_member(db, team, other_user, "manager")
    project = factories.make_project(db, user, "Sparse attention", team_id=team.id)
    return team, maria, project


def test_nothing_is_mailed_to_someone_who_did_not_ask(db, app, smtp, user, other_user, vision):
    _, _, project = vision
    factories.make_request(db, project, user, other_user)
    assert _outbox(db) == []


def test_a_review_request_is_mailed_with_links_and_one_click_unsubscribe(
    db, app, client, smtp, user, other_user, vision
):
    _, _, project = vision
    _wants(db, other_user, reviews=True)
    request = factories.make_request(db, project, user, other_user)
    [row] = _outbox(db)
    assert (row.kind, row.to_address, row.status) == (MailKind.notice, other_user.email, "queued")

    assert smtp.deliver().sent == 1
    [(to, message)] = smtp.inbox.messages
    assert to == [other_user.email]
    assert message["Subject"] == "Review requested: Sparse attention, plan version 1"
    text = message.get_body(("plain",)).get_content()
    html = soup_of(message)
    link = f"https://gf.example.org/reviews/{request.id}"
    assert "Ada asked you to review Sparse attention, plan version 1" in text and link in text
    assert html.select_one(f"a[href='{link}']").get_text() == "Sparse attention, plan version 1"
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("https://gf.example.org/mail/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert html.select_one(f"a[href='{unsubscribe}']")

    # RFC 8058: the mail client POSTs, with no cookie and no CSRF token.
    client.cookies.clear()
    path = unsubscribe.removeprefix("https://gf.example.org")
    page = client.get(path)
    assert page.status_code == 200 and "review requests and answers" in page.text
    db.expire_all()
    assert db.get(MailPreference, other_user.id).reviews, "opening the link changes nothing"
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert soup(done).select_one("#unsubscribed")
    db.expire_all()
    assert not db.get(MailPreference, other_user.id).reviews
    factories.make_request(
        db, factories.make_project(db, user, "Other", team_id=vision[0].id), user, other_user
    )
    assert len(_outbox(db)) == 1, "nothing more is queued"


def test_an_answer_is_mailed_to_the_researcher(db, app, smtp, user, other_user, vision):
    _, _, project = vision
    _wants(db, user, reviews=True)
    request = factories.make_request(db, project, user, other_user)
    factories.make_review(db, request, other_user)
    smtp.deliver()
    [message] = smtp.inbox.received
    assert message["To"] == user.email
    assert message["Subject"].startswith("Your review request was answered")


def test_a_forged_or_reused_token_unsubscribes_nobody(db, app, client, smtp, user):
    _wants(db, user, reviews=True, scoops=ScoopMail.each)
    from app.mail.tokens import unsubscribe_token

    token = unsubscribe_token(app.state.settings, user_id=user.id, kind="reviews")
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.post(f"/mail/unsubscribe/{forged}").status_code == 400
    # A token signed for something else (a flash message, a CSRF cookie) is no unsubscribe token.
    from itsdangerous import URLSafeSerializer

    other = URLSafeSerializer(app.state.settings.secret_key).dumps([user.id, "reviews"])
    assert client.post(f"/mail/unsubscribe/{other}").status_code == 400
    db.expire_all()
    assert db.get(MailPreference, user.id).reviews
    # And the unsubscribe token is no log-in: it opens nothing else.
    client.cookies.clear()
    assert client.get("/account", headers={"Authorization": f"Bearer {token}"}).status_code in (
        303,
        401,
    )
    assert (
        client.get("/api/v1/projects", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )
    # It turns off only its own kind.
    assert client.post(f"/mail/unsubscribe/{token}").status_code == 200
    db.expire_all()
    pref = db.get(MailPreference, user.id)
    assert (pref.reviews, pref.scoops) == (False, ScoopMail.each)


def test_a_member_removed_from_the_team_is_not_sent_its_queued_messages(
    db, app, smtp, user, other_user, vision
):
    team, maria, project = vision
    _wants(db, other_user, reviews=True)
    factories.make_request(db, project, user, other_user)
    view = team_queries.team_for(db, user=maria, team_id=team.id)
    team_service.membership_remove(db, view=view, actor=maria, user_id=other_user.id)
    db.commit()
    done = smtp.deliver()
    assert (done.sent, done.dropped) == (0, 1)
    assert smtp.inbox.messages == []
    [row] = _outbox(db)
    assert (row.status, row.last_error) == (MailStatus.dropped, HIDDEN)


def test_turning_a_kind_off_before_the_worker_runs_sends_nothing(
    db, app, smtp, user, other_user, vision
):
    _, _, project = vision
    _wants(db, other_user, reviews=True)
    factories.make_request(db, project, user, other_user)
    _wants(db, other_user, reviews=False)
    smtp.deliver()
    assert smtp.inbox.messages == []
    assert _outbox(db)[0].last_error == UNSUBSCRIBED


def _scoop(db, user, project, title):
    notify(
        db,
        user_ids=[user.id],
        kind=NoticeKind.scoop_suggested,
        actor=user,
        summary=title,
        project_id=project.id,
        tell_actor=True,
    )
    db.commit()


def test_scoops_as_found_are_one_message_each(db, app, smtp, user):
    project = factories.make_project(db, user, "Sparse attention")
    _wants(db, user, scoops=ScoopMail.each)
    _scoop(db, user, project, "Sparse attention")
    _scoop(db, user, project, "Sparse attention")
    assert smtp.deliver().sent == 2
    message = smtp.inbox.received[0]
    assert message["Subject"] == "Likely scoop: Sparse attention"
    assert (
        f"https://gf.example.org/inbox#project-{project.id}"
        in message.get_body(("plain",)).get_content()
    )


def test_scoops_batched_hourly_are_one_message_at_the_top_of_the_hour(db, app, smtp, user):
    project = factories.make_project(db, user, "Sparse attention")
    _wants(db, user, scoops=ScoopMail.hourly)
    for _ in range(3):
        _scoop(db, user, project, "Sparse attention")
    [row] = _outbox(db)
    assert row.kind is MailKind.scoops
    assert row.due_at > utcnow() and row.due_at.minute == 0
    assert smtp.deliver().handled == 0, "not before the hour"
    # The top of the hour comes (now, just after the three were found).
    db.execute(sa.update(MailOutbox).values(due_at=utcnow()))
    db.commit()
    assert smtp.deliver().sent == 1
    [message] = smtp.inbox.received
    assert message["Subject"] == "3 likely scoops of your projects"
    assert message.get_body(("plain",)).get_content().count("A feed found a likely scoop") == 3


def soup_of(message):
    from bs4 import BeautifulSoup

    return BeautifulSoup(message.get_body(("html",)).get_content(), "html.parser")
