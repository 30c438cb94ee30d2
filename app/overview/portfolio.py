"""The portfolio page: the ranked table, its filters, the map, and the
inline re-scoring that re-ranks it in place."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel

from app.auth.deps import CurrentUser, OptionalUser
from app.auth.queries import any_user_exists
from app.db import SessionDep
from app.forms import as_int, validate
from app.inputs import IdPath
from app.projects import charts, queries, service
from app.projects.models import ProjectStatus, ProjectUpdate
from app.releases import queries as release_queries
from app.replans import queries as replan_queries
from app.routing import Route
from app.scoring import SuccessAxis
from app.versions import Conflict
from app.web import redirect, render

# Pages, not API: kept out of the OpenAPI document.
router = APIRouter(route_class=Route, include_in_schema=False)

SORTS = {
    "priority": "Priority",
    "impact": "Impact",
    "attainability": "Attainability",
    "scoop_risk": "Scoop risk",
    "title": "Title",
    "updated": "Last change",
    "resilience": "Plan resilience (reinforced)",
}


class PortfolioView(BaseModel):
    """The portfolio's filters and order, as found in the query string."""

    status: ProjectStatus | None = None
    keyword: str = ""
    sort: str = "priority"
    order: str = "desc"
    archived: bool = False

    @classmethod
    def parse(cls, **raw: str) -> "PortfolioView":
        status = raw.get("status") or None
        return cls(
            status=status if status in ProjectStatus.__members__ else None,
            keyword=(raw.get("keyword") or "").strip().lower()[:40],
            sort=raw.get("sort") if raw.get("sort") in SORTS else "priority",
            order="asc" if raw.get("order") == "asc" else "desc",
            archived=raw.get("archived") in ("1", "true", "on"),
        )

    def query(self) -> str:
        params = {
            "status": self.status.value if self.status else "",
            "keyword": self.keyword,
            "sort": self.sort if self.sort != "priority" else "",
            "order": self.order if self.order != "desc" else "",
            "archived": "1" if self.archived else "",
        }
        return urlencode({k: v for k, v in params.items() if v})

    def apply(
        self, rows: list[queries.PortfolioRow], reinforced: dict[int, int]
    ) -> list[queries.PortfolioRow]:
        shown = [
            r
            for r in rows
            if (self.status is None or r.project.status == self.status)
            and (not self.keyword or self.keyword in r.keywords)
        ]
        if self.sort == "priority":
            # Rows arrive ranked; ascending shows the lowest priority first.
            return shown if self.order == "desc" else list(reversed(shown))
        if self.sort == "title":
            key = lambda r: r.project.title.casefold()  # noqa: E731
        elif self.sort == "updated":
            key = lambda r: r.project.updated_at  # noqa: E731
        elif self.sort == "resilience":
            key = lambda r: reinforced.get(r.project.id, 0)  # noqa: E731
        else:
            key = lambda r: getattr(r.assessment, self.sort)  # noqa: E731
        # Stable sort: equal values keep their priority order.
        return sorted(shown, key=key, reverse=self.order == "desc")


def _portfolio_context(
    request: Request, session: SessionDep, user: CurrentUser, view: PortfolioView
) -> dict:
    config = request.app.state.scoring
    rows = queries.portfolio(session, user=user, config=config, archived=view.archived)
    ids = [r.project.id for r in rows]
    reinforced = release_queries.reinforcement_counts(session, project_ids=ids)
    replans = replan_queries.replan_counts(session, project_ids=ids)
    shown = view.apply(rows, reinforced)
    return {
        "rows": shown,
        "total": len(rows),
        "reinforced": reinforced,
        "replans": replans,
        "reinforced_total": sum(reinforced.values()),
        "replans_total": sum(replans.values()),
        "view": view,
        "sorts": SORTS,
        "statuses": list(ProjectStatus),
        "axes": list(SuccessAxis),
        "formula": config.formula(),
        **charts.map_context(shown),
        "all_keywords": sorted({k for r in rows for k in r.keywords}),
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
    view = PortfolioView.parse(
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
    view = PortfolioView.parse(status=status, keyword=keyword, sort=sort, order=order)
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
