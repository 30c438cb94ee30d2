"""The rules of a round, through its services and queries."""

import pytest

from app.errors import Refused
from app.projects import queries as project_queries
from app.projects import service as project_service
from app.projects.models import ProjectUpdate
from app.rounds import queries, service
from app.rounds.models import Adopt, EstimateIn, RoundClose, RoundCreate, RoundStatus
from app.rounds.queries import RoundNotFound
from app.rounds.stats import spreads
from app.scoring import ScoreField
from app.teams import queries as team_queries
from app.teams import service as team_service
from app.versions import Conflict
from tests import factories


def _sees_values(db, user, scoring_round) -> bool:
    view = queries.round_for(db, user=user, round_id=scoring_round.id)
    people = queries.participants(db, round_ids=[view.round.id])[view.round.id]
    return queries.values_visible(view.round, viewer_id=user.id, people=people)


def test_only_a_shared_project_gets_a_round(db, cast):
    private = factories.make_project(db, cast.ada, "Private")
    with pytest.raises(Refused) as refused:
        service.round_start(
            db, project=private, actor=cast.ada, data=RoundCreate(estimator_ids=[cast.grace.id])
        )
    assert refused.value.code == "not_shared"


def test_estimators_must_be_members_of_the_team(db, cast):
    with pytest.raises(Refused) as refused:
        service.round_start(
            db,
            project=cast.project,
            actor=cast.ada,
            data=RoundCreate(estimator_ids=[cast.grace.id, cast.olga.id]),
        )
    assert (refused.value.status, refused.value.field) == (422, "estimator_ids")


def test_one_round_at_a_time(db, cast):
    factories.make_round(db, cast.project, cast.ada, [cast.grace])
    with pytest.raises(Refused) as refused:
        factories.make_round(db, cast.project, cast.ada, [cast.rita])
    assert refused.value.code == "round_open"


def test_nobody_sees_the_others_values_until_they_submitted_or_the_reveal(db, cast):
    scoring_round = factories.make_round(db, cast.project, cast.ada, [cast.grace, cast.rita])
    factories.make_estimate(db, scoring_round, cast.grace, (2, 5, 3))
    assert _sees_values(db, cast.grace, scoring_round)  # she has submitted
    assert not _sees_values(db, cast.rita, scoring_round)
    assert not _sees_values(db, cast.ada, scoring_round)  # the owner sees who, not what
    service.round_reveal(
        db, view=queries.round_for(db, user=cast.ada, round_id=scoring_round.id), version=None
    )
    db.commit()
    assert _sees_values(db, cast.rita, scoring_round)
    assert _sees_values(db, cast.ada, scoring_round)


def test_an_estimate_can_change_until_the_round_closes(db, cast):
    scoring_round = factories.make_round(db, cast.project, cast.ada, [cast.grace])
    first = factories.make_estimate(db, scoring_round, cast.grace, (2, 5, 3))
    again = factories.make_estimate(db, scoring_round, cast.grace, (3, 4, 3))
    assert again.id == first.id and (again.scoop_risk, again.version) == (4, 2)
    _close(db, cast, scoring_round)
    with pytest.raises(Conflict, match="closed this round"):
        factories.make_estimate(db, scoring_round, cast.grace, (1, 1, 1))
    db.rollback()


def _close(db, cast, scoring_round, **adopt):
    view = queries.round_for(db, user=cast.ada, round_id=scoring_round.id)
    closed = service.round_close(
        db,
        view=view,
        actor=cast.ada,
        data=RoundClose(version=view.round.version, adopt=Adopt(**adopt)),
    )
    db.commit()
    return closed


def test_closing_adopts_the_medians_as_the_next_assessment(db, cast):
    scoring_round = factories.make_round(
        db, cast.project, cast.ada, [cast.grace, cast.rita, cast.tom]
    )
    factories.make_estimate(db, scoring_round, cast.grace, (2, 5, 3))
    factories.make_estimate(db, scoring_round, cast.rita, (4, 2, 3))
    factories.make_estimate(db, scoring_round, cast.tom, (3, 4, 5))
    closed = _close(db, cast, scoring_round, impact=4, rationale="Grace's 5 weighs most")
    current = project_queries.current_assessment(db, project=cast.project)
    assert closed.status is RoundStatus.closed and closed.assessment_id == current.id
    assert (current.attainability, current.scoop_risk, current.impact) == (3, 4, 4)
    assert current.scoop_risk_rationale == "Grace's 5 weighs most"
    assert current.success_axis == "best"  # kept


