"""Sharing a plan up, answering it, and the thread beside it. Services flush
but never commit; the caller owns the transaction.

Conflicts: every change to a request bumps its version in one conditional
UPDATE, so of two managers answering at once exactly one gets in, and a
manager who started before the researcher edited the questions (or saved a
newer plan version) is told instead of answering something they did not read.
"""

import sqlalchemy as sa
from sqlmodel import Session, select

from app.auth.models import User
from app.db import utcnow
from app.errors import Refused
from app.markdown import render_markdown
from app.notifications.models import NoticeKind
from app.notifications.service import notify
from app.projects.events import leaving_team
from app.projects.models import PlanVersion, Project
from app.projects.queries import current_plan
from app.reviews.models import (
    CommentCreate,
    QuestionsUpdate,
    RequestCreate,
    RequestStatus,
    Review,
    ReviewComment,
    ReviewCreate,
    ReviewQuestion,
    ReviewRequest,
)
from app.reviews.queries import RequestView, Side, questions_of
from app.teams.events import manager_stepping_down, member_leaving
from app.teams.models import TeamRole
from app.teams.queries import managers_of, membership_of
from app.versions import Conflict, claim_version

# The API's code for a request that moved on since the caller loaded it.
CHANGED = "review_changed"


def questions_from_text(text: str) -> list[str]:
    """One question per non-empty line; list markers are dropped."""
    questions = []
    for line in text.splitlines():
        line = line.strip().lstrip("-*•").strip()
        if line:
            questions.append(line)
    return questions


def request_create(
    session: Session, *, project: Project, plan: PlanVersion, actor: User, data: RequestCreate
) -> ReviewRequest:
    if project.team_id is None:
        raise Refused(
            409,
            "not_shared",
            "Share the project with a team first: only a manager of its team can review it.",
        )
    if project.archived_at is not None:
        raise Refused(409, "archived", "Restore the project before sharing its plan up.")
    reviewer = membership_of(session, user_id=data.reviewer_id, team_id=project.team_id)
    if reviewer is None or reviewer.role != TeamRole.manager or data.reviewer_id == actor.id:
        # Someone outside the team is not found (as a team one is not in);
        # a teammate who does not manage it, or oneself, is the wrong choice.
        raise Refused(
            404 if reviewer is None else 422,
            "not_found" if reviewer is None else "validation_error",
            "Choose a manager of the project's team.",
            field="reviewer_id",
        )
    request = ReviewRequest(
        project_id=project.id,
        plan_version_id=plan.id,
        team_id=project.team_id,
        requested_by_id=actor.id,
        reviewer_id=data.reviewer_id,
    )
    session.add(request)
    session.flush()
    _set_questions(session, request=request, questions=data.questions)
    notify(
        session,
        user_ids=[data.reviewer_id],
        kind=NoticeKind.review_requested,
        actor=actor,
        summary=f"{project.title}, plan version {plan.number}",
        project_id=project.id,
        request_id=request.id,
    )
    return request


def _set_questions(session: Session, *, request: ReviewRequest, questions: list[str]) -> None:
    for old in questions_of(session, request=request):
        session.delete(old)
    session.flush()
    for position, text in enumerate(questions, start=1):
        session.add(ReviewQuestion(request_id=request.id, position=position, text=text))
    session.flush()


def _claim(session: Session, *, request: ReviewRequest, expected: int, **values) -> None:
    """Move an open request to its next version, or say what happened to it."""
    claim_version(
        session,
        request,
        expected=expected,
        what="review request",
        where=(ReviewRequest.status == RequestStatus.open,),
        conflict=_changed,
        updated_at=utcnow(),
        **values,
    )


def _changed(request: ReviewRequest) -> Conflict:
    """What happened to a request that moved on, in words."""
    if request.status == RequestStatus.answered:
        return _moved_on("This plan was answered by another manager meanwhile.")
    if request.status == RequestStatus.withdrawn:
        return _moved_on("The researcher withdrew this request meanwhile.")
    return _moved_on(
        "The researcher changed the questions while you were reviewing. "
        "Read them again; your answers are kept below."
    )


def _moved_on(message: str) -> Conflict:
    return Conflict(message, code=CHANGED)


