"""The team journal: the entries members chose to share with a team, and
process counts from the members who opted in. Never anyone's pace."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.inputs import IdPath
from app.journal.team_page import team_journal_page
from app.routing import Route
from app.teams import queries as team_queries
from app.teams import service as team_service
from app.web import redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)


@router.get("/teams/{team_id}/journal", name="team_journal")
def team_journal(
    request: Request, session: SessionDep, user: CurrentUser, team_id: IdPath, before: str = ""
) -> Response:
    """What members shared with the team, and the counts of those who opted in."""
    context = team_journal_page(session, user=user, team_id=team_id, before=before)
    return render(request, "teams/journal.html", context)


class AggregatesForm(BaseModel):
    share: str = ""


@router.post("/teams/{team_id}/journal/aggregates", name="team_aggregates")
def team_aggregates(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    team_id: IdPath,
    form: Annotated[AggregatesForm, Form()],
) -> Response:
    """A member opts their journal counts in to the team's sums, or out again."""
    view = team_queries.team_for(session, user=user, team_id=team_id)
    team_service.aggregates_share(session, view=view, on=form.share == "on")
    session.commit()
    return redirect(request, request.url_for("team_journal", team_id=team_id).path + "#process")
