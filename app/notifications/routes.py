"""Browser pages of activity: the notification list and the weekly digest."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.notifications import queries
from app.web import render

router = APIRouter(include_in_schema=False)


@router.get("/activity", name="notification_list")
def notification_list(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return render(
        request,
        "notifications/list.html",
        {"notices": queries.notifications_of(session, user=user)},
    )
