"""The reviews API: sharing a plan up, answering it, the thread, and who may
see or do what. Ada (`user`, the `api` fixture) is a researcher of Maria's
team; Grace (`other_user`) is its second manager; Rita a researcher teammate;
Otto manages another team; Olive is in no team."""

from dataclasses import dataclass

import pytest
from sqlmodel import select

from app.notifications.models import Notification
from app.projects import service as project_service
from app.projects.models import PlanIn, PlanReason
from app.reviews.models import Review, ReviewComment, ReviewQuestion, ReviewRequest
from tests import factories
from tests.helpers import count, error_of, field_error, token_of


@dataclass
class Cast:
    team: object
    maria: object
    grace: object
    rita: object
    otto: object
    as_maria: dict
    as_grace: dict
    as_rita: dict
    as_otto: dict
    as_olive: dict


@pytest.fixture
def cast(db, user, other_user) -> Cast:
    maria = factories.make_user(db, display_name="Maria")
    team = factories.make_team(db, maria, "Vision group")
    factories.add_member(db, team, user, "researcher")
    factories.add_member(db, team, other_user, "manager")
    rita = factories.make_user(db, display_name="Rita")
    factories.add_member(db, team, rita, "researcher")
    otto = factories.make_user(db, display_name="Otto")
    factories.make_team(db, otto, "Another group")
    olive = factories.make_user(db, display_name="Olive")
    return Cast(
        team=team,
        maria=maria,
        grace=other_user,
        rita=rita,
        otto=otto,
        as_maria=token_of(db, maria),
        as_grace=token_of(db, other_user),
        as_rita=token_of(db, rita),
        as_otto=token_of(db, otto),
        as_olive=token_of(db, olive),
    )


@pytest.fixture
def project(db, user, cast):
    return factories.make_project(db, user, "Shared plan", team_id=cast.team.id, goal="Ship it")


@pytest.fixture
def request_(db, user, cast, project):
    """Ada asked Maria to review plan 1, with two questions."""
    return factories.make_request(db, project, user, cast.maria, ["First or best?", "Open?"])


def answer(**overrides) -> dict:
    return {
        "version": 1,
        "plan_number": 1,
        "decision": "acknowledged",
        "answers": ["Best", "Yes"],
        "note": "Risk known and accepted",
        **overrides,
    }


# ---------------------------------------------------------------- asking


def test_a_researcher_shares_a_plan_up_and_the_manager_finds_it(api, db, user, cast, project):
    r = api.post(
        f"/api/v1/projects/{project.id}/plans/1/reviews",
        json={"reviewer_id": cast.maria.id, "questions": ["  First or best? ", "Open?"]},
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert (created["project_title"], created["plan_number"], created["team_id"]) == (
        "Shared plan",
        1,
        cast.team.id,
    )
    assert (created["status"], created["version"], created["review"]) == ("open", 1, None)
    assert (created["requested_by_id"], created["reviewer_id"]) == (user.id, cast.maria.id)
    assert created["questions"] == [
        {"position": 1, "text": "First or best?", "answer": ""},
        {"position": 2, "text": "Open?", "answer": ""},
    ]
    assert api.get(f"/api/v1/reviews/{created['id']}", headers=cast.as_maria).json() == created
    assert [r["id"] for r in api.get("/api/v1/reviews?box=sent").json()["items"]] == [created["id"]]
    waiting = api.get("/api/v1/reviews", headers=cast.as_maria).json()["items"]
    assert waiting == [created]
    assert api.get("/api/v1/reviews").json()["items"] == []  # nothing waits for Ada
    # Grace manages the team too: she sees it among the team's open requests,
    # but it is not waiting for her.
    assert api.get("/api/v1/reviews?box=waiting", headers=cast.as_grace).json()["items"] == []
    assert [
        r["id"] for r in api.get("/api/v1/reviews?box=team", headers=cast.as_grace).json()["items"]
    ] == [created["id"]]
    assert api.get("/api/v1/reviews?box=team", headers=cast.as_rita).json()["items"] == []
    notice = db.exec(select(Notification).where(Notification.user_id == cast.maria.id)).one()
    assert (notice.kind, notice.request_id) == ("review_requested", created["id"])


def test_only_the_owner_shares_a_plan_up(api, db, user, cast, project):
    url = f"/api/v1/projects/{project.id}/plans/1/reviews"
    body = {"reviewer_id": cast.maria.id, "questions": ["Why?"]}
    error_of(api.post(url, json=body, headers=cast.as_rita), 403, "forbidden")
    error_of(api.post(url, json=body, headers=cast.as_grace), 403, "forbidden")
    error_of(api.post(url, json=body, headers=cast.as_otto), 404, "not_found")
    error_of(api.post(url, json=body, headers=cast.as_olive), 404, "not_found")
    assert count(db, ReviewRequest) == 0


def test_sharing_up_a_missing_plan_or_a_private_project_is_refused(api, db, user, cast, project):
    body = {"reviewer_id": cast.maria.id, "questions": ["Why?"]}
    r = api.post(f"/api/v1/projects/{project.id}/plans/2/reviews", json=body)
    assert error_of(r, 404, "not_found")["message"] == "No such plan version."
    private = factories.make_project(db, user, "Private")
    r = api.post(f"/api/v1/projects/{private.id}/plans/1/reviews", json=body)
    assert "Share the project with a team" in error_of(r, 409, "not_shared")["message"]
    assert count(db, ReviewRequest) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"questions": ["Why?"]}, "reviewer_id"),
        ({"reviewer_id": "1", "questions": ["Why?"]}, "reviewer_id"),
        ({"reviewer_id": 1}, "questions"),
        ({"reviewer_id": 1, "questions": []}, "questions"),
        ({"reviewer_id": 1, "questions": ["   "]}, "questions.0"),
        ({"reviewer_id": 1, "questions": ["x" * 1001]}, "questions.0"),
        ({"reviewer_id": 1, "questions": ["Why?"] * 21}, "questions"),
        ({"reviewer_id": 1, "questions": ["Why?"], "urgent": True}, "urgent"),
    ],
)
def test_bad_requests_answer_422(api, db, project, body, field):
    field_error(api.post(f"/api/v1/projects/{project.id}/plans/1/reviews", json=body), field)
    assert count(db, ReviewRequest) == 0


