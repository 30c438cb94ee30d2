"""The portfolio page: the ranked table, its filters, the map, and the
inline re-scoring that re-ranks it in place."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel

from app.auth.deps import CurrentUser, OptionalUser
from app.auth.queries import any_user_exists
from app.db import SessionDep
from app.forms import as_int, validate
from app.inputs import IdPath
from app.overview.ranked import SORTS, PortfolioQuery, portfolio_view
from app.projects import charts, queries, service
from app.projects.models import ProjectStatus, ProjectUpdate
from app.routing import Route
from app.scoring import SuccessAxis
from app.versions import Conflict
from app.web import redirect, render

# Pages, not API: kept out of the OpenAPI document.
router = APIRouter(route_class=Route, include_in_schema=False)


def _portfolio_context(
    request: Request, session: SessionDep, user: CurrentUser, view: PortfolioQuery
) -> dict:
    found = portfolio_view(session, user=user, scoring=request.app.state.scoring, query=view)
    reinforced, replans = found.resilience.reinforced, found.resilience.replans
    return {
        "rows": found.rows,
        "total": found.total,
        "reinforced": reinforced,
        "replans": replans,
        "reinforced_total": sum(reinforced.values()),
        "replans_total": sum(replans.values()),
        "view": view,
        "sorts": SORTS,
        "statuses": list(ProjectStatus),
        "axes": list(SuccessAxis),
        "formula": found.config.formula(),
        **charts.map_context(found.rows),
        "all_keywords": found.all_keywords,
    }


@router.get("/", name="portfolio")
def portfolio(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    status: str = "",
    keyword: str = "",
    sort: str = "",
    order: str = "",
    archived: str = "",
) -> Response:
    if user is None:
        return redirect(request, "/login" if any_user_exists(session) else "/signup")
    view = PortfolioQuery.parse(
        status=status, keyword=keyword, sort=sort, order=order, archived=archived
    )
    return render(
        request,
        "projects/portfolio.html",
        _portfolio_context(request, session, user, view),
        block="portfolio",
    )


class ScoreForm(BaseModel):
    attainability: str = ""
    scoop_risk: str = ""
    impact: str = ""
    version: str = ""


@router.post("/projects/{project_id}/scores", name="project_scores")
def project_scores(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: IdPath,
    form: Annotated[ScoreForm, Form()],
    status: str = "",
    keyword: str = "",
    sort: str = "",
    order: str = "",
) -> Response:
    """The portfolio's inline re-scoring: save, then show the table re-ranked.
    The query string carries the portfolio view to return to."""
    project = queries.project_for(session, user=user, project_id=project_id)
    view = PortfolioQuery.parse(status=status, keyword=keyword, sort=sort, order=order)
    data, errors = validate(
        ProjectUpdate,
        {
            "version": as_int(form.version) or 0,
            "assessment": {
                "attainability": as_int(form.attainability),
                "scoop_risk": as_int(form.scoop_risk),
                "impact": as_int(form.impact),
            },
        },
    )
    status_code = 200
    message = None
    if data is None:
        status_code, message = 422, f"Not saved: {'; '.join(errors.values())}"
    else:
        try:
            service.project_update(session, project=project, actor=user, data=data)
        except Conflict:
            session.rollback()
            status_code = 409
            message = (
                f"Not saved: “{project.title}” was changed elsewhere meanwhile. "
                "The table now shows its latest scores."
            )
        else:
            session.commit()
            if not request.headers.get("HX-Request"):
                return redirect(request, "/?" + view.query() if view.query() else "/")
    context = _portfolio_context(request, session, user, view)
    context["message"] = message
    context["changed_id"] = project_id
    return render(
        request, "projects/portfolio.html", context, block="portfolio", status_code=status_code
    )
