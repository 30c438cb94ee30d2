"""Browser pages of teams: the list, a team's page with its members and
invites, and joining by an invite link."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from app.auth.deps import CurrentUser, OptionalUser
from app.auth.models import User
from app.auth.sessions import clear_private_cookie, set_private_cookie
from app.db import SessionDep, utcnow
from app.errors import Refused
from app.forms import as_int, validate
from app.inputs import IdPath
from app.routing import Route
from app.teams import queries, service
from app.teams.models import InviteCreate, MembershipUpdate, Team, TeamCreate, TeamRole
from app.web import redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)

ROLE_OPTIONS = [(r.value, r.value) for r in TeamRole]
DAYS_OPTIONS = [("1", "1 day"), ("7", "7 days"), ("30", "30 days")]


@router.get("/teams", name="team_list")
def team_list(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return _list_page(request, session, user)


def _list_page(request, session, user, values=None, errors=None, status_code=200) -> Response:
    return render(
        request,
        "teams/list.html",
        {
            "teams": queries.teams_of(session, user=user),
            "values": values or {},
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.post("/teams", name="team_create")
def team_create(
    request: Request, session: SessionDep, user: CurrentUser, name: Annotated[str, Form()] = ""
) -> Response:
    data, errors = validate(TeamCreate, {"name": name})
    if errors:
        return _list_page(request, session, user, {"name": name}, errors, status_code=422)
    team = service.team_create(session, creator=user, data=data, defaults=request.app.state.scoring)
    session.commit()
    return redirect(request, str(request.url_for("team_detail", team_id=team.id)))


def _team_page(
    request: Request,
    session,
    view: queries.TeamView,
    *,
    issued: service.IssuedInvite | None = None,
    errors: dict | None = None,
    values: dict | None = None,
    message: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "teams/detail.html",
        {
            "view": view,
            "team": view.team,
            "members": queries.members_of(session, team=view.team),
            "invites": queries.invites_of(session, team=view.team) if view.is_admin else [],
            "issued": issued,
            "issued_url": (
                str(request.url_for("team_join", team_id=view.team.id, token=issued.raw))
                if issued
                else ""
            ),
            "role_options": ROLE_OPTIONS,
            "days_options": DAYS_OPTIONS,
            "errors": errors or {},
            "values": values or {"role": "researcher", "days": "7"},
            "message": message,
            "now": utcnow(),
        },
        status_code=status_code,
    )


def _refused_page(request: Request, session, user, team_id: int, refused: Refused) -> Response:
    """The team's page as it is now (the caller rolled back), saying why nothing changed."""
    view = queries.team_for(session, user=user, team_id=team_id)
    return _team_page(request, session, view, message=refused.message, status_code=refused.status)


@router.get("/teams/{team_id}", name="team_detail")
def team_detail(
    request: Request, session: SessionDep, user: CurrentUser, team_id: IdPath
) -> Response:
    return _team_page(request, session, queries.team_for(session, user=user, team_id=team_id))


class InviteForm(BaseModel):
    role: str = "researcher"
    days: str = "7"
    note: str = ""

    def invite_data(self) -> dict:
        return {"role": self.role, "days": as_int(self.days), "note": self.note}


@router.post("/teams/{team_id}/invites", name="team_invite_create")
def team_invite_create(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    team_id: IdPath,
    form: Annotated[InviteForm, Form()],
) -> Response:
    view = queries.team_for(session, user=user, team_id=team_id)
    view.require_admin()  # before validating: a non-admin is refused (403) whatever they post
    data, errors = validate(InviteCreate, form.invite_data())
    if errors:
        values = form.model_dump()
        return _team_page(request, session, view, errors=errors, values=values, status_code=422)
    issued = service.invite_create(session, view=view, actor=user, data=data)
    session.commit()
    # The link is shown this once: only its hash is kept.
    return _team_page(request, session, view, issued=issued)


@router.post("/teams/{team_id}/invites/{invite_id}/revoke", name="team_invite_revoke")
def team_invite_revoke(
    request: Request, session: SessionDep, user: CurrentUser, team_id: IdPath, invite_id: IdPath
) -> Response:
    view = queries.team_for(session, user=user, team_id=team_id)
    service.invite_revoke(session, view=view, invite_id=invite_id)
    session.commit()
    return redirect(request, str(request.url_for("team_detail", team_id=team_id)))


