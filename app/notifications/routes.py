"""Browser pages of activity: the notification list and the weekly digest."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.forms import as_int, validate
from app.navigation import nav_counts
from app.notifications import page, service
from app.notifications.models import MarkRead
from app.routing import Route
from app.web import is_htmx, render

router = APIRouter(route_class=Route, include_in_schema=False)


def _list_page(
    request: Request, session, user, before: str, message: str = "", status_code=200, **extra
) -> Response:
    """The list (its notices block for HTMX), with a message about what was marked."""
    context = page.activity_page(session, user=user, before=before[:100])
    context |= {"message": message, **extra}
    return render(
        request, "notifications/list.html", context, block="notices", status_code=status_code
    )


def _marked_message(marked: int) -> str:
    if not marked:
        return "Nothing new to mark as read."
    return f"Marked {marked} notification{'s' if marked != 1 else ''} as read."


@router.get("/activity", name="notification_list")
def notification_list(
    request: Request, session: SessionDep, user: CurrentUser, before: str = ""
) -> Response:
    return _list_page(request, session, user, before)


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
        message = "Nothing was marked: reload the page and try again."
        return _list_page(request, session, user, before, message, status_code=422)
    marked = service.notifications_mark_read(session, user=user, up_to_id=data.up_to_id)
    session.commit()
    if not is_htmx(request):
        return RedirectResponse(request.url_for("notification_list").path, status_code=303)
    # The swapped list also refreshes the count in the navigation.
    nav_refresh = nav_counts(session, user=user)
    return _list_page(
        request, session, user, before, _marked_message(marked), nav_refresh=nav_refresh
    )
