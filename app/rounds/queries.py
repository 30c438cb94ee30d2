"""Reads of scoring rounds. A round is seen by its project's owner and by
the estimators asked, while they are in its team and the project is still
shared with it; by no one else, teammates included (a 404).

Blindness is decided here, once: `values_visible`."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from app.auth.models import User
from app.errors import NotFound
from app.navigation import nav_count
from app.projects.models import Project
from app.rounds.models import Estimate, RoundEstimator, RoundStatus, ScoringRound
from app.rounds.stats import WIDE
from app.teams.models import Membership


class RoundNotFound(NotFound):
    what = "scoring round"


def _estimating(user: User) -> sa.ColumnElement[bool]:
    """Rounds the user was asked to estimate and may still open: they are in
    the round's team, and the project is still shared with it."""
    return sa.and_(
        Project.team_id == ScoringRound.team_id,
        sa.exists(
            select(RoundEstimator.id).where(
                RoundEstimator.round_id == ScoringRound.id,
                RoundEstimator.user_id == user.id,
                RoundEstimator.left_team_at.is_(None),
            )
        ),
        sa.exists(
            select(Membership.id).where(
                Membership.team_id == ScoringRound.team_id, Membership.user_id == user.id
            )
        ),
    )


def _readable(user: User) -> sa.ColumnElement[bool]:
    return sa.or_(Project.owner_id == user.id, _estimating(user))


@dataclass(frozen=True)
class RoundView:
    round: ScoringRound
    project: Project
    is_owner: bool
    is_estimator: bool


def round_for(session: Session, *, user: User, round_id: int) -> RoundView:
    row = session.exec(
        select(ScoringRound, Project, _estimating(user).label("estimating"))
        .join(Project, Project.id == ScoringRound.project_id)
        .where(ScoringRound.id == round_id, _readable(user))
    ).first()
    if row is None:
        raise RoundNotFound(round_id)
    scoring_round, project, estimating = row
    return RoundView(scoring_round, project, project.owner_id == user.id, bool(estimating))


@dataclass(frozen=True)
class Participant:
    """One person asked, with their estimate (None until they submit)."""

    estimator: RoundEstimator
    name: str
    estimate: Estimate | None

    @property
    def submitted(self) -> bool:
        return self.estimate is not None

    @property
    def left_team(self) -> bool:
        return self.estimator.left_team_at is not None


def participants(session: Session, *, round_ids: list[int]) -> dict[int, list[Participant]]:
    """Everyone asked in each round, by name, with their estimate. One query."""
    found: dict[int, list[Participant]] = {rid: [] for rid in round_ids}
    if not round_ids:
        return found
    rows = session.exec(
        select(RoundEstimator, User.display_name, Estimate)
        .join(User, User.id == RoundEstimator.user_id)
        .outerjoin(
            Estimate,
            sa.and_(
                Estimate.round_id == RoundEstimator.round_id,
                Estimate.user_id == RoundEstimator.user_id,
            ),
        )
        .where(RoundEstimator.round_id.in_(round_ids))
        .order_by(RoundEstimator.round_id, User.display_name, User.id)
    ).all()
    for estimator, name, estimate in rows:
        found[estimator.round_id].append(Participant(estimator, name, estimate))
    return found


def values_visible(
    scoring_round: ScoringRound, *, viewer_id: int, people: list[Participant]
) -> bool:
    """May the viewer see the others' values? After the reveal (or the close)
    everyone in the round may; before, only an estimator who has submitted
    their own. The owner sees who has submitted, not what."""
    if scoring_round.status is not RoundStatus.open:
        return True
    return any(p.estimator.user_id == viewer_id and p.submitted for p in people)


def shown_estimate(participant: Participant, *, viewer_id: int, visible: bool) -> Estimate | None:
    """The participant's estimate as the viewer may see it."""
    if participant.estimator.user_id == viewer_id or visible:
        return participant.estimate
    return None


@dataclass(frozen=True)
class RoundRow:
    round: ScoringRound
    project_title: str
    owner_name: str
    submitted: bool  # by the user looking
    estimators: int
    estimates: int


LIST_LIMIT = 200


