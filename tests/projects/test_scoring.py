"""The priority formula, by hand-computed examples."""

import pytest

from app.scoring import ScoreField, Scores, ScoringConfig, SuccessAxis, priority, rank, what_if

CONFIG = ScoringConfig(
    mapping=(0.1, 0.3, 0.5, 0.7, 0.9),
    residuals={SuccessAxis.first: 0.1, SuccessAxis.best: 0.6, SuccessAxis.open: 0.5},
)


def test_priority_is_the_expected_value_formula():
    # impact 5 → 0.9, attainability 4 → 0.7, scoop risk 2 → 0.3, best keeps 0.6
    # 0.9 × 0.7 × (1 − 0.3 × 0.4) × 100 = 63 × 0.88 = 55.44 → 55.4
    p = priority(
        Scores(attainability=4, scoop_risk=2, impact=5, success_axis=SuccessAxis.best), CONFIG
    )
    assert p.value == 55.4
    assert p.explanation() == (
        "55.4 = impact 0.9 × attainability 0.7 × scoop factor 0.88 "
        "(1 − scoop risk 0.3 × (1 − residual 0.6 for 'best')) × 100"
    )


@pytest.mark.parametrize(
    ("axis", "expected"),
    # 0.49 × 0.19 = 9.31, 0.49 × 0.55 = 26.95 (half-up, as by hand), 0.49 × 0.64 = 31.36
    [(SuccessAxis.first, 9.3), (SuccessAxis.open, 27.0), (SuccessAxis.best, 31.4)],
)
def test_a_project_aiming_first_loses_most_to_scoop_risk(axis, expected):
    # 0.7 × 0.7 × (1 − 0.9 × (1 − r)) × 100
    scores = Scores(attainability=4, scoop_risk=5, impact=4, success_axis=axis)
    assert priority(scores, CONFIG).value == expected


def test_ranking_orders_by_priority_and_breaks_ties_deterministically():
    same = Scores(3, 3, 3, SuccessAxis.best)
    entries = [
        (3, "beta", same),
        (1, "Alpha", same),
        (2, "gamma", Scores(5, 1, 5, SuccessAxis.first)),
        (4, "alpha", same),
    ]
    ranked = rank(entries, CONFIG)
    assert [r.project_id for r in ranked] == [2, 1, 4, 3]
    assert [r.rank for r in ranked] == [1, 2, 3, 4]
    # Shuffled input, same result.
    assert [r.project_id for r in rank(list(reversed(entries)), CONFIG)] == [2, 1, 4, 3]


def test_equal_priority_prefers_higher_impact():
    # 0.9 × 0.5 = 0.45 and 0.5 × 0.9 = 0.45: same priority, impact breaks the tie.
    low_impact = Scores(attainability=5, scoop_risk=1, impact=3, success_axis=SuccessAxis.best)
    high_impact = Scores(attainability=3, scoop_risk=1, impact=5, success_axis=SuccessAxis.best)
    ranked = rank([(1, "a", low_impact), (2, "b", high_impact)], CONFIG)
    assert ranked[0].priority.value == ranked[1].priority.value
    assert [r.project_id for r in ranked] == [2, 1]


def test_what_if_shows_moves_without_touching_the_input():
    entries = [
        (1, "Leader", Scores(5, 1, 5, SuccessAxis.first)),
        (2, "Runner-up", Scores(4, 2, 4, SuccessAxis.best)),
        (3, "Third", Scores(3, 3, 3, SuccessAxis.best)),
    ]
    moved = entries[0][2].moved(ScoreField.scoop_risk, 5)
    moves = what_if(entries, CONFIG, project_id=1, scores=moved)
    by_id = {m.project_id: m for m in moves}
    assert (by_id[1].before, by_id[1].after) == (1, 3)
    assert (by_id[2].before, by_id[2].after) == (2, 1)
    assert by_id[1].priority_after < by_id[1].priority_before
    assert entries[0][2].scoop_risk == 1


def test_formula_states_mapping_and_residuals():
    text = CONFIG.formula()
    assert "1→0.1" in text and "5→0.9" in text
    assert "first 0.1" in text and "best 0.6" in text and "open 0.5" in text
