"""One poll of a feed, from the claim to the record of how it went.

Three short transactions, none held across the network: claim the feed's
lease; (fetch and parse, with no connection held); ingest and record. Used
alike by "Poll now", `goldfish feeds poll` and `goldfish worker`.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select
from starlette.datastructures import State

from app.auth.models import User
from app.config import Settings
from app.db import Database
from app.errors import Refused
from app.feeds import queries, service
from app.feeds.fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_SECONDS, FetchError, fetch_feed
from app.feeds.models import Feed, FeedPublic, PollResult, PollStatus
from app.feeds.parse import ParseError, parse_feed
from app.teams.queries import membership_of

log = logging.getLogger(__name__)

UNEXPECTED = "The feed could not be read (an unexpected error, logged for the administrator)."
UNSAVED = (
    "What the feed brought could not be saved (logged for the administrator); "
    "it is tried again later."
)
LEFT_TEAM = (
    "Paused: the person who added this feed has left the team. A manager of the team can delete it."
)


class PollRunning(Refused):
    def __init__(self) -> None:
        super().__init__(
            409, "poll_running", "This feed is being polled right now; try again soon."
        )


@dataclass(frozen=True)
class PollOutcome:
    feed_id: int
    status: PollStatus
    seen: int = 0
    new: int = 0
    releases_created: int = 0
    suggestions: int = 0
    error: str = ""


@dataclass(frozen=True)
class PollSettings:
    allow_private: bool = False
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    max_bytes: int = DEFAULT_MAX_BYTES
    threshold: float | None = None

    @classmethod
    def of(cls, settings: Settings) -> "PollSettings":
        return cls(
            allow_private=settings.feeds_allow_private,
            timeout=settings.feeds_timeout_seconds,
            max_bytes=settings.feeds_max_bytes,
            threshold=settings.match_threshold,
        )


def poll_feed(
    database: Database,
    feed_id: int,
    *,
    how: PollSettings,
    lease: datetime | None = None,
) -> PollOutcome:
    """Poll one feed now. Raises PollRunning if another process has it;
    `lease` when the caller took it already (the worker)."""
    with database.session(write=True) as session:
        if lease is None:
            lease = service.feed_claim(session, feed_id=feed_id)
            if lease is None:
                raise PollRunning()
        feed = session.get(Feed, feed_id)
        if feed is None:
            session.rollback()
            return PollOutcome(feed_id, PollStatus.error, error="The feed was deleted.")
        if feed.team_id is not None and not membership_of(
            session, user_id=feed.owner_id, team_id=feed.team_id
        ):
            # Its items would go to the log of someone no longer in the team.
            feed.paused = True
            service.feed_polled(session, feed=feed, status=PollStatus.error, error=LEFT_TEAM)
            session.commit()
            return PollOutcome(feed_id, PollStatus.error, error=LEFT_TEAM)
        url, etag, last_modified = feed.url, feed.etag, feed.last_modified
        session.commit()

    status, error, fetched, parsed = PollStatus.ok, "", None, None
    try:
        fetched = fetch_feed(
            url,
            etag=etag,
            last_modified=last_modified,
            allow_private=how.allow_private,
            timeout=how.timeout,
            max_bytes=how.max_bytes,
        )
        if fetched.not_modified:
            status = PollStatus.not_modified
        else:
            parsed = parse_feed(
                fetched.body, url=fetched.final_url, content_type=fetched.content_type
            )
    except (FetchError, ParseError) as exc:
        status, error = PollStatus.error, str(exc)
    except Exception:
        log.exception("reading feed %s failed", feed_id)
        status, error = PollStatus.error, UNEXPECTED

    try:
        return _record(database, feed_id, lease, url, status, error, fetched, parsed, how)
    except Exception:
        # Whatever went wrong while saving (a writer racing us to the same
        # release on PostgreSQL, say) is an error on the feed, retried later:
        # never a lease left held, never a feed polled every few minutes.
        log.exception("saving the poll of feed %s failed", feed_id)
        with database.session(write=True) as session:
            feed = session.get(Feed, feed_id)
            if feed is not None and feed.lease_until == lease:
                service.feed_polled(session, feed=feed, status=PollStatus.error, error=UNSAVED)
                session.commit()
        return PollOutcome(feed_id, PollStatus.error, error=UNSAVED)


def _record(database, feed_id, lease, url, status, error, fetched, parsed, how) -> PollOutcome:
    with database.session(write=True) as session:
        feed = session.get(Feed, feed_id)
        if feed is None:  # deleted while it was read
            return PollOutcome(feed_id, PollStatus.error, error="The feed was deleted.")
        if feed.lease_until != lease:
            # The lease ran out and another poll has the feed: it records.
            return PollOutcome(feed_id, PollStatus.error, error="The poll took too long.")
        if feed.url != url:
            # Re-pointed while this poll read the old address: start afresh.
            feed.lease_until = None
            session.commit()
            return PollOutcome(feed_id, PollStatus.error, error="The feed's address changed.")
        ingested = None
        if parsed is not None:
            owner = session.exec(select(User).where(User.id == feed.owner_id)).one()
            ingested = service.feed_ingest(
                session,
                feed=feed,
                owner=owner,
                entries=parsed.entries,
                title=parsed.title,
                threshold=how.threshold,
            )
        service.feed_polled(
            session,
            feed=feed,
            status=status,
            ingested=ingested,
            error=error,
            etag=fetched.etag if fetched else None,
            last_modified=fetched.last_modified if fetched else None,
        )
        session.commit()
    if ingested is None:
        return PollOutcome(feed_id, status, error=error)
    return PollOutcome(
        feed_id,
        status,
        seen=ingested.seen,
        new=ingested.new,
        releases_created=ingested.releases_created,
        suggestions=ingested.suggestions,
    )


def poll_due(
    database: Database, *, how: PollSettings, limit: int | None = None
) -> list[PollOutcome]:
    """Poll every feed that is due and free, one at a time, until none is
    left (or `limit` polls): what one pass of `goldfish worker` does."""
    outcomes: list[PollOutcome] = []
    while limit is None or len(outcomes) < limit:
        with database.session(write=True) as session:
            claimed = service.due_feed_claim(session)
            session.commit()
        if claimed is None:
            break
        feed_id, lease = claimed
        outcomes.append(poll_feed(database, feed_id, how=how, lease=lease))
    return outcomes


def poll_now(state: State, session: Session, *, user: User, feed_id: int) -> PollResult:
    """ "Poll now", from the page or the API (`state` is the app's): the
    caller's transaction ends before the feed is read over the network, so
    none is held meanwhile; answers once the poll has ended, with counts."""
    queries.feed_viewable(session, user=user, feed_id=feed_id)
    session.commit()
    outcome = poll_feed(state.database, feed_id, how=PollSettings.of(state.settings))
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
