"""Reads of feeds, scoped to who may see them: the feed's owner, or every
member of the team it belongs to."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from app.auth.models import User
from app.errors import Forbidden, NotFound
from app.feeds.models import Feed, FeedItem
from app.releases.models import Release
from app.teams.models import Team
from app.teams.queries import managed_team_ids, member_team_ids


class FeedNotFound(NotFound):
    what = "feed"


def _visible(user: User) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(Feed.team_id.is_(None), Feed.owner_id == user.id),
        Feed.team_id.in_(member_team_ids(user)),
    )


@dataclass(frozen=True)
class FeedView:
    feed: Feed
    team_name: str | None
    # The person who added it, and for a team's feed the team's managers
    # (so a feed whose adder left the team can still be stopped).
    can_edit: bool


def _managed(session: Session, user: User) -> set[int]:
    return set(session.exec(managed_team_ids(user)))


def feed_viewable(session: Session, *, user: User, feed_id: int) -> FeedView:
    row = session.exec(
        select(Feed, Team.name)
        .outerjoin(Team, Team.id == Feed.team_id)
        .where(Feed.id == feed_id, _visible(user))
    ).first()
    if row is None:
        raise FeedNotFound(feed_id)
    feed, team_name = row
    managed = _managed(session, user) if feed.team_id is not None else set()
    return FeedView(feed, team_name, can_edit=_can_edit(feed, user, managed))


def _can_edit(feed: Feed, user: User, managed: set[int]) -> bool:
    return feed.owner_id == user.id or feed.team_id in managed


def feeds_of(session: Session, *, user: User) -> list[FeedView]:
    rows = session.exec(
        select(Feed, Team.name)
        .outerjoin(Team, Team.id == Feed.team_id)
        .where(_visible(user))
        .order_by(Feed.team_id.is_not(None), Team.name, Feed.title, Feed.id)
    ).all()
    managed = _managed(session, user)
    return [FeedView(feed, name, can_edit=_can_edit(feed, user, managed)) for feed, name in rows]


def feed_with_url(session: Session, *, owner_id: int, team_id: int | None, url: str) -> Feed | None:
    scope = Feed.team_id == team_id if team_id is not None else Feed.team_id.is_(None)
    return session.exec(
        select(Feed).where(scope, Feed.url == url, Feed.owner_id == owner_id).limit(1)
    ).first()


def items_of(session: Session, *, feed: Feed, limit: int = 50) -> list[tuple[FeedItem, Release]]:
    """What the feed brought in, newest first."""
    return list(
        session.exec(
            select(FeedItem, Release)
            .join(Release, Release.id == FeedItem.release_id)
            .where(FeedItem.feed_id == feed.id)
            .order_by(FeedItem.id.desc())
            .limit(limit)
        ).all()
    )


def seen_guids(session: Session, *, feed_id: int, guids: list[str]) -> set[str]:
    if not guids:
        return set()
    return set(
        session.exec(
            select(FeedItem.guid).where(FeedItem.feed_id == feed_id, FeedItem.guid.in_(guids))
        )
    )


def seen_releases(session: Session, *, feed_id: int, release_ids: list[int]) -> set[int]:
    if not release_ids:
        return set()
    return set(
        session.exec(
            select(FeedItem.release_id).where(
                FeedItem.feed_id == feed_id, FeedItem.release_id.in_(release_ids)
            )
        )
    )


def feed_editable(session: Session, *, user: User, feed_id: int) -> FeedView:
    """A feed the user may change: its adder, or a manager of its team."""
    view = feed_viewable(session, user=user, feed_id=feed_id)
    if not view.can_edit:
        raise Forbidden(
            "Only the person who added this feed, or a manager of its team, can change it."
        )
    return view
