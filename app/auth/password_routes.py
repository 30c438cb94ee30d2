"""Forgotten passwords: a one-time link, mailed ("Forgot password" on the
log-in page, when GOLDFISH_SMTP_URL is set) or printed by `goldfish
reset-password EMAIL` for an administrator to pass on.

The link's token lands once: it is moved into a short-lived cookie and the
browser is sent on to a plain /reset, so it does not linger in the address
bar, the history or the access log of later requests. Asking for a link
answers the same whether or not the account exists."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from app.auth import service
from app.auth.passwords import hash_password_limited
from app.auth.policy import password_problem
from app.auth.queries import user_by_email
from app.auth.sessions import clear_private_cookie, set_private_cookie, start_session
from app.db import SessionDep, begin_reading
from app.mail.models import MailKind
from app.mail.outbox import mail_enqueue
from app.mail.smtp import mail_configured
from app.routing import Route
from app.web import client_ip, render

router = APIRouter(route_class=Route, include_in_schema=False)

RESET_COOKIE = "__Host-goldfish_reset"
NOT_VALID = (
    "This reset link is not valid here: links work once, for an hour, and only the newest "
    "one sent counts. Ask for a new one."
)
# Asking for links: per address, and per account (so nobody's inbox is flooded).
FORGOT_PER_IP_HOUR = 10
FORGOT_PER_EMAIL_HOUR = 3


def reset_mail_body(link: str) -> str:
    return (
        "Someone (we hope you) asked to reset your Goldfish password.\n\n"
        f"Set a new one here, within the hour:\n{link}\n\n"
        "The link works once. If you did not ask, ignore this message: "
        "your password stays as it is.\n"
    )


@router.get("/forgot", name="forgot")
def forgot_page(request: Request) -> Response:
    return _forgot(request, {})


def _forgot(request: Request, values: dict, sent: bool = False, status_code: int = 200):
    context = {
        "values": values,
        "sent": sent,
        "throttled": status_code == 429,
        "mail": mail_configured(request.app.state.settings),
    }
    return render(request, "auth/forgot.html", context, status_code=status_code)


class ForgotForm(BaseModel):
    email: str = ""


@router.post("/forgot")
def forgot(
    request: Request,
    session: SessionDep,
    form: Annotated[ForgotForm, Form()],
) -> Response:
    hour = timedelta(hours=1)
    ip = client_ip(request)
    if service.throttled(
        session, action="forgot-ip", key=ip, limit=FORGOT_PER_IP_HOUR, window=hour
    ):
        session.commit()
        return _forgot(request, {"email": form.email}, status_code=429)
    _mail_link(request.app.state.settings, session, form.email.strip().lower()[:254])
    session.commit()
    return _forgot(request, {"email": form.email}, sent=True)


def _mail_link(settings, session: SessionDep, email: str) -> None:
    """A reset link to `email`, if it names an active account, mail is set up
    and it has not had its links for the hour. Queued with the link, in the
    request's transaction; `goldfish worker` sends it, so the time taken
    does not tell who has an account."""
    flooded = service.throttled(
        session,
        action="forgot-email",
        key=email,
        limit=FORGOT_PER_EMAIL_HOUR,
        window=timedelta(hours=1),
    )
    user = user_by_email(session, email=email)
    if flooded or user is None or not user.is_active or not mail_configured(settings):
        return
    body = reset_mail_body(service.reset_link(settings, service.reset_create(session, user=user)))
    mail_enqueue(
        session,
        kind=MailKind.account,
        to=user.email,
        user_id=user.id,
        subject="Reset your Goldfish password",
        text=body,
    )


@router.get("/reset/{token}", name="reset_landing")
def reset_landing(token: str) -> Response:
    response = RedirectResponse("/reset", status_code=303)
    set_private_cookie(response, RESET_COOKIE, token[:100], max_age=3600)
    return response


def _reset_page(request: Request, errors: dict, status_code: int = 200) -> Response:
    context = {"errors": errors, "values": {}}
    return render(request, "auth/reset.html", context, status_code=status_code)


def _invalid(request: Request) -> Response:
    response = render(request, "auth/reset.html", {"invalid": NOT_VALID}, status_code=400)
    clear_private_cookie(response, RESET_COOKIE)
    return response


@router.get("/reset", name="reset")
def reset_page(request: Request, session: SessionDep) -> Response:
    raw = request.cookies.get(RESET_COOKIE, "")
    if not raw or service.reset_lookup(session, raw=raw) is None:
        return _invalid(request)
    return _reset_page(request, {})


class ResetForm(BaseModel):
    password: str = ""


@router.post("/reset")
async def reset(
    request: Request, session: SessionDep, form: Annotated[ResetForm, Form()]
) -> Response:
    raw = request.cookies.get(RESET_COOKIE, "")

    def account():
        begin_reading(session)
        found = service.reset_lookup(session, raw=raw) if raw else None
        session.commit()
        return found[1] if found else None

    user = await run_in_threadpool(account)
    if user is None:
        return _invalid(request)
    problem = password_problem(form.password, user_inputs=(user.email, user.display_name))
    if problem:
        return _reset_page(request, {"password": problem}, 422)
    new_hash = await hash_password_limited(request.app, form.password)
    return await run_in_threadpool(_use_link, request, session, raw, new_hash)


def _use_link(request: Request, session: SessionDep, raw: str, new_hash: str) -> Response:
    user = service.reset_use(session, raw=raw, password_hash=new_hash)
    if user is None:  # used or replaced meanwhile
        session.rollback()
        return _invalid(request)
    response = start_session(request, session, user, "/")
    clear_private_cookie(response, RESET_COOKIE)
    return response
