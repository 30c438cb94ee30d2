"""The notifications API: only ever the caller's own."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.auth.deps import ApiUser
from app.db import SessionDep
from app.errors import error_responses
from app.listing import PageParams, encode_page_cursor, next_cursor_field
from app.notifications import queries, service
from app.notifications.models import MarkRead, NotificationPublic
from app.routing import Route

router = APIRouter(
    route_class=Route, prefix="/api/v1", tags=["notifications"], responses=error_responses(401, 422)
)


class Marked(BaseModel):
    marked: int


class NotificationPage(BaseModel):
    items: list[NotificationPublic]
    next: str | None = next_cursor_field("older")


@router.get(
    "/notifications",
    response_model=NotificationPage,
    summary="Your notifications, newest first, a page at a time",
)
def list_notifications(
    session: SessionDep,
    user: ApiUser,
    page: PageParams,
    unread: Annotated[bool, Query(description="Only those not yet marked read")] = False,
) -> NotificationPage:
    rows, more = queries.notifications_page(
        session, user=user, unread_only=unread, limit=page.limit, before=page.after((datetime, int))
    )
    items = [
        NotificationPublic(**{name: getattr(row, name) for name in NotificationPublic.model_fields})
        for row in rows
    ]
    last = rows[-1] if more and rows else None
    return NotificationPage(
        items=items, next=encode_page_cursor((last.created_at, last.id)) if last else None
    )


@router.post("/notifications/read", response_model=Marked, summary="Mark your notifications read")
def mark_read(session: SessionDep, user: ApiUser, data: MarkRead | None = None) -> Marked:
    up_to_id = data.up_to_id if data is not None else None
    marked = service.notifications_mark_read(session, user=user, up_to_id=up_to_id)
    session.commit()
    return Marked(marked=marked)
