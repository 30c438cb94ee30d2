"""Writes to feeds: adding and changing them, claiming one to poll, and
ingesting what a poll read. Never commits (app.feeds.polling does, between
the network and the database)."""

import ipaddress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import Session, select

from app.auth.models import User
from app.db import insert_new, utcnow
from app.errors import Refused
from app.feeds.fetch import FetchError, check_url
from app.feeds.models import (
    FEED_ERROR_MAX,
    FEED_TITLE_MAX,
    Feed,
    FeedCreate,
    FeedItem,
    FeedKind,
    FeedUpdate,
    PollStatus,
)
from app.feeds.parse import Entry, arxiv_query_url
from app.feeds.queries import feed_with_url, seen_guids, seen_releases
from app.inbox.queries import matchable_projects
from app.inbox.service import suggestions_make
from app.releases.models import ReleaseKind, ReleaseSource
from app.releases.service import ReleaseDraft, releases_ingest
from app.teams.queries import membership_of

# A poll that has not reported back in this long crashed: its feed is free.
# Well above the longest fetch a poll may take (GOLDFISH_FEEDS_TIMEOUT_SECONDS).
LEASE = timedelta(minutes=15)
BACKOFF_MAX = timedelta(hours=24)
ENTRIES_MAX = 1000  # read per poll; an arXiv query asks for 100


def _source_url(kind: FeedKind, url: str | None, query: str | None) -> str:
    if kind == FeedKind.arxiv and query:
        return arxiv_query_url(query)
    assert url is not None
    return url


