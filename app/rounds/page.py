"""A round as the person looking at it may see it: assembled once, for the
page, its fragments and the API alike, so blindness is decided in one place.
A fixed number of queries whatever the number of estimators."""

from dataclasses import dataclass

from sqlmodel import Session

from app.auth.models import User
from app.projects import queries as project_queries
from app.projects.models import Assessment
from app.rounds import queries
from app.rounds.models import Estimate, RoundStatus
from app.rounds.queries import Participant, RoundView
from app.rounds.stats import Spread, bars, spreads
from app.scoring import Scores, ScoringConfig, priority, rank
from app.teams.models import Team
from app.teams.queries import scoring_of


@dataclass(frozen=True)
class PersonRow:
    participant: Participant
    estimate: Estimate | None  # as the viewer may see it
    priority: float | None
    rank: int | None

    @property
    def name(self) -> str:
        return self.participant.name

    @property
    def user_id(self) -> int:
        return self.participant.estimator.user_id


@dataclass(frozen=True)
class RoundPage:
    view: RoundView
    viewer_id: int
    people: list[PersonRow]
    visible: bool
    spreads: list[Spread]
    assessment: Assessment
    adopted: Assessment | None
    portfolio_size: int

    @property
    def round(self):
        return self.view.round

    @property
    def mine(self) -> PersonRow | None:
        return next((p for p in self.people if p.user_id == self.viewer_id), None)

    @property
    def submitted(self) -> int:
        return sum(1 for p in self.people if p.participant.submitted)

    @property
    def can_estimate(self) -> bool:
        return self.view.is_estimator and self.round.status is not RoundStatus.closed

    @property
    def can_reveal(self) -> bool:
        return self.view.is_owner and self.round.status is RoundStatus.open

    @property
    def can_close(self) -> bool:
        return self.view.is_owner and self.round.status is not RoundStatus.closed and self.submitted

    @property
    def proposed(self) -> dict[str, int]:
        return {s.score.value: s.proposed for s in self.spreads}

    def chart(self, spread: Spread) -> list:
        return bars(spread)


def _ranking(session: Session, *, team_id: int) -> tuple[ScoringConfig, list]:
    team = session.get(Team, team_id)
    config = scoring_of(team)
    rows = project_queries.team_portfolio(session, team_id=team_id, config=config)
    return config, [(r.project.id, r.project.title, Scores.of(r.assessment)) for r in rows]


def round_page(session: Session, *, user: User, round_id: int) -> RoundPage:
    view = queries.round_for(session, user=user, round_id=round_id)
    people = queries.participants(session, round_ids=[view.round.id])[view.round.id]
    visible = queries.values_visible(view.round, viewer_id=user.id, people=people)
    assessment = project_queries.current_assessment(session, project=view.project)
    config, entries = _ranking(session, team_id=view.round.team_id)
    project = view.project
    others = [e for e in entries if e[0] != project.id]
    rows = []
    for person in people:
        shown = queries.shown_estimate(person, viewer_id=user.id, visible=visible)
        if shown is None:
            rows.append(PersonRow(person, None, None, None))
            continue
        scores = Scores(
            shown.attainability, shown.scoop_risk, shown.impact, assessment.success_axis
        )
        ranked = rank([*others, (project.id, project.title, scores)], config)
        place = next(r.rank for r in ranked if r.project_id == project.id)
        rows.append(PersonRow(person, shown, priority(scores, config).value, place))
    given = [p.participant.estimate for p in rows if p.participant.estimate] if visible else []
    return RoundPage(
        view=view,
        viewer_id=user.id,
        people=rows,
        visible=visible,
        spreads=spreads(given),
        assessment=assessment,
        adopted=session.get(Assessment, view.round.assessment_id)
        if view.round.assessment_id
        else None,
        portfolio_size=len(others) + 1,
    )
