"""One-click unsubscribe (RFC 8058), without logging in: the link in each
message names its reader and its kind, signed. Opening it shows a button;
a mail client's one-click POST (or the button) turns that kind off."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.mail.preferences import preference_unsubscribe
from app.mail.tokens import unsubscribe_read
from app.routing import Route
from app.web import render

router = APIRouter(route_class=Route, include_in_schema=False)

KIND_NAMES = {
    "scoops": "likely scoops of your projects",
    "reviews": "review requests and answers",
    "digest": "the weekly digest",
}
NOT_VALID = "This unsubscribe link is not valid. Choose what you get on your account page."


def _page(request: Request, token: str, kind: str = "", done: bool = False) -> Response:
    context = {"token": token, "kind_name": KIND_NAMES.get(kind, ""), "done": done}
    return render(request, "mail/unsubscribe.html", context, status_code=200 if kind else 400)


@router.get("/mail/unsubscribe/{token}", name="mail_unsubscribe")
def unsubscribe_page(request: Request, token: str) -> Response:
    """A GET changes nothing: link scanners open every link in a message."""
    read = unsubscribe_read(request.app.state.settings, token)
    return _page(request, token, read[1] if read else "")


@router.post("/mail/unsubscribe/{token}", name="mail_unsubscribe_confirm")
def unsubscribe(request: Request, session: SessionDep, token: str) -> Response:
    read = unsubscribe_read(request.app.state.settings, token)
    if read is None:
        return _page(request, token)
    user_id, kind = read
    preference_unsubscribe(session, user_id=user_id, kind=kind)
    session.commit()
    return _page(request, token, kind, done=True)
