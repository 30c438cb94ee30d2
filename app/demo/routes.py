"""The first page's "Explore with demo data": on an instance with no
accounts at all, load the demo and log the visitor in as its researcher."""

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError

from app.auth import service as auth_service
from app.auth.queries import any_user_exists
from app.auth.sessions import start_session
from app.db import SessionDep
from app.demo.service import RealDataPresent, demo_load
from app.routing import Route
from app.web import client_ip, render

router = APIRouter(route_class=Route, include_in_schema=False)

NOT_EMPTY = "This instance has accounts already: demo data is only offered to an empty one."
TOO_MANY = "Too many sign-ups from here in the last hour. Try again later."


def _refused(request: Request, message: str, status_code: int) -> Response:
    settings = request.app.state.settings
    context = {"first": False, "open": settings.signup_open, "values": {}}
    return render(
        request,
        "auth/signup.html",
        context | {"errors": {"form": message}},
        status_code=status_code,
    )


def _throttled(request: Request, session) -> bool:
    """Counted with sign-ups from the same address: each costs password hashes."""
    return auth_service.throttled(
        session,
        action="signup-ip",
        key=client_ip(request),
        limit=auth_service.SIGNUP_PER_IP_HOUR,
        window=timedelta(hours=1),
    )


@router.post("/demo", name="demo_load")
def demo_start(request: Request, session: SessionDep) -> Response:
    if any_user_exists(session):
        return _refused(request, NOT_EMPTY, 403)
    throttled = _throttled(request, session)
    session.commit()
    if throttled:
        return _refused(request, TOO_MANY, 429)
    state = request.app.state
    try:
        loaded = demo_load(session, secret_key=state.settings.secret_key, scoring=state.scoring)
        if not loaded.created:  # another visitor's click got there first
            raise RealDataPresent(0)
    except (RealDataPresent, auth_service.EmailTaken, IntegrityError):
        session.rollback()
        return _refused(request, NOT_EMPTY, 403)
    return start_session(request, session, loaded.researcher, "/")
