"""Reads of re-plans, for projects the caller may see."""

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from app.auth.models import User
from app.projects.models import Project
from app.releases.models import Release
from app.replans.models import Replan


def replans_of(session: Session, *, project: Project) -> list[Replan]:
    return list(
        session.exec(
            select(Replan).where(Replan.project_id == project.id).order_by(Replan.id.desc())
        )
    )


def replans_with_releases(session: Session, *, project: Project) -> list[tuple[Replan, Release]]:
    return [
        (replan, release)
        for replan, release in session.exec(
            select(Replan, Release)
            .join(Release, Release.id == Replan.release_id)
            .where(Replan.project_id == project.id)
            .order_by(Replan.id.desc())
        )
    ]


def replan_counts(session: Session, *, project_ids: list[int]) -> dict[int, int]:
    if not project_ids:
        return {}
    rows = session.exec(
        select(Replan.project_id, sa.func.count())
        .where(Replan.project_id.in_(project_ids))
        .group_by(Replan.project_id)
    )
    return dict(rows.all())


def replans_between(
    session: Session, *, user: User, since: date, until: date
) -> list[tuple[Replan, Project]]:
    """Re-plans the user made in those days (dates in UTC, good to a day)."""
    start = datetime.combine(since, time(0), tzinfo=UTC)
    end = datetime.combine(until + timedelta(days=1), time(0), tzinfo=UTC)
    return [
        (replan, project)
        for replan, project in session.exec(
            select(Replan, Project)
            .join(Project, Project.id == Replan.project_id)
            .where(Project.owner_id == user.id, Replan.created_at >= start, Replan.created_at < end)
            .order_by(Replan.id)
        )
    ]
