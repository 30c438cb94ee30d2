"""The feeds JSON API under /api/v1. A feed is seen by its owner, or by
every member of its team; only the person who added it changes it."""

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel

from app.auth.deps import ApiUser
from app.db import SessionDep
from app.errors import error_responses
from app.feeds import polling, queries, service
from app.feeds.models import FeedCreate, FeedPublic, FeedUpdate, PollResult
from app.inputs import IdPath
from app.routing import Route

router = APIRouter(
    route_class=Route, prefix="/api/v1", tags=["feeds"], responses=error_responses(401, 404, 422)
)


@router.post(
    "/feeds",
    response_model=FeedPublic,
    status_code=201,
    responses=error_responses(409),
    summary="Follow an RSS/Atom address or an arXiv query (yours, or a team's with team_id)",
)
def create_feed(request: Request, session: SessionDep, user: ApiUser, data: FeedCreate):
    feed = service.feed_create(
        session,
        owner=user,
        data=data,
        allow_private=request.app.state.settings.feeds_allow_private,
    )
    session.commit()
    return FeedPublic.model_validate(feed)


@router.get("/feeds", response_model=list[FeedPublic], summary="Your feeds and your teams'")
def list_feeds(session: SessionDep, user: ApiUser) -> list[FeedPublic]:
    return [FeedPublic.model_validate(v.feed) for v in queries.feeds_of(session, user=user)]


@router.get("/feeds/{feed_id}", response_model=FeedPublic, summary="A feed and its last poll")
def read_feed(session: SessionDep, user: ApiUser, feed_id: IdPath) -> FeedPublic:
    return FeedPublic.model_validate(
        queries.feed_viewable(session, user=user, feed_id=feed_id).feed
    )


@router.patch(
    "/feeds/{feed_id}",
    response_model=FeedPublic,
    responses=error_responses(403),
    summary="Rename, re-query, re-time or pause a feed",
)
def update_feed(
    request: Request, session: SessionDep, user: ApiUser, feed_id: IdPath, data: FeedUpdate
) -> FeedPublic:
    view = queries.feed_editable(session, user=user, feed_id=feed_id)
    service.feed_update(
        session,
        feed=view.feed,
        data=data,
        allow_private=request.app.state.settings.feeds_allow_private,
    )
    session.commit()
    return FeedPublic.model_validate(view.feed)


@router.delete(
    "/feeds/{feed_id}",
    status_code=204,
    responses=error_responses(403),
    summary="Stop following a feed (the releases it brought stay in the log)",
)
def delete_feed(session: SessionDep, user: ApiUser, feed_id: IdPath) -> Response:
    view = queries.feed_editable(session, user=user, feed_id=feed_id)
    service.feed_delete(session, feed=view.feed)
    session.commit()
    return Response(status_code=204)


@router.post(
    "/feeds/{feed_id}/poll",
    response_model=PollResult,
    responses=error_responses(409),
    summary="Poll the feed now; answers when the poll has ended, with its counts",
)
def poll_now(request: Request, session: SessionDep, user: ApiUser, feed_id: IdPath) -> PollResult:
    return polling.poll_now(request.app.state, session, user=user, feed_id=feed_id)


class FeedItemPublic(BaseModel):
    id: int
    release_id: int
    title: str
    url: str | None
    kind: str
    organisation: str
    released_on: str
    seen_at: datetime


@router.get(
    "/feeds/{feed_id}/items",
    response_model=list[FeedItemPublic],
    summary="What the feed brought in, newest first (50)",
)
def feed_items(session: SessionDep, user: ApiUser, feed_id: IdPath) -> list[FeedItemPublic]:
    view = queries.feed_viewable(session, user=user, feed_id=feed_id)
    return [
        FeedItemPublic(
            id=item.id,
            release_id=release.id,
            title=release.title,
            url=release.url,
            kind=release.kind.value,
            organisation=release.organisation,
            released_on=release.released_on.isoformat(),
            seen_at=item.seen_at,
        )
        for item, release in queries.items_of(session, feed=view.feed)
    ]
