"""Plans shared up for review, and the managers' answers.

A researcher asks a manager of the project's team to review one plan version,
with the questions leadership should answer. A manager answers once: the
decision, an answer per question and a note. Both sides can comment."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, StringConstraints
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from app.db import EnumText, UTCDateTime, in_check, utcnow
from app.inputs import NOT_BLANK, Id

QUESTION_MAX = 1000
QUESTIONS_MAX = 20
ANSWER_MAX = 5000
COMMENT_MAX = 10_000


class RequestStatus(StrEnum):
    open = "open"
    answered = "answered"
    withdrawn = "withdrawn"


class Decision(StrEnum):
    acknowledged = "acknowledged"
    approved = "approved"
    changes_requested = "changes_requested"

    @property
    def label(self) -> str:
        return {
            "acknowledged": "scoop risk acknowledged",
            "approved": "approved (scoop risk acknowledged)",
            "changes_requested": "changes requested",
        }[self.value]

    @property
    def accepts_risk(self) -> bool:
        """Approving a plan accepts its scoop risk as much as acknowledging it."""
        return self is not Decision.changes_requested


class ReviewRequest(SQLModel, table=True):
    __tablename__ = "review_request"
    __table_args__ = (
        sa.CheckConstraint(in_check("status", RequestStatus), name="status"),
        sa.Index("ix_review_request_team_status", "team_id", "status"),
        sa.Index("ix_review_request_reviewer_status", "reviewer_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    plan_version_id: int = Field(foreign_key="plan_version.id")
    team_id: int = Field(foreign_key="team.id")
    requested_by_id: int = Field(foreign_key="user.id", index=True)
    # The manager asked; None once they left the team (any manager may answer).
    reviewer_id: int | None = Field(default=None, foreign_key="user.id")
    status: RequestStatus = Field(default=RequestStatus.open, sa_type=EnumText(RequestStatus, 12))
    # Bumped by every change (questions edited, answered, withdrawn): a
    # manager answering from an older number gets a conflict.
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReviewQuestion(SQLModel, table=True):
    __tablename__ = "review_question"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "position", name="uq_review_question_position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="review_request.id", index=True)
    position: int
    text: str = Field(sa_type=sa.Text)
    answer: str = Field(default="", sa_type=sa.Text)


class Review(SQLModel, table=True):
    """The answer to a request: one per request, enforced by the database."""

    __table_args__ = (sa.CheckConstraint(in_check("decision", Decision), name="decision"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="review_request.id", unique=True)
    reviewer_id: int = Field(foreign_key="user.id")
    decision: Decision = Field(sa_type=EnumText(Decision, 20))
    note: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReviewComment(SQLModel, table=True):
    __tablename__ = "review_comment"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="review_request.id", index=True)
    author_id: int = Field(foreign_key="user.id")
    body: str = Field(sa_type=sa.Text)
    # `body` as sanitized HTML, rendered when the comment is written.
    body_html: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# ---------------------------------------------------------------- inputs

Question = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=QUESTION_MAX),
    NOT_BLANK,
]
Answer = Annotated[str, StringConstraints(strip_whitespace=True, max_length=ANSWER_MAX)]
CommentBody = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=COMMENT_MAX),
    NOT_BLANK,
]
Version = Id


class RequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reviewer_id: Id
    questions: Annotated[list[Question], PydanticField(min_length=1, max_length=QUESTIONS_MAX)]


class QuestionsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: Version
    questions: Annotated[list[Question], PydanticField(min_length=1, max_length=QUESTIONS_MAX)]


class ReviewCreate(BaseModel):
    """`version` is the request's, `plan_number` the project's newest plan,
    both as the manager saw them when they started the review."""

    model_config = ConfigDict(extra="forbid")
    version: Version
    plan_number: Version
    decision: Decision
    answers: Annotated[list[Answer], PydanticField(max_length=QUESTIONS_MAX)] = []
    note: Answer = ""


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: CommentBody


class QuestionPublic(BaseModel):
    position: int
    text: str
    answer: str


class ReviewPublic(BaseModel):
    reviewer_id: int
    reviewer_name: str
    decision: Decision
    note: str
    created_at: datetime


class RequestPublic(BaseModel):
    id: int
    project_id: int
    project_title: str
    plan_number: int
    team_id: int
    requested_by_id: int
    reviewer_id: int | None
    status: RequestStatus
    version: int
    created_at: datetime
    questions: list[QuestionPublic]
    review: ReviewPublic | None


class CommentPublic(BaseModel):
    id: int
    author_id: int
    author_name: str
    body: str
    created_at: datetime
