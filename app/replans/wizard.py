"""The "I got scooped" wizard, apart from HTTP: its steps and the fields each
posts, how a draft maps onto ReplanCreate and its errors back onto the
wizard's fields, which release the researcher meant, and the state machine
itself. `start` opens it (the draft, or a fresh one); `advance` takes one
step's post to the next state, keeping the draft after every step; `page`
is what the template shows. The routes parse, call, and render or redirect.

Whatever a step posts is kept in the draft, so nothing typed is lost when a
step is refused or the browser goes away; the re-plan itself is saved in one
transaction at the end (replans.service.replan_submit).
"""

import contextlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from app.auth.models import User
from app.forms import as_int, message_for
from app.inputs import as_id
from app.projects import queries as project_queries
from app.projects.models import Project
from app.releases import queries as release_queries
from app.releases.models import LinkEffect, ReleaseCreate, ReleaseKind
from app.replans import service
from app.replans.models import ReplanCreate, ReplanDecision
from app.scoring import RankMove, Scores, ScoringConfig, SuccessAxis, what_if
from app.versions import Conflict

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
    session: Session, user: User, project: Project, release_id: int | None
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
        # A release logged on the spot usually came out today, where the researcher is.
        "r_released_on": datetime.now(ZoneInfo(user.timezone)).date().isoformat(),
    }
    data |= {name: str(getattr(assessment, name)) for name in SCORE_FIELDS}
    if plan is not None:
        data |= {name: getattr(plan, name) or "" for name in PLAN_FIELDS}
        data["horizon"] = plan.horizon.isoformat() if plan.horizon else ""
    # What the project said when the re-plan began: a changed score must say
    # why anew, and a plan field still as it was may take the re-plan's words.
    data |= {f"_was_{name}": data.get(name, "") for name in (*SCORE_FIELDS, "differentiation")}
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
    session: Session, user: User, data: dict[str, Any]
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
    errors |= _stale_reasons(data, errors)
    if errors:
        parsed = None
    return parsed, errors


