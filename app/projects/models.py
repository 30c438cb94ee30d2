"""Projects, their assessments (scores) and their plan versions.

Table models are what is stored; the plain Pydantic models beside them are
what callers may send, validated strictly (table models skip validation).
"""

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from app.db import EnumText, UTCDateTime, in_check, utcnow
from app.inputs import NOT_BLANK, Id, IsoDate, integer
from app.scoring import SuccessAxis

TITLE_MAX = 200
SUMMARY_MAX = 5000
RATIONALE_MAX = 2000
PLAN_FIELD_MAX = 5000
KEYWORD_MAX = 40
KEYWORDS_MAX = 20
# What a sender may send on the way to those 20, blanks and repeats included:
# generous for people, small enough that refusing more costs nothing.
KEYWORDS_SENT_MAX = 10 * KEYWORDS_MAX
KEYWORDS_TEXT_MAX = KEYWORDS_SENT_MAX * (KEYWORD_MAX + 2)  # "a, b, …" as one string


class ProjectStatus(StrEnum):
    idea = "idea"
    active = "active"
    paused = "paused"
    shipped = "shipped"
    retired = "retired"


class PlanReason(StrEnum):
    initial = "initial"
    revision = "revision"
    replan = "replan"


# ---------------------------------------------------------------- tables


class Project(SQLModel, table=True):
    __table_args__ = (
        sa.CheckConstraint(in_check("status", ProjectStatus), name="status"),
        sa.Index("ix_project_owner_archived", "owner_id", "archived_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="user.id")
    # Shared with this team (its members may read it, its managers review
    # its plans); None is private. The owner must be a member.
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    title: str = Field(max_length=TITLE_MAX)
    summary: str = Field(default="", sa_type=sa.Text)
    status: ProjectStatus = Field(default=ProjectStatus.idea, sa_type=EnumText(ProjectStatus))
    # Bumped by every change; a writer holding an older number gets a conflict.
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ProjectKeyword(SQLModel, table=True):
    __tablename__ = "project_keyword"

    project_id: int = Field(foreign_key="project.id", primary_key=True, ondelete="CASCADE")
    keyword: str = Field(max_length=KEYWORD_MAX, primary_key=True, index=True)


class Assessment(SQLModel, table=True):
    """One scoring of a project. The newest is current; all are history."""

    __table_args__ = (
        sa.CheckConstraint("attainability BETWEEN 1 AND 5", name="attainability_range"),
        sa.CheckConstraint("scoop_risk BETWEEN 1 AND 5", name="scoop_risk_range"),
        sa.CheckConstraint("impact BETWEEN 1 AND 5", name="impact_range"),
        sa.CheckConstraint(in_check("success_axis", SuccessAxis), name="success_axis"),
        sa.Index("ix_assessment_project_id_id", "project_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    author_id: int = Field(foreign_key="user.id")
    attainability: int = Field(sa_type=sa.SmallInteger)
    scoop_risk: int = Field(sa_type=sa.SmallInteger)
    impact: int = Field(sa_type=sa.SmallInteger)
    success_axis: SuccessAxis = Field(sa_type=EnumText(SuccessAxis, 8))
    attainability_rationale: str = Field(default="", sa_type=sa.Text)
    scoop_risk_rationale: str = Field(default="", sa_type=sa.Text)
    impact_rationale: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PlanVersion(SQLModel, table=True):
    __tablename__ = "plan_version"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "number", name="uq_plan_version_project_number"),
        sa.CheckConstraint(in_check("reason", PlanReason), name="reason"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    number: int
    author_id: int = Field(foreign_key="user.id")
    goal: str = Field(default="", sa_type=sa.Text)
    approach: str = Field(default="", sa_type=sa.Text)
    differentiation: str = Field(default="", sa_type=sa.Text)
    contingency: str = Field(default="", sa_type=sa.Text)
    questions: str = Field(default="", sa_type=sa.Text)
    horizon: date | None = None
    reason: PlanReason = Field(default=PlanReason.initial, sa_type=EnumText(PlanReason))
    reason_note: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# ---------------------------------------------------------------- inputs

# A number: JSON `true` or `"3"` is not a score (`3.0` is 3, as JSON Schema reads it).
Score = integer(ge=1, le=5)


def keywords_listed(value: object) -> object:
    """Keywords arrive as the list the schema says, of at most KEYWORDS_MAX
    items of at most KEYWORD_MAX characters as sent (a form splits its text
    first); normalise_keywords then reads each one."""
    if isinstance(value, str):
        raise ValueError("Send keywords as a list of text")
    if isinstance(value, list):
        if len(value) > KEYWORDS_MAX:
            raise ValueError(f"at most {KEYWORDS_MAX} keywords")
        if any(isinstance(raw, str) and len(raw) > KEYWORD_MAX for raw in value):
            raise ValueError(f"a keyword has at most {KEYWORD_MAX} characters")
    return value


# What normalise_keywords accepts, for the OpenAPI document: a keyword as sent,
# before its spaces are collapsed (a blank one is dropped).
Keywords = Annotated[
    list[str],
    PydanticField(
        json_schema_extra={
            "maxItems": KEYWORDS_MAX,
            "items": {
                "type": "string",
                "maxLength": KEYWORD_MAX,
                "pattern": r"^\s*(\w[\w\s.+#/-]*)?$",
            },
        }
    ),
]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX), NOT_BLANK
]
Summary = Annotated[str, StringConstraints(strip_whitespace=True, max_length=SUMMARY_MAX)]
Rationale = Annotated[str, StringConstraints(strip_whitespace=True, max_length=RATIONALE_MAX)]
PlanText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=PLAN_FIELD_MAX)]

