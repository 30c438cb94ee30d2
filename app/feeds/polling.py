"""One poll of a feed, from the claim to the record of how it went.

Three short transactions, none held across the network: claim the feed's
lease; (fetch and parse, with no connection held); ingest and record. Used
alike by "Poll now", `goldfish feeds poll` and `goldfish worker`.
"""

import logging
from dataclasses import dataclass

from sqlmodel import select

from app.auth.models import User
from app.config import Settings
from app.db import Database
from app.errors import Refused
from app.feeds import service
from app.feeds.fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_SECONDS, FetchError, fetch_feed
from app.feeds.models import Feed, PollStatus
from app.feeds.parse import ParseError, parse_feed

log = logging.getLogger(__name__)

UNEXPECTED = "The feed could not be read (an unexpected error, logged for the administrator)."


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
    database: Database, feed_id: int, *, how: PollSettings, claimed: bool = False
) -> PollOutcome:
    """Poll one feed now. Raises PollRunning if another process has it;
    `claimed` when the caller took the lease already (the worker)."""
    with database.session(write=True) as session:
        if not claimed and not service.feed_claim(session, feed_id=feed_id):
            raise PollRunning()
        feed = session.get(Feed, feed_id)
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
        log.exception("polling feed %s failed", feed_id)
        status, error = PollStatus.error, UNEXPECTED

    with database.session(write=True) as session:
        feed = session.get(Feed, feed_id)
        if feed is None:  # deleted while it was read
            return PollOutcome(feed_id, PollStatus.error, error="The feed was deleted.")
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
            feed_id = service.due_feed_claim(session)
            session.commit()
        if feed_id is None:
            break
        outcomes.append(poll_feed(database, feed_id, how=how, claimed=True))
    return outcomes
