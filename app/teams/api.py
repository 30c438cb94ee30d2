"""The teams API: teams, their members, invite links and joining.

A team is seen only by its members (404 for anyone else); what needs an
admin answers 403 to the other members. Same services as the pages."""

from typing import Annotated

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlmodel import Session

from app.auth.deps import ApiUser
from app.auth.models import User
from app.db import SessionDep
from app.errors import error_responses
from app.inputs import IdPath
from app.listing import PageParams, page_after
from app.routing import Route
from app.teams import queries, service
from app.teams.models import (
    Invite,
    InviteCreate,
    InviteIssued,
    InvitePublic,
    MemberPage,
    MemberPublic,
    Membership,
    MembershipUpdate,
    Team,
    TeamCreate,
    TeamPage,
    TeamPublic,
    TeamSettingsUpdate,
)

router = APIRouter(
    route_class=Route, prefix="/api/v1", tags=["teams"], responses=error_responses(401, 404, 422)
)


class InviteAccept(BaseModel):
    """The token from an invite link (its last path segment)."""

    model_config = ConfigDict(extra="forbid")
    token: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def _team(team: Team, membership: Membership) -> TeamPublic:
    return TeamPublic(
        id=team.id,
        name=team.name,
        role=membership.role,
        is_admin=membership.is_admin,
        score_mapping=team.score_mapping,
        residual_first=team.residual_first,
        residual_best=team.residual_best,
        residual_open=team.residual_open,
        version=team.version,
        created_at=team.created_at,
    )


def _member(membership: Membership, user: User) -> MemberPublic:
    return MemberPublic(
        user_id=user.id,
        display_name=user.display_name,
        role=membership.role,
        is_admin=membership.is_admin,
        joined_at=membership.joined_at,
    )


def _invite(invite: Invite) -> InvitePublic:
    return InvitePublic.model_validate(invite, from_attributes=True)


def _member_public(session: Session, membership: Membership) -> MemberPublic:
    return _member(membership, session.get(User, membership.user_id))


# ---------------------------------------------------------------- teams


def _team_key(view: queries.TeamView) -> tuple[str, int]:
    return (view.team.name, view.team.id)


def _member_key(member: queries.Member) -> tuple[str, str, int]:
    return (member.membership.role.value, member.user.display_name, member.user.id)


@router.get(
    "/teams",
    response_model=TeamPage,
    summary="Your teams, with your role, by name, a page at a time",
)
def list_teams(session: SessionDep, user: ApiUser, page: PageParams) -> TeamPage:
    views = sorted(queries.teams_of(session, user=user), key=_team_key)
    shown, cursor = page_after(views, key=_team_key, after=page.after((str, int)), limit=page.limit)
    return TeamPage(items=[_team(v.team, v.membership) for v in shown], next=cursor)


@router.post("/teams", response_model=TeamPublic, status_code=201, summary="Create a team")
def create_team(
    request: Request, session: SessionDep, user: ApiUser, data: TeamCreate
) -> TeamPublic:
    team = service.team_create(session, creator=user, data=data, defaults=request.app.state.scoring)
    session.commit()
    view = queries.team_for(session, user=user, team_id=team.id)
    return _team(view.team, view.membership)


@router.get("/teams/{team_id}", response_model=TeamPublic, summary="Read a team")
def read_team(session: SessionDep, user: ApiUser, team_id: IdPath) -> TeamPublic:
    view = queries.team_for(session, user=user, team_id=team_id)
    return _team(view.team, view.membership)


@router.patch(
    "/teams/{team_id}",
    response_model=TeamPublic,
    responses=error_responses(403, 409),
    summary="Rename a team or change its priority formula (admins)",
)
def update_team(
    session: SessionDep, user: ApiUser, team_id: IdPath, data: TeamSettingsUpdate
) -> TeamPublic:
    view = queries.team_for(session, user=user, team_id=team_id)
    team = service.team_settings_update(session, view=view, data=data)
    session.commit()
    return _team(team, view.membership)


# ---------------------------------------------------------------- members


