"""A re-plan: the record of one scoop handled, from the release to the new
plan version. A scoop is something that happened to a plan; the re-plan is
what the researcher decided to do about it."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

import sqlalchemy as sa
from pydantic import (
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from sqlmodel import Field, SQLModel

from app.db import EnumText, UTCDateTime, in_check, utcnow
from app.inputs import NOT_BLANK, Id
from app.projects.models import AssessmentIn, PlanIn
from app.releases.models import LinkEffect, ReleaseCreate

REPLAN_TEXT_MAX = 5000


class ReplanDecision(StrEnum):
    differentiate = "differentiate"
    evaluate = "evaluate"
    build_on = "build_on"
    collaborate = "collaborate"
    pause = "pause"
    retire = "retire"

    @property
    def label(self) -> str:
        return DECISION_GUIDANCE[self][0]

    @property
    def guidance(self) -> str:
        return DECISION_GUIDANCE[self][1]


DECISION_GUIDANCE = {
    ReplanDecision.differentiate: (
        "Differentiate",
        "Aim for best or open instead of first: what can we do that they did not?",
    ),
    ReplanDecision.evaluate: (
        "Evaluate more thoroughly",
        "Their release is a claim; a careful, independent evaluation is a contribution of its own.",
    ),
    ReplanDecision.build_on: (
        "Build on their artifact",
        "Use what they shipped as the new baseline and start further along.",
    ),
    ReplanDecision.collaborate: (
        "Collaborate",
        "Reach out: combined work is often stronger than two competing versions.",
    ),
    ReplanDecision.pause: (
        "Pause",
        "Put the project on hold and come back when the picture is clearer.",
    ),
    ReplanDecision.retire: (
        "Retire with learnings",
        "Stop here on purpose, and write down what we learned so it carries over.",
    ),
}


class Replan(SQLModel, table=True):
    __table_args__ = (
        sa.CheckConstraint(in_check("decision", ReplanDecision), name="decision"),
        sa.CheckConstraint("effect IN ('scoop', 'partial_scoop')", name="effect"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    release_id: int = Field(foreign_key="release.id", index=True)
    author_id: int = Field(foreign_key="user.id")
    effect: LinkEffect = Field(sa_type=EnumText(LinkEffect))
    what_they_did: str = Field(sa_type=sa.Text)
    what_stands: str = Field(sa_type=sa.Text)
    decision: ReplanDecision = Field(sa_type=EnumText(ReplanDecision))
    learnings: str = Field(default="", sa_type=sa.Text)
    # What a journal entry about this re-plan would say, written once at the end.
    summary: str = Field(default="", sa_type=sa.Text)
    assessment_before_id: int = Field(foreign_key="assessment.id")
    assessment_after_id: int = Field(foreign_key="assessment.id")
    plan_before_id: int | None = Field(default=None, foreign_key="plan_version.id")
    plan_after_id: int = Field(foreign_key="plan_version.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReplanDraft(SQLModel, table=True):
    """What was typed in an unfinished re-plan, so leaving midway loses nothing."""

    __tablename__ = "replan_draft"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "author_id", name="uq_replan_draft_project_author"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    author_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    step: int = Field(default=1)
    data: dict = Field(default_factory=dict, sa_type=sa.JSON)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


ReplanText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=REPLAN_TEXT_MAX)]
RequiredText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=REPLAN_TEXT_MAX),
    NOT_BLANK,
]


class ReplanCreate(BaseModel):
    """A whole re-plan, as the wizard's last step or one API call sends it."""

    model_config = ConfigDict(
        extra="forbid",
        # The rules of the validators below, for the OpenAPI document.
        json_schema_extra={
            "oneOf": [
                {
                    "required": ["release_id"],
                    "properties": {"release_id": {"type": "integer"}, "release": {"type": "null"}},
                },
                {
                    "required": ["release"],
                    "properties": {"release": {"type": "object"}, "release_id": {"type": "null"}},
                },
            ],
            "if": {"required": ["decision"], "properties": {"decision": {"const": "retire"}}},
            "then": {"required": ["learnings"], "properties": {"learnings": {"pattern": "\\S"}}},
        },
    )

    version: Id
    release_id: Id | None = None
    release: ReleaseCreate | None = None
    effect: Literal[LinkEffect.scoop, LinkEffect.partial_scoop] = LinkEffect.scoop
    what_they_did: RequiredText
    what_stands: RequiredText
    decision: ReplanDecision
    learnings: ReplanText = ""
    assessment: AssessmentIn
    plan: PlanIn

    @field_validator("learnings")
    @classmethod
    def _retiring_needs_learnings(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("decision") == ReplanDecision.retire and not value:
            raise ValueError("Retiring a project needs its learnings written down")
        return value

    @model_validator(mode="after")
    def _one_release(self) -> "ReplanCreate":
        if (self.release_id is None) == (self.release is None):
            raise ValueError("Give either release_id (a logged release) or release (a new one)")
        return self


class ReplanPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    project_id: int
    release_id: int
    effect: LinkEffect
    what_they_did: str
    what_stands: str
    decision: ReplanDecision
    learnings: str
    summary: str
    assessment_before_id: int
    assessment_after_id: int
    plan_before_id: int | None
    plan_after_id: int
    created_at: datetime
