"""The "I got scooped" wizard over HTTP: a few steps, a draft kept after
each, and one transaction at the end (app.replans.wizard). HTMX swaps step
to step; without JavaScript every step is a plain form post."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.inputs import IdPath
from app.projects import queries as project_queries
from app.replans import service, wizard
from app.routing import Route
from app.web import flash, is_htmx, past_horizon_warning, redirect, render

# Pages, not API: kept out of the OpenAPI document.
router = APIRouter(route_class=Route, include_in_schema=False)


def _page(request: Request, session, user, state: wizard.State) -> Response:
    context = wizard.page(session, user=user, state=state, scoring=request.app.state.scoring)
    return render(request, "replans/wizard.html", context, block="wizard", status_code=state.status)


@router.get("/projects/{project_id}/replan", name="replan_start")
def replan_start(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: IdPath,
    release_id: str = "",
) -> Response:
    """Open the wizard: the draft if there is one, else a fresh start."""
    project = project_queries.project_for(session, user=user, project_id=project_id)
    state = wizard.start(session, user=user, project=project, release_id=release_id)
    return _page(request, session, user, state)


@router.post("/projects/{project_id}/replan", name="replan_step")
def replan_step(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: IdPath,
    form: Annotated[wizard.WizardForm, Form()],
) -> Response:
    project = project_queries.project_for(session, user=user, project_id=project_id)
    state = wizard.advance(session, user=user, project=project, form=form)
    session.commit()
    if state.finished:
        detail = request.url_for("project_detail", project_id=project.id).path
        horizon = date.fromisoformat(state.data["horizon"]) if state.data.get("horizon") else None
        said = "Re-planned: a new plan version, new scores and the journal entry." + (
            past_horizon_warning(horizon, user)
        )
        return flash(request, redirect(request, detail + "#timeline"), said)
    if state.left and not state.show:
        return redirect(request, request.url_for("project_detail", project_id=project.id).path)
    if state.show or is_htmx(request):
        return _page(request, session, user, state)
    return redirect(request, request.url_for("replan_start", project_id=project.id).path)


@router.post("/projects/{project_id}/replan/discard", name="replan_discard")
def replan_discard(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: IdPath,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Throw the draft away, once asked: a plain post without `confirm`
    (no JavaScript to ask) gets a page that asks."""
    project = project_queries.project_for(session, user=user, project_id=project_id)
    if confirm != "yes":
        return render(request, "replans/discard.html", {"project": project})
    service.draft_discard(session, project=project, actor=user)
    session.commit()
    return redirect(request, request.url_for("project_detail", project_id=project.id).path)
