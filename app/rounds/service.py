"""Starting a round, estimating, revealing and deciding. Services flush but
never commit; the caller owns the transaction.

Concurrency: every estimate moves the round to its next version in one
conditional UPDATE that also requires the round to be still open to
estimates, and closing claims the version the owner saw. So an estimate
and a close racing are serialised on the round's row: the estimate landing
first makes the close stale (409, the owner looks again), the close landing
first makes the estimate late (409, nothing saved). Two estimators never
conflict with each other: each writes their own row."""

import sqlalchemy as sa
from sqlmodel import Session, select

from app.auth.models import User
from app.db import utcnow
from app.errors import Refused
from app.notifications.models import NoticeKind
from app.notifications.service import notify
from app.projects import service as project_service
from app.projects.events import leaving_team
from app.projects.models import AssessmentIn, Project
from app.projects.queries import current_assessment
from app.rounds.models import (
    Estimate,
    EstimateIn,
    RoundClose,
    RoundCreate,
    RoundEstimator,
    RoundStatus,
    ScoringRound,
)
from app.rounds.queries import RoundView, open_round_of, participants
from app.rounds.stats import spreads
from app.teams.events import member_leaving
from app.teams.models import Membership
from app.versions import Conflict, claim_version

# The API's code for a round that moved on since the caller loaded it.
CHANGED = "round_changed"


def round_start(
    session: Session, *, project: Project, actor: User, data: RoundCreate
) -> ScoringRound:
    """The owner asks members of the project's team for estimates."""
    if project.team_id is None:
        raise Refused(
            409,
            "not_shared",
            "Share the project with a team first: a round asks its members for estimates.",
        )
    if project.archived_at is not None:
        raise Refused(409, "archived", "Restore the project before asking for estimates.")
    if open_round_of(session, project_id=project.id) is not None:
        raise Refused(
            409, "round_open", "This project already has a round in progress: close it first."
        )
    wanted = sorted(set(data.estimator_ids))
    members = set(
        session.exec(
            select(Membership.user_id).where(
                Membership.team_id == project.team_id, Membership.user_id.in_(wanted)
            )
        )
    )
    if set(wanted) - members:
        raise Refused(
            422,
            "validation_error",
            "Choose members of the project's team.",
            field="estimator_ids",
        )
    scoring_round = ScoringRound(
        project_id=project.id, team_id=project.team_id, started_by_id=actor.id
    )
    session.add(scoring_round)
    session.flush()
    session.add_all(RoundEstimator(round_id=scoring_round.id, user_id=uid) for uid in wanted)
    session.flush()
    notify(
        session,
        user_ids=wanted,
        kind=NoticeKind.round_requested,
        actor=actor,
        summary=f"{project.title}: your estimate of its scores",
        project_id=project.id,
        round_id=scoring_round.id,
    )
    return scoring_round


def _late(scoring_round: ScoringRound) -> Conflict:
    return Conflict(
        "The owner closed this round meanwhile; your estimate was not saved.",
        code=CHANGED,
        current_version=scoring_round.version,
    )


def estimate_submit(
    session: Session, *, view: RoundView, actor: User, data: EstimateIn
) -> Estimate:
    """The estimator's own scores, new or changed, while the round is not closed."""
    if not view.is_estimator:
        raise Refused(403, "forbidden", "Only the people asked in this round can estimate.")
    scoring_round = view.round
    _bump(session, scoring_round)
    values = data.model_dump(exclude={"version"})
    estimate = session.exec(
        select(Estimate).where(Estimate.round_id == scoring_round.id, Estimate.user_id == actor.id)
    ).first()
    if estimate is None:
        if data.version is not None:
            raise Conflict("Your estimate is gone from this round; reload the page.", code=CHANGED)
        estimate = Estimate(round_id=scoring_round.id, user_id=actor.id, **values)
        session.add(estimate)
        try:
            session.flush()  # the unique (round, user) catches a second tab
        except sa.exc.IntegrityError:
            raise _twice() from None
        return estimate
    claim_version(
        session,
        estimate,
        expected=estimate.version if data.version is None else data.version,
        what="estimate",
        conflict=lambda _e: _twice(),
        updated_at=utcnow(),
        **values,
    )
    return estimate


def _twice() -> Conflict:
    return Conflict(
        "You changed your estimate in another tab or window meanwhile; "
        "it is shown as it now stands, and yours below was not saved.",
        code=CHANGED,
    )


def _bump(session: Session, scoring_round: ScoringRound) -> None:
    """Move the round to its next version unless it was closed: one statement,
    so an estimate and a close cannot both get in."""
    result = session.execute(
        sa.update(ScoringRound)
        .where(ScoringRound.id == scoring_round.id, ScoringRound.status != RoundStatus.closed)
        .values(version=ScoringRound.version + 1)
        .execution_options(synchronize_session=False)
    )
    session.refresh(scoring_round)
    if result.rowcount != 1:
        raise _late(scoring_round)


