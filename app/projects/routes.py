"""Browser pages of one project: its page, forms, plan revisions, what-if."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from app.auth.deps import CurrentUser
from app.auth.models import User
from app.db import SessionDep
from app.errors import Refused
from app.forms import as_score, validate
from app.inbox import queries as inbox_queries
from app.inputs import IdPath
from app.journal import queries as journal_queries
from app.projects import charts, queries, service
from app.projects.diff import plan_diff
from app.projects.models import PlanIn, ProjectCreate, ProjectStatus, ProjectUpdate
from app.projects.timeline import timeline
from app.releases import queries as release_queries
from app.releases.models import SCOOP_EFFECTS, LinkEffect
from app.replans import queries as replan_queries
from app.replans import service as replan_service
from app.reviews import queries as review_queries
from app.routing import Route
from app.scoring import ScoreField, Scores, SuccessAxis, rank, what_if
from app.teams import queries as team_queries
from app.teams.models import Team
from app.versions import Conflict
from app.web import redirect, render

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
            "attainability": as_score(self.attainability),
            "scoop_risk": as_score(self.scoop_risk),
            "impact": as_score(self.impact),
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


def _team_value(raw: str) -> object:
    """The sharing select: "" is private, else a team id."""
    return None if raw in ("", "private") else int(raw) if raw.isdecimal() else raw


def _form_page(
    request: Request, session, template: str, context: dict, status_code: int = 200
) -> Response:
    context.setdefault("errors", {})
    context.setdefault("message", None)
    user = request.state.user
    context |= {
        "status_options": STATUS_OPTIONS,
        "axis_options": AXIS_OPTIONS,
        "team_options": [("", "Private: only me"), *team_queries.team_choices(session, user=user)],
    }
    return render(request, template, context, status_code=status_code)


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
    data, errors = validate(
        ProjectCreate,
        {
            "title": form.title,
            "summary": form.summary,
            "keywords": form.keywords.split(","),
            "status": form.status or None,
            "team_id": _team_value(form.team_id),
            "assessment": form.assessment(),
            "plan": form.plan(),
        },
    )
    if data is None:
        return _form_page(
            request,
            session,
            "projects/new.html",
            {"values": form.model_dump(), "errors": errors},
            status_code=422,
        )
    try:
        project = service.project_create(session, owner=user, data=data)
    except Refused as exc:
        session.rollback()
        return _form_page(
            request,
            session,
            "projects/new.html",
            {"values": form.model_dump(), "errors": {exc.field or "title": exc.message}},
            status_code=422 if exc.field else exc.status,
        )
    session.commit()
    return redirect(request, request.url_for("project_detail", project_id=project.id).path)


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
    data, errors = validate(
        ProjectUpdate,
        {
            "version": as_score(form.version) or 0,
            "title": form.title,
            "summary": form.summary,
            "keywords": form.keywords.split(","),
            "status": form.status or None,
            "team_id": _team_value(form.team_id),
            "assessment": form.assessment(),
        },
    )
    context = {"project": project, "values": form.model_dump(), "errors": errors}
    if data is None:
        return _form_page(request, session, "projects/edit.html", context, status_code=422)
    try:
        service.project_update(session, project=project, actor=user, data=data)
    except Conflict as conflict:
        session.rollback()
        context["message"] = (
            "Someone changed this project after you opened this form, so nothing was saved. "
            "Your text is below; open the project in a new tab to see the latest version, "
            "then save again."
        )
        context["values"]["version"] = str(conflict.current_version)
        return _form_page(request, session, "projects/edit.html", context, status_code=409)
    except Refused as exc:
        session.rollback()
        context["errors"] = {exc.field or "title": exc.message}
        status = 422 if exc.field else exc.status  # a field's error is the form's
        return _form_page(request, session, "projects/edit.html", context, status_code=status)
    session.commit()
    return redirect(request, request.url_for("project_detail", project_id=project.id).path)


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
            session, project=project, actor=user, based_on=as_score(form.based_on) or 0, data=data
        )
    except Conflict as conflict:
        session.rollback()
        context["message"] = (
            f"A newer plan (version {conflict.current_version}) was saved after you opened this "
            "form, so nothing was saved. Your text is below."
        )
        context["values"]["based_on"] = str(conflict.current_version)
        return _form_page(request, session, "projects/plan_edit.html", context, status_code=409)
    session.commit()
    return redirect(request, request.url_for("project_detail", project_id=project.id).path)


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


# ---------------------------------------------------------------- project page


@dataclass(frozen=True)
class WhatIf:
    field: ScoreField
    value: int
    moves: list


def _detail_context(
    request: Request, session: SessionDep, user: CurrentUser, project_id: int
) -> dict:
    project, access = queries.project_viewable(session, user=user, project_id=project_id)
    owner = access is queries.Access.owner
    team = session.get(Team, project.team_id) if project.team_id else None
    if owner:
        config = request.app.state.scoring
        entries = queries.rank_entries(session, user=user)
    else:
        # A teammate sees it ranked among the team's projects, by the team's formula.
        config = team_queries.scoring_of(team)
        rows = queries.team_portfolio(session, team_id=team.id, config=config)
        entries = [(r.project.id, r.project.title, Scores.of(r.assessment)) for r in rows]
    history = queries.assessments_of(session, project=project)
    current = history[-1]
    ranked = {r.project_id: r for r in rank(entries, config)}
    plans = queries.plans_of(session, project=project)
    links = release_queries.links_of_project(session, project=project)
    replans = replan_queries.replans_with_releases(session, project=project)
    reviews = review_queries.reviews_of_project(session, project_id=project.id)
    linked = {release.id for _, release in links}
    return {
        "project": project,
        "can_edit": owner,
        "access": access,
        "team": team,
        "owner_name": user.display_name
        if owner
        else session.get(User, project.owner_id).display_name,
        "assessment": current,
        "history": list(reversed(history)),
        "history_lines": charts.history_lines(history),
        "history_grid": charts.history_grid(),
        "history_box": {"width": charts.HISTORY_WIDTH, "height": charts.HISTORY_HEIGHT},
        "keywords": queries.keywords_of(session, project_ids=[project.id])[project.id],
        "plans": plans,
        "ranked": ranked.get(project.id),
        "portfolio_size": len(entries),
        "formula": config.formula(),
        "entries": entries,
        "score_fields": list(ScoreField),
        "what_if": None,
        "links": links,
        # Open suggestions that may scoop it: only its owner triages them.
        "likely_scoops": inbox_queries.likely_scoops(session, project=project) if owner else [],
        "replans": replans,
        "review_requests": review_queries.requests_of_project(
            session, user=user, project_id=project.id
        ),
        "timeline": timeline(
            history=history,
            plans=plans,
            links=links,
            replans=replans,
            entries=journal_queries.entries_of_project(session, user=user, project_id=project.id),
            reviews=reviews,
        ),
        "reinforced": sum(1 for link, _ in links if link.effect == LinkEffect.reinforces),
        "draft": replan_service.draft_get(session, project=project, actor=user) if owner else None,
        "release_options": [
            (r.id, f"{r.title} ({r.released_on.isoformat()})")
            for r in release_queries.recent_releases(session, user=user, limit=50)
            if r.id not in linked
        ]
        if owner
        else [],
        "effect_options": [(e.value, e.label) for e in LinkEffect],
        "scoop_effects": SCOOP_EFFECTS,
    }


@router.get("/projects/{project_id}", name="project_detail")
def project_detail(
    request: Request, session: SessionDep, user: CurrentUser, project_id: IdPath
) -> Response:
    return render(
        request, "projects/detail.html", _detail_context(request, session, user, project_id)
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
    context = _detail_context(request, session, user, project_id)
    errors = {}
    if score not in ScoreField.__members__:
        errors["score"] = "Choose attainability, scoop risk or impact."
    if as_score(value) not in (1, 2, 3, 4, 5):
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


@router.get("/projects/{project_id}/plans/diff", name="plan_diff")
def plan_diff_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: IdPath,
    a: str = "",
    b: str = "",
) -> Response:
    """What changed between two plan versions (by default the last two)."""
    project, _ = queries.project_viewable(session, user=user, project_id=project_id)
    plans = {p.number: p for p in queries.plans_of(session, project=project)}
    newest = max(plans)
    old_number = int(a) if a.isdecimal() and int(a) in plans else max(1, newest - 1)
    new_number = int(b) if b.isdecimal() and int(b) in plans else newest
    return render(
        request,
        "projects/plan_diff.html",
        {
            "project": project,
            "numbers": sorted(plans),
            "old": plans[old_number],
            "new": plans[new_number],
            "fields": plan_diff(plans[old_number], plans[new_number]),
        },
    )