def _stale_reasons(data: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    """A score that moved needs its own reason: the one it had before (or
    none) would stand in the history beside a number it did not explain."""
    stale = {}
    for score in ("attainability", "scoop_risk", "impact"):
        why, was = f"{score}_rationale", f"_was_{score}"
        if was not in data or score in errors or why in errors:
            continue  # a draft begun before this rule, or the score is wrong anyway
        if str(data.get(score, "")) != str(data[was]) and (
            not str(data.get(why, "")).strip() or data.get(why) == data.get(f"_was_{why}")
        ):
            label, now = score.replace("_", " ").capitalize(), data.get(score)
            stale[why] = f"{label} went {data[was]} → {now}: say why it is {now} now."
    return stale


def _step_errors(step: int, errors: dict[str, str]) -> dict[str, str]:
    return {name: message for name, message in errors.items() if name in STEPS[step][1]}


@dataclass
class State:
    """Where the wizard is after a request."""

    project: Project
    data: dict[str, Any]  # the draft: every field posted so far
    step: int
    errors: dict[str, str] = field(default_factory=dict)  # the step's fields' errors
    message: str | None = None
    status: int = 200
    # Answer with this step's page now rather than redirect to it (a refused
    # step, or a notice to read); a plain post that moved on redirects.
    show: bool = False
    finished: bool = False  # the re-plan is saved; the draft is gone
    left: bool = False  # "Leave for now": the step is kept, back to the project


def start(session: Session, *, user: User, project: Project, release_id: str = "") -> State:
    """Open the wizard: the draft if there is one, else a fresh start (with
    the release asked for, if it is the user's)."""
    draft = service.draft_get(session, project=project, actor=user)
    if draft is not None:
        return State(project, draft.data, draft.step)
    chosen = None
    if release_id.isdecimal():
        with contextlib.suppress(release_queries.ReleaseNotFound):
            chosen = release_queries.release_for(
                session, user=user, release_id=as_id(release_id) or 0
            ).id
    return State(project, _fresh_data(session, user, project, chosen), 1)


def advance(session: Session, *, user: User, project: Project, form: WizardForm) -> State:
    """One step's post: keep what it posted, then go back, stay (a preview),
    go on if the step is complete, or finish. Flushes the draft; the caller
    commits."""
    draft = service.draft_get(session, project=project, actor=user)
    data = dict(draft.data) if draft else _fresh_data(session, user, project, None)
    step = int(form.step) if form.step.isdecimal() and int(form.step) in STEPS else 1
    _merge(data, step, form)
    oversized = _too_long(session, user, project, data)
    if oversized:
        return oversized
    if form.action == "finish":
        return _finish(session, user, project, data)
    state = State(project, data, step)
    if form.action == "leave":
        state.left = True
    elif form.action == "back":
        state.step = max(1, step - 1)
    elif form.action == "next":
        _, errors = _validate(session, user, data)
        state.errors = _step_errors(step, errors)
        if step == 1 and not state.errors and data.get("release_choice") == "new":
            state.message = _use_logged_release(session, user, data)
        if state.errors or state.message:
            state.show = True
            state.status = 422 if state.errors else 200
        else:
            state.step = min(LAST_STEP, step + 1)
            if step == 2:
                _carry_what_stands(data)
    # "preview" stays on the step: the rank preview is computed from the post.
    service.draft_save(session, project=project, actor=user, step=state.step, data=data)
    return state


def _too_long(session: Session, user: User, project: Project, data: dict[str, Any]) -> State | None:
    """A field over its length limit is refused before anything is kept: the
    draft is not a way around the limits. The page shows it as typed."""
    _, errors = _validate(session, user, data)
    long = {name: message for name, message in errors.items() if message.startswith("Too long")}
    if not long:
        return None
    step = min((s for s in STEPS if _step_errors(s, long)), default=1)
    message = "Nothing was kept from this step: a field is longer than Goldfish takes."
    return State(
        project=project,
        data=data,
        step=step,
        errors=_step_errors(step, long),
        message=message,
        status=422,
        show=True,
    )


def _merge(data: dict[str, Any], step: int, form: WizardForm) -> None:
    """A step posts all its fields; one that arrives empty was emptied
    (FastAPI reads "" as absent), so it is stored empty, not left as it was.
    Picking a release or typing one says which option was meant."""
    posted = form.model_dump(exclude={"step", "action"})
    data |= {name: posted.get(name) or "" for name in STEPS[step][1]}
    if step == 1 and not data.get("release_choice"):
        if str(data.get("release_id", "")).isdecimal():
            data["release_choice"] = "existing"
        elif data.get("r_title"):
            data["release_choice"] = "new"


def _carry_what_stands(data: dict[str, Any]) -> None:
    """What of ours still stands (step 2) is what the new plan's "what still
    stands if someone ships first" should say, unless the researcher already
    rewrote that field: it is carried over, to edit in step 5."""
    untouched = data.get("differentiation", "") == data.get("_was_differentiation", "")
    if untouched and data.get("what_stands"):
        data["differentiation"] = data["what_stands"]


def _use_logged_release(session: Session, user: User, data: dict[str, Any]) -> str | None:
    """A release typed in anew but already in the log: use the logged one."""
    release = ReleaseCreate.model_validate(_replan_input(data)["release"])
    existing = service.logged_release(session, actor=user, data=release)
    if existing is None:
        return None
    data["release_choice"] = "existing"
    data["release_id"] = str(existing.id)
    return f"“{existing.title}” is in your log already; this re-plan will use it."


def _finish(session: Session, user: User, project: Project, data: dict[str, Any]) -> State:
    parsed, errors = _validate(session, user, data)
    if parsed is None:
        first_bad = min((s for s in STEPS if _step_errors(s, errors)), default=1)
        service.draft_save(session, project=project, actor=user, step=first_bad, data=data)
        return State(
            project,
            data,
            first_bad,
            _step_errors(first_bad, errors),
            "Something is missing here before the re-plan can be finished.",
            status=422,
            show=True,
        )
    try:
        service.replan_submit(session, project=project, actor=user, data=parsed)
    except Conflict as conflict:
        # Refused at its first write (the project's version): nothing of the
        # re-plan was written, and the draft keeps the researcher's answers.
        data["_version"] = conflict.current_version
        service.draft_save(session, project=project, actor=user, step=4, data=data)
        message = (
            "The project was changed elsewhere while you were re-planning, so nothing was "
            "saved yet. Check the scores against its latest state, then finish again."
        )
        return State(project, data, 4, {}, message, status=409, show=True)
    return State(project, data, LAST_STEP, finished=True)


def page(session: Session, *, user: User, state: State, scoring: ScoringConfig) -> dict[str, Any]:
    """The template's context for the state's step."""
    project, data, step = state.project, state.data, state.step
    context: dict[str, Any] = {
        "project": project,
        "values": data,
        "step": step,
        "steps": STEPS,
        "last_step": LAST_STEP,
        "errors": state.errors,
        "message": state.message,
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
        context["rank_preview"] = _rank_preview(session, user, project, data, scoring)
    if step == LAST_STEP:
        context["release_label"] = _release_label(session, user, data)
    return context


def _rank_preview(
    session: Session, user: User, project: Project, data: dict[str, Any], scoring: ScoringConfig
) -> RankMove | None:
    scores = [as_int(data.get(name)) for name in ("attainability", "scoop_risk", "impact")]
    if project.archived_at or not all(s in (1, 2, 3, 4, 5) for s in scores):
        return None
    axis = data.get("success_axis")
    if axis not in SuccessAxis.__members__:
        return None
    entries = project_queries.rank_entries(session, user=user)
    moved = Scores(scores[0], scores[1], scores[2], SuccessAxis(axis))
    moves = what_if(entries, scoring, project_id=project.id, scores=moved)
    return next((m for m in moves if m.project_id == project.id), None)


def _release_label(session: Session, user: User, data: dict[str, Any]) -> str:
    if data.get("release_choice") == "new":
        return f"{data.get('r_title', '')} (logged when you finish)"
    try:
        release = release_queries.release_for(
            session, user=user, release_id=as_id(str(data.get("release_id") or "")) or 0
        )
    except (ValueError, release_queries.ReleaseNotFound):
        return ""
    return release.title
