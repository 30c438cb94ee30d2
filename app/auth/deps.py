"""Who is asking: the browser's session cookie, or an API token."""

from datetime import timedelta
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from itsdangerous import BadSignature, Signer
from sqlmodel import Session

from app.auth.models import ApiToken, User, UserSession
from app.auth.queries import session_lookup, token_lookup
from app.db import SAFE_METHODS, SessionDep, begin_reading, utcnow, with_next_write, write_apart
from app.errors import ApiError
from app.navigation import nav_counts

SESSION_COOKIE = "__Host-goldfish_session"
# Writing last-seen on every request would turn reads into writes.
_TOUCH_EVERY = timedelta(minutes=5)


def _signer(secret: str) -> Signer:
    return Signer(secret, salt="goldfish.session")


def session_cookie_value(secret: str, raw: str) -> str:
    """The cookie carries the random session token, signed with the instance
    secret: a tampered cookie is refused before the database is asked."""
    return _signer(secret).sign(raw).decode()


def session_token_of(secret: str, value: str) -> str | None:
    """The session token a cookie carries, if its signature holds."""
    try:
        return _signer(secret).unsign(value).decode()
    except BadSignature:
        return None


def session_token_from(request: Request) -> str | None:
    value = request.cookies.get(SESSION_COOKIE)
    return session_token_of(request.app.state.settings.secret_key, value) if value else None


DEVICE_COOKIE = "__Host-goldfish_device"
DEVICE_COOKIE_DAYS = 365


def _device_signer(secret: str) -> Signer:
    return Signer(secret, salt="goldfish.device")


def device_cookie_value(secret: str, user_id: int) -> str:
    """Marks a browser that has logged in to this account: its tries skip
    the waits that other people's wrong guesses put on the account."""
    return _device_signer(secret).sign(str(user_id)).decode()


def device_user_id(request: Request) -> int | None:
    value = request.cookies.get(DEVICE_COOKIE)
    if not value:
        return None
    try:
        raw = _device_signer(request.app.state.settings.secret_key).unsign(value).decode()
    except BadSignature:
        return None
    return int(raw) if raw.isdecimal() else None


class LoginRequired(Exception):
    """Raised by pages that need a signed-in user; answered with a redirect to /login."""


def _touch(
    request: Request,
    session: Session,
    model: type[UserSession] | type[ApiToken],
    record_id: int,
    column: str,
) -> None:
    """Note when a session or token was last used, in the request's own
    session: in a write request, inside the handler's write transaction; in a
    read, in a short transaction that never waits long for the write lock (if
    the database is busy, the next request notes it instead)."""
    statement = sa.update(model).where(model.id == record_id).values({column: utcnow()})
    if request.method in SAFE_METHODS:
        write_apart(session, statement, wait=False)
    else:
        with_next_write(session, statement)


def _release(session: Session) -> None:
    """End the lookup's transaction before the handler runs: FastAPI runs the
    handler in another thread, and a connection (or SQLite's write lock) must
    not be held while the request waits for one."""
    session.commit()


def optional_user(request: Request, session: SessionDep) -> User | None:
    raw = session_token_from(request)
    if not raw:
        return None
    settings = request.app.state.settings
    begin_reading(session)
    found = session_lookup(
        session,
        raw=raw,
        idle=timedelta(days=settings.session_idle_days),
        absolute=timedelta(days=settings.session_max_days),
    )
    if found is None:
        _release(session)
        return None
    user, record = found
    request.state.user = user
    request.state.session_id = record.id
    if request.headers.get("HX-Request") != "true":
        request.state.nav = nav_counts(session, user=user)
    if utcnow() - record.last_seen_at > _TOUCH_EVERY:
        _touch(request, session, UserSession, record.id, "last_seen_at")
    _release(session)
    return user


async def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    # async: no I/O here, so no hop to a thread
    if user is None:
        raise LoginRequired
    return user


_bearer = HTTPBearer(
    auto_error=False, description="A personal API token: `goldfish create-token EMAIL`"
)


def api_user(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None:
        raise ApiError(401, "Send a personal API token as 'Authorization: Bearer <token>'.")
    begin_reading(session)
    found = token_lookup(session, raw=credentials.credentials)
    if found is None:
        _release(session)
        raise ApiError(401, "This API token is unknown or revoked.")
    user, token = found
    if token.last_used_at is None or utcnow() - token.last_used_at > _TOUCH_EVERY:
        _touch(request, session, ApiToken, token.id, "last_used_at")
    _release(session)
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]
ApiUser = Annotated[User, Depends(api_user)]