@router.get(
    "/teams/{team_id}/members",
    response_model=MemberPage,
    summary="A team's members, managers first, a page at a time",
)
def list_members(
    session: SessionDep, user: ApiUser, team_id: IdPath, page: PageParams
) -> MemberPage:
    view = queries.team_for(session, user=user, team_id=team_id)
    members = sorted(queries.members_of(session, team=view.team), key=_member_key)
    shown, cursor = page_after(
        members, key=_member_key, after=page.after((str, str, int)), limit=page.limit
    )
    return MemberPage(items=[_member(m.membership, m.user) for m in shown], next=cursor)


@router.patch(
    "/teams/{team_id}/members/{user_id}",
    response_model=MemberPublic,
    responses=error_responses(403, 409),
    summary="Change a member's role or admin right (admins)",
)
def update_member(
    session: SessionDep, user: ApiUser, team_id: IdPath, user_id: IdPath, data: MembershipUpdate
) -> MemberPublic:
    view = queries.team_for(session, user=user, team_id=team_id)
    membership = service.membership_update(session, view=view, user_id=user_id, data=data)
    session.commit()
    return _member_public(session, membership)


@router.delete(
    "/teams/{team_id}/members/{user_id}",
    status_code=204,
    responses=error_responses(403, 409),
    summary="Remove a member (admins), or leave the team (your own id)",
    description="What the member shared with the team becomes private again: their projects "
    "and journal entries. Their open review requests are withdrawn.",
)
def remove_member(session: SessionDep, user: ApiUser, team_id: IdPath, user_id: IdPath) -> Response:
    view = queries.team_for(session, user=user, team_id=team_id)
    service.membership_remove(session, view=view, actor=user, user_id=user_id)
    session.commit()
    return Response(status_code=204)


# ---------------------------------------------------------------- invites


@router.get(
    "/teams/{team_id}/invites",
    response_model=list[InvitePublic],
    responses=error_responses(403),
    summary="A team's invite links, newest first (admins)",
)
def list_invites(session: SessionDep, user: ApiUser, team_id: IdPath) -> list[InvitePublic]:
    view = queries.team_for(session, user=user, team_id=team_id)
    view.require_admin()
    return [_invite(i) for i in queries.invites_of(session, team=view.team)]


@router.post(
    "/teams/{team_id}/invites",
    response_model=InviteIssued,
    status_code=201,
    responses=error_responses(403),
    summary="Make a one-time invite link (admins)",
    description="The link and its token are shown only in this response: only a hash is kept.",
)
def create_invite(
    request: Request, session: SessionDep, user: ApiUser, team_id: IdPath, data: InviteCreate
) -> InviteIssued:
    view = queries.team_for(session, user=user, team_id=team_id)
    issued = service.invite_create(session, view=view, actor=user, data=data)
    session.commit()
    return InviteIssued(
        **_invite(issued.invite).model_dump(),
        url=str(request.url_for("team_join", team_id=team_id, token=issued.raw)),
        token=issued.raw,
    )


@router.post(
    "/teams/{team_id}/invites/{invite_id}/revoke",
    response_model=InvitePublic,
    responses=error_responses(403),
    summary="Withdraw an unused invite link (admins)",
)
def revoke_invite(
    session: SessionDep, user: ApiUser, team_id: IdPath, invite_id: IdPath
) -> InvitePublic:
    view = queries.team_for(session, user=user, team_id=team_id)
    invite = service.invite_revoke(session, view=view, invite_id=invite_id)
    session.commit()
    return _invite(invite)


@router.post(
    "/teams/{team_id}/join",
    response_model=MemberPublic,
    status_code=201,
    responses=error_responses(409),
    summary="Join a team with the token of an invite link",
    description="Refused with 404 `invite_invalid` for every link that cannot let you in "
    "(mistyped, for another team, used, expired, withdrawn, or made by someone no longer an "
    "admin), 409 `already_member`.",
)
def join_team(
    session: SessionDep, user: ApiUser, team_id: IdPath, data: InviteAccept
) -> MemberPublic:
    membership = service.invite_accept(session, team_id=team_id, raw=data.token, user=user)
    session.commit()
    return _member(membership, user)
