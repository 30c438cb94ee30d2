"""Scoring rounds under a real server (two worker processes, real
connections): estimators submitting at once, and the owner closing while an
estimator submits. Each race is detected; nothing is overwritten."""

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx
from sqlmodel import Session, select

from app.projects.models import Assessment
from app.rounds.models import Estimate, RoundStatus, ScoringRound
from tests import factories
from tests.live.conftest import CLIENT_TIMEOUT


def _cast(database):
    with Session(database.engine, expire_on_commit=False) as db:
        ada = factories.make_user(db, display_name="Ada Owner")
        grace = factories.make_user(db, display_name="Grace Manager")
        rita = factories.make_user(db, display_name="Rita Researcher")
        team = factories.make_team(db, grace, "Vision")
        factories.add_member(db, team, ada)
        factories.add_member(db, team, rita)
        project = factories.make_project(db, ada, "Alpha", team_id=team.id)
        tokens = {
            name: {"Authorization": f"Bearer {factories.make_token(db, person)}"}
            for name, person in (("ada", ada), ("grace", grace), ("rita", rita))
        }
    return project.id, {"grace": grace.id, "rita": rita.id}, tokens


def _at_once(*calls):
    """Run the calls in threads released together; their responses, in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return [f.result() for f in [pool.submit(run, c) for c in calls]]


def _estimate(http, headers, round_id, value):
    body = {"attainability": value, "scoop_risk": value, "impact": value}
    return lambda: http.put(f"/api/v1/rounds/{round_id}/estimate", json=body, headers=headers)


def test_two_estimators_submitting_at_once_both_land(serve, database):
    project_id, ids, tokens = _cast(database)
    server = serve(workers=2)
    with httpx.Client(base_url=server.url, timeout=CLIENT_TIMEOUT) as http:
        started = http.post(
            f"/api/v1/projects/{project_id}/rounds",
            json={"estimator_ids": [ids["grace"], ids["rita"]]},
            headers=tokens["ada"],
        )
        assert started.status_code == 201, started.text
        rid = started.json()["id"]
        for turn in range(8):
            grace, rita = 1 + turn % 5, 5 - turn % 5
            answers = _at_once(
                _estimate(http, tokens["grace"], rid, grace),
                _estimate(http, tokens["rita"], rid, rita),
            )
            assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    with Session(database.engine) as db:
        kept = {e.user_id: e.scoop_risk for e in db.exec(select(Estimate))}
        version = db.get(ScoringRound, rid).version
    assert kept == {ids["grace"]: grace, ids["rita"]: rita}  # each one's last, neither lost
    assert version == 1 + 16  # every estimate moved the round on


def test_the_owner_closing_while_an_estimator_submits_is_one_or_the_other(serve, database):
    project_id, ids, tokens = _cast(database)
    server = serve(workers=2)
    outcomes = set()
    with httpx.Client(base_url=server.url, timeout=CLIENT_TIMEOUT) as http:
        for _turn in range(6):
            rid = http.post(
                f"/api/v1/projects/{project_id}/rounds",
                json={"estimator_ids": [ids["grace"], ids["rita"]]},
                headers=tokens["ada"],
            ).json()["id"]
            assert _estimate(http, tokens["grace"], rid, 2)().status_code == 200
            seen = http.get(f"/api/v1/rounds/{rid}", headers=tokens["ada"]).json()["version"]
            close = lambda rid=rid, seen=seen: http.post(  # noqa: E731
                f"/api/v1/rounds/{rid}/close", json={"version": seen}, headers=tokens["ada"]
            )
            rita, closed = _at_once(_estimate(http, tokens["rita"], rid, 5), close)
            statuses = (rita.status_code, closed.status_code)
            assert statuses in ((200, 409), (409, 200)), (rita.text, closed.text)
            late = rita if rita.status_code == 409 else closed
            assert late.json()["error"]["code"] == "round_changed"
            outcomes.add(statuses)
            with Session(database.engine) as db:
                scoring_round = db.get(ScoringRound, rid)
                given = {
                    e.user_id: e.impact
                    for e in db.exec(select(Estimate).where(Estimate.round_id == rid))
                }
                if closed.status_code == 200:
                    # Adopted what the owner saw: Grace's alone; Rita's never landed.
                    assert given == {ids["grace"]: 2}
                    adopted = db.get(Assessment, scoring_round.assessment_id)
                    assert (adopted.impact, scoring_round.status) == (2, RoundStatus.closed)
                else:
                    assert given == {ids["grace"]: 2, ids["rita"]: 5}
                    assert scoring_round.status is RoundStatus.open
            if closed.status_code == 409:  # close it for the next turn
                version = http.get(f"/api/v1/rounds/{rid}", headers=tokens["ada"]).json()
                r = http.post(
                    f"/api/v1/rounds/{rid}/close",
                    json={"version": version["version"]},
                    headers=tokens["ada"],
                )
                assert r.status_code == 200, r.text
    assert outcomes  # which side wins is the scheduler's; both are handled
