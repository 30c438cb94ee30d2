"""The account page: time zone, colours, password, API tokens and sessions.

Changing the password or making an API token asks for the current password
again: a browser left logged in must not be enough to take the account
over or to mint a long-lived credential."""

from datetime import datetime
from functools import cache
from typing import Annotated
from zoneinfo import ZoneInfo, available_timezones

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.auth import service
from app.auth.deps import CurrentUser
from app.auth.models import Theme, User
from app.auth.passwords import hash_password_limited, verify_password_limited
from app.auth.policy import password_problem
from app.auth.queries import tokens_of
from app.auth.sessions import logged_out
from app.db import SessionDep
from app.forms import validate
from app.inputs import IdPath
from app.mail.models import WEEKDAYS, MailPreferenceForm
from app.mail.preferences import preference_get, preference_save
from app.mail.smtp import mail_configured
from app.routing import Route
from app.web import LOCAL_TIME, client_ip, redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)

# How long a new API token lasts, as offered on the page (in days).
# The colour choices offered on the page.
THEMES = [
    (Theme.system.value, "As my device is set (light or dark)"),
    (Theme.light.value, "Light"),
    (Theme.dark.value, "Dark"),
]
TOKEN_LIFETIMES = [
    ("30", "30 days"),
    ("90", "90 days"),
    ("365", "a year"),
    ("never", "until revoked"),
]
WRONG_PASSWORD = "That is not your current password."  # noqa: S105 (a message)
CHANGED_NOTE = "Password changed. Every other browser logged in to your account was logged out."


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _account_page(
    request: Request, session: SessionDep, user: User, status_code: int = 200, **extra
) -> Response:
    context = {
        "tokens": tokens_of(session, user=user),
        "new_token": None,
        "timezones": sorted(_timezones()),
        "token_lifetimes": TOKEN_LIFETIMES,
        "themes": THEMES,
        "values": {},
        "errors": {},
        "mail_on": mail_configured(request.app.state.settings),
        "mail_values": preference_get(session, user_id=user.id).model_dump(mode="json"),
        "mail_errors": {},
        "weekdays": [(str(n), day) for n, day in enumerate(WEEKDAYS)],
        "hours": [(str(h), f"{h:02d}:00") for h in range(24)],
    } | extra
    return render(request, "auth/account.html", context, status_code=status_code)


async def _confirmed(request: Request, session: SessionDep, user: User, password: str) -> bool:
    """Whether `password` is the user's own. A wrong one counts as a failed
    log-in (and so toward the same limits); while they apply, refused."""
    settings = request.app.state.settings

    def allowed() -> bool:
        try:
            service.login_check_rate(
                session,
                email=user.email,
                client_ip=client_ip(request),
                known_device=False,
                limits=service.LoginLimits.of(settings),
            )
        except service.TooManyAttempts:
            return False
        finally:
            session.commit()
        return True

    if not await run_in_threadpool(allowed):
        return False
    valid, _ = await verify_password_limited(request.app, password, user.password_hash)
    if not valid:

        def record() -> None:
            service.login_record_failure(session, email=user.email, client_ip=client_ip(request))
            session.commit()

        await run_in_threadpool(record)
    return valid