_KEYWORD_RE = re.compile(r"^[\w][\w .+#/-]*$")


def normalise_keywords(value: object) -> object:
    """Accept a list or a comma-separated string; lower-case, trim, dedupe
    (first spelling's order kept).

    Runs on the event loop for every request that sends keywords, so it is
    linear and stops as soon as the input is over its bounds: a long string
    before it is split, a long list before it is read, and the 21st distinct
    keyword as soon as it is seen."""
    if isinstance(value, str):
        if len(value) > KEYWORDS_TEXT_MAX:
            raise ValueError(f"at most {KEYWORDS_MAX} keywords")
        value = value.split(",")
    if not isinstance(value, list):
        return value
    if len(value) > KEYWORDS_SENT_MAX:
        raise ValueError(f"at most {KEYWORDS_MAX} keywords")
    seen: dict[str, None] = {}  # a dict keeps the order a set would lose
    for raw in value:
        if not isinstance(raw, str):
            raise ValueError("keywords are text")
        keyword = " ".join(raw.split()).lower()
        if not keyword or keyword in seen:
            continue
        if len(keyword) > KEYWORD_MAX:
            raise ValueError(f"a keyword has at most {KEYWORD_MAX} characters")
        if not _KEYWORD_RE.match(keyword):
            raise ValueError(
                f"'{keyword[:20]}' is not a keyword: use letters, digits, spaces, - + . # /"
            )
        if len(seen) == KEYWORDS_MAX:
            raise ValueError(f"at most {KEYWORDS_MAX} keywords")
        seen[keyword] = None
    return list(seen)


class AssessmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    attainability: Score
    scoop_risk: Score
    impact: Score
    success_axis: SuccessAxis
    attainability_rationale: Rationale = ""
    scoop_risk_rationale: Rationale = ""
    impact_rationale: Rationale = ""


class AssessmentPatch(BaseModel):
    """A re-scoring: what is left out keeps its current value."""

    model_config = ConfigDict(extra="forbid")

    attainability: Score | None = None
    scoop_risk: Score | None = None
    impact: Score | None = None
    success_axis: SuccessAxis | None = None
    attainability_rationale: Rationale | None = None
    scoop_risk_rationale: Rationale | None = None
    impact_rationale: Rationale | None = None


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    goal: PlanText = ""
    approach: PlanText = ""
    differentiation: PlanText = ""
    contingency: PlanText = ""
    questions: PlanText = ""
    horizon: IsoDate | None = None


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    summary: Summary = ""
    keywords: Keywords = PydanticField(default_factory=list)
    status: ProjectStatus = ProjectStatus.idea
    team_id: Id | None = None
    assessment: AssessmentIn
    plan: PlanIn = PydanticField(default_factory=PlanIn)

    _keywords = field_validator("keywords", mode="before")(normalise_keywords)

    # Runs first (the last before-validator does): see keywords_listed.
    _listed = field_validator("keywords", mode="before")(keywords_listed)


class ProjectUpdate(BaseModel):
    """A change to a project. `version` is the one the caller last saw."""

    model_config = ConfigDict(extra="forbid")

    version: Id
    title: Title | None = None
    summary: Summary | None = None
    keywords: Keywords | None = None
    status: ProjectStatus | None = None
    # Set to share with a team, null to make private, left out to keep as is.
    team_id: Id | None = None
    assessment: AssessmentPatch | None = None

    _keywords = field_validator("keywords", mode="before")(normalise_keywords)

    # Runs first (the last before-validator does): see keywords_listed.
    _listed = field_validator("keywords", mode="before")(keywords_listed)


# ---------------------------------------------------------------- outputs


class AssessmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    attainability: int
    scoop_risk: int
    impact: int
    success_axis: SuccessAxis
    attainability_rationale: str
    scoop_risk_rationale: str
    impact_rationale: str
    created_at: datetime


class PlanPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: int
    goal: str
    approach: str
    differentiation: str
    contingency: str
    questions: str
    horizon: date | None
    reason: PlanReason
    reason_note: str
    created_at: datetime


class PriorityPublic(BaseModel):
    value: float
    rank: int | None
    explanation: str


class ProjectPublic(BaseModel):
    id: int
    title: str
    summary: str
    keywords: list[str]
    status: ProjectStatus
    team_id: int | None = None
    version: int
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
    assessment: AssessmentPublic
    priority: PriorityPublic
    reinforced: int = PydanticField(0, description="Confirmed releases that reinforce the plan")
    replans: int = PydanticField(0, description="Re-plans made after releases")
    plan: PlanPublic | None = None


class ProjectList(BaseModel):
    formula: str
    items: list[ProjectPublic]
    next: str | None = PydanticField(
        None,
        description="Pass as `cursor` for the next page (lower in the ranking); null on the "
        "last page. A walk ranks by the scores as they were at its first page: each project "
        "scored by then appears once, in that order, however it is re-scored meanwhile",
    )
