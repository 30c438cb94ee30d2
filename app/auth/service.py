"""Account, session and token writes. Services never commit."""

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from app.auth.models import (
    ApiToken,
    LoginAttempt,
    PasswordReset,
    PendingSignup,
    Theme,
    ThrottleEvent,
    User,
    UserCreate,
    UserSession,
)
from app.auth.passwords import hash_password
from app.config import Settings
from app.db import utcnow
from app.mail.preferences import digest_rezone

TOKEN_PREFIX = "gf_"


class EmailTaken(Exception):
    pass


class SignupClosed(Exception):
    pass


class TooManyAttempts(Exception):
    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"retry after {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True)
class LoginLimits:
    """See `Settings.login_*`."""

    free_failures: int
    max_delay_seconds: int
    ip_max_failures: int
    window_minutes: int

    @classmethod
    def of(cls, settings: Settings) -> "LoginLimits":
        return cls(
            free_failures=settings.login_free_failures,
            max_delay_seconds=settings.login_max_delay_seconds,
            ip_max_failures=settings.login_ip_max_failures,
            window_minutes=settings.login_window_minutes,
        )


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_create(
    session: Session,
    *,
    data: UserCreate,
    signup_open: bool = True,
    password_hash: str | None = None,
) -> User:
    """`password_hash`: the password already hashed (a web request hashes it
    before its transaction begins); hashed here otherwise."""
    if not signup_open and session.exec(select(User.id).limit(1)).first() is not None:
        raise SignupClosed
    if session.exec(select(User.id).where(User.email == data.email)).first() is not None:
        raise EmailTaken
    user = User(
        email=data.email,
        display_name=data.display_name,
        password_hash=password_hash or hash_password(data.password),
    )
    session.add(user)
    session.flush()
    return user


def login_check_rate(
    session: Session, *, email: str, client_ip: str, known_device: bool, limits: LoginLimits
) -> None:
    """Refuse before hashing anything when an address or account is being
    guessed. Each of an account's failures beyond the free ones makes the
    next try wait longer, 1, 2, 4 … seconds after the last one, never more than the cap; a
    browser the account logged in from before (`known_device`) does not wait
    for failures elsewhere. An address's failures over the window are a hard
    limit: one office NAT may try several accounts, but not many."""
    now = utcnow()
    since = now - timedelta(minutes=limits.window_minutes)
    by_ip = session.exec(
        select(sa.func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.client_ip == client_ip, LoginAttempt.attempted_at >= since)
    ).one()
    if by_ip >= limits.ip_max_failures:
        oldest = session.exec(
            select(sa.func.min(LoginAttempt.attempted_at)).where(
                LoginAttempt.client_ip == client_ip, LoginAttempt.attempted_at >= since
            )
        ).one()
        raise TooManyAttempts(_seconds_until(oldest + timedelta(minutes=limits.window_minutes)))
    if known_device:
        return
    failures, last = session.exec(
        select(sa.func.count(), sa.func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.email == email, LoginAttempt.attempted_at >= since
        )
    ).one()
    beyond = failures - limits.free_failures
    if beyond <= 0:
        return
    delay = min(2 ** (beyond - 1), limits.max_delay_seconds)
    ready_at = _as_utc(last) + timedelta(seconds=delay)
    if ready_at > now:
        raise TooManyAttempts(_seconds_until(ready_at))


def _as_utc(moment: datetime) -> datetime:
    """Aggregates come back without the column type's UTC conversion on SQLite."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _seconds_until(moment: datetime) -> int:
    return max(1, math.ceil((_as_utc(moment) - utcnow()).total_seconds()))


def login_candidate(session: Session, *, email: str) -> User | None:
    """Who is trying to log in, if the account exists and may log in. The
    password is checked outside the transaction (app.auth.passwords)."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    return user if user is not None and user.is_active else None


def login_record_failure(session: Session, *, email: str, client_ip: str) -> None:
    session.add(LoginAttempt(email=email.strip().lower()[:254], client_ip=client_ip[:64]))


def user_set_password_hash(session: Session, *, user: User, password_hash: str) -> None:
    """Store a hash re-made with current parameters (after a successful login)."""
    session.execute(sa.update(User).where(User.id == user.id).values(password_hash=password_hash))


@dataclass(frozen=True)
class IssuedSecret:
    """A freshly made secret: the raw value goes to the user once."""

    raw: str
    record_id: int


def session_create(session: Session, *, user: User) -> IssuedSecret:
    raw = secrets.token_urlsafe(32)
    record = UserSession(user_id=user.id, token_hash=token_digest(raw))
    session.add(record)
    session.flush()
    return IssuedSecret(raw=raw, record_id=record.id)


def session_revoke(session: Session, *, raw: str) -> None:
    record = session.exec(
        select(UserSession).where(UserSession.token_hash == token_digest(raw))
    ).first()
    if record is not None and record.revoked_at is None:
        record.revoked_at = utcnow()


