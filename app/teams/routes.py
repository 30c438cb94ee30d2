"""Browser pages of teams: the list, a team's page, invites and joining."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.teams import queries
from app.web import render

router = APIRouter(include_in_schema=False)


@router.get("/teams", name="team_list")
def team_list(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return render(request, "teams/list.html", {"teams": queries.teams_of(session, user=user)})
