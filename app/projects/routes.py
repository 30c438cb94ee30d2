"""Browser pages of one project: its page, forms, plan revisions, what-if."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.errors import Refused
from app.forms import as_int, validate
from app.inputs import IdPath
from app.projects import queries, service
from app.projects.models import PlanIn, ProjectCreate, ProjectStatus, ProjectUpdate
from app.projects.page import plan_diff_page
from app.routing import Route
from app.scoring import SuccessAxis
from app.teams import queries as team_queries
from app.versions import Conflict
from app.web import past_horizon_warning, redirect, render

# Pages, not API: kept out of the OpenAPI document.
router = APIRouter(route_class=Route, include_in_schema=False)

STATUS_OPTIONS = [(s.value, s.value) for s in ProjectStatus]
AXIS_OPTIONS = [
    (SuccessAxis.first.value, "first: being first to ship"),
    (SuccessAxis.best.value, "best: the thorough, well-evaluated version"),
    (SuccessAxis.open.value, "open: the open version others build on"),
]


# ---------------------------------------------------------------- forms


class ProjectForm(BaseModel):
    """A project form as posted: every field is text until validated."""

    title: str = ""
    summary: str = ""
    keywords: str = ""
    status: str = "idea"
    success_axis: str = ""
    attainability: str = ""
    scoop_risk: str = ""
    impact: str = ""
    attainability_rationale: str = ""
    scoop_risk_rationale: str = ""
    impact_rationale: str = ""
    goal: str = ""
    approach: str = ""
    differentiation: str = ""
    contingency: str = ""
    questions: str = ""
    horizon: str = ""
    version: str = ""
    based_on: str = ""
    team_id: str = ""

    def assessment(self) -> dict:
        return {
            "attainability": as_int(self.attainability),
            "scoop_risk": as_int(self.scoop_risk),
            "impact": as_int(self.impact),
            "success_axis": self.success_axis or None,
            "attainability_rationale": self.attainability_rationale,
            "scoop_risk_rationale": self.scoop_risk_rationale,
            "impact_rationale": self.impact_rationale,
        }

    def plan(self) -> dict:
        return {
            "goal": self.goal,
            "approach": self.approach,
            "differentiation": self.differentiation,
            "contingency": self.contingency,
            "questions": self.questions,
            "horizon": self.horizon or None,
        }

    def _project(self) -> dict:
        return {
            "title": self.title,
            "summary": self.summary,
            "keywords": self.keywords.split(","),
            "status": self.status or None,
            "team_id": _team_value(self.team_id),
            "assessment": self.assessment(),
        }

    def create_data(self) -> dict:
        """A new project: its fields, scores and first plan."""
        return {**self._project(), "plan": self.plan()}

    def update_data(self) -> dict:
        """An edit: the version it was opened at, its fields and scores (the
        plan is revised on its own form)."""
        return {"version": as_int(self.version) or 0, **self._project()}


def _team_value(raw: str) -> object:
    """The sharing select: "" is private, else a team id."""
    return None if raw in ("", "private") else int(raw) if raw.isdecimal() else raw


# The new-project form asks for a title and three scores; the rest sits in
# "More details", opened again when anything in it was typed or refused.
_DETAIL_DEFAULTS = {
    "summary": "",
    "keywords": "",
    "status": "idea",
    "team_id": "",
    "success_axis": "best",
    "attainability_rationale": "",
    "scoop_risk_rationale": "",
    "impact_rationale": "",
    "goal": "",
    "approach": "",
    "differentiation": "",
    "contingency": "",
    "questions": "",
    "horizon": "",
}


def _details_open(values: dict, errors: dict) -> bool:
    return any(
        name in errors or (values.get(name) or default) != default
        for name, default in _DETAIL_DEFAULTS.items()
    )


def _form_page(
    request: Request, session, template: str, context: dict, status_code: int = 200
) -> Response:
    context.setdefault("errors", {})
    context.setdefault("message", None)
    context["details_open"] = _details_open(context["values"], context["errors"])
    user = request.state.user
    context |= {
        "status_options": STATUS_OPTIONS,
        "axis_options": AXIS_OPTIONS,
        "team_options": [("", "Private: only me"), *team_queries.team_choices(session, user=user)],
    }
    return render(request, template, context, status_code=status_code)


def _refused_page(
    request: Request, session, template: str, context: dict, refused: Refused
) -> Response:
    """Nothing was saved (the transaction is rolled back): the form again with
    a refusal's message; a field's error is the form's (422)."""
    session.rollback()
    context["errors"] = {refused.field or "title": refused.message}
    status_code = 422 if refused.field else refused.status
    return _form_page(request, session, template, context, status_code=status_code)


def _conflict_page(request: Request, session, context: dict, conflict: Conflict) -> Response:
    """Nothing was saved (the transaction is rolled back): the edit form
    again, saying why, at the version now saved."""
    session.rollback()
    context["message"] = (
        "Someone changed this project after you opened this form, so nothing was saved. "
        "Your text is below; open the project in a new tab to see the latest version, "
        "then save again."
    )
    context["values"]["version"] = str(conflict.current_version)
    return _form_page(request, session, "projects/edit.html", context, status_code=409)


def _plan_conflict_page(request: Request, session, context: dict, conflict: Conflict) -> Response:
    """Nothing was saved (the transaction is rolled back): the plan form
    again, based on the plan now saved."""
    session.rollback()
    context["message"] = (
        f"A newer plan (version {conflict.current_version}) was saved after you opened this "
        "form, so nothing was saved. Your text is below."
    )
    context["values"]["based_on"] = str(conflict.current_version)
    return _form_page(request, session, "projects/plan_edit.html", context, status_code=409)


