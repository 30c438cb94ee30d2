"""In-app notifications: what happened that a user should look at."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from app.db import EnumText, UTCDateTime, in_check, utcnow
from app.inputs import Id


class NoticeKind(StrEnum):
    review_requested = "review_requested"
    review_answered = "review_answered"
    comment_added = "comment_added"
    release_linked = "release_linked"
    scoop_suggested = "scoop_suggested"  # a feed found a likely scoop of a project
    round_requested = "round_requested"  # asked to estimate a project's scores


class Notification(SQLModel, table=True):
    __table_args__ = (
        sa.CheckConstraint(in_check("kind", NoticeKind), name="kind"),
        sa.Index("ix_notification_user_created", "user_id", "created_at"),
        sa.Index("ix_notification_user_unread", "user_id", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    kind: NoticeKind = Field(sa_type=EnumText(NoticeKind, 20))
    actor_id: int = Field(foreign_key="user.id")
    project_id: int | None = Field(default=None, foreign_key="project.id")
    request_id: int | None = Field(default=None, foreign_key="review_request.id")
    release_id: int | None = Field(default=None, foreign_key="release.id")
    round_id: int | None = Field(default=None, foreign_key="scoring_round.id")
    # Written when it happens: the project's title then, the decision, ...
    summary: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MarkRead(BaseModel):
    """Mark read everything up to `up_to_id` (the newest one you have seen),
    so that a notification arriving meanwhile stays unread; all, if left out."""

    model_config = ConfigDict(extra="forbid")
    up_to_id: Id | None = None


class NotificationPublic(BaseModel):
    id: int
    kind: NoticeKind
    actor_id: int
    actor_name: str
    project_id: int | None
    request_id: int | None
    release_id: int | None
    round_id: int | None = None
    summary: str = PydanticField(description="Written when it happened; empty when `hidden`")
    created_at: datetime
    read_at: datetime | None
    hidden: bool = PydanticField(
        description="About a project you can no longer open: its title is not shown"
    )