@pytest.mark.parametrize(("who", "status"), [("rita", 422), ("otto", 404), ("user", 422)])
def test_the_reviewer_must_be_another_manager_of_the_team(
    api, db, user, cast, project, who, status
):
    """Someone outside the team is not found there (as a team one is not in);
    a teammate who manages nothing, or oneself, is the wrong choice."""
    reviewer = user if who == "user" else getattr(cast, who)
    r = api.post(
        f"/api/v1/projects/{project.id}/plans/1/reviews",
        json={"reviewer_id": reviewer.id, "questions": ["Why?"]},
    )
    code = "validation_error" if status == 422 else "not_found"
    assert "reviewer_id" in [f["field"] for f in error_of(r, status, code)["fields"]]
    assert count(db, ReviewRequest) == 0


# ---------------------------------------------------------------- who sees a request


def test_the_requester_and_the_teams_managers_see_a_request_no_one_else(api, db, cast, request_):
    url = f"/api/v1/reviews/{request_.id}"
    assert api.get(url).status_code == 200
    assert api.get(url, headers=cast.as_maria).status_code == 200
    assert api.get(url, headers=cast.as_grace).status_code == 200
    for stranger in (cast.as_rita, cast.as_otto, cast.as_olive):
        error_of(api.get(url, headers=stranger), 404, "not_found")
        error_of(api.get(f"{url}/comments", headers=stranger), 404, "not_found")
        error_of(
            api.post(f"{url}/comments", json={"body": "Hi"}, headers=stranger), 404, "not_found"
        )
        error_of(api.post(f"{url}/review", json=answer(), headers=stranger), 404, "not_found")
        error_of(
            api.patch(
                f"{url}/questions", json={"version": 1, "questions": ["?"]}, headers=stranger
            ),
            404,
            "not_found",
        )
        error_of(
            api.post(f"{url}/withdraw", json={"version": 1}, headers=stranger), 404, "not_found"
        )
        assert api.get("/api/v1/reviews?box=team", headers=stranger).json()["items"] == []
    error_of(api.get("/api/v1/reviews/999999"), 404, "not_found")
    db.expire_all()
    assert db.get(ReviewRequest, request_.id).version == 1
    assert count(db, ReviewComment) == count(db, Review) == 0


@pytest.mark.parametrize("box", ["inbox", "", "WAITING"])
def test_an_unknown_box_answers_422(api, box):
    field_error(api.get(f"/api/v1/reviews?box={box}"), "box")


# ---------------------------------------------------------------- answering


