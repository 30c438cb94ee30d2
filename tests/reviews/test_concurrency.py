"""Two managers answering the same plan at the same moment, on a real
database (not the rolled-back test connection): exactly one answer stands,
and the other manager is told, never silently overwritten."""

import threading

import pytest
from sqlmodel import select

from app.auth.models import User
from app.reviews import queries, service
from app.reviews.models import RequestStatus, Review, ReviewCreate, ReviewRequest
from app.versions import Conflict
from tests import factories
from tests.helpers import migrated_database


@pytest.fixture
def database(new_database_url):
    with migrated_database(new_database_url("review-race")) as database:
        yield database


def test_two_managers_answering_at_once_one_answer_stands(database):
    with database.session(write=True) as s:
        researcher = factories.make_user(s, display_name="Ada")
        grace = factories.make_user(s, display_name="Grace")
        katherine = factories.make_user(s, display_name="Katherine")
        team = factories.make_team(s, grace)
        factories.add_member(s, team, researcher)
        factories.add_member(s, team, katherine, "manager")
        project = factories.make_project(s, researcher, "Contested", team_id=team.id)
        request_id = factories.make_request(s, project, researcher, grace, ["Q?"]).id
        managers = {"Grace": grace.id, "Katherine": katherine.id}

    ready = threading.Barrier(2, timeout=10)
    outcome: dict[str, str] = {}

    def answer(name: str, decision: str) -> None:
        ready.wait()  # both start together, each from version 1
        with database.session(write=True) as session:
            me = session.get(User, managers[name])
            view = queries.request_for(session, user=me, request_id=request_id)
            try:
                service.review_submit(
                    session,
                    view=view,
                    actor=me,
                    data=ReviewCreate(
                        version=1, plan_number=1, decision=decision, answers=[f"{name} says"]
                    ),
                )
                session.commit()
                outcome[name] = "saved"
            except Conflict as changed:
                session.rollback()
                outcome[name] = changed.message

    threads = [
        threading.Thread(target=answer, args=("Grace", "approved")),
        threading.Thread(target=answer, args=("Katherine", "changes_requested")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcome.values()) == [
        "This plan was answered by another manager meanwhile.",
        "saved",
    ]
    winner = next(name for name, result in outcome.items() if result == "saved")
    with database.session() as s:
        [review] = s.exec(select(Review)).all()
        assert review.reviewer_id == managers[winner]
        request = s.get(ReviewRequest, request_id)
        assert (request.status, request.version) == (RequestStatus.answered, 2)
        [question] = queries.questions_of(s, request=request)
        assert question.answer == f"{winner} says"
