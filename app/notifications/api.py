"""The notifications API: only ever the caller's own."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.auth.deps import ApiUser
from app.auth.models import User
from app.db import SessionDep
from app.errors import error_responses
from app.notifications import service
from app.notifications.models import Notification, NotificationPublic

PAGE = 50

router = APIRouter(prefix="/api/v1", tags=["notifications"], responses=error_responses(401, 422))


class MarkRead(BaseModel):
    """Mark read everything up to `up_to_id` (the newest one you have seen),
    so that a notification arriving meanwhile stays unread; all, if left out."""

    model_config = ConfigDict(extra="forbid")
    up_to_id: Annotated[int, PydanticField(strict=True, ge=1)] | None = None


class Marked(BaseModel):
    marked: int


def _notices(session: Session, *, user: User, unread: bool, limit: int) -> list[NotificationPublic]:
    """The user's own notifications, newest first: one query on the (user,
    created_at) index. Kept here, not in queries.py, while the activity page's
    paging there is being reworked."""
    actor = aliased(User)
    query = (
        select(Notification, actor.display_name)
        .join(actor, actor.id == Notification.actor_id)
        .where(Notification.user_id == user.id)
    )
    if unread:
        query = query.where(Notification.read_at.is_(None))
    rows = session.exec(
        query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    )
    return [
        NotificationPublic(**n.model_dump(exclude={"user_id"}), actor_name=name) for n, name in rows
    ]


@router.get(
    "/notifications",
    response_model=list[NotificationPublic],
    summary="Your notifications, newest first",
)
def list_notifications(
    session: SessionDep,
    user: ApiUser,
    unread: Annotated[bool, Query(description="Only those not yet marked read")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = PAGE,
) -> list[NotificationPublic]:
    return _notices(session, user=user, unread=unread, limit=limit)


@router.post("/notifications/read", response_model=Marked, summary="Mark your notifications read")
def mark_read(session: SessionDep, user: ApiUser, data: MarkRead | None = None) -> Marked:
    up_to_id = data.up_to_id if data is not None else None
    marked = service.notifications_mark_read(session, user=user, up_to_id=up_to_id)
    session.commit()
    return Marked(marked=marked)