def test_a_manager_answers_and_the_researcher_reads_the_answer(api, db, user, cast, request_):
    r = api.post(f"/api/v1/reviews/{request_.id}/review", json=answer(), headers=cast.as_maria)
    assert r.status_code == 201, r.text
    answered = r.json()
    assert (answered["status"], answered["version"]) == ("answered", 2)
    assert [q["answer"] for q in answered["questions"]] == ["Best", "Yes"]
    review = answered["review"]
    assert (review["reviewer_name"], review["decision"], review["note"]) == (
        "Maria",
        "acknowledged",
        "Risk known and accepted",
    )
    mine = api.get(f"/api/v1/reviews/{request_.id}").json()
    assert mine == answered
    assert api.get("/api/v1/reviews", headers=cast.as_maria).json()["items"] == []
    assert (
        api.get("/api/v1/reviews?box=sent").json()["items"][0]["review"]["decision"]
        == "acknowledged"
    )
    notice = db.exec(select(Notification).where(Notification.user_id == user.id)).one()
    assert notice.kind == "review_answered" and "scoop risk acknowledged" in notice.summary


def test_any_manager_of_the_team_may_answer(api, db, cast, request_):
    r = api.post(
        f"/api/v1/reviews/{request_.id}/review",
        json=answer(decision="changes_requested", answers=["Best"]),
        headers=cast.as_grace,
    )
    assert r.status_code == 201, r.text
    assert r.json()["review"]["reviewer_name"] == "Grace"
    assert [q["answer"] for q in r.json()["questions"]] == ["Best", ""]


def test_no_one_answers_their_own_plan(api, db, user, cast, project, request_):
    error_of(api.post(f"/api/v1/reviews/{request_.id}/review", json=answer()), 403, "forbidden")
    # A manager sharing up their own plan cannot answer it either.
    theirs = factories.make_project(db, cast.grace, "Grace's plan", team_id=cast.team.id)
    own = factories.make_request(db, theirs, cast.grace, cast.maria)
    r = api.post(f"/api/v1/reviews/{own.id}/review", json=answer(answers=[]), headers=cast.as_grace)
    error_of(r, 403, "forbidden")
    assert count(db, Review) == 0


def test_two_managers_answering_at_once_one_gets_in(api, db, cast, request_):
    """Both loaded version 1; the second is told, and nothing is overwritten."""
    first = api.post(f"/api/v1/reviews/{request_.id}/review", json=answer(), headers=cast.as_maria)
    assert first.status_code == 201, first.text
    second = api.post(
        f"/api/v1/reviews/{request_.id}/review",
        json=answer(decision="changes_requested", answers=["First", "No"]),
        headers=cast.as_grace,
    )
    assert "answered by another manager" in error_of(second, 409, "review_changed")["message"]
    assert count(db, Review) == 1
    current = api.get(f"/api/v1/reviews/{request_.id}").json()
    assert current["review"]["decision"] == "acknowledged"
    assert [q["answer"] for q in current["questions"]] == ["Best", "Yes"]


def test_questions_edited_while_a_manager_answers_conflict(api, db, cast, request_):
    edited = api.patch(
        f"/api/v1/reviews/{request_.id}/questions",
        json={"version": 1, "questions": ["First or best?", "Open?", "Budget?"]},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2
    assert [q["text"] for q in edited.json()["questions"]][-1] == "Budget?"
    stale = api.post(f"/api/v1/reviews/{request_.id}/review", json=answer(), headers=cast.as_maria)
    assert "changed the questions" in error_of(stale, 409, "review_changed")["message"]
    assert count(db, Review) == 0
    assert api.get(f"/api/v1/reviews/{request_.id}").json()["status"] == "open"
    fresh = api.post(
        f"/api/v1/reviews/{request_.id}/review",
        json=answer(version=2, answers=["Best", "Yes", "Enough"]),
        headers=cast.as_maria,
    )
    assert fresh.status_code == 201, fresh.text


def test_a_newer_plan_saved_while_a_manager_answers_conflicts(
    api, db, user, cast, project, request_
):
    project_service.plan_add(
        db, project=project, actor=user, data=PlanIn(goal="Revised"), reason=PlanReason.revision
    )
    db.commit()
    stale = api.post(f"/api/v1/reviews/{request_.id}/review", json=answer(), headers=cast.as_maria)
    assert "plan version 2" in error_of(stale, 409, "review_changed")["message"]
    assert count(db, Review) == 0
    anyway = api.post(
        f"/api/v1/reviews/{request_.id}/review", json=answer(plan_number=2), headers=cast.as_maria
    )
    assert anyway.status_code == 201 and anyway.json()["plan_number"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (answer(decision="maybe"), "decision"),
        (answer(version="1"), "version"),
        (answer(version=0), "version"),
        ({"version": 1, "decision": "approved"}, "plan_number"),
        (answer(answers=["a", "b", "c"]), "answers"),
        (answer(answers=["x" * 5001]), "answers.0"),
        (answer(note="x" * 5001), "note"),
        (answer(grade="A"), "grade"),
    ],
)
def test_bad_answers_answer_422(api, db, cast, request_, body, field):
    r = api.post(f"/api/v1/reviews/{request_.id}/review", json=body, headers=cast.as_maria)
    field_error(r, field)
    assert count(db, Review) == 0
    db.expire_all()
    assert db.get(ReviewRequest, request_.id).status == "open"


