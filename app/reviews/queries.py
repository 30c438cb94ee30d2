"""Reads of review requests. A request is seen by the researcher who made
it and by the managers of its team; by no one else, not even teammates."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.auth.models import User
from app.db import UTCDateTime
from app.errors import NotFound
from app.navigation import nav_count
from app.projects.models import PlanVersion, Project
from app.reviews.models import (
    RequestStatus,
    Review,
    ReviewComment,
    ReviewQuestion,
    ReviewRequest,
)
from app.teams.models import Membership, TeamRole


class RequestNotFound(NotFound):
    what = "review request"


class Side(StrEnum):
    requester = "requester"
    manager = "manager"


@dataclass(frozen=True)
class RequestView:
    request: ReviewRequest
    side: Side
    project: Project
    plan: PlanVersion
    requester: User
    reviewer: User | None

    def answerable_by(self, user: User) -> bool:
        """A manager of the team may answer, unless it is their own plan."""
        return self.side is Side.manager and self.request.requested_by_id != user.id


def _is_manager_of(user: User, team_id_column) -> sa.ColumnElement[bool]:
    return sa.exists(
        select(Membership.id).where(
            Membership.team_id == team_id_column,
            Membership.user_id == user.id,
            Membership.role == TeamRole.manager,
        )
    )


def request_for(session: Session, *, user: User, request_id: int) -> RequestView:
    requester = aliased(User)
    reviewer = aliased(User)
    row = session.exec(
        select(ReviewRequest, Project, PlanVersion, requester, reviewer)
        .join(Project, Project.id == ReviewRequest.project_id)
        .join(PlanVersion, PlanVersion.id == ReviewRequest.plan_version_id)
        .join(requester, requester.id == ReviewRequest.requested_by_id)
        .outerjoin(reviewer, reviewer.id == ReviewRequest.reviewer_id)
        .where(
            ReviewRequest.id == request_id,
            sa.or_(
                # The owner, while they own the project.
                sa.and_(ReviewRequest.requested_by_id == user.id, Project.owner_id == user.id),
                # A manager of its team, while the project is shared with it.
                sa.and_(
                    Project.team_id == ReviewRequest.team_id,
                    _is_manager_of(user, ReviewRequest.team_id),
                ),
            ),
        )
    ).first()
    if row is None:
        raise RequestNotFound(request_id)
    request, project, plan, req_user, rev_user = row
    side = Side.requester if request.requested_by_id == user.id else Side.manager
    return RequestView(request, side, project, plan, req_user, rev_user)


@dataclass(frozen=True)
class RequestRow:
    request: ReviewRequest
    project_title: str
    plan_number: int
    requester_name: str
    reviewer_name: str | None
    decision: str | None


# The most requests one list shows (a queue, a box, a project's requests).
LIST_LIMIT = 200


# Where a page of requests starts: (created_at, id) of the last one shown.
RequestCursor = tuple[datetime, int]


def _rows(
    session: Session,
    *where: sa.ColumnElement[bool],
    limit: int = LIST_LIMIT,
    before: RequestCursor | None = None,
) -> list[RequestRow]:
    """Newest first; with `before`, those older than that (created_at, id)."""
    requester = aliased(User)
    reviewer = aliased(User)
    if before is not None:
        # Bound with the column's own type: the instant is compared as stored.
        bound = (sa.literal(before[0], UTCDateTime()), before[1])
        where = (*where, sa.tuple_(ReviewRequest.created_at, ReviewRequest.id) < sa.tuple_(*bound))
    rows = session.exec(
        select(
            ReviewRequest,
            Project.title,
            PlanVersion.number,
            requester.display_name,
            reviewer.display_name,
            Review.decision,
        )
        .join(Project, Project.id == ReviewRequest.project_id)
        .join(PlanVersion, PlanVersion.id == ReviewRequest.plan_version_id)
        .join(requester, requester.id == ReviewRequest.requested_by_id)
        .outerjoin(reviewer, reviewer.id == ReviewRequest.reviewer_id)
        .outerjoin(Review, Review.request_id == ReviewRequest.id)
        .where(*where)
        .order_by(ReviewRequest.created_at.desc(), ReviewRequest.id.desc())
        .limit(limit)
    ).all()
    return [RequestRow(*row) for row in rows]


def _waiting_for(user: User) -> sa.ColumnElement[bool]:
    """Open requests a manager should answer: addressed to them, or to no one
    (their reviewer left), in a team they manage, not their own."""
    return sa.and_(
        ReviewRequest.status == RequestStatus.open,
        ReviewRequest.requested_by_id != user.id,
        _is_manager_of(user, ReviewRequest.team_id),
        sa.or_(ReviewRequest.reviewer_id == user.id, ReviewRequest.reviewer_id.is_(None)),
    )


def queue(
    session: Session,
    *,
    user: User,
    limit: int = LIST_LIMIT,
    before: RequestCursor | None = None,
) -> list[RequestRow]:
    return _rows(session, _waiting_for(user), limit=limit, before=before)


def team_open(
    session: Session,
    *,
    user: User,
    limit: int = LIST_LIMIT,
    before: RequestCursor | None = None,
) -> list[RequestRow]:
    """Every open request in the teams the user manages, whoever it is addressed to."""
    return _rows(
        session,
        ReviewRequest.status == RequestStatus.open,
        ReviewRequest.requested_by_id != user.id,
        _is_manager_of(user, ReviewRequest.team_id),
        limit=limit,
        before=before,
    )


def team_waiting(session: Session, *, team_id: int) -> list[RequestRow]:
    """Open requests of one team; the caller checked the user manages it."""
    return _rows(
        session, ReviewRequest.team_id == team_id, ReviewRequest.status == RequestStatus.open
    )


def sent_by(
    session: Session, *, user: User, limit: int = 100, before: RequestCursor | None = None
) -> list[RequestRow]:
    return _rows(
        session,
        ReviewRequest.requested_by_id == user.id,
        Project.owner_id == user.id,
        limit=limit,
        before=before,
    )


@nav_count("reviews")
def waiting_count_query(user: User) -> sa.Select:
    """Requests waiting for this user to answer, as a manager."""
    return select(sa.func.count()).select_from(ReviewRequest).where(_waiting_for(user))


def questions_of(session: Session, *, request: ReviewRequest) -> list[ReviewQuestion]:
    return list(
        session.exec(
            select(ReviewQuestion)
            .where(ReviewQuestion.request_id == request.id)
            .order_by(ReviewQuestion.position)
        )
    )


def questions_by_request(
    session: Session, *, request_ids: list[int]
) -> dict[int, list[ReviewQuestion]]:
    """The questions of many requests in one query, in order, by request id."""
    found: dict[int, list[ReviewQuestion]] = defaultdict(list)
    if request_ids:
        for question in session.exec(
            select(ReviewQuestion)
            .where(ReviewQuestion.request_id.in_(request_ids))
            .order_by(ReviewQuestion.request_id, ReviewQuestion.position)
        ):
            found[question.request_id].append(question)
    return found


def reviews_by_request(
    session: Session, *, request_ids: list[int]
) -> dict[int, tuple[Review, str]]:
    """The answers of many requests, with their reviewer's name, by request id."""
    if not request_ids:
        return {}
    rows = session.exec(
        select(Review, User.display_name)
        .join(User, User.id == Review.reviewer_id)
        .where(Review.request_id.in_(request_ids))
    )
    return {review.request_id: (review, name) for review, name in rows}


