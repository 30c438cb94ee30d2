"""The projects JSON API under /api/v1. Same services as the pages."""

from fastapi import APIRouter

from app.auth.deps import ApiUser
from app.db import SessionDep
from app.errors import error_responses
from app.inputs import IdPath
from app.projects import queries
from app.projects.models import (
    AssessmentPublic,
    PlanPublic,
)
from app.routing import Route

router = APIRouter(
    route_class=Route,
    prefix="/api/v1",
    tags=["projects"],
    responses=error_responses(401, 403, 404, 422),
)


@router.get(
    "/projects/{project_id}/assessments",
    response_model=list[AssessmentPublic],
    summary="Score history, newest first",
)
def list_assessments(
    session: SessionDep, user: ApiUser, project_id: IdPath
) -> list[AssessmentPublic]:
    project, _access = queries.project_viewable(session, user=user, project_id=project_id)
    history = queries.assessments_of(session, project=project)
    return [AssessmentPublic.model_validate(a) for a in reversed(history)]


@router.get(
    "/projects/{project_id}/plans",
    response_model=list[PlanPublic],
    summary="Plan versions, newest first",
)
def list_plans(session: SessionDep, user: ApiUser, project_id: IdPath) -> list[PlanPublic]:
    project, _access = queries.project_viewable(session, user=user, project_id=project_id)
    return [PlanPublic.model_validate(p) for p in queries.plans_of(session, project=project)]
