"""The projects JSON API under /api/v1 that answers with projects as the
portfolio ranks them (priority, rank, resilience). Same selectors and
services as the pages; a project's score and plan histories are in
app.projects.api."""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlmodel import Session

from app.auth.deps import ApiUser
from app.auth.models import User
from app.db import SessionDep
from app.errors import error_responses
from app.inputs import IdPath
from app.listing import PageParams, page_after
from app.overview.project_page import ranking
from app.overview.ranked import PortfolioQuery, Resilience, portfolio_view
from app.projects import queries, service
from app.projects.models import (
    AssessmentPublic,
    PlanPublic,
    PlanVersion,
    PriorityPublic,
    Project,
    ProjectCreate,
    ProjectList,
    ProjectPublic,
    ProjectStatus,
    ProjectUpdate,
)
from app.routing import Route
from app.scoring import Scores, priority, rank
from app.teams.models import Team

router = APIRouter(
    route_class=Route,
    prefix="/api/v1",
    tags=["projects"],
    responses=error_responses(401, 403, 404, 422),
)


def _public(
    row: queries.PortfolioRow, resilience: Resilience, plan: PlanVersion | None = None
) -> ProjectPublic:
    """A project as the API shows it: its scores, priority and rank as the
    portfolio ranks it, and its resilience."""
    project, prio = row.project, row.priority
    return ProjectPublic(
        reinforced=resilience.reinforced.get(project.id, 0),
        replans=resilience.replans.get(project.id, 0),
        **project.model_dump(exclude={"owner_id"}),
        keywords=row.keywords,
        assessment=AssessmentPublic.model_validate(row.assessment),
        priority=PriorityPublic(value=prio.value, rank=row.rank, explanation=prio.explanation()),
        plan=PlanPublic.model_validate(plan) if plan else None,
    )


def _one(request: Request, session: Session, user: User, project: Project) -> ProjectPublic:
    """One project, ranked among the projects `user` sees it with, and its current plan."""
    assessment = queries.current_assessment(session, project=project)
    team = session.get(Team, project.team_id) if project.team_id else None
    config, entries = ranking(
        session, user=user, project=project, team=team, scoring=request.app.state.scoring
    )
    ranks = {r.project_id: r.rank for r in rank(entries, config)}
    row = queries.PortfolioRow(
        project=project,
        assessment=assessment,
        keywords=queries.keywords_of(session, project_ids=[project.id])[project.id],
        priority=priority(Scores.of(assessment), config),
        rank=ranks.get(project.id),
    )
    resilience = Resilience.of(session, project_ids=[project.id])
    return _public(row, resilience, plan=queries.current_plan(session, project=project))


# A page's cursor: the assessment id the walk ranks as of, then the rank key
# of the last project shown (app.scoring.rank's order, id last).
RANK_CURSOR = (int, float, int, int, int, str, int)


def _rank_key(as_of: int) -> Callable[[queries.PortfolioRow], tuple]:
    def key(row: queries.PortfolioRow) -> tuple:
        a = row.assessment
        title = row.project.title.casefold()
        return (
            as_of,
            -row.priority.value,
            -a.impact,
            -a.attainability,
            a.scoop_risk,
            title,
            row.project.id,
        )

    return key


@router.get(
    "/projects",
    response_model=ProjectList,
    summary="List projects, ranked by priority, a page at a time",
)
def list_projects(
    request: Request,
    session: SessionDep,
    user: ApiUser,
    page: PageParams,
    status: Annotated[ProjectStatus | None, Query()] = None,
    keyword: Annotated[str | None, Query(max_length=40)] = None,
    archived: bool = False,
) -> ProjectList:
    """The portfolio page's read: the same projects, filtered and ranked the
    same way. Every page of a walk ranks by the scores as of its first page."""
    after = page.after(RANK_CURSOR)
    as_of = int(after[0]) if after else queries.latest_assessment_id(session)
    query = PortfolioQuery(
        status=status, keyword=(keyword or "").strip().lower(), archived=archived
    )
    found = portfolio_view(
        session, user=user, scoring=request.app.state.scoring, query=query, as_of=as_of
    )
    rows, cursor = page_after(found.rows, key=_rank_key(as_of), after=after, limit=page.limit)
    items = [_public(row, found.resilience) for row in rows]
    return ProjectList(formula=found.config.formula(), items=items, next=cursor)


@router.post("/projects", response_model=ProjectPublic, status_code=201, summary="Create a project")
def create_project(
    request: Request, session: SessionDep, user: ApiUser, data: ProjectCreate
) -> ProjectPublic:
    project = service.project_create(session, owner=user, data=data)
    session.commit()
    return _one(request, session, user, project)


@router.get("/projects/{project_id}", response_model=ProjectPublic, summary="Read a project")
def read_project(
    request: Request, session: SessionDep, user: ApiUser, project_id: IdPath
) -> ProjectPublic:
    project, _access = queries.project_viewable(session, user=user, project_id=project_id)
    return _one(request, session, user, project)


@router.patch(
    "/projects/{project_id}",
    response_model=ProjectPublic,
    responses=error_responses(409),
    summary="Change a project; scores given in `assessment` make a new assessment",
)
def update_project(
    request: Request, session: SessionDep, user: ApiUser, project_id: IdPath, data: ProjectUpdate
) -> ProjectPublic:
    project = queries.project_for(session, user=user, project_id=project_id)
    service.project_update(session, project=project, actor=user, data=data)
    session.commit()
    return _one(request, session, user, project)


@router.post(
    "/projects/{project_id}/archive", response_model=ProjectPublic, summary="Archive a project"
)
def archive_project(
    request: Request, session: SessionDep, user: ApiUser, project_id: IdPath
) -> ProjectPublic:
    project = queries.project_for(session, user=user, project_id=project_id)
    service.project_archive(session, project=project)
    session.commit()
    return _one(request, session, user, project)


@router.post(
    "/projects/{project_id}/restore",
    response_model=ProjectPublic,
    summary="Restore an archived project",
)
def restore_project(
    request: Request, session: SessionDep, user: ApiUser, project_id: IdPath
) -> ProjectPublic:
    project = queries.project_for(session, user=user, project_id=project_id)
    service.project_restore(session, project=project)
    session.commit()
    return _one(request, session, user, project)
