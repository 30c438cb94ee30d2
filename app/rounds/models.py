"""Scoring rounds: several people of a project's team score it blind, then
the owner sees the spread and adopts a value per score.

A round belongs to a project and to the team it was shared with when the
round started. Its estimators are team members the owner picked; each gives
the three scores with a rationale each. Until the owner reveals the round
(or closes it), nobody sees another's values, except an estimator who has
submitted their own. Closing writes the project's next assessment."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from app.db import EnumText, UTCDateTime, in_check, utcnow
from app.inputs import Id
from app.projects.models import Rationale, Score
from app.scoring import SuccessAxis

# The most people one round asks: a team's worth, bounded before any work.
ESTIMATORS_MAX = 50


class RoundStatus(StrEnum):
    open = "open"  # estimating blind
    revealed = "revealed"  # everyone in the round sees every estimate; still editable
    closed = "closed"  # decided: the adopted values are the project's assessment

    @property
    def label(self) -> str:
        return {"open": "estimating blind", "revealed": "revealed", "closed": "closed"}[self.value]


class ScoringRound(SQLModel, table=True):
    __tablename__ = "scoring_round"
    __table_args__ = (
        sa.CheckConstraint(in_check("status", RoundStatus), name="status"),
        sa.Index("ix_scoring_round_project_id_id", "project_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    # The team the project was shared with when the round started: its
    # estimators must be members of it, and lose the round when they leave.
    team_id: int = Field(foreign_key="team.id", index=True)
    started_by_id: int = Field(foreign_key="user.id")
    status: RoundStatus = Field(default=RoundStatus.open, sa_type=EnumText(RoundStatus, 10))
    # Bumped by every change to the round and by every estimate: the owner
    # who closes from an older number has not seen the estimates as they are.
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revealed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The assessment the decision wrote.
    assessment_id: int | None = Field(default=None, foreign_key="assessment.id")
    decision_note: str = Field(default="", sa_type=sa.Text)


class RoundEstimator(SQLModel, table=True):
    __tablename__ = "round_estimator"
    __table_args__ = (sa.UniqueConstraint("round_id", "user_id", name="uq_round_estimator_user"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="scoring_round.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", index=True)
    invited_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # When they left the round's team: their estimate stays on the record,
    # marked, and the round is closed to them.
    left_team_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Estimate(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("round_id", "user_id", name="uq_estimate_round_user"),
        sa.CheckConstraint("attainability BETWEEN 1 AND 5", name="attainability_range"),
        sa.CheckConstraint("scoop_risk BETWEEN 1 AND 5", name="scoop_risk_range"),
        sa.CheckConstraint("impact BETWEEN 1 AND 5", name="impact_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="scoring_round.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", index=True)
    attainability: int = Field(sa_type=sa.SmallInteger)
    scoop_risk: int = Field(sa_type=sa.SmallInteger)
    impact: int = Field(sa_type=sa.SmallInteger)
    attainability_rationale: str = Field(default="", sa_type=sa.Text)
    scoop_risk_rationale: str = Field(default="", sa_type=sa.Text)
    impact_rationale: str = Field(default="", sa_type=sa.Text)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# ---------------------------------------------------------------- inputs


class RoundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    estimator_ids: Annotated[list[Id], PydanticField(min_length=1, max_length=ESTIMATORS_MAX)]


class EstimateIn(BaseModel):
    """My own three scores and a rationale each. `version` is my estimate's
    as I loaded it (left out: the first one, or overwrite my own)."""

    model_config = ConfigDict(extra="forbid")
    attainability: Score
    scoop_risk: Score
    impact: Score
    attainability_rationale: Rationale = ""
    scoop_risk_rationale: Rationale = ""
    impact_rationale: Rationale = ""
    version: Id | None = None


class RoundReveal(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: Id | None = None


class Adopt(BaseModel):
    """The values the owner adopts; a score left out takes the estimates'
    median (halves rounded up), the success axis stays as it is."""

    model_config = ConfigDict(extra="forbid")
    attainability: Score | None = None
    scoop_risk: Score | None = None
    impact: Score | None = None
    success_axis: SuccessAxis | None = None
    attainability_rationale: Rationale = ""
    scoop_risk_rationale: Rationale = ""
    impact_rationale: Rationale = ""
    rationale: Rationale = PydanticField("", description="Why, for the whole decision")


class RoundClose(BaseModel):
    """`version` is the round's as the owner saw it: an estimate changed
    since makes it a 409."""

    model_config = ConfigDict(extra="forbid")
    version: Id
    adopt: Adopt = PydanticField(default_factory=Adopt)


# ---------------------------------------------------------------- outputs


class EstimatePublic(BaseModel):
    attainability: int
    scoop_risk: int
    impact: int
    attainability_rationale: str
    scoop_risk_rationale: str
    impact_rationale: str
    version: int
    updated_at: datetime
    priority: float
    rank: int | None = PydanticField(description="The project's rank if these were its scores")


class EstimatorPublic(BaseModel):
    user_id: int
    display_name: str
    submitted: bool
    left_team: bool
    estimate: EstimatePublic | None = PydanticField(
        description="Null while the round hides it from you (blind until you submit or reveal)"
    )


class ScoreSpread(BaseModel):
    score: str
    min: int
    max: int
    median: float
    proposed: int
    wide: bool
    text: str


class RoundPublic(BaseModel):
    id: int
    project_id: int
    project_title: str
    team_id: int
    started_by_id: int
    status: RoundStatus
    version: int
    created_at: datetime
    revealed_at: datetime | None
    closed_at: datetime | None
    assessment_id: int | None
    decision_note: str
    you_estimate: bool
    you_submitted: bool
    values_visible: bool
    estimators: list[EstimatorPublic]
    spread: list[ScoreSpread] = PydanticField(description="Empty while the values are hidden")
