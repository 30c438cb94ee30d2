"""The reviews API: plans shared up, the managers' answers and the thread.

A request is seen by the researcher who made it and by the managers of its
team; anyone else, teammates included, gets a 404. Same services as the pages."""

from datetime import datetime
from enum import StrEnum

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session

from app.auth.deps import ApiUser
from app.auth.models import User
from app.db import SessionDep
from app.errors import ApiError, error_responses
from app.inputs import IdPath
from app.listing import PageParams, encode_page_cursor, next_cursor_field
from app.projects import queries as project_queries
from app.reviews import queries, service
from app.reviews.models import (
    CommentCreate,
    CommentPublic,
    QuestionPublic,
    QuestionsUpdate,
    RequestCreate,
    RequestPublic,
    Review,
    ReviewCreate,
    ReviewPublic,
    ReviewQuestion,
    ReviewRequest,
    Version,
)
from app.routing import Route

router = APIRouter(
    route_class=Route, prefix="/api/v1", tags=["reviews"], responses=error_responses(401, 404, 422)
)

CHANGED = "review_changed"


class Box(StrEnum):
    waiting = "waiting"  # for me to answer, as a manager
    sent = "sent"  # asked by me
    team = "team"  # open in the teams I manage, whoever they are addressed to


class RequestPage(BaseModel):
    items: list[RequestPublic]
    next: str | None = next_cursor_field("older")


