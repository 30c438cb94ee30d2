"""The project page and its what-if, over HTTP."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.errors import Refused
from app.forms import as_int, validate
from app.inputs import IdPath
from app.overview.project_page import project_page
from app.overview.what_if import STALE, ApplyChange, what_if_apply, what_if_page
from app.projects import queries as project_queries
from app.projects import service as project_service
from app.projects.models import ProjectUpdate
from app.routing import Route
from app.teams.models import Team
from app.versions import Conflict
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


class SharingForm(BaseModel):
    team_id: str = ""
    version: str = ""

    def update(self) -> dict:
        """The project change asked for: a team, or none (private)."""
        team_id = None if self.team_id in ("", "private") else as_int(self.team_id)
        return {"version": as_int(self.version) or 0, "team_id": team_id}


def _shared_message(project, team) -> str:
    if team:
        return f"“{project.title}” is now shared with {team.name}."
    return f"“{project.title}” is now private: only you can see it."


def _sharing_refused(
    request: Request, session, user, project_id: int, form: SharingForm, status: int, message: str
) -> Response:
    """Nothing was saved (rolled back): the page again, the choice as made
    and why beside it."""
    session.rollback()
    context = project_page(
        session, user=user, project_id=project_id, scoring=request.app.state.scoring
    )
    context["share_values"] = {"team_id": form.team_id}
    context["share_errors"] = {"team_id": message}
    return render(request, "projects/detail.html", context, status_code=status)


@router.post("/projects/{project_id}/sharing", name="project_share")
def project_share(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: IdPath,
    form: Annotated[SharingForm, Form()],
) -> Response:
    """Share the project with one of the owner's teams, or make it private."""
    project = project_queries.project_for(session, user=user, project_id=project_id)
    data, errors = validate(ProjectUpdate, form.update())
    if data is None:
        message = errors.get("team_id") or "Choose one of your teams."
        return _sharing_refused(request, session, user, project_id, form, 422, message)
    try:
        project_service.project_update(session, project=project, actor=user, data=data)
    except Conflict:
        message = "This project changed after you opened the page; sharing is as shown. Try again."
        return _sharing_refused(request, session, user, project_id, form, 409, message)
    except Refused as refused:
        return _sharing_refused(request, session, user, project_id, form, 422, refused.message)
    team = session.get(Team, project.team_id) if project.team_id else None
    session.commit()
    url = request.url_for("project_detail", project_id=project.id).path
    return redirect(request, url, message=_shared_message(project, team))
