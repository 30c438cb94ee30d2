"""The "I got scooped" wizard: a few steps, a draft kept after each, and one
transaction at the end. HTMX swaps step to step; without JavaScript every
step is a plain form post."""

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.forms import as_int, message_for
from app.inputs import IdPath, as_id
from app.projects import queries as project_queries
from app.projects.models import Project
from app.releases import queries as release_queries
from app.releases.models import LinkEffect, ReleaseCreate, ReleaseKind
from app.replans import service
from app.replans.models import ReplanCreate, ReplanDecision
from app.routing import Route
from app.scoring import Scores, SuccessAxis, what_if
from app.versions import Conflict
from app.web import is_htmx, redirect, render

# Pages, not API: kept out of the OpenAPI document.
router = APIRouter(route_class=Route, include_in_schema=False)

RELEASE_FIELDS = ("title", "kind", "organisation", "released_on", "url", "summary")
SCORE_FIELDS = (
    "attainability",
    "scoop_risk",
    "impact",
    "success_axis",
    "attainability_rationale",
    "scoop_risk_rationale",
    "impact_rationale",
)
PLAN_FIELDS = ("goal", "approach", "differentiation", "contingency", "questions", "horizon")
STEPS = {
    1: (
        "Which release",
        ("release_choice", "release_id", "effect", *(f"r_{n}" for n in RELEASE_FIELDS)),
    ),
    2: ("What happened", ("what_they_did", "what_stands")),
    3: ("What we do now", ("decision", "learnings")),
    4: ("Re-score", SCORE_FIELDS),
    5: ("The new plan", PLAN_FIELDS),
    6: ("Review and finish", ()),
}
LAST_STEP = max(STEPS)


class WizardForm(BaseModel):
    """Whatever a step posts: the fields of that step."""

    step: str = "1"
    action: str = "next"
    release_choice: str | None = None
    release_id: str | None = None
    effect: str | None = None
    r_title: str | None = None
    r_kind: str | None = None
    r_organisation: str | None = None
    r_released_on: str | None = None
    r_url: str | None = None
    r_summary: str | None = None
    what_they_did: str | None = None
    what_stands: str | None = None
    decision: str | None = None
    learnings: str | None = None
    attainability: str | None = None
    scoop_risk: str | None = None
    impact: str | None = None
    success_axis: str | None = None
    attainability_rationale: str | None = None
    scoop_risk_rationale: str | None = None
    impact_rationale: str | None = None
    goal: str | None = None
    approach: str | None = None
    differentiation: str | None = None
    contingency: str | None = None
    questions: str | None = None
    horizon: str | None = None


def _fresh_data(
    session: SessionDep, user: CurrentUser, project: Project, release_id: int | None
) -> dict[str, Any]:
    """A new draft starts from the current scores and plan."""
    assessment = project_queries.current_assessment(session, project=project)
    plan = project_queries.current_plan(session, project=project)
    has_log = bool(release_queries.recent_releases(session, user=user, limit=1))
    data: dict[str, Any] = {
        "_version": project.version,
        "release_choice": "existing" if release_id or has_log else "new",
        "release_id": str(release_id or ""),
        "effect": LinkEffect.scoop.value,
        "r_kind": ReleaseKind.paper.value,
    }
    data |= {name: str(getattr(assessment, name)) for name in SCORE_FIELDS}
    if plan is not None:
        data |= {name: getattr(plan, name) or "" for name in PLAN_FIELDS}
        data["horizon"] = plan.horizon.isoformat() if plan.horizon else ""
    return data


def _replan_input(data: dict[str, Any]) -> dict[str, Any]:
    """The draft, shaped as ReplanCreate expects it."""
    payload: dict[str, Any] = {
        "version": data.get("_version") or 0,
        "effect": data.get("effect") or None,
        "what_they_did": data.get("what_they_did", ""),
        "what_stands": data.get("what_stands", ""),
        "decision": data.get("decision") or None,
        "learnings": data.get("learnings", ""),
        "assessment": {
            **{name: data.get(name, "") for name in SCORE_FIELDS},
            **{name: as_int(data.get(name)) for name in ("attainability", "scoop_risk", "impact")},
            "success_axis": data.get("success_axis") or None,
        },
        "plan": {
            **{name: data.get(name, "") for name in PLAN_FIELDS},
            "horizon": data.get("horizon") or None,
        },
    }
    if data.get("release_choice") == "new":
        payload["release"] = {
            name: data.get(f"r_{name}", "")
            for name in RELEASE_FIELDS
            if data.get(f"r_{name}") or name not in ("kind", "released_on")
        }
    elif str(data.get("release_id", "")).isdecimal():
        payload["release_id"] = int(data["release_id"])
    return payload


