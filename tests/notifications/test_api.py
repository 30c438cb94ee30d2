"""The notifications API: the caller's own, newest first, marked read on request."""

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.notifications.models import NoticeKind, Notification
from app.notifications.service import notify
from tests import factories
from tests.helpers import error_of


def unread_of(db, person) -> int:
    db.expire_all()
    return db.exec(
        select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == person.id, Notification.read_at.is_(None))
    ).one()


@pytest.fixture
def notices(db, user, other_user) -> list[int]:
    """Three notifications for Ada from Grace, oldest first, and one for Grace."""
    for summary in ("First", "Second", "Third"):
        notify(
            db,
            user_ids=[user.id],
            kind=NoticeKind.comment_added,
            actor=other_user,
            summary=summary,
        )
    notify(
        db, user_ids=[other_user.id], kind=NoticeKind.review_answered, actor=user, summary="Theirs"
    )
    db.commit()
    return list(
        db.exec(
            select(Notification.id).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def test_my_notifications_newest_first(api, db, user, notices):
    r = api.get("/api/v1/notifications")
    assert r.status_code == 200, r.text
    listing = r.json()["items"]
    assert [n["summary"] for n in listing] == ["Third", "Second", "First"]
    assert listing[0]["id"] == notices[-1]
    assert (listing[0]["kind"], listing[0]["actor_name"], listing[0]["read_at"]) == (
        "comment_added",
        "Grace",
        None,
    )
    assert "user_id" not in listing[0]
    assert [n["summary"] for n in api.get("/api/v1/notifications?limit=2").json()["items"]] == [
        "Third",
        "Second",
    ]


def test_marking_read_up_to_an_id_leaves_newer_ones_unread(api, db, user, other_user, notices):
    r = api.post("/api/v1/notifications/read", json={"up_to_id": notices[1]})
    assert r.status_code == 200 and r.json() == {"marked": 2}
    assert [n["summary"] for n in api.get("/api/v1/notifications?unread=true").json()["items"]] == [
        "Third"
    ]
    assert len(api.get("/api/v1/notifications").json()["items"]) == 3
    assert api.post("/api/v1/notifications/read", json={}).json() == {"marked": 1}
    assert api.get("/api/v1/notifications?unread=true").json()["items"] == []
    assert api.post("/api/v1/notifications/read").json() == {"marked": 0}
    assert unread_of(db, user) == 0
    assert unread_of(db, other_user) == 1  # Grace's own stay hers


def test_someone_elses_notifications_stay_theirs(api, db, user, other_user, notices):
    as_grace = {"Authorization": f"Bearer {factories.make_token(db, other_user)}"}
    theirs = api.get("/api/v1/notifications", headers=as_grace).json()["items"]
    assert [n["summary"] for n in theirs] == ["Theirs"]
    # Marking "up to" a higher id never reaches another person's notifications.
    r = api.post("/api/v1/notifications/read", json={"up_to_id": notices[-1] + 100})
    assert r.json() == {"marked": 3}
    assert unread_of(db, other_user) == 1


def test_a_review_request_notifies_its_reviewer(api, db, user, other_user):
    team = factories.make_team(db, other_user)
    factories.add_member(db, team, user)
    project = factories.make_project(db, user, "Shared", team_id=team.id)
    r = api.post(
        f"/api/v1/projects/{project.id}/plans/1/reviews",
        json={"reviewer_id": other_user.id, "questions": ["Why now?"]},
    )
    assert r.status_code == 201
    as_grace = {"Authorization": f"Bearer {factories.make_token(db, other_user)}"}
    [notice] = api.get("/api/v1/notifications?unread=true", headers=as_grace).json()["items"]
    assert (notice["kind"], notice["request_id"], notice["actor_name"]) == (
        "review_requested",
        r.json()["id"],
        "Ada",
    )
    assert api.get("/api/v1/notifications").json()["items"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"up_to_id": "3"}, "up_to_id"),
        ({"up_to_id": 0}, "up_to_id"),
        ({"up_to_id": 1.5}, "up_to_id"),
        ({"all": True}, "all"),
    ],
)
def test_bad_mark_read_answers_422(api, db, user, notices, body, field):
    error = error_of(api.post("/api/v1/notifications/read", json=body), 422, "validation_error")
    assert field in [f["field"] for f in error["fields"]]
    assert unread_of(db, user) == 3


@pytest.mark.parametrize(
    ("query", "field"), [("limit=0", "limit"), ("limit=201", "limit"), ("unread=maybe", "unread")]
)
def test_bad_listing_parameters_answer_422(api, query, field):
    error = error_of(api.get(f"/api/v1/notifications?{query}"), 422, "validation_error")
    assert [f["field"] for f in error["fields"]] == [field]
