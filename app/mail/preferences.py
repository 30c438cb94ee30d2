"""What each user wants by e-mail, and when their weekly digest is due.

Everything is off until the user turns it on (no row: nothing). The
digest's moment is a weekday and an hour on the user's wall clock: it is
turned into UTC one week at a time, so it stays at 08:00 local across a
daylight-saving change."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.db import utcnow
from app.mail.models import MailPreference, ScoopMail

# The kinds a one-click unsubscribe link turns off.
UNSUBSCRIBE_KINDS = ("scoops", "reviews", "digest")


def preference_get(session: Session, *, user_id: int) -> MailPreference:
    """The user's choices; all off for a user who never chose."""
    return session.get(MailPreference, user_id) or MailPreference(user_id=user_id)


def next_digest_at(*, weekday: int, hour: int, zone: str, after: datetime) -> datetime:
    """The first `weekday` at `hour`:00 on the wall clock of `zone` that is
    later than `after`, in UTC. An hour that a spring change skips (02:00 in
    Berlin on the last Sunday of March) is read as the hour after it."""
    tz = ZoneInfo(zone)
    local = after.astimezone(tz)
    day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
    for _ in range(3):
        candidate = datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)
        if candidate > after:
            return candidate
        day += timedelta(days=7)
    raise AssertionError("unreachable: a week later is always later")


def preference_save(
    session: Session,
    *,
    user_id: int,
    zone: str,
    scoops: ScoopMail,
    reviews: bool,
    digest: bool,
    digest_weekday: int,
    digest_hour: int,
) -> MailPreference:
    pref = session.get(MailPreference, user_id) or MailPreference(user_id=user_id)
    pref.scoops, pref.reviews, pref.digest = scoops, reviews, digest
    pref.digest_weekday, pref.digest_hour = digest_weekday, digest_hour
    pref.digest_next_at = (
        next_digest_at(weekday=digest_weekday, hour=digest_hour, zone=zone, after=utcnow())
        if digest
        else None
    )
    pref.updated_at = utcnow()
    session.add(pref)
    session.flush()
    return pref


def preference_unsubscribe(session: Session, *, user_id: int, kind: str) -> None:
    """Turn one kind off (the one-click link in each message of that kind)."""
    pref = session.get(MailPreference, user_id)
    if pref is None:
        return
    if kind == "scoops":
        pref.scoops = ScoopMail.off
    elif kind == "reviews":
        pref.reviews = False
    elif kind == "digest":
        pref.digest, pref.digest_next_at = False, None
    pref.updated_at = utcnow()
    session.add(pref)
    session.flush()


def wants(pref: MailPreference | None, kind: str) -> bool:
    """Whether the user still wants mail of this unsubscribe kind."""
    if pref is None:
        return False
    return {"scoops": pref.scoops != ScoopMail.off, "reviews": pref.reviews, "digest": pref.digest}[
        kind
    ]


def digest_rezone(session: Session, *, user_id: int, zone: str) -> None:
    """The user moved to another time zone: the digest keeps its wall-clock hour there."""
    pref = session.get(MailPreference, user_id)
    if pref is not None and pref.digest:
        pref.digest_next_at = next_digest_at(
            weekday=pref.digest_weekday, hour=pref.digest_hour, zone=zone, after=utcnow()
        )
        session.add(pref)
        session.flush()
