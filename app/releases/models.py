"""External releases (papers, models, datasets, products, benchmarks) and
their links to the projects they touch."""

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator, model_validator
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from app.db import EnumText, UTCDateTime, in_check, utcnow
from app.inputs import NOT_BLANK, Id, IsoDate
from app.listing import folded_text
from app.releases.urls import BadUrl, arxiv_id, external_id, normalise_url

RELEASE_TITLE_MAX = 300
ORGANISATION_MAX = 200
URL_MAX = 2000
RELEASE_SUMMARY_MAX = 10_000
NOTE_MAX = 2000


class ReleaseKind(StrEnum):
    paper = "paper"
    model = "model"
    dataset = "dataset"
    product = "product"
    benchmark = "benchmark"


class ReleaseSource(StrEnum):
    manual = "manual"
    feed = "feed"
    api = "api"


class LinkEffect(StrEnum):
    """What a release does to a project. A scoop is an event to re-plan
    around, never an outcome of the project."""

    scoop = "scoop"
    partial_scoop = "partial_scoop"
    new_baseline = "new_baseline"
    reinforces = "reinforces"
    related = "related"

    @property
    def label(self) -> str:
        return _EFFECT_LABELS[self]


_EFFECT_LABELS = {
    LinkEffect.scoop: "scoop",
    LinkEffect.partial_scoop: "partial scoop",
    LinkEffect.new_baseline: "new baseline",
    LinkEffect.reinforces: "reinforces the plan",
    LinkEffect.related: "related",
}
SCOOP_EFFECTS = (LinkEffect.scoop, LinkEffect.partial_scoop)


class LinkState(StrEnum):
    confirmed = "confirmed"
    suggested = "suggested"  # from matching, waiting in the triage inbox
    dismissed = "dismissed"


class Release(SQLModel, table=True):
    __table_args__ = (
        sa.CheckConstraint(in_check("kind", ReleaseKind), name="kind"),
        sa.CheckConstraint(in_check("source", ReleaseSource), name="source"),
        # Dedupe is the database's job too, not only the form's.
        sa.UniqueConstraint("owner_id", "url_key", name="uq_release_owner_url_key"),
        sa.UniqueConstraint("owner_id", "external_id", name="uq_release_owner_external_id"),
        sa.Index("ix_release_owner_released", "owner_id", "released_on", "id"),
        # The log's organisation picker groups by it.
        sa.Index("ix_release_owner_organisation", "owner_id", "organisation"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="user.id")
    title: str = Field(max_length=RELEASE_TITLE_MAX)
    kind: ReleaseKind = Field(sa_type=EnumText(ReleaseKind))
    organisation: str = Field(default="", max_length=ORGANISATION_MAX)
    released_on: date
    url: str | None = Field(default=None, max_length=URL_MAX)
    url_key: str | None = Field(default=None, max_length=URL_MAX)
    external_id: str | None = Field(default=None, max_length=100)
    summary: str = Field(default="", sa_type=sa.Text)
    source: ReleaseSource = Field(default=ReleaseSource.manual, sa_type=EnumText(ReleaseSource))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Title, organisation and summary, folded for an accent- and case-blind
    # search (app.listing.fold); kept up to date on every write, below.
    search_text: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})


@sa.event.listens_for(Release, "before_insert")
@sa.event.listens_for(Release, "before_update")
def _fold_for_search(_mapper, _connection, release: Release) -> None:
    release.search_text = folded_text(release.title, release.organisation, release.summary)


class ReleaseLink(SQLModel, table=True):
    __tablename__ = "release_link"
    __table_args__ = (
        sa.UniqueConstraint("release_id", "project_id", name="uq_release_link_release_project"),
        sa.CheckConstraint(in_check("effect", LinkEffect), name="effect"),
        sa.CheckConstraint(in_check("state", LinkState), name="state"),
        sa.Index("ix_release_link_project", "project_id", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    release_id: int = Field(foreign_key="release.id", ondelete="CASCADE")
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    effect: LinkEffect = Field(sa_type=EnumText(LinkEffect))
    state: LinkState = Field(default=LinkState.confirmed, sa_type=EnumText(LinkState))
    note: str = Field(default="", sa_type=sa.Text)
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# ---------------------------------------------------------------- inputs

ReleaseTitle = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=RELEASE_TITLE_MAX),
    NOT_BLANK,
]
Organisation = Annotated[str, StringConstraints(strip_whitespace=True, max_length=ORGANISATION_MAX)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=NOTE_MAX)]
# What ReleaseCreate._url accepts, for the OpenAPI document: nothing, an http(s)
# address or a bare arXiv id (new style 2401.12345 or old style hep-th/9901001).
URL_PATTERN = (
    r"^\s*("
    r"[Hh][Tt][Tt][Pp][Ss]?://\S[\s\S]*"
    r"|([Aa][Rr][Xx][Ii][Vv]:)?\s*([0-9]{4}\.[0-9]{4,5}|[A-Za-z-]+(\.[A-Za-z]{2})?/[0-9]{7})([Vv][0-9]+)?"
    r")?\s*$"
)
ReleaseUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=URL_MAX),
    PydanticField(json_schema_extra={"pattern": URL_PATTERN}),
]


