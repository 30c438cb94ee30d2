"""Feeds and the items they brought in.

A feed belongs to a user, or to a team (then its items are matched against
the team's projects and every member sees the feed). Polling state lives on
the feed row: the validators for a conditional GET, what the last poll saw,
its error in words, and the lease that lets exactly one process poll it.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator, model_validator
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from app.db import EnumText, UTCDateTime, in_check, utcnow
from app.feeds.parse import validate_arxiv_query
from app.inputs import Id, integer

FEED_TITLE_MAX = 200
FEED_URL_MAX = 2000
FEED_QUERY_MAX = 500
FEED_ERROR_MAX = 500
INTERVAL_MIN = 15
INTERVAL_MAX = 7 * 24 * 60
DEFAULT_INTERVAL = 6 * 60  # arXiv's listings change once a day


class FeedKind(StrEnum):
    rss = "rss"  # any RSS or Atom address
    arxiv = "arxiv"  # an arXiv API query


class PollStatus(StrEnum):
    never = "never"
    ok = "ok"
    not_modified = "not_modified"
    error = "error"


class Feed(SQLModel, table=True):
    __table_args__ = (
        sa.CheckConstraint(in_check("kind", FeedKind), name="kind"),
        sa.CheckConstraint(in_check("last_status", PollStatus), name="last_status"),
        sa.Index("ix_feed_due", "paused", "next_poll_at"),
        sa.Index("ix_feed_owner", "owner_id"),
        sa.Index("ix_feed_team", "team_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="user.id")  # who added it
    team_id: int | None = Field(default=None, foreign_key="team.id")
    kind: FeedKind = Field(sa_type=EnumText(FeedKind, 8))
    title: str = Field(default="", max_length=FEED_TITLE_MAX)
    url: str = Field(max_length=FEED_URL_MAX)  # what is fetched (an arXiv query's API address)
    query: str | None = Field(default=None, max_length=FEED_QUERY_MAX)
    interval_minutes: int = Field(default=DEFAULT_INTERVAL)
    paused: bool = Field(default=False)

    etag: str | None = Field(default=None, max_length=500)
    last_modified: str | None = Field(default=None, max_length=100)
    next_poll_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Set while a process polls it; a lease that runs out (a crash) frees it.
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_polled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status: PollStatus = Field(default=PollStatus.never, sa_type=EnumText(PollStatus, 12))
    last_error: str = Field(default="", max_length=FEED_ERROR_MAX)
    last_seen: int = 0  # entries in the last document read
    last_new: int = 0  # of those, how many this feed had not seen before
    failures: int = 0  # errors in a row, for the backoff
    items_total: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FeedItem(SQLModel, table=True):
    """A release as one feed saw it: the same paper in two feeds is one
    release with two items."""

    __tablename__ = "feed_item"
    __table_args__ = (
        sa.UniqueConstraint("feed_id", "release_id", name="uq_feed_item_feed_release"),
        sa.Index("ix_feed_item_feed_seen", "feed_id", "id"),
        sa.Index("ix_feed_item_feed_guid", "feed_id", "guid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    feed_id: int = Field(foreign_key="feed.id", ondelete="CASCADE")
    # None once the release is deleted from the log: the item stays, so the
    # next poll does not bring the release back.
    release_id: int | None = Field(default=None, foreign_key="release.id", ondelete="SET NULL")
    guid: str = Field(default="", max_length=500)
    seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# ---------------------------------------------------------------- inputs

FeedTitle = Annotated[str, StringConstraints(strip_whitespace=True, max_length=FEED_TITLE_MAX)]
FeedUrl = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=FEED_URL_MAX)
]
FeedQuery = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=FEED_QUERY_MAX)
]
Interval = integer(ge=INTERVAL_MIN, le=INTERVAL_MAX)


def _http_url(value: str) -> str:
    if not value.lower().startswith(("http://", "https://")):
        raise ValueError("Enter a feed address starting with http:// or https://")
    return value


class FeedCreate(BaseModel):
    """An RSS/Atom address (`kind: rss`), or an arXiv query (`kind: arxiv`
    with `query`, e.g. `cat:cs.CL AND abs:"instruction tuning"`; an arXiv API
    `url` works too)."""

    model_config = ConfigDict(extra="forbid")

    kind: FeedKind
    url: FeedUrl | None = None
    query: FeedQuery | None = None
    title: FeedTitle = ""
    team_id: Id | None = None
    interval_minutes: Interval = PydanticField(  # type: ignore[valid-type]
        default=DEFAULT_INTERVAL, description="Minutes between polls (15 to 10080)"
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _http_url(value)

    @field_validator("query")
    @classmethod
    def _query(cls, value: str | None) -> str | None:
        return None if value is None else validate_arxiv_query(value)

    @model_validator(mode="after")
    def _source(self) -> "FeedCreate":
        if self.kind == FeedKind.rss:
            if not self.url:
                raise ValueError("Give the feed's address (url)")
            if self.query:
                raise ValueError("A query is for arXiv feeds; give an address instead")
        elif not (self.query or self.url):
            raise ValueError('Give an arXiv query, e.g. cat:cs.CL AND abs:"instruction tuning"')
        return self


class FeedUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: FeedTitle | None = None
    query: FeedQuery | None = None
    url: FeedUrl | None = None
    interval_minutes: Interval | None = None  # type: ignore[valid-type]
    paused: bool | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _http_url(value)

    @field_validator("query")
    @classmethod
    def _query(cls, value: str | None) -> str | None:
        return None if value is None else validate_arxiv_query(value)


# ---------------------------------------------------------------- outputs


class FeedPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: FeedKind
    title: str
    url: str
    query: str | None
    team_id: int | None
    owner_id: int
    interval_minutes: int
    paused: bool
    last_polled_at: datetime | None
    last_status: PollStatus
    last_error: str
    last_seen: int
    last_new: int
    items_total: int
    next_poll_at: datetime
    created_at: datetime


class PollResult(BaseModel):
    feed: FeedPublic
    status: PollStatus
    seen: int = PydanticField(description="Entries in the document read")
    new: int = PydanticField(description="Entries this feed had not seen before")
    releases_created: int = PydanticField(description="New releases in the log")
    suggestions: int = PydanticField(description="Suggestions added to inboxes")
    error: str