def _errors_by_field(exc: ValidationError) -> dict[str, str]:
    """ReplanCreate's errors, keyed by the wizard's field names."""
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(part) for part in err["loc"]]
        if loc[:1] == ["release"] and len(loc) > 1:
            name = f"r_{loc[1]}"
        elif loc[:1] in (["assessment"], ["plan"]) and len(loc) > 1:
            name = loc[1]
        elif loc:
            name = loc[0]
        else:
            name = "release_choice"  # the one whole-form rule: which release
        out.setdefault(name, message_for(err))
    if "release_choice" in out:
        out["release_choice"] = "Pick a release from your log, or log a new one."
    return out


def _validate(
    session: SessionDep, user: CurrentUser, data: dict[str, Any]
) -> tuple[ReplanCreate | None, dict]:
    errors: dict[str, str] = {}
    parsed = None
    try:
        parsed = ReplanCreate.model_validate(_replan_input(data))
    except ValidationError as exc:
        errors = _errors_by_field(exc)
    if data.get("release_choice") == "existing":
        try:
            release_queries.release_for(
                session, user=user, release_id=as_id(str(data.get("release_id") or "")) or 0
            )
        except (ValueError, release_queries.ReleaseNotFound):
            errors["release_id"] = "Choose a release from your log."
            parsed = None
    elif data.get("release_choice") != "new":
        errors["release_choice"] = "Pick a release from your log, or log a new one."
    return parsed, errors


def _step_errors(step: int, errors: dict[str, str]) -> dict[str, str]:
    return {name: message for name, message in errors.items() if name in STEPS[step][1]}


def _context(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project: Project,
    data: dict[str, Any],
    step: int,
    errors: dict | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "project": project,
        "values": data,
        "step": step,
        "steps": STEPS,
        "last_step": LAST_STEP,
        "errors": errors or {},
        "message": message,
        "decisions": list(ReplanDecision),
        "axes": [(a.value, a.value) for a in SuccessAxis],
        "kind_options": [(k.value, k.value) for k in ReleaseKind],
    }
    if step == 1:
        recent = release_queries.recent_releases(session, user=user)
        chosen = str(data.get("release_id", ""))
        if chosen.isdecimal() and all(str(r.id) != chosen for r in recent):
            with contextlib.suppress(release_queries.ReleaseNotFound):
                release = release_queries.release_for(
                    session, user=user, release_id=as_id(chosen) or 0
                )
                recent.insert(0, release)
        context["release_options"] = [
            (str(r.id), f"{r.title} ({r.released_on.isoformat()})") for r in recent
        ]
    if step == 4:
        context["rank_preview"] = _rank_preview(request, session, user, project, data)
    if step == LAST_STEP:
        context["release_label"] = _release_label(session, user, data)
    return context


def _rank_preview(request, session, user, project: Project, data: dict[str, Any]):
    scores = [as_int(data.get(name)) for name in ("attainability", "scoop_risk", "impact")]
    if project.archived_at or not all(s in (1, 2, 3, 4, 5) for s in scores):
        return None
    axis = data.get("success_axis")
    if axis not in SuccessAxis.__members__:
        return None
    entries = project_queries.rank_entries(session, user=user)
    moved = Scores(scores[0], scores[1], scores[2], SuccessAxis(axis))
    moves = what_if(entries, request.app.state.scoring, project_id=project.id, scores=moved)
    return next((m for m in moves if m.project_id == project.id), None)


def _release_label(session, user, data: dict[str, Any]) -> str:
    if data.get("release_choice") == "new":
        return f"{data.get('r_title', '')} (logged when you finish)"
    try:
        release = release_queries.release_for(
            session, user=user, release_id=as_id(str(data.get("release_id") or "")) or 0
        )
    except (ValueError, release_queries.ReleaseNotFound):
        return ""
    return release.title


def _page(request: Request, context: dict, status_code: int = 200) -> Response:
    return render(request, "replans/wizard.html", context, block="wizard", status_code=status_code)


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
    draft = service.draft_get(session, project=project, actor=user)
    if draft is not None:
        return _page(request, _context(request, session, user, project, draft.data, draft.step))
    chosen = None
    if release_id.isdecimal():
        try:
            chosen = release_queries.release_for(
                session, user=user, release_id=as_id(release_id) or 0
            ).id
        except release_queries.ReleaseNotFound:
            chosen = None
    data = _fresh_data(session, user, project, chosen)
    return _page(request, _context(request, session, user, project, data, 1))


