"""The feeds JSON API under /api/v1. A feed is seen by its owner, or by
every member of its team; only the person who added it changes it."""

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel

from app.auth.deps import ApiUser
from app.db import SessionDep
from app.errors import Forbidden, error_responses
from app.feeds import queries, service
from app.feeds.models import FeedCreate, FeedPublic, FeedUpdate, PollResult
from app.feeds.polling import PollSettings, poll_feed
from app.inputs import IdPath
from app.routing import Route

router = APIRouter(
    route_class=Route, prefix="/api/v1", tags=["feeds"], responses=error_responses(401, 404, 422)
)


def editable(view: queries.FeedView) -> queries.FeedView:
    if not view.can_edit:
        raise Forbidden(
            "Only the person who added this feed, or a manager of its team, can change it."
        )
    return view


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
    view = editable(queries.feed_viewable(session, user=user, feed_id=feed_id))
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
    view = editable(queries.feed_viewable(session, user=user, feed_id=feed_id))
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
    return run_poll(request, session, user, feed_id)


def run_poll(request: Request, session: SessionDep, user: ApiUser, feed_id: int) -> PollResult:
    """Shared by the page's "Poll now": no transaction is held while the feed
    is read over the network."""
    queries.feed_viewable(session, user=user, feed_id=feed_id)
    session.commit()
    outcome = poll_feed(
        request.app.state.database, feed_id, how=PollSettings.of(request.app.state.settings)
    )
    feed = queries.feed_viewable(session, user=user, feed_id=feed_id).feed
    session.refresh(feed)
    return PollResult(
        feed=FeedPublic.model_validate(feed),
        status=outcome.status,
        seen=outcome.seen,
        new=outcome.new,
        releases_created=outcome.releases_created,
        suggestions=outcome.suggestions,
        error=outcome.error,
    )


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
