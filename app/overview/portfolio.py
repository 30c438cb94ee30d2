"""The portfolio page: the ranked table, its filters, the map, and the
inline re-scoring that re-ranks it in place."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlmodel import Session

from app.auth.deps import CurrentUser, OptionalUser
from app.auth.models import User
from app.auth.queries import any_user_exists
from app.db import SessionDep
from app.forms import as_int, validate
from app.inputs import IdPath
from app.overview.ranked import PortfolioQuery, portfolio_page, score_editor
from app.projects import queries, service
from app.projects.models import Project, ProjectUpdate
from app.routing import Route
from app.scoring import rank
from app.versions import Conflict
from app.web import flash, is_htmx, redirect, render

# Pages, not API: kept out of the OpenAPI document.
router = APIRouter(route_class=Route, include_in_schema=False)


class ViewParams(BaseModel):
    """A portfolio view as its query string carries it: text until parsed."""

    status: str = ""
    keyword: str = ""
    sort: str = ""
    order: str = ""
    page: str = ""

    def view(self) -> PortfolioQuery:
        return PortfolioQuery.parse(**self.model_dump())


class PortfolioParams(ViewParams):
    """The portfolio's own query string: a view, of the archived projects or
    not (a re-scoring returns to a view of current ones: archived rows are
    not re-scored)."""

    archived: str = ""


def _portfolio_page(
    request: Request,
    session: Session,
    user: User,
    view: PortfolioQuery,
    *,
    status_code: int = 200,
    message: str | None = None,
    changed: int | None = None,
    saved: str | None = None,
) -> Response:
    """The portfolio under `view` (its table alone for HTMX); after a
    re-scoring, with why nothing was saved and the row `changed`."""
    context = portfolio_page(
        session,
        user=user,
        scoring=request.app.state.scoring,
        query=view,
        stale_days=request.app.state.settings.scores_stale_days,
    )
    # A re-scoring that was not saved leaves the row's editor open, to retry.
    editing = changed if message else None
    context.update(message=message, changed_id=changed, saved=saved, editing_id=editing)
    return render(
        request, "projects/portfolio.html", context, block="portfolio", status_code=status_code
    )


@router.get("/", name="portfolio")
def portfolio(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    query: Annotated[PortfolioParams, Query()],
) -> Response:
    if user is None:
        return redirect(request, "/login" if any_user_exists(session) else "/signup")
    return _portfolio_page(request, session, user, query.view())


@router.get("/projects/{project_id}/scores/edit", name="project_scores_edit")
def project_scores_edit(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: IdPath,
    back: Annotated[ViewParams, Query()],
) -> Response:
    """A portfolio row's score editor, asked for by its "Edit scores" link:
    the row alone for HTMX (swapped in place), else a page holding it."""
    project = queries.project_for(session, user=user, project_id=project_id)
    context = score_editor(session, user=user, scoring=request.app.state.scoring, project=project)
    context["back"] = "?" + back.view().query() if back.view().query() else ""
    # In place, saving re-ranks the portfolio around the row; on its own page
    # it is a plain form that returns to the portfolio.
    context["target"] = "#portfolio" if is_htmx(request) else None
    return render(request, "projects/scores_edit.html", context, block="row")


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
    back: Annotated[ViewParams, Query()],
) -> Response:
    """The portfolio's inline re-scoring: save, then show the table re-ranked.
    The query string carries the portfolio view to return to."""
    project = queries.project_for(session, user=user, project_id=project_id)
    view = back.view()
    scoring = request.app.state.scoring
    before = _standing(session, user, scoring, project_id)
    status_code, message = _scores_update(session, user=user, project=project, form=form)
    if status_code == 200:
        session.commit()
        saved = _what_moved(project.title, before, _standing(session, user, scoring, project_id))
        if not request.headers.get("HX-Request"):
            back_to = "/?" + view.query() if view.query() else "/"
            return flash(request, redirect(request, back_to), saved)
        return _portfolio_page(request, session, user, view, changed=project_id, saved=saved)
    return _portfolio_page(
        request, session, user, view, status_code=status_code, message=message, changed=project_id
    )


SCORE_NAMES = (
    ("attainability", "attainability"),
    ("scoop_risk", "scoop risk"),
    ("impact", "impact"),
)


def _standing(session: Session, user: User, scoring, project_id: int) -> tuple[dict, int]:
    """The project's three scores and its rank among the user's live projects."""
    for ranked in rank(queries.rank_entries(session, user=user), scoring):
        if ranked.project_id == project_id:
            scores = ranked.scores
            return {name: getattr(scores, name) for name, _ in SCORE_NAMES}, ranked.rank
    return {}, 0


def _what_moved(title: str, before: tuple[dict, int], after: tuple[dict, int]) -> str:
    """ "Reward model robustness: attainability 5→4, now #2 (was #1)." """
    (was, was_rank), (now, now_rank) = before, after
    moved = [
        f"{label} {was[name]}→{now[name]}"
        for name, label in SCORE_NAMES
        if was.get(name) != now.get(name)
    ]
    if not moved:
        return f"{title}: no score changed."
    place = f"now #{now_rank} (was #{was_rank})" if now_rank != was_rank else f"still #{now_rank}"
    return f"Saved. {title}: {', '.join(moved)}, {place}."
