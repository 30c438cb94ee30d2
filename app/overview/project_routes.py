"""The project page and its what-if, over HTTP."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.forms import as_int
from app.inputs import IdPath
from app.overview.project_page import WhatIf, project_page
from app.projects import queries
from app.routing import Route
from app.scoring import ScoreField, Scores, what_if
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
    queries.project_for(session, user=user, project_id=project_id)  # the owner's own ranking
    context = project_page(
        session, user=user, project_id=project_id, scoring=request.app.state.scoring
    )
    errors = {}
    if score not in ScoreField.__members__:
        errors["score"] = "Choose attainability, scoop risk or impact."
    if as_int(value) not in (1, 2, 3, 4, 5):
        errors["value"] = "Choose a value from 1 to 5."
    project = context["project"]
    if errors or project.archived_at is not None:
        context["what_if_errors"] = errors or {"score": "An archived project is not ranked."}
        return render(request, "projects/detail.html", context, block="what_if", status_code=422)
    field = ScoreField(score)
    moved = Scores.of(context["assessment"]).moved(field, int(value))
    moves = what_if(
        context["entries"], request.app.state.scoring, project_id=project.id, scores=moved
    )
    context["what_if"] = WhatIf(field=field, value=int(value), moves=moves)
    return render(request, "projects/detail.html", context, block="what_if")
