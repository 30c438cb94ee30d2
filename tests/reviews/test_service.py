"""Sharing a plan up and answering it, through the services."""

import pytest

from app.errors import Refused
from app.reviews import queries as review_queries
from app.reviews import service as review_service
from app.reviews.models import QuestionsUpdate, RequestStatus, Review, ReviewCreate
from app.versions import Conflict
from tests import factories


@pytest.fixture
def team(db, user, other_user):
    """`other_user` manages a team in which `user` is a researcher."""
    team = factories.make_team(db, other_user)
    factories.add_member(db, team, user)
    return team


def test_a_shared_plan_reaches_the_manager_and_the_answer_comes_back(db, user, other_user, team):
    project = factories.make_project(db, user, "Shared", team_id=team.id)
    request = factories.make_request(db, project, user, other_user, ["First?", "Best?"])
    assert [r.project_title for r in review_queries.queue(db, user=other_user)] == ["Shared"]
    assert review_queries.queue(db, user=user) == []

    factories.make_review(db, request, other_user, "acknowledged", answers=["Pivot", "Open"])
    db.refresh(request)
    assert request.status == RequestStatus.answered
    assert [q.answer for q in review_queries.questions_of(db, request=request)] == ["Pivot", "Open"]
    assert review_queries.queue(db, user=other_user) == []
    [event] = review_queries.reviews_of_project(db, project_id=project.id)
    assert event.reviewer_name == other_user.display_name


def test_a_manager_answering_after_the_questions_changed_gets_a_conflict(
    db, user, other_user, team
):
    project = factories.make_project(db, user, "Shared", team_id=team.id)
    request = factories.make_request(db, project, user, other_user)
    seen = request.version
    mine = review_queries.request_for(db, user=user, request_id=request.id)
    review_service.questions_update(
        db, view=mine, data=QuestionsUpdate(version=seen, questions=["A new question?"])
    )
    db.commit()
    theirs = review_queries.request_for(db, user=other_user, request_id=request.id)
    with pytest.raises(Conflict, match="changed the questions"):
        review_service.review_submit(
            db,
            view=theirs,
            actor=other_user,
            data=ReviewCreate(version=seen, plan_number=1, decision="approved"),
        )


def test_two_managers_answering_at_once_is_a_conflict_not_a_database_error(
    db, user, other_user, team
):
    """The version check lets both through when they claim at the same
    instant; the one-review-per-request constraint then catches the second,
    and it is the same conflict, for the page as for the API."""
    second_manager = factories.make_user(db)
    factories.add_member(db, team, second_manager, role="manager")
    project = factories.make_project(db, user, "Shared", team_id=team.id)
    request = factories.make_request(db, project, user, other_user)
    # The first manager's answer, saved after the second one's version check.
    db.add(Review(request_id=request.id, reviewer_id=other_user.id, decision="approved"))
    db.flush()
    theirs = review_queries.request_for(db, user=second_manager, request_id=request.id)
    with pytest.raises(Conflict, match="answered by another manager") as conflict:
        review_service.review_submit(
            db,
            view=theirs,
            actor=second_manager,
            data=ReviewCreate(version=request.version, plan_number=1, decision="approved"),
        )
    assert conflict.value.code == "review_changed"


def test_only_a_teammate_manager_can_be_asked(db, user, other_user, team):
    outsider = factories.make_user(db)
    project = factories.make_project(db, user, "Shared", team_id=team.id)
    with pytest.raises(Refused, match="manager of the project's team"):
        factories.make_request(db, project, user, outsider)
    private = factories.make_project(db, user, "Private")
    with pytest.raises(Refused, match="Share the project with a team first"):
        factories.make_request(db, private, user, other_user)
