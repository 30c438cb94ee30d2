"""Writes to teams: making them, invites, roles, leaving. Services flush but
never commit; the caller owns the transaction."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from app.auth.models import User
from app.db import utcnow
from app.errors import Refused
from app.scoring import ScoringConfig, SuccessAxis
from app.teams.events import manager_stepping_down, member_leaving
from app.teams.models import (
    Invite,
    InviteCreate,
    Membership,
    MembershipUpdate,
    Team,
    TeamCreate,
    TeamRole,
    TeamSettingsUpdate,
)
from app.teams.queries import TeamView, membership_of
from app.versions import claim_version

INVITE_PREFIX = "gfi_"


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def team_create(
    session: Session, *, creator: User, data: TeamCreate, defaults: ScoringConfig
) -> Team:
    """The creator becomes the team's first manager and admin."""
    team = Team(
        name=data.name,
        created_by_id=creator.id,
        score_mapping=list(defaults.mapping),
        residual_first=defaults.residuals[SuccessAxis.first],
        residual_best=defaults.residuals[SuccessAxis.best],
        residual_open=defaults.residuals[SuccessAxis.open],
    )
    session.add(team)
    session.flush()
    session.add(
        Membership(team_id=team.id, user_id=creator.id, role=TeamRole.manager, is_admin=True)
    )
    session.flush()
    return team


def team_settings_update(session: Session, *, view: TeamView, data: TeamSettingsUpdate) -> Team:
    view.require_admin()
    team = view.team
    claim_version(session, team, expected=data.version, what="team")
    for name, value in data.model_dump(exclude_unset=True, exclude={"version"}).items():
        if value is not None:
            setattr(team, name, value)
    session.flush()
    return team


@dataclass(frozen=True)
class IssuedInvite:
    invite: Invite
    raw: str


def invite_create(
    session: Session, *, view: TeamView, actor: User, data: InviteCreate
) -> IssuedInvite:
    view.require_admin()
    raw = INVITE_PREFIX + secrets.token_urlsafe(32)
    invite = Invite(
        team_id=view.team.id,
        token_hash=token_hash(raw),
        role=data.role,
        note=data.note,
        created_by_id=actor.id,
        expires_at=utcnow() + timedelta(days=data.days),
    )
    session.add(invite)
    session.flush()
    return IssuedInvite(invite, raw)


def invite_revoke(session: Session, *, view: TeamView, invite_id: int) -> Invite:
    view.require_admin()
    invite = session.exec(
        select(Invite).where(Invite.id == invite_id, Invite.team_id == view.team.id)
    ).first()
    if invite is None:
        raise Refused(404, "not_found", "No such invite.")
    if invite.used_at is None and invite.revoked_at is None:
        invite.revoked_at = utcnow()
        session.flush()
    return invite


# One answer for every link that does not let its holder in here: mistyped,
# for another team, used, expired, withdrawn, or made by someone no longer an
# admin. Telling them apart would say which tokens exist and what became of
# them; the admin sees each link's state on the team's page.
def invite_not_valid() -> Refused:
    return Refused(
        404,
        "invite_invalid",
        "This invite link is not valid here. Links work once, until they expire, and only "
        "while the admin who made them still is one: ask the team's admin for a new link.",
    )


def invite_check(session: Session, *, team_id: int, raw: str) -> Invite:
    """The invite behind a link, if it can still let someone into `team_id`."""
    row = session.exec(
        select(Invite, Team.closed_at, Membership.is_admin)
        .join(Team, Team.id == Invite.team_id)
        .outerjoin(
            Membership,
            sa.and_(
                Membership.team_id == Invite.team_id, Membership.user_id == Invite.created_by_id
            ),
        )
        .where(Invite.token_hash == token_hash(raw))
    ).first()
    if row is None:
        raise invite_not_valid()
    invite, closed_at, issuer_is_admin = row
    if (
        invite.team_id != team_id
        or closed_at is not None
        or not issuer_is_admin
        or invite.revoked_at is not None
        or invite.used_at is not None
        or invite.expires_at <= utcnow()
    ):
        raise invite_not_valid()
    return invite