class ReleaseCreate(BaseModel):
    """A release as a person or a script enters it. `url` may also be a bare
    arXiv id ("2401.12345"), which becomes its abs page."""

    model_config = ConfigDict(extra="forbid")

    title: ReleaseTitle
    kind: ReleaseKind
    organisation: Organisation = ""
    released_on: IsoDate = PydanticField(
        description="The day it came out: not in the future, nor before 1950"
    )
    url: ReleaseUrl = ""
    summary: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=RELEASE_SUMMARY_MAX)
    ] = ""

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value:
            return value
        arxiv = arxiv_id(value)
        if arxiv and not value.lower().startswith(("http://", "https://")):
            return f"https://arxiv.org/abs/{arxiv.removeprefix('arxiv:')}"
        try:
            normalise_url(value)
        except BadUrl as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("released_on")
    @classmethod
    def _not_future(cls, value: date) -> date:
        # A day of slack for time zones ahead of UTC.
        if value > date.today() + timedelta(days=1):
            raise ValueError("A release date cannot be in the future")
        if value.year < 1950:
            raise ValueError("That date is too far in the past")
        return value

    def keys(self) -> tuple[str | None, str | None]:
        """(url_key, external_id) used to find the same release again."""
        if not self.url:
            return None, None
        return normalise_url(self.url), external_id(self.url)


class LinkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project_id: Id
    effect: LinkEffect
    note: Note = ""


# At most this many projects linked in the same call as the release is logged.
LINKS_AT_ONCE_MAX = 100


class ReleaseCreateLinked(ReleaseCreate):
    """A release and, optionally, the projects it touches, each with its
    effect: logged and linked together, or not at all."""

    links: list[LinkCreate] = PydanticField(
        default_factory=list,
        max_length=LINKS_AT_ONCE_MAX,
        description="Projects of yours it touches, each once, with its effect and a note",
    )

    @field_validator("links")
    @classmethod
    def _each_project_once(cls, links: list[LinkCreate]) -> list[LinkCreate]:
        ids = [link.project_id for link in links]
        if len(set(ids)) != len(ids):
            raise ValueError("Link each project once")
        return links

    def release(self) -> ReleaseCreate:
        return ReleaseCreate.model_validate(self.model_dump(exclude={"links"}))


class LinkUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        # The rule of _something, for the OpenAPI document.
        json_schema_extra={
            "anyOf": [
                {"required": ["effect"], "properties": {"effect": {"not": {"type": "null"}}}},
                {"required": ["note"], "properties": {"note": {"not": {"type": "null"}}}},
            ]
        },
    )

    effect: LinkEffect | None = None
    note: Note | None = None

    @model_validator(mode="after")
    def _something(self) -> "LinkUpdate":
        if self.effect is None and self.note is None:
            raise ValueError("Give an effect or a note to change")
        return self


# ---------------------------------------------------------------- outputs


class ReleasePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    kind: ReleaseKind
    organisation: str
    released_on: date
    url: str | None
    external_id: str | None
    summary: str
    source: ReleaseSource
    created_at: datetime


class ReleasePage(BaseModel):
    items: list[ReleasePublic]
    next_before: str | None = PydanticField(
        description="Pass as `before` to get the next (older) page; null on the last page"
    )


class LinkPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    release_id: int
    project_id: int
    effect: LinkEffect
    state: LinkState
    note: str
    created_at: datetime
    updated_at: datetime


class ReleaseLinked(ReleasePublic):
    """A release just logged, with the links made with it."""

    links: list[LinkPublic]
