"""The calendar page of the account (make, revoke, the weekly review slot)
and the feed itself, which calendar apps fetch without logging in: the
private link is the key."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel

from app.auth.deps import CurrentUser
from app.auth.models import User
from app.calendar_feed import queries, service
from app.calendar_feed.ics import CalendarBuilder
from app.calendar_feed.models import SLOT_LENGTHS, WEEKDAYS
from app.db import SessionDep, begin_reading
from app.errors import NotFound
from app.routing import Route
from app.web import redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)

PAGE = "calendar_feed/account_calendar.html"
ICS_TYPE = "text/calendar; charset=utf-8"


class CalendarNotFound(NotFound):
    what = "calendar"


def _origin(request: Request) -> str:
    """Where links point: GOLDFISH_BASE_URL (required in production), else
    the address this request came to (a development server on any port)."""
    return request.app.state.settings.base_url or str(request.base_url).rstrip("/")


def _page(
    request: Request, session: SessionDep, user: User, status_code: int = 200, **extra
) -> Response:
    feed = service.feed_of(session, user=user)
    context = {
        "feed": feed,
        "new_link": None,
        "weekdays": [(str(day), name) for day, name in enumerate(WEEKDAYS)],
        "lengths": [(str(n), f"{n} minutes") for n in SLOT_LENGTHS],
        "values": {
            "weekday": str(feed.review_weekday),
            "time": f"{feed.review_hour:02d}:{feed.review_minute:02d}",
            "minutes": str(feed.review_minutes),
        },
        "errors": {},
    } | extra
    return render(request, PAGE, context, status_code=status_code)


@router.get("/account/calendar", name="calendar_page")
def calendar_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return _page(request, session, user)


@router.post("/account/calendar/link", name="calendar_link_create")
def calendar_link_create(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    raw = service.link_create(session, user=user)
    session.commit()
    link = f"{_origin(request)}/calendar/{raw}.ics"
    return _page(request, session, user, 201, new_link=link)


@router.post("/account/calendar/revoke", name="calendar_link_revoke")
def calendar_link_revoke(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    revoked = service.link_revoke(session, user=user)
    session.commit()
    message = "Calendar link revoked: calendars using it get nothing more." if revoked else None
    return redirect(request, "/account/calendar", message=message)


class SlotForm(BaseModel):
    weekday: str = ""
    time: str = ""
    minutes: str = ""


def slot_errors(form: SlotForm) -> tuple[dict[str, int], dict[str, str]]:
    """The slot a form describes, or a message per field it got wrong."""
    errors: dict[str, str] = {}
    weekday = int(form.weekday) if form.weekday in {str(d) for d in range(7)} else None
    if weekday is None:
        errors["weekday"] = "Choose a day of the week."
    try:
        moment = datetime.strptime(form.time.strip(), "%H:%M")
    except ValueError:
        moment = None
        errors["time"] = "Enter a time as HH:MM, e.g. 16:00."
    minutes = int(form.minutes) if form.minutes in {str(n) for n in SLOT_LENGTHS} else None
    if minutes is None:
        errors["minutes"] = "Choose how long the review lasts."
    if errors:
        return {}, errors
    slot = {"weekday": weekday, "hour": moment.hour, "minute": moment.minute, "minutes": minutes}
    return slot, {}


@router.post("/account/calendar/slot", name="calendar_slot_save")
def calendar_slot_save(
    request: Request, session: SessionDep, user: CurrentUser, form: Annotated[SlotForm, Form()]
) -> Response:
    slot, errors = slot_errors(form)
    if errors:
        return _page(request, session, user, 422, errors=errors, values=form.model_dump())
    service.slot_save(session, user=user, **slot)
    session.commit()
    message = "Weekly review slot saved; calendars show it from their next refresh."
    return redirect(request, "/account/calendar", message=message)


@router.get("/calendar/{token}.ics", name="calendar_feed")
def calendar_feed(request: Request, session: SessionDep, token: str) -> Response:
    begin_reading(session)
    found = service.feed_lookup(session, raw=token)
    if found is None:
        raise CalendarNotFound
    user, feed = found
    body = _calendar(request, session, user, feed)
    service.note_use(session, feed=feed)
    headers = {"Cache-Control": "private, max-age=300", "X-Robots-Tag": "noindex"}
    return Response(body, media_type=ICS_TYPE, headers=headers)


def _calendar(request: Request, session: SessionDep, user: User, feed) -> bytes:
    builder = CalendarBuilder(user=user, base_url=_origin(request))
    builder.horizons(queries.horizons(session, user=user))
    builder.reviews(queries.waiting_reviews(session, user=user))
    builder.weekly_review(feed)
    return builder.to_ical()
