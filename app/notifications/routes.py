"""Browser pages of activity: the notification list and the weekly digest."""

from datetime import timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import CurrentUser, nav_counts
from app.db import SessionDep
from app.forms import as_int, validate
from app.journal import queries as journal_queries
from app.journal import service as journal_service
from app.notifications import queries, service
from app.notifications.models import MarkRead, NoticeKind
from app.routing import Route
from app.web import is_htmx, render

router = APIRouter(route_class=Route, include_in_schema=False)

# Headings of the digest's groups, in the order they are shown.
KIND_HEADINGS = {
    NoticeKind.review_requested: "Review requests",
    NoticeKind.review_answered: "Answers to your review requests",
    NoticeKind.comment_added: "Comments on reviews",
    NoticeKind.release_linked: "Releases linked to shared projects",
    NoticeKind.scoop_suggested: "Possible scoops found by your feeds",
}

WEEK_MESSAGE = "Pick a week written like 2026-W47 (year, W, week number)."


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


@router.get("/digest", name="digest")
def digest(request: Request, session: SessionDep, user: CurrentUser, week: str = "") -> Response:
    this_monday = journal_queries.week_start(journal_service.today_for(user))
    start = journal_queries.parse_iso_week(week) if week else this_monday
    errors = {}
    if start is None:
        errors["week"] = WEEK_MESSAGE
        start = this_monday
    summary = queries.digest_for(session, user=user, start=start)
    return render(
        request,
        "notifications/digest.html",
        {
            "digest": summary,
            "week": journal_queries.iso_week(start),
            "asked": week[:40] if errors else "",
            "errors": errors,
            "this_week": journal_queries.iso_week(this_monday),
            "prev_week": journal_queries.iso_week(start - timedelta(weeks=1)),
            "next_week": journal_queries.iso_week(start + timedelta(weeks=1))
            if start < this_monday
            else None,
            "headings": KIND_HEADINGS,
            "zone": ZoneInfo(user.timezone),
        },
        status_code=422 if errors else 200,
    )
