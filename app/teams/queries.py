"""Reads of teams. A team is only ever loaded for one of its members."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from app.auth.models import User
from app.errors import Forbidden, NotFound
from app.scoring import ScoringConfig, SuccessAxis
from app.teams.models import Invite, Membership, Team, TeamRole


class TeamNotFound(NotFound):
    what = "team"


@dataclass(frozen=True)
class TeamView:
    """A team as one of its members sees it."""

    team: Team
    membership: Membership

    @property
    def is_manager(self) -> bool:
        return self.membership.role == TeamRole.manager

    @property
    def is_admin(self) -> bool:
        return self.membership.is_admin

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden("Only an admin of this team can do that.")

    def require_manager(self) -> None:
        if not (self.is_manager or self.is_admin):
            raise Forbidden("Only the team's managers can see this.")


def scoring_of(team: Team) -> ScoringConfig:
    return ScoringConfig(
        mapping=tuple(team.score_mapping),  # type: ignore[arg-type]
        residuals={
            SuccessAxis.first: team.residual_first,
            SuccessAxis.best: team.residual_best,
            SuccessAxis.open: team.residual_open,
        },
    )


def membership_of(session: Session, *, user_id: int, team_id: int) -> Membership | None:
    return session.exec(
        select(Membership).where(Membership.user_id == user_id, Membership.team_id == team_id)
    ).first()


def team_for(session: Session, *, user: User, team_id: int) -> TeamView:
    row = session.exec(
        select(Team, Membership)
        .join(Membership, Membership.team_id == Team.id)
        .where(Team.id == team_id, Membership.user_id == user.id)
    ).first()
    if row is None:
        raise TeamNotFound(team_id)
    return TeamView(*row)


def teams_of(session: Session, *, user: User) -> list[TeamView]:
    rows = session.exec(
        select(Team, Membership)
        .join(Membership, Membership.team_id == Team.id)
        .where(Membership.user_id == user.id)
        .order_by(Team.name, Team.id)
    ).all()
    return [TeamView(team, membership) for team, membership in rows]


def team_choices(session: Session, *, user: User) -> list[tuple[int, str]]:
    """(id, name) of the user's teams, for "share with" pickers."""
    return [(view.team.id, view.team.name) for view in teams_of(session, user=user)]


def member_team_ids(user: User) -> sa.Select:
    """The ids of the user's teams, as a subquery for IN clauses."""
    return select(Membership.team_id).where(Membership.user_id == user.id)


def managed_team_ids(user: User) -> sa.Select:
    return select(Membership.team_id).where(
        Membership.user_id == user.id, Membership.role == TeamRole.manager
    )


@dataclass(frozen=True)
class Member:
    membership: Membership
    user: User


def members_of(session: Session, *, team: Team) -> list[Member]:
    rows = session.exec(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.team_id == team.id)
        .order_by(Membership.role, User.display_name, User.id)  # managers first
    ).all()
    return [Member(m, u) for m, u in rows]


def managers_of(session: Session, *, team_id: int) -> list[User]:
    return list(
        session.exec(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.team_id == team_id, Membership.role == TeamRole.manager)
            .order_by(User.display_name, User.id)
        )
    )


def invites_of(session: Session, *, team: Team) -> list[Invite]:
    return list(
        session.exec(
            select(Invite).where(Invite.team_id == team.id).order_by(Invite.created_at.desc())
        )
    )