def _rows(session: Session, user: User, *where: sa.ColumnElement[bool]) -> list[RoundRow]:
    mine = (
        select(sa.func.count())
        .select_from(Estimate)
        .where(Estimate.round_id == ScoringRound.id, Estimate.user_id == user.id)
        .scalar_subquery()
    )
    asked = (
        select(sa.func.count())
        .select_from(RoundEstimator)
        .where(RoundEstimator.round_id == ScoringRound.id)
        .scalar_subquery()
    )
    given = (
        select(sa.func.count())
        .select_from(Estimate)
        .where(Estimate.round_id == ScoringRound.id)
        .scalar_subquery()
    )
    rows = session.exec(
        select(ScoringRound, Project.title, User.display_name, mine, asked, given)
        .join(Project, Project.id == ScoringRound.project_id)
        .join(User, User.id == Project.owner_id)
        .where(*where)
        .order_by(ScoringRound.created_at.desc(), ScoringRound.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    return [RoundRow(r, title, owner, bool(n), a, g) for r, title, owner, n, a, g in rows]


def _not_submitted(user: User) -> sa.ColumnElement[bool]:
    return ~sa.exists(
        select(Estimate.id).where(Estimate.round_id == ScoringRound.id, Estimate.user_id == user.id)
    )


def _to_score(user: User) -> tuple[sa.ColumnElement[bool], ...]:
    return (ScoringRound.status != RoundStatus.closed, _estimating(user), _not_submitted(user))


def to_score(session: Session, *, user: User) -> list[RoundRow]:
    """Rounds waiting for the user's estimate."""
    return _rows(session, user, *_to_score(user))


def estimating(session: Session, *, user: User) -> list[RoundRow]:
    """Every round the user is asked in and may open, newest first."""
    return _rows(session, user, _estimating(user))


def started_by(session: Session, *, user: User) -> list[RoundRow]:
    """Rounds on the user's own projects, newest first."""
    return _rows(session, user, Project.owner_id == user.id)


@nav_count("to_score")
def to_score_count_query(user: User) -> sa.Select:
    """Rounds waiting for this user's estimate."""
    return (
        select(sa.func.count())
        .select_from(ScoringRound)
        .join(Project, Project.id == ScoringRound.project_id)
        .where(*_to_score(user))
    )


def open_round_of(session: Session, *, project_id: int) -> ScoringRound | None:
    return session.exec(
        select(ScoringRound).where(
            ScoringRound.project_id == project_id, ScoringRound.status != RoundStatus.closed
        )
    ).first()


@dataclass(frozen=True)
class RoundRecord:
    """A round on a project's page, as the viewer may see it."""

    round: ScoringRound
    people: list[Participant]
    visible: bool
    viewer_id: int

    def shown(self, participant: Participant) -> Estimate | None:
        return shown_estimate(participant, viewer_id=self.viewer_id, visible=self.visible)

    @property
    def openable(self) -> bool:
        """May the viewer open the round's own page?"""
        return self.viewer_id in {p.estimator.user_id for p in self.people if not p.left_team}


def rounds_of_project(session: Session, *, user: User, project: Project) -> list[RoundRecord]:
    """The project's rounds the viewer may know of, oldest first: every one
    for its owner and for the estimators of each; closed ones (the record of
    a decision) for anyone who may read the project. Two queries."""
    rounds = list(
        session.exec(
            select(ScoringRound)
            .where(ScoringRound.project_id == project.id)
            .order_by(ScoringRound.id)
        )
    )
    people = participants(session, round_ids=[r.id for r in rounds])
    records = []
    for scoring_round in rounds:
        asked = people[scoring_round.id]
        mine = any(p.estimator.user_id == user.id and not p.left_team for p in asked)
        if not (project.owner_id == user.id or mine or scoring_round.status is RoundStatus.closed):
            continue
        visible = values_visible(scoring_round, viewer_id=user.id, people=asked)
        if not mine and project.owner_id != user.id:
            visible = True  # closed: the record is the project's
        records.append(RoundRecord(scoring_round, asked, visible, user.id))
    return records


def wide_disagreement(session: Session, *, project_ids: list[int]) -> set[int]:
    """Projects whose last revealed or closed round showed wide disagreement
    on some score (blind rounds say nothing). One query."""
    if not project_ids:
        return set()
    last = (
        select(ScoringRound.project_id, sa.func.max(ScoringRound.id).label("round_id"))
        .where(ScoringRound.project_id.in_(project_ids), ScoringRound.status != RoundStatus.open)
        .group_by(ScoringRound.project_id)
        .subquery("last_round")
    )
    spread = sa.or_(
        *(
            sa.func.max(column) - sa.func.min(column) >= WIDE
            for column in (Estimate.attainability, Estimate.scoop_risk, Estimate.impact)
        )
    )
    rows = session.exec(
        select(last.c.project_id)
        .join(Estimate, Estimate.round_id == last.c.round_id)
        .group_by(last.c.project_id)
        .having(spread)
    ).all()
    return set(rows)


@dataclass(frozen=True)
class ScoopEstimate:
    name: str
    value: int
    at: datetime
    left_team: bool


def scoop_estimates_before(
    session: Session, *, project_id: int
) -> list[tuple[ScoringRound, list[ScoopEstimate]]]:
    """The scoop-risk estimates of each revealed or closed round of a project,
    oldest round first: what the timeline puts beside a re-plan. One query."""
    rows = session.exec(
        select(ScoringRound, User.display_name, Estimate, RoundEstimator.left_team_at)
        .join(Estimate, Estimate.round_id == ScoringRound.id)
        .join(User, User.id == Estimate.user_id)
        .join(
            RoundEstimator,
            sa.and_(
                RoundEstimator.round_id == ScoringRound.id,
                RoundEstimator.user_id == Estimate.user_id,
            ),
        )
        .where(ScoringRound.project_id == project_id, ScoringRound.status != RoundStatus.open)
        .order_by(ScoringRound.id, User.display_name, User.id)
    ).all()
    found: dict[int, tuple[ScoringRound, list[ScoopEstimate]]] = {}
    for scoring_round, name, estimate, left in rows:
        entry = found.setdefault(scoring_round.id, (scoring_round, []))
        entry[1].append(
            ScoopEstimate(name, estimate.scoop_risk, estimate.updated_at, left is not None)
        )
    return list(found.values())
