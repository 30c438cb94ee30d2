"""Reads for accounts, sessions and tokens."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from app.auth.models import ApiToken, User, UserSession
from app.auth.service import token_digest
from app.db import utcnow


def any_user_exists(session: Session) -> bool:
    return session.exec(select(User.id).limit(1)).first() is not None


def user_by_email(session: Session, *, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def session_lookup(
    session: Session, *, raw: str, idle: timedelta, absolute: timedelta, now: datetime | None = None
) -> tuple[User, UserSession] | None:
    now = now or utcnow()
    row = session.exec(
        select(User, UserSession)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.token_hash == token_digest(raw),
            UserSession.revoked_at.is_(None),
            UserSession.created_at > now - absolute,
            UserSession.last_seen_at > now - idle,
            User.is_active,
        )
    ).first()
    return (row[0], row[1]) if row else None


def token_lookup(session: Session, *, raw: str) -> tuple[User, ApiToken] | None:
    row = session.exec(
        select(User, ApiToken)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == token_digest(raw),
            ApiToken.revoked_at.is_(None),
            sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > utcnow()),
            User.is_active,
        )
    ).first()
    return (row[0], row[1]) if row else None


def tokens_of(session: Session, *, user: User) -> list[ApiToken]:
    return list(
        session.exec(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


def display_names(session: Session, *, user_ids: set[int]) -> dict[int, str]:
    """Names to show beside what these people did, in one query."""
    if not user_ids:
        return {}
    return dict(session.exec(select(User.id, User.display_name).where(User.id.in_(user_ids))).all())