def _check_address(url: str, *, allow_private: bool) -> None:
    """Refuse at once what can never be polled: another scheme, or an
    address written as a private IP (or localhost). A host name is looked up
    when the feed is polled, every time (its answer may change; a name that
    is not found is an error on the feed, not a reason to refuse it now)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    try:
        ipaddress.ip_address(host)
        written_as_address = True
    except ValueError:
        written_as_address = host == "localhost" or host.endswith(".localhost")
    try:
        if written_as_address or not host or parts.scheme.lower() not in ("http", "https"):
            check_url(url, allow_private=allow_private)  # no lookup needed to decide
    except FetchError as exc:
        raise Refused(422, "bad_feed_url", str(exc), field="url") from None


def feed_create(session: Session, *, owner: User, data: FeedCreate, allow_private: bool) -> Feed:
    if (
        data.team_id is not None
        and membership_of(session, user_id=owner.id, team_id=data.team_id) is None
    ):
        raise Refused(422, "not_a_member", "Choose one of your teams.", field="team_id")
    url = _source_url(data.kind, data.url, data.query)
    _check_address(url, allow_private=allow_private)
    if feed_with_url(session, owner_id=owner.id, team_id=data.team_id, url=url) is not None:
        raise Refused(409, "duplicate_feed", "You follow this feed already.", field="url")
    feed = Feed(
        owner_id=owner.id,
        team_id=data.team_id,
        kind=data.kind,
        url=url,
        query=data.query if data.kind == FeedKind.arxiv else None,
        title=data.title or (data.query or "")[:FEED_TITLE_MAX],
        interval_minutes=data.interval_minutes,
    )
    session.add(feed)
    session.flush()
    return feed


def feed_update(session: Session, *, feed: Feed, data: FeedUpdate, allow_private: bool) -> Feed:
    if data.title is not None:
        feed.title = data.title
    if data.interval_minutes is not None:
        feed.interval_minutes = data.interval_minutes
        feed.next_poll_at = min(feed.next_poll_at, (feed.last_polled_at or utcnow()) + _every(feed))
    if data.paused is not None:
        feed.paused = data.paused
    if data.query is not None or data.url is not None:
        if data.query is not None and feed.kind != FeedKind.arxiv:
            raise Refused(422, "not_arxiv", "Only an arXiv feed has a query.", field="query")
        url = _source_url(feed.kind, data.url or feed.url, data.query)
        _check_address(url, allow_private=allow_private)
        if url != feed.url:
            feed.url = url
            feed.query = data.query if data.query is not None else feed.query
            feed.etag = feed.last_modified = None  # another document
            feed.next_poll_at = utcnow()
    feed.updated_at = utcnow()
    session.flush()
    return feed


def feed_delete(session: Session, *, feed: Feed) -> None:
    """The feed goes; the releases it brought stay in the log."""
    session.execute(sa.delete(FeedItem).where(FeedItem.feed_id == feed.id))
    session.delete(feed)
    session.flush()


def _every(feed: Feed) -> timedelta:
    return timedelta(minutes=feed.interval_minutes)


# ---------------------------------------------------------------- claiming


def _free(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(Feed.lease_until.is_(None), Feed.lease_until < now)


def feed_claim(session: Session, *, feed_id: int, now: datetime | None = None) -> datetime | None:
    """Take the feed's lease, unless another process holds it. The lease's
    end is the poll's token: only the holder of that exact lease records
    the poll and frees it (a poll that outlived its lease must not free the
    next one's)."""
    lease = (now or utcnow()) + LEASE
    taken = session.execute(
        sa.update(Feed).where(Feed.id == feed_id, _free(lease - LEASE)).values(lease_until=lease)
    )
    return lease if taken.rowcount == 1 else None


def due_feed_claim(session: Session, *, now: datetime | None = None) -> tuple[int, datetime] | None:
    """The feed most overdue for a poll that nobody is polling, leased to the
    caller. On PostgreSQL two workers never wait for each other: the row one
    is claiming is skipped by the other (FOR UPDATE SKIP LOCKED); on SQLite
    the write transaction already lets one writer in at a time."""
    now = now or utcnow()
    query = (
        select(Feed.id)
        .where(Feed.paused.is_(False), Feed.next_poll_at <= now, _free(now))
        .order_by(Feed.next_poll_at, Feed.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    feed_id = session.exec(query).first()
    if feed_id is None:
        return None
    lease = now + LEASE
    session.execute(sa.update(Feed).where(Feed.id == feed_id).values(lease_until=lease))
    return feed_id, lease


def next_due(session: Session) -> datetime | None:
    return session.exec(
        select(sa.func.min(Feed.next_poll_at)).where(Feed.paused.is_(False))
    ).first()


# ---------------------------------------------------------------- a poll's outcome


@dataclass(frozen=True)
class Ingested:
    seen: int
    new: int
    releases_created: int
    suggestions: int


def _draft(entry: Entry, today: date) -> ReleaseDraft:
    url = entry.url
    if not url and entry.external_id and entry.external_id.startswith("arxiv:"):
        url = f"https://arxiv.org/abs/{entry.external_id.removeprefix('arxiv:')}"
    elif not url and entry.external_id and entry.external_id.startswith("doi:"):
        url = f"https://doi.org/{entry.external_id.removeprefix('doi:')}"
    return ReleaseDraft(
        title=entry.title or "(untitled)",
        kind=ReleaseKind(entry.kind),
        released_on=min(entry.published or today, today),
        organisation=entry.organisation,
        url=url,
        summary=entry.summary,
    )


def feed_ingest(
    session: Session,
    *,
    feed: Feed,
    owner: User,
    entries: list[Entry],
    title: str = "",
    threshold: float | None = None,
) -> Ingested:
    """Entries the feed has not seen become releases of its owner's log (one
    already there, by address, arXiv id or DOI, is reused), and every release
    new to the log is matched against the projects the feed serves."""
    entries = entries[:ENTRIES_MAX]
    unique: dict[str, Entry] = {}
    for entry in entries:
        unique.setdefault(entry.guid[:500], entry)
    known = seen_guids(session, feed_id=feed.id, guids=list(unique))
    fresh = [(guid, e) for guid, e in unique.items() if guid not in known]
    today = utcnow().date()
    ingested = releases_ingest(
        session,
        owner_id=feed.owner_id,
        drafts=[_draft(e, today) for _, e in fresh],
        source=ReleaseSource.feed,
    )
    already = seen_releases(
        session, feed_id=feed.id, release_ids=[r.id for r, _ in ingested if r.id]
    )
    items = []
    now = utcnow()
    for (guid, _), (release, _) in zip(fresh, ingested, strict=True):
        if release.id in already:
            continue  # the same release under another guid
        already.add(release.id)
        items.append({"feed_id": feed.id, "release_id": release.id, "guid": guid, "seen_at": now})
    insert_new(session, FeedItem, items)
    new_items = len(items)
    created = [release for release, is_new in ingested if is_new]
    # Matched: every release new to this feed, even one its owner logged
    # before (a team feed serves others' projects too); pairs suggested or
    # linked already are skipped by suggestions_make.
    arrived = {item["release_id"] for item in items}
    to_match = [release for release, _ in ingested if release.id in arrived]
    projects = matchable_projects(
        session, owner_id=None if feed.team_id else feed.owner_id, team_id=feed.team_id
    )
    made = suggestions_make(
        session,
        releases=list({r.id: r for r in to_match}.values()),
        projects=projects,
        actor=owner,
        feed_id=feed.id,
        threshold=threshold,
    )
    if title and not feed.title:
        feed.title = title[:FEED_TITLE_MAX]
    feed.items_total += new_items
    session.flush()
    return Ingested(
        seen=len(entries), new=new_items, releases_created=len(created), suggestions=len(made)
    )


def feed_polled(
    session: Session,
    *,
    feed: Feed,
    status: PollStatus,
    ingested: Ingested | None = None,
    error: str = "",
    etag: str | None = None,
    last_modified: str | None = None,
) -> None:
    """Record how the poll went, schedule the next one and free the lease.
    Errors back off: twice the interval per failure in a row, at most a day."""
    now = utcnow()
    feed.last_polled_at = now
    feed.last_status = status
    feed.lease_until = None
    if status == PollStatus.error:
        feed.failures += 1
        feed.last_error = error[:FEED_ERROR_MAX]
        feed.last_seen = feed.last_new = 0
        wait = min(_every(feed) * 2 ** min(feed.failures - 1, 10), max(BACKOFF_MAX, _every(feed)))
        feed.next_poll_at = now + wait
        return
    feed.failures = 0
    feed.last_error = ""
    feed.last_seen = ingested.seen if ingested else 0
    feed.last_new = ingested.new if ingested else 0
    if status == PollStatus.ok:
        feed.etag, feed.last_modified = etag, last_modified
    feed.next_poll_at = now + _every(feed)
    session.flush()