def _owner_only(view: RoundView, what: str) -> None:
    if not view.is_owner:
        raise Refused(403, "forbidden", f"Only the project's owner can {what} the round.")


def _stale(scoring_round: ScoringRound) -> Conflict:
    if scoring_round.status is RoundStatus.closed:
        return Conflict("This round is already closed.", code=CHANGED)
    return Conflict(
        "Estimates changed since you loaded this round (version "
        f"{scoring_round.version} now): look at them again before deciding.",
        code=CHANGED,
        current_version=scoring_round.version,
    )


def round_reveal(session: Session, *, view: RoundView, version: int | None) -> ScoringRound:
    """Everyone in the round sees every estimate from now on."""
    _owner_only(view, "reveal")
    scoring_round = view.round
    if scoring_round.status is RoundStatus.revealed and version is None:
        return scoring_round
    claim_version(
        session,
        scoring_round,
        expected=scoring_round.version if version is None else version,
        what="scoring round",
        where=(ScoringRound.status == RoundStatus.open,),
        conflict=_stale,
        status=RoundStatus.revealed,
        revealed_at=utcnow(),
    )
    return scoring_round


def round_close(
    session: Session, *, view: RoundView, actor: User, data: RoundClose
) -> ScoringRound:
    """Adopt a value per score (the median unless chosen) as the project's
    next assessment, linked to the round, which closes. All or nothing."""
    _owner_only(view, "close")
    scoring_round = view.round
    claim_version(
        session,
        scoring_round,
        expected=data.version,
        what="scoring round",
        where=(ScoringRound.status != RoundStatus.closed,),
        conflict=_stale,
    )
    given = [
        p.estimate
        for p in participants(session, round_ids=[scoring_round.id])[scoring_round.id]
        if p.estimate is not None
    ]
    if not given:
        raise Refused(409, "no_estimates", "Nobody has estimated yet: there is nothing to adopt.")
    proposed = {s.score.value: s.proposed for s in spreads(given)}
    adopt = data.adopt
    current = current_assessment(session, project=view.project)
    note = adopt.rationale
    values = AssessmentIn(
        attainability=adopt.attainability or proposed["attainability"],
        scoop_risk=adopt.scoop_risk or proposed["scoop_risk"],
        impact=adopt.impact or proposed["impact"],
        success_axis=adopt.success_axis or current.success_axis,
        attainability_rationale=adopt.attainability_rationale or note,
        scoop_risk_rationale=adopt.scoop_risk_rationale or note,
        impact_rationale=adopt.impact_rationale or note,
    )
    assessment = project_service.assessment_add(
        session, project=view.project, actor=actor, values=values
    )
    now = utcnow()
    scoring_round.status = RoundStatus.closed
    scoring_round.closed_at = now
    scoring_round.revealed_at = scoring_round.revealed_at or now
    scoring_round.assessment_id = assessment.id
    scoring_round.decision_note = note
    session.flush()
    return scoring_round


@member_leaving.connect
def _mark_leaver(_sender, *, session: Session, team_id: int, user_id: int) -> None:
    """Someone leaving a team leaves its rounds in progress: their estimate
    stays on the record, marked, and the rounds are closed to them."""
    in_progress = select(ScoringRound.id).where(
        ScoringRound.team_id == team_id, ScoringRound.status != RoundStatus.closed
    )
    session.execute(
        sa.update(RoundEstimator)
        .where(
            RoundEstimator.user_id == user_id,
            RoundEstimator.round_id.in_(in_progress),
            RoundEstimator.left_team_at.is_(None),
        )
        .values(left_team_at=utcnow())
        .execution_options(synchronize_session=False)
    )


# What a round that ended without a decision says, in its record.
LEFT_TEAM_NOTE = "Closed without a decision: the project left the team it was estimated in."


@leaving_team.connect
def _close_undecided(_sender, *, session: Session, project_ids: list[int]) -> None:
    """A project leaving its team ends its rounds in progress there: their
    estimators could no longer open them. Nothing is adopted; what was
    estimated stays on the record."""
    now = utcnow()
    session.execute(
        sa.update(ScoringRound)
        .where(ScoringRound.project_id.in_(project_ids), ScoringRound.status != RoundStatus.closed)
        .values(
            status=RoundStatus.closed,
            closed_at=now,
            revealed_at=sa.func.coalesce(ScoringRound.revealed_at, now),
            decision_note=LEFT_TEAM_NOTE,
            version=ScoringRound.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
