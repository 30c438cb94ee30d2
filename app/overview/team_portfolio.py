"""The team portfolio: a manager's view of the team's shared projects, ranked
with the team's own formula, and the team's formula settings.

Nothing here counts scoops as outcomes: releases are events that touched a
plan, re-plans are what the team did about them, and a scoop after a
manager acknowledged the risk reads as a known, accepted risk being re-planned."""

import math
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from app.auth.deps import CurrentUser
from app.auth.queries import display_names
from app.db import SessionDep, utcnow
from app.forms import as_int, message_for
from app.inputs import IdPath
from app.overview.flags import score_flags
from app.overview.ranked import PortfolioQuery, Resilience, paged
from app.overview.team_portfolio_queries import (
    quarter_start,
    realised_risks,
    releases_touching,
    replans_since,
)
from app.projects import charts
from app.projects import queries as project_queries
from app.reviews import queries as review_queries
from app.routing import Route
from app.teams import queries, service
from app.teams.models import Team, TeamSettingsUpdate
from app.versions import Conflict
from app.web import redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)

# ---------------------------------------------------------------- the portfolio page


def _portfolio_context(
    session: Session, view: queries.TeamView, pages: PortfolioQuery, stale_days: int
) -> dict:
    """The team's projects, one page of them (ranked among all), and the rest."""
    team = view.team
    config = queries.scoring_of(team)
    ranked = project_queries.team_portfolio(session, team_id=team.id, config=config)
    resilience = Resilience.of(session, project_ids=[r.project.id for r in ranked])
    reinforced, replan_counts = resilience.reinforced, resilience.replans
    quarter = quarter_start(utcnow())
    rows, paging = paged(ranked, pages.page)
    return {
        "view": view,
        "team": team,
        "rows": rows,
        "paging": paging,
        "pages": pages.model_copy(update={"page": paging.number}),
        "owners": display_names(session, user_ids={r.project.owner_id for r in rows}),
        "reinforced": reinforced,
        "replan_counts": replan_counts,
        "reinforced_total": sum(reinforced.values()),
        "replans_total": sum(replan_counts.values()),
        "formula": config.formula(),
        **charts.map_context(rows),
        "touched": releases_touching(session, team_id=team.id),
        "quarter": quarter,
        "replans": replans_since(session, team_id=team.id, since=quarter),
        "waiting": review_queries.team_waiting(session, team_id=team.id),
        "realised": realised_risks(session, team_id=team.id),
        "flags": score_flags(session, rows=rows, stale_days=stale_days),
    }


@router.get("/teams/{team_id}/portfolio", name="team_portfolio")
def team_portfolio(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    team_id: IdPath,
    page: Annotated[str, Query(max_length=8)] = "",
) -> Response:
    view = queries.team_for(session, user=user, team_id=team_id)
    view.require_manager()
    pages = PortfolioQuery.parse(page=page)
    stale_days = request.app.state.settings.scores_stale_days
    context = _portfolio_context(session, view, pages, stale_days)
    return render(request, "teams/portfolio.html", context)


# ---------------------------------------------------------------- formula settings

MAPPING_FIELDS = tuple(f"mapping_{score}" for score in range(1, 6))
RESIDUAL_FIELDS = ("residual_first", "residual_best", "residual_open")


class SettingsForm(BaseModel):
    name: str = ""
    mapping_1: str = ""
    mapping_2: str = ""
    mapping_3: str = ""
    mapping_4: str = ""
    mapping_5: str = ""
    residual_first: str = ""
    residual_best: str = ""
    residual_open: str = ""
    version: str = ""


def _share(text: str) -> float | str | None:
    """A 0–1 value typed in a form; text that is no number stays text."""
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def _settings_values(team: Team) -> dict[str, str]:
    values = {name: _plain(v) for name, v in zip(MAPPING_FIELDS, team.score_mapping, strict=True)}
    values.update({name: _plain(getattr(team, name)) for name in RESIDUAL_FIELDS})
    return {**values, "name": team.name, "version": str(team.version)}


def _plain(value: float) -> str:
    return f"{value:g}"


def _settings_data(form: SettingsForm) -> tuple[TeamSettingsUpdate | None, dict[str, str]]:
    """The form as a settings update, or messages keyed by the form's field names."""
    errors: dict[str, str] = {}
    shares = {name: _share(getattr(form, name)) for name in (*MAPPING_FIELDS, *RESIDUAL_FIELDS)}
    for name, value in shares.items():
        if value is None:
            errors[name] = "This is required."
        elif isinstance(value, str):
            errors[name] = "Enter a number from 0 to 1, e.g. 0.6."
    if errors:
        return None, errors
    try:
        data = TeamSettingsUpdate.model_validate(
            {
                "version": as_int(form.version) or 0,
                "name": form.name,
                "score_mapping": [shares[name] for name in MAPPING_FIELDS],
                **{name: shares[name] for name in RESIDUAL_FIELDS},
            }
        )
    except ValidationError as exc:
        for err in exc.errors():
            loc = err["loc"]
            if loc[0] == "score_mapping" and len(loc) > 1:
                key = MAPPING_FIELDS[int(loc[1])]
            elif loc[0] == "version":
                key = "form"
            else:
                key = str(loc[0])
            errors.setdefault(key, message_for(err))
        return None, errors
    return data, {}


def _settings_page(
    request: Request,
    view: queries.TeamView,
    values: dict,
    errors: dict,
    *,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "teams/settings.html",
        {
            "view": view,
            "team": view.team,
            "values": values,
            "errors": errors,
            "message": message,
            "formula": queries.scoring_of(view.team).formula(),
            "mapping_fields": MAPPING_FIELDS,
        },
        status_code=status_code,
    )


@router.get("/teams/{team_id}/settings", name="team_settings")
def team_settings(
    request: Request, session: SessionDep, user: CurrentUser, team_id: IdPath
) -> Response:
    view = queries.team_for(session, user=user, team_id=team_id)
    view.require_admin()
    return _settings_page(request, view, _settings_values(view.team), {})


def _invalid_page(
    request: Request, view: queries.TeamView, form: SettingsForm, errors: dict[str, str]
) -> Response:
    """The form again as typed, each field's message beside it (422)."""
    message = (
        errors.pop("form", None) or "Nothing was saved: please correct the fields marked below."
    )
    values = form.model_dump()
    return _settings_page(request, view, values, errors, message=message, status_code=422)


def _conflict_page(
    request: Request, session: Session, view: queries.TeamView, form: SettingsForm
) -> Response:
    """Nothing was saved (the transaction is rolled back): the form again as
    typed, at the version now saved, naming the formula in force (409)."""
    session.rollback()
    session.refresh(view.team)
    message = (
        "Another admin changed these settings after you opened this page, so nothing was "
        f"saved. The formula in force now: {queries.scoring_of(view.team).formula()}. "
        "Your values are below; save again to replace it."
    )
    values = {**form.model_dump(), "version": str(view.team.version)}
    return _settings_page(request, view, values, {}, message=message, status_code=409)


@router.post("/teams/{team_id}/settings", name="team_settings_save")
def team_settings_save(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    team_id: IdPath,
    form: Annotated[SettingsForm, Form()],
) -> Response:
    view = queries.team_for(session, user=user, team_id=team_id)
    view.require_admin()
    data, errors = _settings_data(form)
    if data is None:
        return _invalid_page(request, view, form, errors)
    try:
        service.team_settings_update(session, view=view, data=data)
    except Conflict:
        return _conflict_page(request, session, view, form)
    session.commit()
    return redirect(request, request.url_for("team_portfolio", team_id=team_id).path)
