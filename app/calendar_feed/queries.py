"""What a person's calendar shows, read when the calendar app asks: what
they may no longer see (a team they left) is gone from the next fetch."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from app.auth.models import User
from app.projects.models import PlanVersion, Project, ProjectStatus
from app.reviews import queries as reviews
from app.reviews.models import RequestStatus
from app.teams.queries import managed_team_ids

# Horizons of projects still under way; shipped and retired ones are done.
_UNDER_WAY = (ProjectStatus.idea, ProjectStatus.active, ProjectStatus.paused)
HORIZONS_MAX = 500


@dataclass(frozen=True)
class Horizon:
    project_id: int
    title: str
    plan_number: int
    goal: str
    horizon: date
    owner_name: str | None  # None: the reader's own project


@dataclass(frozen=True)
class WaitingReview:
    request_id: int
    project_title: str
    plan_number: int
    asked_at: datetime
    requester_name: str
    mine: bool  # True: the reader asked; False: the reader is asked to answer


def horizons(session: Session, *, user: User) -> list[Horizon]:
    """The current plan's horizon of each project under way that is the
    reader's own, or shared with a team they manage."""
    newest = (
        select(PlanVersion.project_id, sa.func.max(PlanVersion.number).label("number"))
        .group_by(PlanVersion.project_id)
        .subquery("newest")
    )
    rows = session.exec(
        select(Project, PlanVersion, User.display_name)
        .join(newest, newest.c.project_id == Project.id)
        .join(
            PlanVersion,
            (PlanVersion.project_id == Project.id) & (PlanVersion.number == newest.c.number),
        )
        .join(User, User.id == Project.owner_id)
        .where(
            sa.or_(Project.owner_id == user.id, Project.team_id.in_(managed_team_ids(user))),
            Project.archived_at.is_(None),
            Project.status.in_(_UNDER_WAY),
            PlanVersion.horizon.is_not(None),
        )
        .order_by(PlanVersion.horizon, Project.id)
        .limit(HORIZONS_MAX)
    ).all()
    return [
        Horizon(
            project_id=project.id,
            title=project.title,
            plan_number=plan.number,
            goal=plan.goal,
            horizon=plan.horizon,
            owner_name=None if project.owner_id == user.id else owner,
        )
        for project, plan, owner in rows
    ]


def waiting_reviews(session: Session, *, user: User) -> list[WaitingReview]:
    """Open review requests: those the reader should answer as a manager, and
    those they sent that wait for an answer."""
    asked = [(row, False) for row in reviews.queue(session, user=user)]
    sent = [
        (row, True)
        for row in reviews.sent_by(session, user=user)
        if row.request.status is RequestStatus.open
    ]
    return [
        WaitingReview(
            request_id=row.request.id,
            project_title=row.project_title,
            plan_number=row.plan_number,
            asked_at=row.request.created_at,
            requester_name=row.requester_name,
            mine=mine,
        )
        for row, mine in asked + sent
    ]
