"""Reads of projects. Every read takes the user: there is no other way in."""

from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, select

from app.auth.models import User
from app.errors import Forbidden, NotFound
from app.notifications.queries import readable_projects
from app.projects.models import Assessment, PlanVersion, Project, ProjectKeyword
from app.scoring import Priority, Scores, ScoringConfig, rank
from app.teams.models import Membership, TeamRole


class ProjectNotFound(NotFound):
    what = "project"


class Access(StrEnum):
    """How a user may see a project: their own, or shared with their team."""

    owner = "owner"
    manager = "manager"  # a manager of the project's team: reads, reviews
    member = "member"  # a researcher of the project's team: reads


def _visible(user: User) -> sa.ColumnElement[bool]:
    """The user's own projects: their portfolio. Team projects are read one
    at a time through project_viewable, or as a team through team_portfolio."""
    return Project.owner_id == user.id


@readable_projects
def readable_ids(user: User) -> sa.Select:
    """Every project the user may open (as project_viewable decides)."""
    return select(Project.id).where(
        sa.or_(
            Project.owner_id == user.id,
            Project.team_id.in_(select(Membership.team_id).where(Membership.user_id == user.id)),
        )
    )


def _in_team(team_id: int) -> sa.ColumnElement[bool]:
    return Project.team_id == team_id


def _current_assessment_ids(scope: sa.ColumnElement[bool], as_of: int | None = None) -> sa.Subquery:
    """The newest assessment of each project in scope (a user's or a team's),
    so its cost follows that portfolio, not the whole instance. With
    `as_of`, the newest up to that assessment id: the scores as they were
    then (assessments are only ever added)."""
    query = (
        select(Assessment.project_id, sa.func.max(Assessment.id).label("assessment_id"))
        .join(Project, Project.id == Assessment.project_id)
        .where(scope)
    )
    if as_of is not None:
        query = query.where(Assessment.id <= as_of)
    return query.group_by(Assessment.project_id).subquery("current")


def latest_assessment_id(session: Session) -> int:
    """The newest assessment's id: a point in time for `portfolio(as_of=…)`."""
    return session.exec(select(sa.func.coalesce(sa.func.max(Assessment.id), 0))).one()


def portfolio_titles(session: Session, *, user: User) -> list[tuple[int, str]]:
    """(id, title) of the user's live projects, for pickers."""
    return list(
        session.exec(
            select(Project.id, Project.title)
            .where(_visible(user), Project.archived_at.is_(None))
            .order_by(Project.title)
        )
    )


def project_viewable(session: Session, *, user: User, project_id: int) -> tuple[Project, Access]:
    """A project the user may read: their own, or one shared with a team they
    are in. Anything else is not found, whether it exists or not."""
    row = session.exec(
        select(Project, Membership.role)
        .outerjoin(
            Membership,
            sa.and_(Membership.team_id == Project.team_id, Membership.user_id == user.id),
        )
        .where(Project.id == project_id)
    ).first()
    if row is None:
        raise ProjectNotFound(project_id)
    project, role = row
    if project.owner_id == user.id:
        return project, Access.owner
    if role is None:
        raise ProjectNotFound(project_id)
    return project, Access.manager if role == TeamRole.manager else Access.member


def project_for(session: Session, *, user: User, project_id: int) -> Project:
    """A project the user may change: only its owner. Team members who can
    read it are told so (403); anyone else gets a 404."""
    project, access = project_viewable(session, user=user, project_id=project_id)
    if access is not Access.owner:
        raise Forbidden("Only the project's owner can change it; you can read it as a team member.")
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


def plan_by_number(session: Session, *, project: Project, number: int) -> PlanVersion | None:
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
    session: Session,
    *,
    user: User,
    config: ScoringConfig,
    archived: bool = False,
    as_of: int | None = None,
) -> list[PortfolioRow]:
    """The user's projects with current scores, ranked. Two queries whatever
    the size. With `as_of` (an assessment id), ranked by the scores as they
    were then, and only the projects scored by then."""
    return _ranked(session, scope=_visible(user), config=config, archived=archived, as_of=as_of)


def team_portfolio(session: Session, *, team_id: int, config: ScoringConfig) -> list[PortfolioRow]:
    """The live projects shared with a team, ranked by the team's formula.
    The caller has checked that the user may see the team's portfolio."""
    return _ranked(session, scope=_in_team(team_id), config=config, archived=False)


def _ranked(
    session: Session,
    *,
    scope: sa.ColumnElement[bool],
    config: ScoringConfig,
    archived: bool,
    as_of: int | None = None,
) -> list[PortfolioRow]:
    current = _current_assessment_ids(scope, as_of)
    archived_clause = (
        Project.archived_at.is_not(None) if archived else Project.archived_at.is_(None)
    )
    rows = session.exec(
        select(Project, Assessment)
        .join(current, current.c.project_id == Project.id)
        .join(Assessment, Assessment.id == current.c.assessment_id)
        .where(scope, archived_clause)
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
    current = _current_assessment_ids(_visible(user))
    rows = session.exec(
        select(Project.id, Project.title, Assessment)
        .join(current, current.c.project_id == Project.id)
        .join(Assessment, Assessment.id == current.c.assessment_id)
        .where(_visible(user), Project.archived_at.is_(None))
    ).all()
    return [(pid, title, Scores.of(a)) for pid, title, a in rows]