def questions_update(session: Session, *, view: RequestView, data: QuestionsUpdate) -> None:
    if view.side is not Side.requester:
        raise Refused(403, "forbidden", "Only the researcher who asked can change the questions.")
    _claim(session, request=view.request, expected=data.version)
    _set_questions(session, request=view.request, questions=data.questions)


def request_withdraw(session: Session, *, view: RequestView, version: int) -> None:
    if view.side is not Side.requester:
        raise Refused(403, "forbidden", "Only the researcher who asked can withdraw the request.")
    _claim(session, request=view.request, expected=version, status=RequestStatus.withdrawn)


@leaving_team.connect
def _withdraw_requests(_sender, *, session: Session, project_ids: list[int]) -> None:
    """A project leaving its team takes its open requests with it."""
    session.execute(
        sa.update(ReviewRequest)
        .where(
            ReviewRequest.project_id.in_(project_ids),
            ReviewRequest.status == RequestStatus.open,
        )
        .values(
            status=RequestStatus.withdrawn,
            version=ReviewRequest.version + 1,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )


def review_submit(
    session: Session, *, view: RequestView, actor: User, data: ReviewCreate
) -> Review:
    request = view.request
    if not view.answerable_by(actor):
        raise Refused(
            403, "forbidden", "Only a manager of the team can answer, and not their own plan."
        )
    questions = questions_of(session, request=request)
    if len(data.answers) > len(questions):
        raise Refused(
            422, "validation_error", "There are more answers than questions.", field="answers"
        )
    newest = current_plan(session, project=view.project)
    if newest is not None and newest.number != data.plan_number:
        raise _moved_on(
            f"The researcher saved plan version {newest.number} while you were reviewing "
            f"version {view.plan.number}. Check what changed; submit again to answer anyway.",
        )
    _claim(session, request=request, expected=data.version, status=RequestStatus.answered)
    for question, answer in zip(questions, data.answers, strict=False):
        question.answer = answer
    review = Review(
        request_id=request.id, reviewer_id=actor.id, decision=data.decision, note=data.note
    )
    session.add(review)
    try:
        session.flush()  # the unique request_id backs up the version check
    except sa.exc.IntegrityError:
        raise _moved_on("This plan was answered by another manager meanwhile.") from None
    notify(
        session,
        user_ids=[request.requested_by_id],
        kind=NoticeKind.review_answered,
        actor=actor,
        summary=f"{view.project.title}, plan version {view.plan.number}: {data.decision.label}",
        project_id=view.project.id,
        request_id=request.id,
    )
    return review


def comment_add(
    session: Session, *, view: RequestView, actor: User, data: CommentCreate
) -> ReviewComment:
    request = view.request
    comment = ReviewComment(
        request_id=request.id,
        author_id=actor.id,
        body=data.body,
        body_html=render_markdown(data.body),
    )
    session.add(comment)
    session.flush()
    # Tell the other side: the researcher, or the managers in the thread so far.
    if view.side is Side.requester:
        answered_by = session.exec(
            select(Review.reviewer_id).where(Review.request_id == request.id)
        ).first()
        commenters = session.exec(
            select(ReviewComment.author_id).where(ReviewComment.request_id == request.id)
        ).all()
        # Only those who manage the team now: a manager removed since has no
        # business hearing of the thread.
        managers = {m.id for m in managers_of(session, team_id=request.team_id)}
        recipients = {request.reviewer_id, answered_by, *commenters} & managers
        if request.reviewer_id is None:  # addressed to any manager: all of them hear
            recipients |= managers
    else:
        recipients = {request.requested_by_id}
    notify(
        session,
        user_ids=recipients,
        kind=NoticeKind.comment_added,
        actor=actor,
        summary=f"{view.project.title}, plan version {view.plan.number}",
        project_id=view.project.id,
        request_id=request.id,
    )
    return comment


@member_leaving.connect
@manager_stepping_down.connect
def _release_reviews_of(_sender, *, session: Session, team_id: int, user_id: int) -> None:
    """Open requests addressed to someone who is no longer a manager of the
    team (they left, or became a researcher) go to any manager."""
    session.execute(
        sa.update(ReviewRequest)
        .where(
            ReviewRequest.team_id == team_id,
            ReviewRequest.reviewer_id == user_id,
            ReviewRequest.status == RequestStatus.open,
        )
        .values(reviewer_id=None, version=ReviewRequest.version + 1, updated_at=utcnow())
    )