class MemberForm(BaseModel):
    role: str = ""
    is_admin: str = ""  # "yes", "no", or "" to leave it

    def update_data(self) -> dict:
        return {
            "role": self.role or None,
            "is_admin": {"yes": True, "no": False}.get(self.is_admin),
        }


@router.post("/teams/{team_id}/members/{user_id}", name="team_member_update")
def team_member_update(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    team_id: IdPath,
    user_id: IdPath,
    form: Annotated[MemberForm, Form()],
) -> Response:
    view = queries.team_for(session, user=user, team_id=team_id)
    data, errors = validate(MembershipUpdate, form.update_data())
    if errors:
        message = "Choose a role from the list."
        return _team_page(request, session, view, message=message, status_code=422)
    try:
        service.membership_update(session, view=view, user_id=user_id, data=data)
    except Refused as refused:
        session.rollback()
        return _refused_page(request, session, user, team_id, refused)
    session.commit()
    return redirect(request, str(request.url_for("team_detail", team_id=team_id)))


@router.post("/teams/{team_id}/members/{user_id}/remove", name="team_member_remove")
def team_member_remove(
    request: Request, session: SessionDep, user: CurrentUser, team_id: IdPath, user_id: IdPath
) -> Response:
    """An admin removes someone, or a member leaves (their own id)."""
    view = queries.team_for(session, user=user, team_id=team_id)
    try:
        service.membership_remove(session, view=view, actor=user, user_id=user_id)
    except Refused as refused:
        session.rollback()
        return _refused_page(request, session, user, team_id, refused)
    session.commit()
    if user_id == user.id:
        return redirect(request, str(request.url_for("team_list")))
    return redirect(request, str(request.url_for("team_detail", team_id=team_id)))


# The link's token lands once: it is kept in this cookie and the browser is
# sent on to a plain /teams/{id}/join, so the token does not linger in the
# address bar, the history, Referer headers or the logs of later requests.
INVITE_COOKIE = "__Host-goldfish_invite"
INVITE_COOKIE_SECONDS = 3600  # long enough to sign up or log in first


def _join_page(request, session, user, team_id: int, error: Refused | None = None):
    """Who invites whom to what; signed out, how to log in or sign up and
    come back here (the link's cookie lasts an hour)."""
    invite = team = None
    raw = request.cookies.get(INVITE_COOKIE, "")
    if error is None:
        try:
            invite = service.invite_check(session, team_id=team_id, raw=raw)
        except Refused as exc:
            error = exc
    if invite is not None:
        team = session.get(Team, invite.team_id)
        member = user and queries.membership_of(session, user_id=user.id, team_id=team_id)
        if member is not None:
            error = Refused(409, "already_member", "You are already a member of this team.")
    here = request.url_for("team_join_page", team_id=team_id).path
    response = render(
        request,
        "teams/join.html",
        {
            "invite": invite,
            "team": team,
            "error": error,
            "team_id": team_id,
            "inviter": session.get(User, invite.created_by_id) if invite else None,
            "signed_out": user is None,
            "come_back": urlencode({"next": here}),
        },
        status_code=error.status if error else 200,
    )
    if error is not None:
        clear_private_cookie(response, INVITE_COOKIE)
    return response


@router.get("/teams/{team_id}/join/{token}", name="team_join")
def team_join(team_id: IdPath, token: str) -> Response:
    """Where an invite link lands, signed in or not."""
    response = RedirectResponse(f"/teams/{team_id}/join", status_code=303)
    set_private_cookie(response, INVITE_COOKIE, token[:100], max_age=INVITE_COOKIE_SECONDS)
    return response


@router.get("/teams/{team_id}/join", name="team_join_page")
def team_join_page(
    request: Request, session: SessionDep, user: OptionalUser, team_id: IdPath
) -> Response:
    return _join_page(request, session, user, team_id)


@router.post("/teams/{team_id}/join", name="team_join_accept")
def team_join_accept(
    request: Request, session: SessionDep, user: CurrentUser, team_id: IdPath
) -> Response:
    raw = request.cookies.get(INVITE_COOKIE, "")
    try:
        service.invite_accept(session, team_id=team_id, raw=raw, user=user)
    except Refused as exc:
        session.rollback()
        return _join_page(request, session, user, team_id, exc)
    session.commit()
    response = redirect(request, str(request.url_for("team_detail", team_id=team_id)))
    clear_private_cookie(response, INVITE_COOKIE)
    return response