def session_revoke_all(session: Session, *, user: User, tokens_too: bool = False) -> None:
    """Log out everywhere; with `tokens_too`, the API tokens stop working as well."""
    for model in (UserSession, ApiToken) if tokens_too else (UserSession,):
        session.execute(
            sa.update(model)
            .where(model.user_id == user.id, model.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def token_create(
    session: Session, *, user: User, name: str, expires_days: int | None = None
) -> IssuedSecret:
    """A new API token; with `expires_days`, it stops working that many days on."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    record = ApiToken(
        user_id=user.id,
        name=name.strip()[:100] or "token",
        token_hash=token_digest(raw),
        prefix=raw[:10],
        created_at=now,
        expires_at=now + timedelta(days=expires_days) if expires_days else None,
    )
    session.add(record)
    session.flush()
    return IssuedSecret(raw=raw, record_id=record.id)


def token_revoke(session: Session, *, user: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False if there is no such token of theirs."""
    record = session.exec(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    ).first()
    if record is None:
        return False
    if record.revoked_at is None:
        record.revoked_at = utcnow()
    return True


def user_set_timezone(session: Session, *, user: User, timezone: str) -> None:
    """`timezone` must be an IANA name the caller has checked."""
    user.timezone = timezone
    session.add(user)
    session.flush()
    digest_rezone(session, user_id=user.id, zone=timezone)


def user_set_theme(session: Session, *, user: User, theme: Theme) -> None:
    user.theme = theme
    session.add(user)
    session.flush()


RESET_LIFETIME = timedelta(hours=1)


def reset_link(settings: Settings, raw: str) -> str:
    """The link a reset token travels in (mailed, or printed by the CLI)."""
    return f"{settings.public_url}/reset/{raw}"


def reset_create(session: Session, *, user: User) -> str:
    """A new one-time reset token for `user` (its sha256 is kept). Earlier
    unused links of theirs stop working: only the newest counts."""
    now = utcnow()
    session.execute(
        sa.update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    raw = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=token_digest(raw),
            created_at=now,
            expires_at=now + RESET_LIFETIME,
        )
    )
    session.flush()
    return raw


def reset_lookup(session: Session, *, raw: str) -> tuple[PasswordReset, User] | None:
    """The unused, unexpired reset this token is for, and its (active) account."""
    row = session.exec(
        select(PasswordReset, User)
        .join(User, User.id == PasswordReset.user_id)
        .where(
            PasswordReset.token_hash == token_digest(raw),
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > utcnow(),
            User.is_active,
        )
    ).first()
    return (row[0], row[1]) if row else None


def reset_use(session: Session, *, raw: str, password_hash: str) -> User | None:
    """Set the new password with the link, once: the claim is a conditional
    update, so two tabs racing with one link cannot both use it. Every
    session of the account ends. None if the link is no longer good."""
    found = reset_lookup(session, raw=raw)
    if found is None:
        return None
    reset, user = found
    claimed = session.execute(
        sa.update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if claimed.rowcount != 1:
        return None
    password_set(session, user=user, password_hash=password_hash, keep_session_id=None)
    return user


def password_set(
    session: Session, *, user: User, password_hash: str, keep_session_id: int | None
) -> None:
    """A new password: stored, and every other session of the account ended
    (all of them when `keep_session_id` is None)."""
    user_set_password_hash(session, user=user, password_hash=password_hash)
    others = sa.update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )
    if keep_session_id is not None:
        others = others.where(UserSession.id != keep_session_id)
    session.execute(others.values(revoked_at=utcnow()))


# Sign-ups per address per hour (each costs a password hash); loading the
# demo from the first page counts as one.
SIGNUP_PER_IP_HOUR = 10


def throttled(session: Session, *, action: str, key: str, limit: int, window: timedelta) -> bool:
    """Whether `key` (an address, an email) did `action` `limit` times in
    the window; if not, this time is recorded and counts."""
    key = key[:254]
    recent = session.exec(
        select(sa.func.count())
        .select_from(ThrottleEvent)
        .where(
            ThrottleEvent.action == action,
            ThrottleEvent.key == key,
            ThrottleEvent.at >= utcnow() - window,
        )
    ).one()
    if recent >= limit:
        return True
    session.add(ThrottleEvent(action=action, key=key))
    return False


SIGNUP_LINK_LIFETIME = timedelta(hours=24)


def signup_pending(session: Session, *, email: str, display_name: str, password_hash: str) -> str:
    """A sign-up to be confirmed by mail; the token goes into the link. An
    earlier pending one for the same email is replaced."""
    session.execute(sa.delete(PendingSignup).where(PendingSignup.email == email))
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        PendingSignup(
            email=email,
            display_name=display_name,
            password_hash=password_hash,
            token_hash=token_digest(raw),
            created_at=now,
            expires_at=now + SIGNUP_LINK_LIFETIME,
        )
    )
    session.flush()
    return raw


def signup_confirm(session: Session, *, raw: str) -> User | None:
    """The account a confirmed sign-up makes; None if the link is unknown,
    expired, used, or the email was taken meanwhile."""
    pending = session.exec(
        select(PendingSignup).where(
            PendingSignup.token_hash == token_digest(raw), PendingSignup.expires_at > utcnow()
        )
    ).first()
    if pending is None:
        return None
    session.delete(pending)
    if session.exec(select(User.id).where(User.email == pending.email)).first() is not None:
        return None
    user = User(
        email=pending.email, display_name=pending.display_name, password_hash=pending.password_hash
    )
    session.add(user)
    session.flush()
    return user
