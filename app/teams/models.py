"""Teams, their members and one-time invite links.

A member is a researcher or a manager; any member may also be a team admin,
who invites, changes roles and sets the team's formula. Invite links carry a
random token; only its sha256 is stored, so a database leak opens no team."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from app.db import EnumText, UTCDateTime, in_check, utcnow
from app.inputs import Bool, Id, integer
from app.listing import next_cursor_field

NAME_MAX = 120
INVITE_DAYS_MAX = 30


class TeamRole(StrEnum):
    researcher = "researcher"
    manager = "manager"


class Team(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX)
    created_by_id: int = Field(foreign_key="user.id")
    # The team's own priority formula (see app/projects/scoring.py): the 1–5
    # mapping and the residual per success axis. Copied from the instance
    # defaults when the team is made, then edited by its admins.
    score_mapping: list[float] = Field(sa_type=sa.JSON)
    residual_first: float
    residual_best: float
    residual_open: float
    # Bumped by every settings change; a stale form gets a conflict.
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Set when its last member left: no link can open it again.
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Membership(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("team_id", "user_id", name="uq_membership_team_user"),
        sa.CheckConstraint(in_check("role", TeamRole), name="role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    role: TeamRole = Field(sa_type=EnumText(TeamRole, 12))
    is_admin: bool = Field(default=False)
    # Opt-in: this member's journal counts may join the team's aggregates.
    shares_aggregates: bool = Field(default=False)
    joined_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Invite(SQLModel, table=True):
    __table_args__ = (sa.CheckConstraint(in_check("role", TeamRole), name="role"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    role: TeamRole = Field(sa_type=EnumText(TeamRole, 12))
    note: str = Field(default="", max_length=200)
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_by_id: int | None = Field(default=None, foreign_key="user.id")
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# ---------------------------------------------------------------- inputs

TeamName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX)
]
Share = Annotated[float, PydanticField(strict=True, ge=0, le=1)]


class TeamCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: TeamName


class TeamSettingsUpdate(BaseModel):
    """The team's formula. `version` is the one the editor started from."""

    model_config = ConfigDict(extra="forbid")
    version: Id
    name: TeamName | None = None
    score_mapping: Annotated[list[Share], PydanticField(min_length=5, max_length=5)] | None = (
        PydanticField(None, description="The value of scores 1 to 5, rising")
    )
    residual_first: Share | None = None
    residual_best: Share | None = None
    residual_open: Share | None = None

    @field_validator("score_mapping")
    @classmethod
    def _mapping_rises(cls, value: list[float] | None) -> list[float] | None:
        if value is not None and value != sorted(value):
            raise ValueError("the five values must rise from score 1 to score 5")
        return value


class InviteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: TeamRole = TeamRole.researcher
    days: integer(ge=1, le=INVITE_DAYS_MAX) = 7
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class MembershipUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: TeamRole | None = None
    is_admin: Bool | None = None


class TeamPublic(BaseModel):
    id: int
    name: str
    role: TeamRole
    is_admin: bool
    score_mapping: list[float]
    residual_first: float
    residual_best: float
    residual_open: float
    version: int
    created_at: datetime


class TeamPage(BaseModel):
    items: list[TeamPublic]
    next: str | None = next_cursor_field("by name")


class MemberPublic(BaseModel):
    user_id: int
    display_name: str
    role: TeamRole
    is_admin: bool
    joined_at: datetime


class MemberPage(BaseModel):
    items: list[MemberPublic]
    next: str | None = next_cursor_field("managers first, then by name")


class InvitePublic(BaseModel):
    id: int
    role: TeamRole
    note: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None


class InviteIssued(InvitePublic):
    """Returned once, when the invite is made: the link is not stored."""

    url: str
    token: str