@router.get("/account", name="account")
def account(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return _account_page(request, session, user)


class PasswordChange(BaseModel):
    current_password: str = ""
    new_password: str = ""


@router.post("/account/password", name="password_change")
async def password_change(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    form: Annotated[PasswordChange, Form()],
) -> Response:
    problem = password_problem(form.new_password, user_inputs=(user.email, user.display_name))
    errors = {"new_password": problem} if problem else {}
    if not await _confirmed(request, session, user, form.current_password):
        errors["current_password"] = WRONG_PASSWORD
    if errors:
        page = run_in_threadpool(_account_page, request, session, user, 422, errors=errors)
        return await page
    new_hash = await hash_password_limited(request.app, form.new_password)
    keep = request.state.session_id
    await run_in_threadpool(_save_password, session, user, new_hash, keep)
    return redirect(request, "/account", message=CHANGED_NOTE)


def _save_password(session: SessionDep, user: User, password_hash: str, keep: int) -> None:
    service.password_set(session, user=user, password_hash=password_hash, keep_session_id=keep)
    session.commit()


class TokenForm(BaseModel):
    name: str = ""
    expires_days: str = "90"
    password: str = ""


@router.post("/account/tokens", name="token_create")
async def token_create(
    request: Request, session: SessionDep, user: CurrentUser, form: Annotated[TokenForm, Form()]
) -> Response:
    days = {value: value for value, _ in TOKEN_LIFETIMES}.get(form.expires_days.strip())
    errors = {} if days is not None else {"expires_days": "Choose how long the token lasts."}
    if not await _confirmed(request, session, user, form.password):
        errors["password"] = WRONG_PASSWORD
    if errors:
        values = {"name": form.name, "expires_days": form.expires_days}
        page = run_in_threadpool(
            _account_page, request, session, user, 422, errors=errors, values=values
        )
        return await page
    return await run_in_threadpool(_new_token, request, session, user, form.name, days)


def _new_token(request: Request, session: SessionDep, user: User, name: str, days: str) -> Response:
    expires = int(days) if days.isdecimal() else None
    issued = service.token_create(
        session, user=user, name=name or "API token", expires_days=expires
    )
    session.commit()
    return _account_page(request, session, user, 201, new_token=issued.raw)


@router.post("/account/tokens/{token_id}/revoke", name="token_revoke")
def token_revoke(
    request: Request, session: SessionDep, user: CurrentUser, token_id: IdPath
) -> Response:
    if not service.token_revoke(session, user=user, token_id=token_id):
        raise HTTPException(404, "No such token.")
    session.commit()
    return redirect(request, "/account")


@router.post("/account/sessions/revoke", name="sessions_revoke")
def sessions_revoke(
    session: SessionDep, user: CurrentUser, tokens: Annotated[str, Form()] = ""
) -> Response:
    service.session_revoke_all(session, user=user, tokens_too=tokens == "revoke")
    session.commit()
    return logged_out()


class MailForm(BaseModel):
    """As posted: text, a ticked box is "on"."""

    scoops: str = Field("off", max_length=10)
    reviews: str = Field("", max_length=10)
    digest: str = Field("", max_length=10)
    digest_weekday: str = Field("0", max_length=10)
    digest_hour: str = Field("8", max_length=10)


@router.post("/account/mail", name="mail_preferences_update")
def mail_preferences_update(
    request: Request, session: SessionDep, user: CurrentUser, form: Annotated[MailForm, Form()]
) -> Response:
    typed = form.model_dump() | {"reviews": form.reviews == "on", "digest": form.digest == "on"}
    data, errors = validate(MailPreferenceForm, typed)
    if data is None:
        return _account_page(request, session, user, 422, mail_errors=errors, mail_values=typed)
    preference_save(session, user_id=user.id, zone=user.timezone, **data.model_dump())
    session.commit()
    return redirect(request, "/account#mail", message="E-mail choices saved.")


@router.post("/account/timezone", name="timezone_update")
def timezone_update(
    request: Request, session: SessionDep, user: CurrentUser, timezone: Annotated[str, Form()] = ""
) -> Response:
    if timezone not in _timezones():
        message = "Choose a time zone from the list, e.g. Europe/Berlin."
        return _account_page(request, session, user, 422, timezone_error=message)
    service.user_set_timezone(session, user=user, timezone=timezone)
    session.commit()
    now = datetime.now(ZoneInfo(timezone)).strftime(LOCAL_TIME)
    message = f"Time zone saved: {timezone}. Times now read like {now}."
    return redirect(request, "/account", message=message)


@router.post("/account/theme", name="theme_update")
def theme_update(
    request: Request, session: SessionDep, user: CurrentUser, theme: Annotated[str, Form()] = ""
) -> Response:
    if theme not in Theme.__members__:
        message = "Choose one of the three: as your device is set, light or dark."
        return _account_page(request, session, user, 422, theme_error=message)
    service.user_set_theme(session, user=user, theme=Theme(theme))
    session.commit()
    label = dict(THEMES)[theme].split(" (")[0].lower()
    return redirect(request, "/account", message=f"Colours saved: {label}.")