@router.get("/projects/new", name="project_new")
def project_new(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    defaults = {
        "status": "idea",
        "success_axis": "best",
        "attainability": "3",
        "scoop_risk": "3",
        "impact": "3",
    }
    return _form_page(request, session, "projects/new.html", {"values": defaults})


@router.post("/projects", name="project_create")
def project_create(
    request: Request, session: SessionDep, user: CurrentUser, form: Annotated[ProjectForm, Form()]
) -> Response:
    data, errors = validate(ProjectCreate, form.create_data())
    context = {"values": form.model_dump(), "errors": errors}
    if data is None:
        return _form_page(request, session, "projects/new.html", context, status_code=422)
    try:
        project = service.project_create(session, owner=user, data=data)
    except Refused as refused:
        return _refused_page(request, session, "projects/new.html", context, refused)
    session.commit()
    return redirect(
        request,
        request.url_for("project_detail", project_id=project.id).path,
        message=f"Project “{project.title}” created."
        + past_horizon_warning(data.plan.horizon, user),
    )


@router.get("/projects/{project_id}/edit", name="project_edit")
def project_edit(
    request: Request, session: SessionDep, user: CurrentUser, project_id: IdPath
) -> Response:
    project = queries.project_for(session, user=user, project_id=project_id)
    assessment = queries.current_assessment(session, project=project)
    keywords = queries.keywords_of(session, project_ids=[project.id])[project.id]
    values = {
        **project.model_dump(),
        **assessment.model_dump(exclude={"id", "created_at", "project_id", "author_id"}),
        "keywords": ", ".join(keywords),
        "team_id": str(project.team_id or ""),
    }
    return _form_page(
        request, session, "projects/edit.html", {"project": project, "values": values}
    )


@router.post("/projects/{project_id}/edit")
def project_update(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: IdPath,
    form: Annotated[ProjectForm, Form()],
) -> Response:
    project = queries.project_for(session, user=user, project_id=project_id)
    data, errors = validate(ProjectUpdate, form.update_data())
    context = {"project": project, "values": form.model_dump(), "errors": errors}
    if data is None:
        return _form_page(request, session, "projects/edit.html", context, status_code=422)
    before = queries.current_assessment(session, project=project)
    try:
        service.project_update(session, project=project, actor=user, data=data)
    except Conflict as conflict:
        return _conflict_page(request, session, context, conflict)
    except Refused as refused:
        return _refused_page(request, session, "projects/edit.html", context, refused)
    after = queries.current_assessment(session, project=project)
    session.commit()
    moved = score_changes(before, after)
    message = f"Saved “{project.title}”" + (f": {moved}." if moved else ".")
    return redirect(
        request, request.url_for("project_detail", project_id=project.id).path, message=message
    )


SCORE_NAMES = {"attainability": "attainability", "scoop_risk": "scoop risk", "impact": "impact"}


def score_changes(before, after) -> str:
    """ "attainability 5→4, scoop risk 2→3": the scores a save moved."""
    if before is None or after is None:
        return ""
    return ", ".join(
        f"{label} {getattr(before, name)}→{getattr(after, name)}"
        for name, label in SCORE_NAMES.items()
        if getattr(before, name) != getattr(after, name)
    )


@router.get("/projects/{project_id}/plan/edit", name="plan_edit")
def plan_edit(
    request: Request, session: SessionDep, user: CurrentUser, project_id: IdPath
) -> Response:
    project = queries.project_for(session, user=user, project_id=project_id)
    plan = queries.current_plan(session, project=project)
    values = plan.model_dump() if plan else {}
    values["based_on"] = str(plan.number if plan else 0)
    values["horizon"] = plan.horizon.isoformat() if plan and plan.horizon else ""
    return _form_page(
        request, session, "projects/plan_edit.html", {"project": project, "values": values}
    )


@router.post("/projects/{project_id}/plan", name="plan_revise")
def plan_revise(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: IdPath,
    form: Annotated[ProjectForm, Form()],
) -> Response:
    project = queries.project_for(session, user=user, project_id=project_id)
    data, errors = validate(PlanIn, form.plan())
    context = {"project": project, "values": form.model_dump(), "errors": errors}
    if data is None:
        return _form_page(request, session, "projects/plan_edit.html", context, status_code=422)
    try:
        service.plan_revise(
            session, project=project, actor=user, based_on=as_int(form.based_on) or 0, data=data
        )
    except Conflict as conflict:
        return _plan_conflict_page(request, session, context, conflict)
    session.commit()
    message = "Plan revised." + past_horizon_warning(data.horizon, user)
    return redirect(
        request, request.url_for("project_detail", project_id=project.id).path, message=message
    )


@router.post("/projects/{project_id}/archive", name="project_archive")
def project_archive(
    request: Request, session: SessionDep, user: CurrentUser, project_id: IdPath
) -> Response:
    project = queries.project_for(session, user=user, project_id=project_id)
    service.project_archive(session, project=project)
    session.commit()
    return redirect(request, request.url_for("project_detail", project_id=project.id).path)


@router.post("/projects/{project_id}/restore", name="project_restore")
def project_restore(
    request: Request, session: SessionDep, user: CurrentUser, project_id: IdPath
) -> Response:
    project = queries.project_for(session, user=user, project_id=project_id)
    service.project_restore(session, project=project)
    session.commit()
    return redirect(request, request.url_for("project_detail", project_id=project.id).path)


@router.get("/projects/{project_id}/plans/diff", name="plan_diff")
def plan_diff(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: IdPath,
    a: str = "",
    b: str = "",
) -> Response:
    """What changed between two plan versions (by default the last two)."""
    context = plan_diff_page(session, user=user, project_id=project_id, a=a, b=b)
    return render(request, "projects/plan_diff.html", context)
