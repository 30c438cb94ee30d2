"""The notifications API: only ever the caller's own."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.auth.deps import ApiUser
from app.db import SessionDep
from app.errors import error_responses
from app.notifications import queries, service
from app.notifications.models import MarkRead, NotificationPublic
from app.routing import Route

router = APIRouter(
    route_class=Route, prefix="/api/v1", tags=["notifications"], responses=error_responses(401, 422)
)


class Marked(BaseModel):
    marked: int


@router.get(
    "/notifications",
    response_model=list[NotificationPublic],
    summary="Your notifications, newest first",
)
def list_notifications(
    session: SessionDep,
    user: ApiUser,
    unread: Annotated[bool, Query(description="Only those not yet marked read")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = queries.PAGE,
) -> list[NotificationPublic]:
    rows = queries.notifications_latest(session, user=user, unread_only=unread, limit=limit)
    return [
        NotificationPublic(**{name: getattr(row, name) for name in NotificationPublic.model_fields})
        for row in rows
    ]


@router.post("/notifications/read", response_model=Marked, summary="Mark your notifications read")
def mark_read(session: SessionDep, user: ApiUser, data: MarkRead | None = None) -> Marked:
    up_to_id = data.up_to_id if data is not None else None
    marked = service.notifications_mark_read(session, user=user, up_to_id=up_to_id)
    session.commit()
    return Marked(marked=marked)
