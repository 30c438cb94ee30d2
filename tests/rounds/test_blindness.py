"""Blindness on the surfaces a round reaches beyond its own page: the
notification, the project page and its timeline, the API lists, and the
data export. Grace has estimated; the round is not revealed."""

import io
import json
import zipfile

from app.rounds import queries, service
from tests import factories
from tests.helpers import as_user, soup, token_of

SECRET = "Grace's blind reason"


def _blind_round(db, cast):
    scoring_round = factories.make_round(db, cast.project, cast.ada, [cast.grace, cast.rita])
    factories.make_estimate(db, scoring_round, cast.grace, (1, 5, 2), scoop_risk_rationale=SECRET)
    return scoring_round


def _export(client, db, person) -> dict[str, list[dict]]:
    r = as_user(client, db, person).get("/account/export")
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        manifest = json.loads(z.read("manifest.json"))
        return {
            t["name"]: [json.loads(line) for line in z.read(t["file"]).splitlines()]
            for t in manifest["tables"]
        }


def test_nothing_beyond_the_round_page_shows_a_blind_value(client, db, cast):
    scoring_round = _blind_round(db, cast)
    for person in (cast.ada, cast.rita, cast.tom):
        as_user(client, db, person)
        for url in ("/", f"/projects/{cast.project.id}", "/rounds", "/activity", "/digest"):
            assert SECRET not in client.get(url).text, (person.display_name, url)
        headers = token_of(db, person)
        for url in (
            "/api/v1/rounds?box=to_score",
            "/api/v1/rounds?box=estimating",
            "/api/v1/rounds?box=started",
            "/api/v1/notifications",
            f"/api/v1/projects/{cast.project.id}",
        ):
            body = client.get(url, headers=headers).text
            assert SECRET not in body and '"scoop_risk":5' not in body.replace(" ", ""), url

    # The owner's timeline says who has estimated, not what.
    as_user(client, db, cast.ada)
    record = soup(client.get(f"/projects/{cast.project.id}")).select(
        "[data-kind=round] .round-record li"
    )
    assert [li.get_text(strip=True) for li in record] == [
        "Grace Manager: estimate given",
        "Rita Researcher: waiting",
    ]
    # Rita's notification names the project, not anyone's numbers.
    notes = client.get("/api/v1/notifications", headers=token_of(db, cast.rita)).json()
    rita_notes = notes["items"]
    assert [n["summary"] for n in rita_notes] == [
        "Shared project Alpha: your estimate of its scores"
    ]
    assert rita_notes[0]["round_id"] == scoring_round.id


def test_the_export_carries_rounds_and_only_ones_own_estimates(client, db, cast):
    scoring_round = _blind_round(db, cast)
    owner = _export(client, db, cast.ada)
    assert [r["id"] for r in owner["scoring_round"]] == [scoring_round.id]
    assert {e["user_id"] for e in owner["round_estimator"]} == {cast.grace.id, cast.rita.id}
    assert owner["estimate"] == []
    assert SECRET not in json.dumps(owner)
    grace = _export(client, db, cast.grace)
    assert [e["scoop_risk_rationale"] for e in grace["estimate"]] == [SECRET]
    assert grace["scoring_round"] == []  # the round is Ada's record
    rita = _export(client, db, cast.rita)
    assert rita["estimate"] == [] and SECRET not in json.dumps(rita)


def test_the_timeline_shows_the_last_rounds_scoop_estimates_beside_a_replan(client, db, cast):
    scoring_round = _blind_round(db, cast)
    factories.make_estimate(db, scoring_round, cast.rita, (3, 2, 3))
    view = queries.round_for(db, user=cast.ada, round_id=scoring_round.id)
    service.round_reveal(db, view=view, version=None)
    db.commit()
    release = factories.make_release(db, cast.ada, "Rival model")
    factories.make_link(db, cast.ada, release, cast.project, effect="scoop")
    factories.make_replan(db, cast.project, cast.ada, release)
    page = soup(as_user(client, db, cast.ada).get(f"/projects/{cast.project.id}"))
    estimated = page.select_one("[data-kind=replan] .estimated").get_text(" ", strip=True)
    assert estimated.startswith("Scoop risk estimated 5 by Grace Manager on ")
    assert "estimated 2 by Rita Researcher on " in estimated
