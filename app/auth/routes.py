"""Sign-up, log-in and log-out."""

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel

from app.auth import service
from app.auth.deps import OptionalUser, device_user_id, session_token_from
from app.auth.models import User, UserCreate
from app.auth.passwords import hash_password_limited, verify_password_limited
from app.auth.queries import any_user_exists, user_by_email
from app.auth.sessions import logged_out, start_session
from app.config import Settings
from app.db import SessionDep, begin_reading
from app.forms import validate
from app.mail.models import MailKind
from app.mail.outbox import mail_enqueue
from app.mail.smtp import mail_configured
from app.routing import Route
from app.web import client_ip, redirect, render, safe_next

# Pages, not API: kept out of the OpenAPI document.
router = APIRouter(route_class=Route, include_in_schema=False)


class SignupForm(BaseModel):
    email: str = ""
    display_name: str = ""
    password: str = ""
    next: str = ""


class LoginForm(BaseModel):
    email: str = ""
    password: str = ""
    next: str = ""


@router.get("/signup", name="signup")
def signup_page(
    request: Request, session: SessionDep, user: OptionalUser, next: str = ""
) -> Response:
    """`next`: where to go once the account exists (an invite's join page)."""
    if user is not None:
        return redirect(request, safe_next(next))
    first = not any_user_exists(session)
    return render(
        request,
        "auth/signup.html",
        {
            "first": first,
            "open": first or request.app.state.settings.signup_open,
            "values": {"next": safe_next(next, "")},
            "errors": {},
        },
    )


SIGNUP_PER_IP_HOUR = service.SIGNUP_PER_IP_HOUR
TOO_MANY_SIGNUPS = "Too many sign-ups from here in the last hour. Try again later."


def _signup_page(request: Request, context: dict, status_code: int = 200) -> Response:
    return render(request, "auth/signup.html", context, status_code=status_code)


@router.post("/signup")
async def signup(
    request: Request,
    session: SessionDep,
    form: Annotated[SignupForm, Form()],
) -> Response:
    data, errors = validate(UserCreate, form.model_dump(exclude={"next"}))
    first, is_open, throttled = await run_in_threadpool(_may_sign_up, request, session, data)
    context = {"first": first, "open": is_open, "values": form.model_dump(exclude={"password"})}
    if throttled:
        return _signup_page(request, context | {"errors": {"form": TOO_MANY_SIGNUPS}}, 429)
    context["errors"] = errors
    if data is None or not is_open:
        return _signup_page(request, context, 403 if not is_open else 422)
    password_hash = await hash_password_limited(request.app, data.password)
    by_mail = not first and mail_configured(request.app.state.settings)
    finish = _confirm_by_mail if by_mail else _create
    return await run_in_threadpool(
        finish, request, session, data, password_hash, context, form.next
    )


def _may_sign_up(request: Request, session: SessionDep, data) -> tuple[bool, bool, bool]:
    """(the first account, sign-up open, this address over its limit); no
    transaction stays open while the password is then hashed."""
    first = not any_user_exists(session)
    is_open = first or request.app.state.settings.signup_open
    throttled = data is not None and service.throttled(
        session,
        action="signup-ip",
        key=client_ip(request),
        limit=SIGNUP_PER_IP_HOUR,
        window=timedelta(hours=1),
    )
    session.commit()
    return first, is_open, throttled


def _create(request, session: SessionDep, data, password_hash: str, context: dict, next_url: str):
    """Without mail, the account is made at once. An email in use is said so:
    with nobody to mail, there is no neutral way to tell its owner; the
    per-address limit keeps anyone from asking about many."""
    try:
        user = service.user_create(
            session, data=data, signup_open=True, password_hash=password_hash
        )
    except service.EmailTaken:
        session.rollback()
        message = "An account with this email exists. Log in, or reset its password."
        return _signup_page(request, context | {"errors": {"email": message}}, 422)
    return start_session(request, session, user, next_url)


