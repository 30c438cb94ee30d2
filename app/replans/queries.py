"""Reads of re-plans, for a project the caller may already see."""

import sqlalchemy as sa
from sqlmodel import Session, select

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
