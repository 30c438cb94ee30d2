"""Browser pages of activity: the notification list and the weekly digest."""

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.forms import as_int, validate
from app.navigation import nav_counts
from app.notifications import queries, service
from app.notifications.models import MarkRead
from app.routing import Route
from app.web import is_htmx, render

router = APIRouter(route_class=Route, include_in_schema=False)


def _list_context(session: SessionDep, user: CurrentUser, before: str) -> dict:
    cursor = queries.parse_notice_cursor(before) if before else None
    rows, next_before = queries.notifications_page(
        session, user=user, before=cursor, limit=queries.PAGE
    )
    # On the first page the newest shown is the newest there is; deeper pages
    # still offer to mark everything up to what existed when they were loaded.
    if cursor is None:
        up_to_id = max((row.id for row in rows), default=None)
    else:
        up_to_id = queries.newest_id(session, user=user)
    return {
        "notices": rows,
        "next_before": next_before,
        "before": before if cursor else "",
        "up_to_id": up_to_id,
        "unread": queries.unread_count(session, user=user),
        "zone": ZoneInfo(user.timezone),
        "message": "",
    }


@router.get("/activity", name="notification_list")
def notification_list(
    request: Request, session: SessionDep, user: CurrentUser, before: str = ""
) -> Response:
    return render(
        request,
        "notifications/list.html",
        _list_context(session, user, before[:100]),
        block="notices",
    )


@router.post("/activity/read", name="notification_read")
def notification_read(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    up_to_id: Annotated[str, Form()] = "",
    before: Annotated[str, Form()] = "",
) -> Response:
    data, _ = validate(MarkRead, {"up_to_id": as_int(up_to_id)})
    if data is None:
        context = _list_context(session, user, before[:100])
        context["message"] = "Nothing was marked: reload the page and try again."
        return render(request, "notifications/list.html", context, block="notices", status_code=422)
    marked = service.notifications_mark_read(session, user=user, up_to_id=data.up_to_id)
    session.commit()
    if not is_htmx(request):
        return RedirectResponse(request.url_for("notification_list").path, status_code=303)
    context = _list_context(session, user, before[:100])
    context["message"] = (
        f"Marked {marked} notification{'s' if marked != 1 else ''} as read."
        if marked
        else "Nothing new to mark as read."
    )
    # The swapped list also refreshes the count in the navigation.
    context["nav_refresh"] = nav_counts(session, user=user)
    return render(request, "notifications/list.html", context, block="notices")