def test_closing_from_a_stale_version_is_refused_and_writes_nothing(db, cast):
    scoring_round = factories.make_round(db, cast.project, cast.ada, [cast.grace, cast.rita])
    factories.make_estimate(db, scoring_round, cast.grace, (2, 5, 3))
    seen = queries.round_for(db, user=cast.ada, round_id=scoring_round.id).round.version
    factories.make_estimate(db, scoring_round, cast.rita, (4, 2, 3))  # meanwhile
    view = queries.round_for(db, user=cast.ada, round_id=scoring_round.id)
    before = project_queries.current_assessment(db, project=cast.project).id
    with pytest.raises(Conflict, match="Estimates changed"):
        service.round_close(db, view=view, actor=cast.ada, data=RoundClose(version=seen))
    db.rollback()
    assert project_queries.current_assessment(db, project=cast.project).id == before


def test_only_the_owner_reveals_and_closes_and_only_estimators_estimate(db, cast):
    scoring_round = factories.make_round(db, cast.project, cast.ada, [cast.grace])
    grace_view = queries.round_for(db, user=cast.grace, round_id=scoring_round.id)
    with pytest.raises(Refused):
        service.round_reveal(db, view=grace_view, version=None)
    ada_view = queries.round_for(db, user=cast.ada, round_id=scoring_round.id)
    with pytest.raises(Refused):
        service.estimate_submit(
            db,
            view=ada_view,
            actor=cast.ada,
            data=EstimateIn(attainability=1, scoop_risk=1, impact=1),
        )
    for stranger in (cast.rita, cast.olga):  # a teammate not asked, an outsider
        with pytest.raises(RoundNotFound):
            queries.round_for(db, user=stranger, round_id=scoring_round.id)


def test_leaving_the_team_keeps_the_estimate_marked_and_ends_access(db, cast):
    scoring_round = factories.make_round(db, cast.project, cast.ada, [cast.grace, cast.rita])
    factories.make_estimate(db, scoring_round, cast.rita, (4, 2, 3), impact_rationale="Rita's")
    view = team_queries.team_for(db, user=cast.rita, team_id=cast.team.id)
    team_service.membership_remove(db, view=view, actor=cast.rita, user_id=cast.rita.id)
    db.commit()
    with pytest.raises(RoundNotFound):
        queries.round_for(db, user=cast.rita, round_id=scoring_round.id)
    people = queries.participants(db, round_ids=[scoring_round.id])[scoring_round.id]
    rita = next(p for p in people if p.estimator.user_id == cast.rita.id)
    assert rita.left_team and rita.estimate.impact_rationale == "Rita's"
    assert queries.to_score(db, user=cast.rita) == []


def test_the_to_score_list_holds_rounds_waiting_for_my_estimate(db, cast):
    scoring_round = factories.make_round(db, cast.project, cast.ada, [cast.grace, cast.rita])
    assert [r.round.id for r in queries.to_score(db, user=cast.grace)] == [scoring_round.id]
    factories.make_estimate(db, scoring_round, cast.grace, (2, 5, 3))
    assert queries.to_score(db, user=cast.grace) == []
    assert [r.round.id for r in queries.to_score(db, user=cast.rita)] == [scoring_round.id]
    assert queries.to_score(db, user=cast.tom) == []


def test_spread_words_and_the_proposed_median():
    class E:
        def __init__(self, a, s, i):
            self.attainability, self.scoop_risk, self.impact = a, s, i

    found = {s.score: s for s in spreads([E(3, 2, 3), E(3, 5, 4)])}
    assert found[ScoreField.scoop_risk].text == "wide disagreement on scoop risk: 2 to 5"
    assert found[ScoreField.scoop_risk].proposed == 4  # median 3.5, half up
    assert found[ScoreField.attainability].text == "agreement on attainability: all 3"
    assert found[ScoreField.impact].text == "close on impact: 3 to 4"
    assert not found[ScoreField.impact].wide


def test_a_project_leaving_its_team_ends_its_round_without_a_decision(db, cast):
    scoring_round = factories.make_round(db, cast.project, cast.ada, [cast.grace])
    before = project_queries.current_assessment(db, project=cast.project).id
    factories.make_estimate(db, scoring_round, cast.grace, (2, 5, 3))
    project_service.project_update(
        db,
        project=cast.project,
        actor=cast.ada,
        data=ProjectUpdate(version=cast.project.version, team_id=None),
    )
    db.commit()
    db.refresh(scoring_round)
    assert scoring_round.status is RoundStatus.closed and scoring_round.assessment_id is None
    assert "left the team" in scoring_round.decision_note
    assert project_queries.current_assessment(db, project=cast.project).id == before
    people = queries.participants(db, round_ids=[scoring_round.id])[scoring_round.id]
    assert people[0].estimate.scoop_risk == 5  # kept on the record