def _withdraw_invites(session: Session, *, team_id: int, issuer_id: int | None = None) -> None:
    """Withdraw the team's open links (only those `issuer_id` made, if given)."""
    clause = [Invite.team_id == team_id, Invite.used_at.is_(None), Invite.revoked_at.is_(None)]
    if issuer_id is not None:
        clause.append(Invite.created_by_id == issuer_id)
    session.execute(sa.update(Invite).where(*clause).values(revoked_at=utcnow()))


def invite_accept(session: Session, *, team_id: int, raw: str, user: User) -> Membership:
    invite = invite_check(session, team_id=team_id, raw=raw)
    if membership_of(session, user_id=user.id, team_id=team_id) is not None:
        raise Refused(
            409,
            "already_member",
            "You are already a member of this team; the link is still unused.",
        )
    # Claim the link in one statement, so two people racing for it cannot both get in.
    claimed = session.execute(
        sa.update(Invite)
        .where(Invite.id == invite.id, Invite.used_at.is_(None), Invite.revoked_at.is_(None))
        .values(used_at=utcnow(), used_by_id=user.id)
    )
    if claimed.rowcount != 1:
        raise invite_not_valid()
    membership = Membership(team_id=team_id, user_id=user.id, role=invite.role)
    session.add(membership)
    session.flush()
    return membership


def _other_admins(session: Session, *, team_id: int, user_id: int) -> int:
    return session.exec(
        select(sa.func.count())
        .select_from(Membership)
        .where(
            Membership.team_id == team_id,
            Membership.is_admin.is_(True),
            Membership.user_id != user_id,
        )
    ).one()


def _member(session: Session, *, view: TeamView, user_id: int) -> Membership:
    membership = membership_of(session, user_id=user_id, team_id=view.team.id)
    if membership is None:
        raise Refused(404, "not_found", "That person is not a member of this team.")
    return membership


def membership_update(
    session: Session, *, view: TeamView, user_id: int, data: MembershipUpdate
) -> Membership:
    view.require_admin()
    membership = _member(session, view=view, user_id=user_id)
    if (
        data.is_admin is False
        and membership.is_admin
        and not _other_admins(session, team_id=view.team.id, user_id=user_id)
    ):
        raise Refused(409, "last_admin", "A team needs an admin: make someone else admin first.")
    if data.role is not None and data.role != membership.role:
        membership.role = data.role
        if data.role == TeamRole.researcher:
            manager_stepping_down.send(session=session, team_id=view.team.id, user_id=user_id)
    if data.is_admin is False and membership.is_admin:
        # The links they made were theirs to give as an admin.
        _withdraw_invites(session, team_id=view.team.id, issuer_id=user_id)
    if data.is_admin is not None:
        membership.is_admin = data.is_admin
    session.flush()
    return membership


def membership_remove(session: Session, *, view: TeamView, actor: User, user_id: int) -> None:
    """An admin removes a member, or a member leaves (user_id is their own).

    What they shared with the team goes back to private: their projects, and
    their journal entries. Open reviews addressed to them go to any manager;
    the invite links they made are withdrawn. The last member out closes the
    team, so nothing can ever join it again."""
    if user_id != actor.id:
        view.require_admin()
    membership = _member(session, view=view, user_id=user_id)
    others = session.exec(
        select(sa.func.count())
        .select_from(Membership)
        .where(Membership.team_id == view.team.id, Membership.user_id != user_id)
    ).one()
    if (
        membership.is_admin
        and others
        and not _other_admins(session, team_id=view.team.id, user_id=user_id)
    ):
        raise Refused(
            409,
            "last_admin",
            "You are this team's only admin: make another member admin before leaving.",
        )
    member_leaving.send(session=session, team_id=view.team.id, user_id=user_id)
    session.delete(membership)
    _withdraw_invites(session, team_id=view.team.id, issuer_id=None if not others else user_id)
    if not others:
        view.team.closed_at = utcnow()
    session.flush()


def aggregates_share(session: Session, *, view: TeamView, on: bool) -> Membership:
    view.membership.shares_aggregates = on
    session.flush()
    return view.membership
