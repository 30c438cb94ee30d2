"""Re-plans and plan versions in the JSON API."""

from fastapi import APIRouter

from app.auth.deps import ApiUser
from app.db import SessionDep
from app.errors import ApiError, error_responses
from app.inputs import IdPath
from app.projects import queries as project_queries
from app.projects.models import PlanPublic
from app.replans import queries, service
from app.replans.models import ReplanCreate, ReplanPublic
from app.routing import Route

router = APIRouter(
    route_class=Route, prefix="/api/v1", tags=["re-plans"], responses=error_responses(401, 404, 422)
)


@router.post(
    "/projects/{project_id}/replans",
    response_model=ReplanPublic,
    status_code=201,
    responses=error_responses(403, 409),
    summary="Record a scoop and the re-plan, in one call",
    description="Writes the release (if new), its link, a new assessment, a new plan version "
    "and the re-plan record together, or nothing.",
)
def create_replan(
    session: SessionDep, user: ApiUser, project_id: IdPath, data: ReplanCreate
) -> ReplanPublic:
    project = project_queries.project_for(session, user=user, project_id=project_id)
    replan = service.replan_submit(session, project=project, actor=user, data=data)
    session.commit()
    return ReplanPublic.model_validate(replan)


@router.get(
    "/projects/{project_id}/replans",
    response_model=list[ReplanPublic],
    summary="A project's re-plans",
)
def list_replans(session: SessionDep, user: ApiUser, project_id: IdPath) -> list[ReplanPublic]:
    project, _ = project_queries.project_viewable(session, user=user, project_id=project_id)
    return [ReplanPublic.model_validate(r) for r in queries.replans_of(session, project=project)]


@router.get(
    "/projects/{project_id}/plans/{number}",
    response_model=PlanPublic,
    summary="Read one plan version",
)
def read_plan(session: SessionDep, user: ApiUser, project_id: IdPath, number: IdPath) -> PlanPublic:
    project, _ = project_queries.project_viewable(session, user=user, project_id=project_id)
    plan = project_queries.plan_by_number(session, project=project, number=number)
    if plan is None:
        raise ApiError(404, "No such plan version.")
    return PlanPublic.model_validate(plan)
