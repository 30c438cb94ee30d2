"""Reads of projects. Every read takes the user: there is no other way in."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from app.auth.models import User
from app.errors import NotFound
from app.projects.models import Assessment, PlanVersion, Project, ProjectKeyword
from app.projects.scoring import Priority, Scores, ScoringConfig, rank


class ProjectNotFound(NotFound):
    what = "project"


def _visible(user: User) -> sa.ColumnElement[bool]:
    # Team sharing will widen this; every project read goes through it.
    return Project.owner_id == user.id


def _current_assessment_ids(user: User) -> sa.Subquery:
    """The newest assessment of each of the user's projects. Scoped to the
    user, so its cost follows their portfolio, not the whole instance."""
    return (
        select(Assessment.project_id, sa.func.max(Assessment.id).label("assessment_id"))
        .join(Project, Project.id == Assessment.project_id)
        .where(_visible(user))
        .group_by(Assessment.project_id)
        .subquery("current")
    )


def portfolio_titles(session: Session, *, user: User) -> list[tuple[int, str]]:
    """(id, title) of the user's live projects, for pickers."""
    return list(
        session.exec(
            select(Project.id, Project.title)
            .where(_visible(user), Project.archived_at.is_(None))
            .order_by(Project.title)
        )
    )


def project_for(session: Session, *, user: User, project_id: int) -> Project:
    project = session.exec(select(Project).where(Project.id == project_id, _visible(user))).first()
    if project is None:
        raise ProjectNotFound(project_id)
    return project


def current_assessment(session: Session, *, project: Project) -> Assessment:
    return session.exec(
        select(Assessment)
        .where(Assessment.project_id == project.id)
        .order_by(Assessment.id.desc())
        .limit(1)
    ).one()


def assessments_of(session: Session, *, project: Project) -> list[Assessment]:
    """Score history, oldest first."""
    return list(
        session.exec(
            select(Assessment).where(Assessment.project_id == project.id).order_by(Assessment.id)
        )
    )


def plans_of(session: Session, *, project: Project) -> list[PlanVersion]:
    """Plan versions, newest first."""
    return list(
        session.exec(
            select(PlanVersion)
            .where(PlanVersion.project_id == project.id)
            .order_by(PlanVersion.number.desc())
        )
    )


def plan_number(session: Session, *, project: Project, number: int) -> PlanVersion | None:
    return session.exec(
        select(PlanVersion).where(
            PlanVersion.project_id == project.id, PlanVersion.number == number
        )
    ).first()


def current_plan(session: Session, *, project: Project) -> PlanVersion | None:
    return session.exec(
        select(PlanVersion)
        .where(PlanVersion.project_id == project.id)
        .order_by(PlanVersion.number.desc())
        .limit(1)
    ).first()


def keywords_of(session: Session, *, project_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {pid: [] for pid in project_ids}
    if not project_ids:
        return found
    rows = session.exec(
        select(ProjectKeyword.project_id, ProjectKeyword.keyword)
        .where(ProjectKeyword.project_id.in_(project_ids))
        .order_by(ProjectKeyword.project_id, ProjectKeyword.keyword)
    )
    for pid, keyword in rows:
        found[pid].append(keyword)
    return found


@dataclass(frozen=True)
class PortfolioRow:
    project: Project
    assessment: Assessment
    keywords: list[str]
    priority: Priority
    rank: int | None  # None for archived projects, which are not ranked


def portfolio(
    session: Session, *, user: User, config: ScoringConfig, archived: bool = False
) -> list[PortfolioRow]:
    """The user's projects with current scores, ranked. Two queries whatever the size."""
    current = _current_assessment_ids(user)
    archived_clause = (
        Project.archived_at.is_not(None) if archived else Project.archived_at.is_(None)
    )
    rows = session.exec(
        select(Project, Assessment)
        .join(current, current.c.project_id == Project.id)
        .join(Assessment, Assessment.id == current.c.assessment_id)
        .where(_visible(user), archived_clause)
    ).all()
    keywords = keywords_of(session, project_ids=[p.id for p, _ in rows])
    by_id = {p.id: (p, a) for p, a in rows}
    ranked = rank(((p.id, p.title, Scores.of(a)) for p, a in rows), config)
    return [
        PortfolioRow(
            project=by_id[r.project_id][0],
            assessment=by_id[r.project_id][1],
            keywords=keywords[r.project_id],
            priority=r.priority,
            rank=None if archived else r.rank,
        )
        for r in ranked
    ]


def rank_entries(session: Session, *, user: User) -> list[tuple[int, str, Scores]]:
    """(id, title, scores) of the user's live projects: the input of a what-if."""
    current = _current_assessment_ids(user)
    rows = session.exec(
        select(Project.id, Project.title, Assessment)
        .join(current, current.c.project_id == Project.id)
        .join(Assessment, Assessment.id == current.c.assessment_id)
        .where(_visible(user), Project.archived_at.is_(None))
    ).all()
    return [(pid, title, Scores.of(a)) for pid, title, a in rows]
