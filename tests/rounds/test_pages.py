"""The round's pages: starting one, the to-score list and its count, the
blind form, the agreement after the reveal, the decision, and the project's
page and timeline afterwards."""

from sqlmodel import select

from app.rounds.models import ScoringRound
from tests import factories
from tests.helpers import as_user, soup, words


def test_the_owner_starts_a_round_and_invitees_are_told(client, db, cast):
    as_user(client, db, cast.ada)
    project_page = soup(client.get(f"/projects/{cast.project.id}"))
    assert project_page.select_one("#start-round")["href"].endswith(
        f"/projects/{cast.project.id}/rounds/new"
    )
    form = soup(client.get(f"/projects/{cast.project.id}/rounds/new"))
    names = {words(label) for label in form.select("label.check")}
    assert "Grace Manager manager" in names and "Ada Owner (you) researcher" in names

    r = client.submit(f"/projects/{cast.project.id}/rounds", {})
    assert r.status_code == 422
    error = words(soup(r).select_one("#e-estimator_ids"))
    assert error == "Choose at least one person to estimate."

    r = client.submit(
        f"/projects/{cast.project.id}/rounds",
        {"estimator_ids": [str(cast.grace.id), str(cast.rita.id)]},
    )
    assert r.status_code == 303
    round_id = db.exec(select(ScoringRound.id)).one()
    assert r.headers["location"].endswith(f"/rounds/{round_id}")

    as_user(client, db, cast.grace)
    home = soup(client.get("/rounds"))
    assert words(home.select_one("#nav-to-score .count")) == "1"
    assert home.select_one(f"#round-row-{round_id} a")["href"] == f"/rounds/{round_id}"
    activity = soup(client.get("/activity"))
    notice = activity.select_one("[data-kind=round_requested]")
    assert "Ada Owner asks for Shared project Alpha" in words(notice)
    assert notice.select_one("a")["href"] == f"/rounds/{round_id}"
    as_user(client, db, cast.tom)  # a teammate not asked
    assert soup(client.get("/rounds")).select_one("#nav-to-score .count") is None
    assert client.get(f"/rounds/{round_id}").status_code == 404


def test_a_bad_estimate_is_refused_beside_the_field_with_what_was_typed(client, db, cast):
    scoring_round = factories.make_round(db, cast.project, cast.ada, [cast.grace])
    as_user(client, db, cast.grace)
    r = client.submit(
        f"/rounds/{scoring_round.id}/estimate",
        {"attainability": "9", "scoop_risk": "4", "impact": "3", "scoop_risk_rationale": "Meta"},
    )
    assert r.status_code == 422
    page = soup(r)
    assert words(page.select_one("#e-attainability")) == "Choose a value from 1 to 5."
    assert words(page.select_one("#f-scoop_risk_rationale")) == "Meta"
    assert page.select_one("#f-scoop_risk option[selected]")["value"] == "4"


def _estimate(client, db, person, round_id, scores, why=""):
    as_user(client, db, person)
    a, s, i = scores
    r = client.submit(
        f"/rounds/{round_id}/estimate",
        {
            "attainability": str(a),
            "scoop_risk": str(s),
            "impact": str(i),
            "scoop_risk_rationale": why,
        },
    )
    assert r.status_code == 303, r.text


def test_blind_until_given_then_the_spread_and_the_decision(client, db, cast):
    scoring_round = factories.make_round(db, cast.project, cast.ada, [cast.grace, cast.rita])
    rid = scoring_round.id
    _estimate(client, db, cast.grace, rid, (2, 5, 3), "Grace says Meta ships soon")
    grace_page = soup(client.get(f"/rounds/{rid}"))
    assert grace_page.select_one("#agreement") is not None  # she gave hers

    for person in (cast.rita, cast.ada):
        r = as_user(client, db, person).get(f"/rounds/{rid}")
        assert "Grace says Meta ships soon" not in r.text
        assert soup(r).select_one("#agreement") is None
        assert "estimate given" in words(soup(r).select_one(f"#person-{cast.grace.id}"))
        assert "Grace says" not in client.get(f"/projects/{cast.project.id}").text

    _estimate(client, db, cast.rita, rid, (4, 2, 3))
    as_user(client, db, cast.ada)
    page = soup(client.get(f"/rounds/{rid}"))
    assert page.select_one("#decide-form") is None  # the owner reveals first
    version = page.select_one("#reveal-form [name=version]")["value"]
    r = client.submit(f"/rounds/{rid}/reveal", {"version": version})
    assert r.status_code == 303
    page = soup(client.get(f"/rounds/{rid}"))
    spread = page.select_one("#spread-scoop_risk")
    assert words(spread.select_one(".spread-text")) == "wide disagreement on scoop risk: 2 to 5"
    assert "min 2 · max 5 · median 3.5" in words(spread)
    assert len(spread.select("svg.distribution rect.bar")) == 5
    cells = [words(td) for td in spread.select(".distribution-table tbody td")]
    assert cells == ["0", "1", "0", "0", "1"]
    assert "Grace says Meta ships soon" in words(spread)
    grace_row = [words(td) for td in page.select(f"#priority-{cast.grace.id} td")]
    assert grace_row[:4] == ["Grace Manager", "2", "5", "3"] and grace_row[5] == "1 of 1"
    assert page.select_one("#f-adopt_scoop_risk option[selected]")["value"] == "4"

    version = page.select_one("#decide-form [name=version]")["value"]
    r = client.submit(
        f"/rounds/{rid}/close",
        {
            "version": version,
            "adopt_attainability": "3",
            "adopt_scoop_risk": "4",
            "adopt_impact": "3",
            "rationale": "Grace's view of Meta weighs most",
        },
    )
    assert r.status_code == 303, r.text
    page = soup(client.get(f"/rounds/{rid}"))
    adopted = [strong.get_text() for strong in page.select("#decided strong")]
    assert adopted == ["3", "4", "3"]  # attainability, scoop risk, impact
    project = soup(client.get(f"/projects/{cast.project.id}"))
    record = [words(li) for li in project.select("[data-kind=round] .round-record li")]
    assert record[0].startswith("Grace Manager: attainability 2, scoop risk 5, impact 3")
    assert "scoop risk 4" in words(project.select("[data-kind=assessment]")[0])

    as_user(client, db, cast.tom)  # not asked: the closed round's record only
    project = soup(client.get(f"/projects/{cast.project.id}"))
    assert project.select_one("[data-kind=round] .round-record") is not None
    assert project.select_one(f"#round-{rid} a") is None


def test_a_stale_decision_is_refused_with_the_rationale_kept(client, db, cast):
    scoring_round = factories.make_round(db, cast.project, cast.ada, [cast.grace, cast.rita])
    factories.make_estimate(db, scoring_round, cast.grace, (2, 5, 3))
    as_user(client, db, cast.ada)
    client.submit(f"/rounds/{scoring_round.id}/reveal", {"version": "2"})
    page = soup(client.get(f"/rounds/{scoring_round.id}"))
    version = page.select_one("#decide-form [name=version]")["value"]
    factories.make_estimate(db, scoring_round, cast.rita, (5, 1, 5))  # meanwhile
    r = client.submit(
        f"/rounds/{scoring_round.id}/close",
        {"version": version, "adopt_scoop_risk": "5", "rationale": "My reasons"},
    )
    assert r.status_code == 409
    page = soup(r)
    message = words(page.select_one("#round-message"))
    assert "Estimates changed since you loaded this round" in message
    assert words(page.select_one("#f-rationale")) == "My reasons"
    assert page.select_one(f"#priority-{cast.rita.id}") is not None  # the new one is shown