@router.post("/projects/{project_id}/replan", name="replan_step")
def replan_step(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: IdPath,
    form: Annotated[WizardForm, Form()],
) -> Response:
    project = project_queries.project_for(session, user=user, project_id=project_id)
    draft = service.draft_get(session, project=project, actor=user)
    data = dict(draft.data) if draft else _fresh_data(session, user, project, None)
    step = int(form.step) if form.step.isdecimal() and int(form.step) in STEPS else 1
    # A step posts all its fields; one that arrives empty was emptied (FastAPI
    # reads "" as absent), so it is stored empty rather than left as it was.
    posted = form.model_dump(exclude={"step", "action"})
    data |= {name: posted.get(name) or "" for name in STEPS[step][1]}
    if step == 1 and not data.get("release_choice"):
        # Picking a release or typing one says which option was meant.
        if str(data.get("release_id", "")).isdecimal():
            data["release_choice"] = "existing"
        elif data.get("r_title"):
            data["release_choice"] = "new"

    if form.action == "back":
        step = max(1, step - 1)
    elif form.action == "preview":
        pass  # stay on the step: the rank preview is computed from what was posted
    elif form.action == "finish":
        return _finish(request, session, user, project, data)
    elif form.action == "next":
        _, errors = _validate(session, user, data)
        step_errors = _step_errors(step, errors)
        message = None
        if step == 1 and not step_errors and data.get("release_choice") == "new":
            message = _switch_to_logged_release(session, user, data)
        if step_errors or message:
            service.draft_save(session, project=project, actor=user, step=step, data=data)
            session.commit()
            context = _context(request, session, user, project, data, step, step_errors, message)
            return _page(request, context, status_code=422 if step_errors else 200)
        step = min(LAST_STEP, step + 1)

    service.draft_save(session, project=project, actor=user, step=step, data=data)
    session.commit()
    if not is_htmx(request):
        return redirect(request, request.url_for("replan_start", project_id=project.id).path)
    return _page(request, _context(request, session, user, project, data, step))


def _switch_to_logged_release(session, user, data: dict[str, Any]) -> str | None:
    """A release typed in anew but already in the log: use the logged one."""
    release = ReleaseCreate.model_validate(_replan_input(data)["release"])
    url_key, external_id = release.keys()
    existing = release_queries.release_by_keys(
        session, user=user, url_key=url_key, external_id=external_id
    )
    if existing is None:
        return None
    data["release_choice"] = "existing"
    data["release_id"] = str(existing.id)
    return f"“{existing.title}” is in your log already; this re-plan will use it."


def _finish(request, session, user, project: Project, data: dict[str, Any]) -> Response:
    parsed, errors = _validate(session, user, data)
    if parsed is None:
        first_bad = min((s for s in STEPS if _step_errors(s, errors)), default=1)
        service.draft_save(session, project=project, actor=user, step=first_bad, data=data)
        session.commit()
        context = _context(
            request,
            session,
            user,
            project,
            data,
            first_bad,
            _step_errors(first_bad, errors),
            "Something is missing here before the re-plan can be finished.",
        )
        return _page(request, context, status_code=422)
    try:
        service.replan_submit(session, project=project, actor=user, data=parsed)
    except Conflict as conflict:
        session.rollback()
        data["_version"] = conflict.current_version
        service.draft_save(session, project=project, actor=user, step=4, data=data)
        session.commit()
        message = (
            "The project was changed elsewhere while you were re-planning, so nothing was "
            "saved yet. Check the scores against its latest state, then finish again."
        )
        return _page(request, _context(request, session, user, project, data, 4, {}, message), 409)
    session.commit()
    return redirect(
        request, request.url_for("project_detail", project_id=project.id).path + "#timeline"
    )


@router.post("/projects/{project_id}/replan/discard", name="replan_discard")
def replan_discard(
    request: Request, session: SessionDep, user: CurrentUser, project_id: IdPath
) -> Response:
    project = project_queries.project_for(session, user=user, project_id=project_id)
    service.draft_discard(session, project=project, actor=user)
    session.commit()
    return redirect(request, request.url_for("project_detail", project_id=project.id).path)
