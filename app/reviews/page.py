"""A review's page, assembled in one place for the routes that show it."""

from sqlmodel import Session

from app.auth.models import User
from app.projects import queries as project_queries
from app.projects.diff import plan_diff
from app.releases import queries as release_queries
from app.reviews.models import RequestStatus
from app.reviews.queries import (
    Side,
    comments_of,
    last_reviewed_plan,
    questions_of,
    request_for,
    review_of,
)


def review_page(session: Session, *, user: User, request_id: int) -> dict:
    """Everything a review's page shows to the user looking at it (the
    researcher who asked, the manager asked, or another manager of the team):
    the plan and what changed since the last reviewed one, its questions,
    the answer if there is one, and the thread."""
    view = request_for(session, user=user, request_id=request_id)
    project = view.project
    questions = questions_of(session, request=view.request)
    newest = project_queries.current_plan(session, project=project)
    last_reviewed = last_reviewed_plan(session, project_id=project.id, before=view.plan.number)
    reviewed = review_of(session, request=view.request)
    can_answer = view.answerable_by(user) and view.request.status == RequestStatus.open
    return {
        "view": view,
        "req": view.request,
        "project": project,
        "plan": view.plan,
        "newest": newest,
        "assessment": project_queries.current_assessment(session, project=project),
        "links": release_queries.links_of_project(session, project=project),
        "questions": questions,
        "review": reviewed[0] if reviewed else None,
        "reviewer_name": reviewed[1] if reviewed else None,
        "comments": comments_of(session, request=view.request),
        "last_reviewed": last_reviewed,
        "changes": plan_diff(last_reviewed, view.plan) if last_reviewed else None,
        "can_answer": can_answer,
        "is_requester": view.side is Side.requester,
        "values": {"decision": "", "note": "", "comment": ""},
        "answers": {},
        "errors": {},
        "message": "",
    }
