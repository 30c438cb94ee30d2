"""Accounts, browser sessions, API tokens and the login-attempt log."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import BaseModel, EmailStr, ValidationInfo, field_validator
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from app.auth.policy import MAX_LENGTH, password_problem
from app.db import EnumText, UTCDateTime, in_check, utcnow


class UserBase(SQLModel):
    email: str = Field(max_length=254, sa_column_kwargs={"unique": True})
    display_name: str = Field(max_length=100)


class Theme(StrEnum):
    """How pages are coloured for this person; `system` follows the device."""

    system = "system"
    light = "light"
    dark = "dark"


class User(UserBase, table=True):
    __table_args__ = (sa.CheckConstraint(in_check("theme", Theme), name="theme"),)

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=255)
    is_active: bool = Field(default=True)
    # IANA name; days, weekends and "late at night" are reckoned here.
    timezone: str = Field(default="UTC", max_length=64, sa_column_kwargs={"server_default": "UTC"})
    theme: Theme = Field(
        default=Theme.system,
        sa_type=EnumText(Theme, 8),
        sa_column_kwargs={"server_default": Theme.system.value},
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class UserCreate(BaseModel):
    """What signing up (form, CLI) must provide."""

    email: EmailStr
    display_name: str = PydanticField(min_length=1, max_length=100)
    password: str = PydanticField(max_length=MAX_LENGTH)

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()

    @field_validator("display_name")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("Enter a name")
        return value

    @field_validator("password")
    @classmethod
    def _strong(cls, value: str, info: ValidationInfo) -> str:
        inputs = (str(info.data.get("email", "")), str(info.data.get("display_name", "")))
        problem = password_problem(value, user_inputs=inputs)
        if problem:
            raise ValueError(problem)
        return value


class UserSession(SQLModel, table=True):
    """A browser login. The cookie carries a random token; we keep its sha256."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    """A personal API token; shown once, stored as its sha256."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    # The first characters, so a user can tell their tokens apart.
    prefix: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # None: until revoked.
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginAttempt(SQLModel, table=True):
    """Failed logins, counted across workers to rate-limit guessing."""

    __tablename__ = "login_attempt"
    __table_args__ = (sa.Index("ix_login_attempt_email_at", "email", "attempted_at"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    client_ip: str = Field(max_length=64, index=True)
    attempted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PasswordReset(SQLModel, table=True):
    """A one-time link to set a new password: kept as the sha256 of its
    token, good for one use within its hour."""

    __tablename__ = "password_reset"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ThrottleEvent(SQLModel, table=True):
    """One sign-up or reset request, by address (and by email for resets):
    counted across workers to rate-limit them."""

    __tablename__ = "throttle_event"
    __table_args__ = (sa.Index("ix_throttle_event_key_at", "action", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    action: str = Field(max_length=16)
    key: str = Field(max_length=254)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PendingSignup(SQLModel, table=True):
    """A sign-up waiting for its email to be confirmed (when Goldfish sends
    mail): the account is made from it when the mailed link is opened."""

    __tablename__ = "pending_signup"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    display_name: str = Field(max_length=100)
    password_hash: str = Field(max_length=255)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
