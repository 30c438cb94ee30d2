"""Suggestions: a release matched to a project, with the reasons, waiting in
the project owner's inbox. Confirming one creates the release link;
"not relevant" is feedback the next matching of that project learns from."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlmodel import Field, SQLModel

from app.db import EnumText, UTCDateTime, in_check, utcnow
from app.releases.models import NOTE_MAX, LinkEffect


class SuggestionState(StrEnum):
    open = "open"
    confirmed = "confirmed"
    dismissed = "dismissed"  # not now: no feedback
    not_relevant = "not_relevant"  # a negative example for the project


class Suggestion(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("release_id", "project_id", name="uq_suggestion_release_project"),
        sa.CheckConstraint(in_check("effect", LinkEffect), name="effect"),
        sa.CheckConstraint(in_check("state", SuggestionState), name="state"),
        sa.CheckConstraint("score >= 0 AND score <= 1", name="score_range"),
        sa.Index("ix_suggestion_project_state", "project_id", "state"),
        sa.Index("ix_suggestion_owner_state", "owner_id", "state", "score"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # The project's owner: the one who triages it.
    owner_id: int = Field(foreign_key="user.id")
    release_id: int = Field(foreign_key="release.id", ondelete="CASCADE")
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    feed_id: int | None = Field(default=None, foreign_key="feed.id", ondelete="SET NULL")
    score: float
    effect: LinkEffect = Field(sa_type=EnumText(LinkEffect))
    # {"terms": [...], "similar_release": {"id", "title"} | null}
    explanation: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    state: SuggestionState = Field(
        default=SuggestionState.open, sa_type=EnumText(SuggestionState, 12)
    )
    note: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# ---------------------------------------------------------------- inputs

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=NOTE_MAX)]


class SuggestionConfirm(BaseModel):
    """Confirm with the suggested effect, or another; a note is kept on the link."""

    model_config = ConfigDict(extra="forbid")

    effect: LinkEffect | None = None
    note: Note = ""


class DismissReason(StrEnum):
    not_relevant = "not_relevant"


class SuggestionDismiss(BaseModel):
    """`{"reason": "not_relevant"}` teaches the project's matching; without a
    reason it is only put away."""

    model_config = ConfigDict(extra="forbid")

    reason: DismissReason | None = None


# ---------------------------------------------------------------- outputs


class SimilarRelease(BaseModel):
    id: int
    title: str


class Explanation(BaseModel):
    terms: list[str]
    similar_release: SimilarRelease | None = None


class SuggestionPublic(BaseModel):
    id: int
    release_id: int
    project_id: int
    feed_id: int | None
    score: float
    effect: LinkEffect
    explanation: Explanation
    state: SuggestionState
    note: str
    created_at: datetime
    decided_at: datetime | None
    release_title: str
    project_title: str


class SuggestionPage(BaseModel):
    items: list[SuggestionPublic]
