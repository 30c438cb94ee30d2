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
from app.overview.ranked import PortfolioQuery, portfolio_page
from app.projects import queries, service
from app.projects.models import Project, ProjectUpdate
from app.routing import Route
from app.versions import Conflict
from app.web import redirect, render

# Pages, not API: kept out of the OpenAPI document.
router = APIRouter(route_class=Route, include_in_schema=False)


def _portfolio_page(
    request: Request, session: SessionDep, user: CurrentUser, view: PortfolioQuery
) -> dict:
    return portfolio_page(session, user=user, scoring=request.app.state.scoring, query=view)


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
        _portfolio_page(request, session, user, view),
        block="portfolio",
    )


class ScoreForm(BaseModel):
    attainability: str = ""
    scoop_risk: str = ""
    impact: str = ""
    version: str = ""

    def update_data(self) -> dict:
        """A project update that changes only the three scores."""
        return {
            "version": as_int(self.version) or 0,
            "assessment": {
                "attainability": as_int(self.attainability),
                "scoop_risk": as_int(self.scoop_risk),
                "impact": as_int(self.impact),
            },
        }


def _scores_update(
    session: SessionDep, *, user: CurrentUser, project: Project, form: ScoreForm
) -> tuple[int, str | None]:
    """Stage the new scores: 200 and no message once staged, or the status
    and the message saying why nothing was saved."""
    data, errors = validate(ProjectUpdate, form.update_data())
    if data is None:
        return 422, f"Not saved: {'; '.join(errors.values())}"
    try:
        service.project_update(session, project=project, actor=user, data=data)
    except Conflict:
        session.rollback()
        return 409, (
            f"Not saved: “{project.title}” was changed elsewhere meanwhile. "
            "The table now shows its latest scores."
        )
    return 200, None


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
    status_code, message = _scores_update(session, user=user, project=project, form=form)
    if status_code == 200:
        session.commit()
        if not request.headers.get("HX-Request"):
            return redirect(request, "/?" + view.query() if view.query() else "/")
    context = _portfolio_page(request, session, user, view)
    context.update(message=message, changed_id=project_id)
    return render(
        request, "projects/portfolio.html", context, block="portfolio", status_code=status_code
    )
