"""Starting and ending a browser's session: the cookies a log-in sets (the
session, a CSRF token bound to it, the device mark) and a log-out clears."""

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.auth import service
from app.auth.deps import (
    DEVICE_COOKIE,
    DEVICE_COOKIE_DAYS,
    SESSION_COOKIE,
    device_cookie_value,
    session_cookie_value,
    session_token_from,
)
from app.auth.models import User
from app.security import bound_csrf_token, csrf_cookie_header
from app.web import safe_next

_COOKIE = {"path": "/", "secure": True, "httponly": True, "samesite": "lax"}


def start_session(request: Request, session: Session, user: User, next_url: str) -> Response:
    """Log `user` in on this browser (a fresh token, whatever it had) and
    commit; the redirect carries the cookies."""
    old = session_token_from(request)
    if old:
        service.session_revoke(session, raw=old)
    issued = service.session_create(session, user=user)
    session.commit()
    settings = request.app.state.settings
    response = RedirectResponse(safe_next(next_url), status_code=303)
    # A new CSRF token, bound to the new session (app.security).
    csrf = csrf_cookie_header(bound_csrf_token(settings.secret_key, issued.raw))
    response.headers.append("set-cookie", csrf.decode())
    response.set_cookie(
        SESSION_COOKIE,
        session_cookie_value(settings.secret_key, issued.raw),
        max_age=settings.session_max_days * 86400,
        **_COOKIE,
    )
    response.set_cookie(
        DEVICE_COOKIE,
        device_cookie_value(settings.secret_key, user.id),
        max_age=DEVICE_COOKIE_DAYS * 86400,
        **_COOKIE,
    )
    return response


def logged_out(url: str = "/login") -> Response:
    """A redirect that clears the session cookie (the device mark stays)."""
    response = RedirectResponse(url, status_code=303)
    response.delete_cookie(SESSION_COOKIE, **_COOKIE)
    return response


def set_private_cookie(response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, **_COOKIE)


def clear_private_cookie(response: Response, name: str) -> None:
    response.delete_cookie(name, **_COOKIE)
