"""Browser pages of scoring rounds: starting one from a project, the "to
score" list, and a round's page where estimators score blind and the owner
reveals and decides. Every form works without JavaScript."""

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlmodel import Session

from app.auth.deps import CurrentUser
from app.auth.models import User
from app.db import SessionDep
from app.errors import Refused
from app.forms import as_int, validate
from app.inputs import IdPath, as_id
from app.projects import queries as project_queries
from app.rounds import queries, service
from app.rounds.models import EstimateIn, RoundClose, RoundCreate
from app.rounds.page import round_page
from app.routing import Route
from app.teams.models import Team
from app.teams.queries import Member, members_of
from app.versions import Conflict
from app.web import redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)

_SCORES = ("attainability", "scoop_risk", "impact")
_RATIONALES = tuple(f"{s}_rationale" for s in _SCORES)


# ---------------------------------------------------------------- the list


@router.get("/rounds", name="round_list")
def round_list(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    waiting = queries.to_score(session, user=user)
    waiting_ids = {row.round.id for row in waiting}
    others = [r for r in queries.estimating(session, user=user) if r.round.id not in waiting_ids]
    started = queries.started_by(session, user=user)
    context = {"waiting": waiting, "others": others, "started": started}
    return render(request, "rounds/list.html", context)


# ---------------------------------------------------------------- starting one


def _start_context(session: Session, user: User, project_id: int) -> dict:
    project = project_queries.project_for(session, user=user, project_id=project_id)
    team = session.get(Team, project.team_id) if project.team_id else None
    members: list[Member] = members_of(session, team=team) if team else []
    return {
        "project": project,
        "team": team,
        "members": members,
        "open_round": queries.open_round_of(session, project_id=project.id),
        "chosen": set(),
        "errors": {},
    }


@router.get("/projects/{project_id}/rounds/new", name="round_new")
def round_new(
    request: Request, session: SessionDep, user: CurrentUser, project_id: IdPath
) -> Response:
    return render(request, "rounds/start.html", _start_context(session, user, project_id))


@router.post("/projects/{project_id}/rounds", name="round_start")
async def round_start(
    request: Request, session: SessionDep, user: CurrentUser, project_id: IdPath
) -> Response:
    form = await request.form()
    picked = [as_id(str(v)) for v in form.getlist("estimator_ids")][:200]
    return _start(request, session, user, project_id, [p for p in picked if p])


def _start(request, session, user, project_id: int, picked: list[int]) -> Response:
    context = _start_context(session, user, project_id)
    data, errors = validate(RoundCreate, {"estimator_ids": picked})
    if data is not None:
        try:
            scoring_round = service.round_start(
                session, project=context["project"], actor=user, data=data
            )
        except Refused as exc:
            session.rollback()
            errors = {"estimator_ids": exc.message}
        else:
            session.commit()
            return redirect(
                request, str(request.url_for("round_detail", round_id=scoring_round.id))
            )
    if "estimator_ids" in errors and not picked:
        errors["estimator_ids"] = "Choose at least one person to estimate."
    context |= {"chosen": set(picked), "errors": errors}
    return render(request, "rounds/start.html", context, status_code=422)


# ---------------------------------------------------------------- the round


def _page(
    request: Request,
    session: Session,
    user: User,
    round_id: int,
    status_code: int = 200,
    **shown,
) -> Response:
    page = round_page(session, user=user, round_id=round_id)
    context = {"page": page, "values": _values(page), "errors": {}, "message": ""}
    context |= shown
    context["values"] = {**_values(page), **shown.get("values", {})}
    return render(request, "rounds/detail.html", context, status_code=status_code)


def _values(page) -> dict:
    """The forms' values as the page opens: my estimate, and the medians to adopt."""
    mine = page.mine.estimate if page.mine else None
    values = {name: str(getattr(mine, name)) for name in (*_SCORES, *_RATIONALES)} if mine else {}
    values["estimate_version"] = str(mine.version) if mine else ""
    values |= {f"adopt_{score}": str(value) for score, value in page.proposed.items()}
    return values


@router.get("/rounds/{round_id}", name="round_detail")
def round_detail(
    request: Request, session: SessionDep, user: CurrentUser, round_id: IdPath
) -> Response:
    return _page(request, session, user, round_id)


class EstimateForm(BaseModel):
    estimate_version: str = ""
    attainability: str = ""
    scoop_risk: str = ""
    impact: str = ""
    attainability_rationale: str = ""
    scoop_risk_rationale: str = ""
    impact_rationale: str = ""

    def data(self) -> dict:
        typed = {name: getattr(self, name) for name in _RATIONALES}
        return typed | {
            **{name: as_int(getattr(self, name)) for name in _SCORES},
            "version": as_int(self.estimate_version),
        }


def _saved(request, session, user, round_id: int, change, **kept) -> Response:
    """Make `change`, commit and go back to the round; refused because the
    round moved on (or has nothing to adopt), the page as it now is, with what
    was typed kept and why. A refusal of who may do it (403) goes up as is."""
    try:
        change()
    except (Conflict, Refused) as refused:
        if isinstance(refused, Refused) and refused.status != 409:
            raise
        session.rollback()
        return _page(request, session, user, round_id, 409, message=refused.message, **kept)
    session.commit()
    return redirect(request, str(request.url_for("round_detail", round_id=round_id)))


@router.post("/rounds/{round_id}/estimate", name="round_estimate")
def round_estimate(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    round_id: IdPath,
    form: Annotated[EstimateForm, Form()],
) -> Response:
    view = queries.round_for(session, user=user, round_id=round_id)
    kept = {"values": form.model_dump()}
    data, errors = validate(EstimateIn, form.data())
    if data is None:
        return _page(request, session, user, round_id, 422, errors=errors, **kept)
    change = partial(service.estimate_submit, session, view=view, actor=user, data=data)
    return _saved(request, session, user, round_id, change, **kept)


class VersionForm(BaseModel):
    version: str = ""

    def expected(self) -> int:
        """The version the page was opened at; 0 (never current) if it is no number."""
        version = as_int(self.version)
        return version if isinstance(version, int) else 0


@router.post("/rounds/{round_id}/reveal", name="round_reveal")
def round_reveal(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    round_id: IdPath,
    form: Annotated[VersionForm, Form()],
) -> Response:
    view = queries.round_for(session, user=user, round_id=round_id)
    change = partial(service.round_reveal, session, view=view, version=form.expected())
    return _saved(request, session, user, round_id, change)


class CloseForm(VersionForm):
    adopt_attainability: str = ""
    adopt_scoop_risk: str = ""
    adopt_impact: str = ""
    rationale: str = ""

    def data(self) -> dict:
        adopt = {s: as_int(getattr(self, f"adopt_{s}")) for s in _SCORES}
        return {"version": self.expected() or None, "adopt": adopt | {"rationale": self.rationale}}


@router.post("/rounds/{round_id}/close", name="round_close")
def round_close(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    round_id: IdPath,
    form: Annotated[CloseForm, Form()],
) -> Response:
    view = queries.round_for(session, user=user, round_id=round_id)
    kept = {"values": form.model_dump()}
    data, errors = validate(RoundClose, form.data())
    if data is None:
        errors = {f"adopt_{k}" if k in _SCORES else k: v for k, v in errors.items()}
        return _page(request, session, user, round_id, 422, errors=errors, **kept)
    change = partial(service.round_close, session, view=view, actor=user, data=data)
    return _saved(request, session, user, round_id, change, **kept)
