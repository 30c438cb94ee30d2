"""The project page and its what-if, over HTTP."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.inputs import IdPath
from app.overview.project_page import project_page
from app.overview.what_if import STALE, ApplyChange, what_if_apply, what_if_page
from app.routing import Route
from app.web import redirect, render

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


class ApplyForm(BaseModel):
    score: str = ""
    value: str = ""
    version: str = ""
    rationale: str = ""


@router.post("/projects/{project_id}/what-if", name="project_what_if_apply")
def project_what_if_apply(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: IdPath,
    form: Annotated[ApplyForm, Form()],
) -> Response:
    """ "Apply this change": the what-if saved as a re-score with its reason,
    then back to the project's page; refused, the page again with the
    what-if, the reason as typed and why beside it."""
    context = what_if_apply(
        session,
        user=user,
        project_id=project_id,
        scoring=request.app.state.scoring,
        form=ApplyChange(**form.model_dump()),
    )
    if context is None:
        session.commit()
        return redirect(request, request.url_for("project_detail", project_id=project_id).path)
    status = 409 if context.get("apply_errors", {}).get("version") == STALE else 422
    return render(request, "projects/detail.html", context, status_code=status)