class RequestWithdraw(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: Version


def _question(question: ReviewQuestion) -> QuestionPublic:
    return QuestionPublic(position=question.position, text=question.text, answer=question.answer)


def _review(review: Review, reviewer_name: str) -> ReviewPublic:
    return ReviewPublic(
        reviewer_id=review.reviewer_id,
        reviewer_name=reviewer_name,
        decision=review.decision,
        note=review.note,
        created_at=review.created_at,
    )


def _public(
    request: ReviewRequest,
    *,
    project_title: str,
    plan_number: int,
    questions: list[QuestionPublic],
    review: ReviewPublic | None,
) -> RequestPublic:
    return RequestPublic(
        id=request.id,
        project_id=request.project_id,
        project_title=project_title,
        plan_number=plan_number,
        team_id=request.team_id,
        requested_by_id=request.requested_by_id,
        reviewer_id=request.reviewer_id,
        status=request.status,
        version=request.version,
        created_at=request.created_at,
        questions=questions,
        review=review,
    )


def _one(session: Session, view: queries.RequestView) -> RequestPublic:
    found = queries.review_of(session, request=view.request)
    return _public(
        view.request,
        project_title=view.project.title,
        plan_number=view.plan.number,
        questions=[_question(q) for q in queries.questions_of(session, request=view.request)],
        review=_review(*found) if found else None,
    )


def _reload(session: Session, user: User, request_id: int) -> RequestPublic:
    return _one(session, queries.request_for(session, user=user, request_id=request_id))


def _listed(session: Session, rows: list[queries.RequestRow]) -> list[RequestPublic]:
    ids = [row.request.id for row in rows]
    questions = queries.questions_by_request(session, request_ids=ids)
    reviews = queries.reviews_by_request(session, request_ids=ids)
    return [
        _public(
            row.request,
            project_title=row.project_title,
            plan_number=row.plan_number,
            questions=[_question(q) for q in questions.get(row.request.id, [])],
            review=_review(*reviews[row.request.id]) if row.request.id in reviews else None,
        )
        for row in rows
    ]


@router.get(
    "/reviews",
    response_model=RequestPage,
    summary="Review requests: waiting for you, sent by you, or open in the teams you manage; "
    "newest first, a page at a time",
)
def list_requests(
    session: SessionDep, user: ApiUser, page: PageParams, box: Box = Box.waiting
) -> RequestPage:
    lister = {Box.waiting: queries.queue, Box.sent: queries.sent_by, Box.team: queries.team_open}
    before = page.after((datetime, int))
    rows = lister[box](session, user=user, limit=page.limit + 1, before=before)
    shown = rows[: page.limit]
    last = shown[-1].request if len(rows) > page.limit else None
    cursor = encode_page_cursor((last.created_at, last.id)) if last else None
    return RequestPage(items=_listed(session, shown), next=cursor)


@router.post(
    "/projects/{project_id}/plans/{number}/reviews",
    response_model=RequestPublic,
    status_code=201,
    responses=error_responses(403, 409),
    summary="Share a plan version up: ask a manager of the project's team to review it",
)
def create_request(
    session: SessionDep, user: ApiUser, project_id: IdPath, number: IdPath, data: RequestCreate
) -> RequestPublic:
    project = project_queries.project_for(session, user=user, project_id=project_id)
    plan = project_queries.plan_by_number(session, project=project, number=number)
    if plan is None:
        raise ApiError(404, "No such plan version.")
    request = service.request_create(session, project=project, plan=plan, actor=user, data=data)
    session.commit()
    return _reload(session, user, request.id)


@router.get("/reviews/{request_id}", response_model=RequestPublic, summary="Read a review request")
def read_request(session: SessionDep, user: ApiUser, request_id: IdPath) -> RequestPublic:
    return _reload(session, user, request_id)


@router.patch(
    "/reviews/{request_id}/questions",
    response_model=RequestPublic,
    responses=error_responses(403, 409),
    summary="Change the questions of an open request (the researcher who asked)",
)
def update_questions(
    session: SessionDep, user: ApiUser, request_id: IdPath, data: QuestionsUpdate
) -> RequestPublic:
    view = queries.request_for(session, user=user, request_id=request_id)
    service.questions_update(session, view=view, data=data)
    session.commit()
    return _reload(session, user, request_id)


@router.post(
    "/reviews/{request_id}/withdraw",
    response_model=RequestPublic,
    responses=error_responses(403, 409),
    summary="Withdraw an open request (the researcher who asked)",
)
def withdraw_request(
    session: SessionDep, user: ApiUser, request_id: IdPath, data: RequestWithdraw
) -> RequestPublic:
    view = queries.request_for(session, user=user, request_id=request_id)
    service.request_withdraw(session, view=view, version=data.version)
    session.commit()
    return _reload(session, user, request_id)


@router.post(
    "/reviews/{request_id}/review",
    response_model=RequestPublic,
    status_code=201,
    responses=error_responses(403, 409),
    summary="Answer a request: the decision, an answer per question and a note (managers)",
    description="`version` is the request's and `plan_number` the project's newest plan, as "
    "you saw them. If the researcher changed either meanwhile, or another manager answered "
    "first, the answer is refused with 409 `review_changed`; read the request again.",
)
def submit_review(
    session: SessionDep, user: ApiUser, request_id: IdPath, data: ReviewCreate
) -> RequestPublic:
    view = queries.request_for(session, user=user, request_id=request_id)
    service.review_submit(session, view=view, actor=user, data=data)
    session.commit()
    return _reload(session, user, request_id)


@router.get(
    "/reviews/{request_id}/comments",
    response_model=list[CommentPublic],
    summary="The thread beside a request, oldest first",
)
def list_comments(session: SessionDep, user: ApiUser, request_id: IdPath) -> list[CommentPublic]:
    view = queries.request_for(session, user=user, request_id=request_id)
    return [
        CommentPublic(
            id=c.id, author_id=c.author_id, author_name=name, body=c.body, created_at=c.created_at
        )
        for c, name in queries.comments_of(session, request=view.request)
    ]


@router.post(
    "/reviews/{request_id}/comments",
    response_model=CommentPublic,
    status_code=201,
    summary="Reply in the thread beside a request",
)
def create_comment(
    session: SessionDep, user: ApiUser, request_id: IdPath, data: CommentCreate
) -> CommentPublic:
    view = queries.request_for(session, user=user, request_id=request_id)
    comment = service.comment_add(session, view=view, actor=user, data=data)
    session.commit()
    return CommentPublic(
        id=comment.id,
        author_id=comment.author_id,
        author_name=user.display_name,
        body=comment.body,
        created_at=comment.created_at,
    )