def review_of(session: Session, *, request: ReviewRequest) -> tuple[Review, str] | None:
    row = session.exec(
        select(Review, User.display_name)
        .join(User, User.id == Review.reviewer_id)
        .where(Review.request_id == request.id)
    ).first()
    return (row[0], row[1]) if row else None


def comments_of(session: Session, *, request: ReviewRequest) -> list[tuple[ReviewComment, str]]:
    return [
        (comment, name)
        for comment, name in session.exec(
            select(ReviewComment, User.display_name)
            .join(User, User.id == ReviewComment.author_id)
            .where(ReviewComment.request_id == request.id)
            .order_by(ReviewComment.created_at, ReviewComment.id)
        )
    ]


def last_reviewed_plan(session: Session, *, project_id: int, before: int) -> PlanVersion | None:
    """The newest plan version older than `before` that a manager answered."""
    return session.exec(
        select(PlanVersion)
        .join(ReviewRequest, ReviewRequest.plan_version_id == PlanVersion.id)
        .join(Review, Review.request_id == ReviewRequest.id)
        .where(PlanVersion.project_id == project_id, PlanVersion.number < before)
        .order_by(PlanVersion.number.desc())
        .limit(1)
    ).first()


@dataclass(frozen=True)
class ReviewEvent:
    review: Review
    reviewer_name: str
    plan_number: int
    request_id: int


def reviews_of_project(session: Session, *, project_id: int) -> list[ReviewEvent]:
    """Every answered review of a project, oldest first: its record."""
    rows = session.exec(
        select(Review, User.display_name, PlanVersion.number, ReviewRequest.id)
        .join(ReviewRequest, ReviewRequest.id == Review.request_id)
        .join(PlanVersion, PlanVersion.id == ReviewRequest.plan_version_id)
        .join(User, User.id == Review.reviewer_id)
        .where(ReviewRequest.project_id == project_id)
        .order_by(Review.created_at, Review.id)
    ).all()
    return [ReviewEvent(*row) for row in rows]


def requests_of_project(session: Session, *, user: User, project_id: int) -> list[RequestRow]:
    """The review requests of a project that this user may open: all of them
    for its owner, those of teams they manage for a manager, none otherwise."""
    return _rows(
        session,
        ReviewRequest.project_id == project_id,
        sa.or_(
            sa.and_(ReviewRequest.requested_by_id == user.id, Project.owner_id == user.id),
            sa.and_(
                Project.team_id == ReviewRequest.team_id,
                _is_manager_of(user, ReviewRequest.team_id),
            ),
        ),
    )
