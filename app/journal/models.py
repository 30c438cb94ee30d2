"""The process journal: what was done and learned, at what pace.

Entries are private to their author unless shared, one entry at a time,
with one of the author's teams. Edits keep the earlier text as revisions;
entries are archived, never deleted."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, StringConstraints
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from app.db import EnumText, UTCDateTime, in_check, utcnow
from app.inputs import Bool, Id, IsoDate, decimal, integer
from app.listing import folded_text

BODY_MAX = 20_000
LEARNED_MAX = 5_000


class EntryKind(StrEnum):
    experiment = "experiment"
    reading = "reading"
    evaluation = "evaluation"
    infrastructure = "infrastructure"
    writing = "writing"
    planning = "planning"
    rest = "rest"
    replan = "replan"
    review = "review"  # the weekly review

    @property
    def label(self) -> str:
        return (
            "re-plan"
            if self is EntryKind.replan
            else "weekly review"
            if self is EntryKind.review
            else self.value
        )


# The kinds a person picks in a form (a weekly review is written from its own page).
ENTRY_KIND_OPTIONS = [(k.value, k.label) for k in EntryKind if k is not EntryKind.review]


class JournalEntry(SQLModel, table=True):
    __tablename__ = "journal_entry"
    __table_args__ = (
        sa.CheckConstraint(in_check("kind", EntryKind), name="kind"),
        sa.CheckConstraint("energy IS NULL OR energy BETWEEN 1 AND 5", name="energy_range"),
        sa.CheckConstraint("hours IS NULL OR (hours >= 0 AND hours <= 24)", name="hours_range"),
        sa.Index("ix_journal_entry_author_day", "author_id", "day", "id"),
        sa.Index("ix_journal_entry_project", "project_id", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(foreign_key="user.id")
    project_id: int | None = Field(default=None, foreign_key="project.id")
    replan_id: int | None = Field(default=None, foreign_key="replan.id")
    # Opt-in: shared with this team's members; None (the default) is private.
    shared_team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    # The day the work happened, in the author's time zone.
    day: date
    kind: EntryKind = Field(sa_type=EnumText(EntryKind))
    body: str = Field(default="", sa_type=sa.Text)
    # `body` as sanitized HTML, rendered when the body is written (never per view).
    body_html: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})
    learned: str = Field(default="", sa_type=sa.Text)
    hours: Decimal | None = Field(default=None, sa_type=sa.Numeric(4, 1))
    energy: int | None = Field(default=None, sa_type=sa.SmallInteger)
    serves_purpose: bool = Field(default=False)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Body and learned, folded for an accent- and case-blind search
    # (app.listing.fold); kept up to date on every write, below.
    search_text: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})


@sa.event.listens_for(JournalEntry, "before_insert")
@sa.event.listens_for(JournalEntry, "before_update")
def _fold_for_search(_mapper, _connection, entry: JournalEntry) -> None:
    entry.search_text = folded_text(entry.body, entry.learned)


class JournalRevision(SQLModel, table=True):
    """An entry as it was before an edit."""

    __tablename__ = "journal_revision"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="journal_entry.id", index=True, ondelete="CASCADE")
    version: int
    day: date
    kind: EntryKind = Field(sa_type=EnumText(EntryKind))
    project_id: int | None = None
    body: str = Field(default="", sa_type=sa.Text)
    body_html: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})
    learned: str = Field(default="", sa_type=sa.Text)
    hours: Decimal | None = Field(default=None, sa_type=sa.Numeric(4, 1))
    energy: int | None = Field(default=None, sa_type=sa.SmallInteger)
    serves_purpose: bool = Field(default=False)
    replaced_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class JournalSettings(SQLModel, table=True):
    """A person's purpose statement and the thresholds of their pace nudges."""

    __tablename__ = "journal_settings"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    purpose: str = Field(default="", sa_type=sa.Text)
    weekly_hours_limit: int = Field(default=50)
    weeks_over_limit: int = Field(default=3)
    late_hour: int = Field(default=22)  # entries logged from this hour until 5 count as late


# ---------------------------------------------------------------- inputs

Body = Annotated[str, StringConstraints(strip_whitespace=True, max_length=BODY_MAX)]
Learned = Annotated[str, StringConstraints(strip_whitespace=True, max_length=LEARNED_MAX)]
Hours = decimal(ge=0, le=24, places=1)
Energy = integer(ge=1, le=5)
TeamId = integer(
    ge=1,
    description="One of the author's teams, whose members may then read the entry "
    "(never its hours or energy); null keeps it private.",
)


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: IsoDate | None = None  # today, in the author's time zone
    kind: EntryKind
    project_id: Id | None = None
    body: Body = ""
    learned: Learned = ""
    hours: Hours | None = None
    energy: Energy | None = None
    serves_purpose: Bool = False
    # Opt-in: a team of the author's whose members may read the entry.
    shared_team_id: TeamId | None = None


class EntryUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Id
    day: IsoDate | None = None
    kind: EntryKind | None = None
    project_id: Id | None = None
    body: Body | None = None
    learned: Learned | None = None
    hours: Hours | None = None
    energy: Energy | None = None
    serves_purpose: Bool | None = None
    shared_team_id: TeamId | None = None  # null makes the entry private again


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    weekly_hours_limit: Annotated[int, PydanticField(ge=1, le=168)] = 50
    weeks_over_limit: Annotated[int, PydanticField(ge=1, le=12)] = 3
    late_hour: Annotated[int, PydanticField(ge=18, le=23)] = 22


class EntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    day: date
    kind: EntryKind
    project_id: int | None
    replan_id: int | None
    body: str
    learned: str
    hours: Decimal | None
    energy: int | None
    serves_purpose: bool
    shared_team_id: int | None
    version: int
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None


class EntryPage(BaseModel):
    items: list[EntryPublic]
    next_before: str | None