def _confirm_by_mail(
    request, session: SessionDep, data, password_hash: str, context: dict, _next: str
) -> Response:
    """With mail, every sign-up gets the same answer ("check your inbox"),
    and the inbox tells the truth: a link to finish, or, to an existing
    account's owner, how to log in or reset."""
    settings = request.app.state.settings
    base = settings.public_url
    if user_by_email(session, email=data.email) is not None:
        subject = "You already have a Goldfish account"
        body = (
            "Someone (we hope you) tried to create a Goldfish account with this address, "
            f"which already has one.\n\nLog in: {base}/login\n"
            f"Forgot the password? Set a new one: {base}/forgot\n"
        )
    else:
        raw = service.signup_pending(
            session, email=data.email, display_name=data.display_name, password_hash=password_hash
        )
        subject = "Finish creating your Goldfish account"
        body = (
            f"Open this link within a day to finish creating your account:\n"
            f"{base}/signup/confirm/{raw}\n\nIf you did not sign up, ignore this message.\n"
        )
    # Queued with the pending sign-up, sent by `goldfish worker`.
    mail_enqueue(session, kind=MailKind.account, to=data.email, subject=subject, text=body)
    session.commit()
    return _signup_page(request, context | {"sent": data.email})


@router.get("/signup/confirm/{token}", name="signup_confirm")
def signup_confirm(request: Request, session: SessionDep, token: str) -> Response:
    user = service.signup_confirm(session, raw=token[:100])
    if user is None:
        session.rollback()
        message = "This link is not valid here: it was used, or is over a day old. Sign up again."
        context = {"first": False, "open": True, "values": {}, "errors": {"form": message}}
        return _signup_page(request, context, 400)
    return start_session(request, session, user, "/")


@router.get("/login", name="login")
def login_page(
    request: Request, session: SessionDep, user: OptionalUser, next: str = ""
) -> Response:
    if user is not None:
        return redirect(request, safe_next(next))
    if not any_user_exists(session):
        return redirect(request, "/signup")
    return render(request, "auth/login.html", {"values": {"next": next}, "errors": {}})


@dataclass(frozen=True)
class _Attempt:
    """A log-in attempt: the email it names, where it comes from, and what
    the form shows again if it fails (never the password)."""

    email: str
    client_ip: str
    values: dict
    device_user_id: int | None

    @classmethod
    def of(cls, request: Request, form: LoginForm) -> "_Attempt":
        return cls(
            email=form.email.strip().lower(),
            client_ip=client_ip(request),
            values={"email": form.email, "next": form.next},
            device_user_id=device_user_id(request),
        )


def _login_page(
    request: Request, attempt: _Attempt, message: str, status_code: int, headers=None
) -> Response:
    """The log-in form again, with why the attempt was turned away."""
    return render(
        request,
        "auth/login.html",
        {"values": attempt.values, "errors": {"form": message}},
        status_code=status_code,
        headers=headers,
    )


def _login_candidate(session: SessionDep, settings: Settings, attempt: _Attempt) -> User | None:
    """The account the email names, once the rate limit allows another try.
    No transaction stays open while the password is then checked."""
    begin_reading(session)
    user = service.login_candidate(session, email=attempt.email)
    service.login_check_rate(
        session,
        email=attempt.email,
        client_ip=attempt.client_ip,
        known_device=user is not None and attempt.device_user_id == user.id,
        limits=service.LoginLimits.of(settings),
    )
    session.commit()
    return user


def _login_finish(
    request: Request,
    session: SessionDep,
    attempt: _Attempt,
    matched: User | None,
    new_hash: str | None,
) -> Response:
    """Log in the account whose password matched, or count the failure."""
    if matched is None:
        service.login_record_failure(session, email=attempt.email, client_ip=attempt.client_ip)
        session.commit()  # keep the failed attempt: it counts toward the limit
        message = "That email and password do not match an account."
        return _login_page(request, attempt, message, 401)
    if new_hash:
        service.user_set_password_hash(session, user=matched, password_hash=new_hash)
    return start_session(request, session, matched, attempt.values["next"])


def _wait_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


@router.post("/login")
async def login(
    request: Request, session: SessionDep, form: Annotated[LoginForm, Form()]
) -> Response:
    attempt = _Attempt.of(request, form)
    settings = request.app.state.settings
    try:
        user = await run_in_threadpool(_login_candidate, session, settings, attempt)
    except service.TooManyAttempts as exc:
        message = f"Too many failed attempts. Try again in {_wait_words(exc.retry_after_seconds)}."
        retry = {"Retry-After": str(exc.retry_after_seconds)}
        return _login_page(request, attempt, message, 429, retry)
    password_hash = user.password_hash if user is not None else None
    valid, new_hash = await verify_password_limited(request.app, form.password, password_hash)
    matched = user if valid else None
    return await run_in_threadpool(_login_finish, request, session, attempt, matched, new_hash)


@router.post("/logout", name="logout")
def logout(request: Request, session: SessionDep) -> Response:
    raw = session_token_from(request)
    if raw:
        service.session_revoke(session, raw=raw)
        session.commit()
    return logged_out()