# ---------------------------------------------------------------- editing, withdrawing


def test_only_the_requester_edits_or_withdraws(api, db, cast, request_):
    url = f"/api/v1/reviews/{request_.id}"
    error_of(
        api.patch(
            f"{url}/questions", json={"version": 1, "questions": ["Mine?"]}, headers=cast.as_maria
        ),
        403,
        "forbidden",
    )
    error_of(
        api.post(f"{url}/withdraw", json={"version": 1}, headers=cast.as_grace), 403, "forbidden"
    )
    db.expire_all()
    assert db.get(ReviewRequest, request_.id).version == 1
    assert [q.text for q in db.exec(select(ReviewQuestion).order_by(ReviewQuestion.position))] == [
        "First or best?",
        "Open?",
    ]


def test_a_withdrawn_request_cannot_be_answered_or_edited(api, db, cast, request_):
    url = f"/api/v1/reviews/{request_.id}"
    withdrawn = api.post(f"{url}/withdraw", json={"version": 1})
    assert withdrawn.status_code == 200, withdrawn.text
    assert (withdrawn.json()["status"], withdrawn.json()["version"]) == ("withdrawn", 2)
    assert api.get("/api/v1/reviews", headers=cast.as_maria).json()["items"] == []
    late = api.post(f"{url}/review", json=answer(version=2), headers=cast.as_maria)
    assert "withdrew" in error_of(late, 409, "review_changed")["message"]
    edit = api.patch(f"{url}/questions", json={"version": 2, "questions": ["Again?"]})
    error_of(edit, 409, "review_changed")
    assert count(db, Review) == 0


def test_a_stale_edit_conflicts(api, db, request_):
    url = f"/api/v1/reviews/{request_.id}"
    assert (
        api.patch(f"{url}/questions", json={"version": 1, "questions": ["A?"]}).status_code == 200
    )
    stale = api.patch(f"{url}/questions", json={"version": 1, "questions": ["B?"]})
    error_of(stale, 409, "review_changed")
    error_of(api.post(f"{url}/withdraw", json={"version": 1}), 409, "review_changed")
    assert [q["text"] for q in api.get(url).json()["questions"]] == ["A?"]


@pytest.mark.parametrize(
    ("suffix", "method", "body", "field"),
    [
        ("/questions", "PATCH", {"questions": ["A?"]}, "version"),
        ("/questions", "PATCH", {"version": 1, "questions": []}, "questions"),
        ("/questions", "PATCH", {"version": 1, "questions": [""]}, "questions.0"),
        ("/withdraw", "POST", {}, "version"),
        ("/withdraw", "POST", {"version": "1"}, "version"),
        ("/withdraw", "POST", {"version": 1, "why": "x"}, "why"),
        ("/comments", "POST", {}, "body"),
        ("/comments", "POST", {"body": "   "}, "body"),
        ("/comments", "POST", {"body": "x" * 10_001}, "body"),
    ],
)
def test_bad_edits_answer_422(api, db, request_, suffix, method, body, field):
    field_error(api.request(method, f"/api/v1/reviews/{request_.id}{suffix}", json=body), field)
    db.expire_all()
    assert db.get(ReviewRequest, request_.id).version == 1
    assert count(db, ReviewComment) == 0


# ---------------------------------------------------------------- the thread


