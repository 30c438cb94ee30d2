"""The activity page, assembled in one place for the routes that show it."""

from sqlmodel import Session

from app.auth.models import User
from app.notifications import queries


def activity_page(session: Session, *, user: User, before: str) -> dict:
    """A page of the user's notifications, newest first, from the cursor
    `before` (the first page without one)."""
    cursor = queries.parse_notice_cursor(before) if before else None
    rows, next_before = queries.notifications_page(
        session, user=user, before=cursor, limit=queries.PAGE
    )
    # On the first page the newest shown is the newest there is; deeper pages
    # still offer to mark everything up to what existed when they were loaded.
    if cursor is None:
        up_to_id = max((row.id for row in rows), default=None)
    else:
        up_to_id = queries.newest_id(session, user=user)
    return {
        "notices": rows,
        "next_before": next_before,
        "before": before if cursor else "",
        "up_to_id": up_to_id,
        "unread": queries.unread_count(session, user=user),
    }
