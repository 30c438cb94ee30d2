"""The project page and its what-if, over HTTP."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.inputs import IdPath
from app.overview.project_page import project_page
from app.overview.what_if import what_if_page
from app.routing import Route
from app.web import render

router = APIRouter(route_class=Route, include_in_schema=False)


@router.get("/projects/{project_id}", name="project_detail")
def project_detail(
    request: Request, session: SessionDep, user: CurrentUser, project_id: IdPath
) -> Response:
    return render(
        request,
        "projects/detail.html",
        project_page(session, user=user, project_id=project_id, scoring=request.app.state.scoring),
    )


@router.get("/projects/{project_id}/what-if", name="project_what_if")
def project_what_if(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: IdPath,
    score: Annotated[str, Query()] = "scoop_risk",
    value: Annotated[str, Query()] = "5",
) -> Response:
    """How the ranking would move if one score changed. Nothing is saved."""
    context = what_if_page(
        session,
        user=user,
        project_id=project_id,
        scoring=request.app.state.scoring,
        score=score,
        value=value,
    )
    status = 422 if context.get("what_if_errors") else 200
    return render(request, "projects/detail.html", context, block="what_if", status_code=status)