def test_both_sides_reply_in_the_thread(api, db, user, cast, request_):
    url = f"/api/v1/reviews/{request_.id}/comments"
    r = api.post(url, json={"body": "Any questions before you answer?"})
    assert r.status_code == 201, r.text
    assert (r.json()["author_name"], r.json()["body"]) == (
        "Ada",
        "Any questions before you answer?",
    )
    assert (
        api.post(url, json={"body": "Who else works on this?"}, headers=cast.as_maria).status_code
        == 201
    )
    assert api.post(url, json={"body": "Noted."}, headers=cast.as_grace).status_code == 201
    thread = api.get(url, headers=cast.as_maria).json()
    assert [(c["author_name"], c["body"]) for c in thread] == [
        ("Ada", "Any questions before you answer?"),
        ("Maria", "Who else works on this?"),
        ("Grace", "Noted."),
    ]
    assert api.get(url).json() == thread
    kinds = db.exec(
        select(Notification.user_id)
        .where(Notification.kind == "comment_added")
        .order_by(Notification.id)
    ).all()
    assert kinds == [cast.maria.id, user.id, user.id]


def test_the_thread_stays_open_after_the_answer(api, db, cast, request_):
    factories.make_review(db, request_, cast.maria)
    r = api.post(f"/api/v1/reviews/{request_.id}/comments", json={"body": "Thanks!"})
    assert r.status_code == 201


# ---------------------------------------------------------------- changes take effect at once


def test_a_demoted_manager_loses_sight_of_the_request_at_once(api, db, cast, request_):
    url = f"/api/v1/reviews/{request_.id}"
    assert api.get(url, headers=cast.as_maria).status_code == 200
    demoted = api.patch(
        f"/api/v1/teams/{cast.team.id}/members/{cast.maria.id}",
        json={"role": "researcher"},
        headers=cast.as_maria,
    )
    assert demoted.status_code == 200, demoted.text
    error_of(api.get(url, headers=cast.as_maria), 404, "not_found")
    error_of(api.post(f"{url}/review", json=answer(), headers=cast.as_maria), 404, "not_found")
    assert api.get("/api/v1/reviews", headers=cast.as_maria).json()["items"] == []
    # Addressed to no one now, so it waits for any manager of the team.
    waiting = api.get("/api/v1/reviews", headers=cast.as_grace).json()["items"]
    assert [(r["id"], r["reviewer_id"]) for r in waiting] == [(request_.id, None)]
    assert count(db, Review) == 0


def test_a_promoted_researcher_sees_the_teams_requests(api, db, cast, request_):
    url = f"/api/v1/reviews/{request_.id}"
    error_of(api.get(url, headers=cast.as_rita), 404, "not_found")
    r = api.patch(
        f"/api/v1/teams/{cast.team.id}/members/{cast.rita.id}",
        json={"role": "manager"},
        headers=cast.as_maria,
    )
    assert r.status_code == 200
    assert api.get(url, headers=cast.as_rita).status_code == 200


def test_a_researcher_leaving_takes_their_requests_along(api, db, user, cast, project, request_):
    left = api.delete(f"/api/v1/teams/{cast.team.id}/members/{user.id}")
    assert left.status_code == 204
    error_of(api.get(f"/api/v1/reviews/{request_.id}", headers=cast.as_maria), 404, "not_found")
    error_of(api.get(f"/api/v1/projects/{project.id}", headers=cast.as_maria), 404, "not_found")
    mine = api.get(f"/api/v1/reviews/{request_.id}").json()
    assert mine["status"] == "withdrawn"
    assert api.get(f"/api/v1/projects/{project.id}").json()["team_id"] is None
    assert api.get("/api/v1/reviews", headers=cast.as_maria).json()["items"] == []


def test_a_box_costs_the_same_few_queries_however_full(api, db, user, cast, count_queries):
    def statements() -> int:
        api.get("/api/v1/reviews?box=sent")  # the token's last-use stamp is written once
        with count_queries() as counted:
            assert api.get("/api/v1/reviews?box=sent").status_code == 200
        return counted.n

    project = factories.make_project(db, user, "One", team_id=cast.team.id)
    factories.make_request(db, project, user, cast.maria)
    few = statements()
    for n in range(4):
        more = factories.make_project(db, user, f"More {n}", team_id=cast.team.id)
        request = factories.make_request(db, more, user, cast.grace, ["A?", "B?"])
        factories.make_review(db, request, cast.maria)
    assert len(api.get("/api/v1/reviews?box=sent").json()["items"]) == 5
    assert statements() == few
