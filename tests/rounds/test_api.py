"""The rounds API at the paths outside checks use, with the app's one error
shape: start, read, estimate, reveal, close, and the to-score box."""

import pytest

from app.projects import queries as project_queries
from tests import factories
from tests.helpers import error_of, field_error, token_of


@pytest.fixture
def as_(db, cast):
    return {
        name: token_of(db, getattr(cast, name)) for name in ("ada", "grace", "rita", "tom", "olga")
    }


def _start(client, as_, cast, *people) -> dict:
    r = client.post(
        f"/api/v1/projects/{cast.project.id}/rounds",
        json={"estimator_ids": [p.id for p in people]},
        headers=as_["ada"],
    )
    assert r.status_code == 201, r.text
    return r.json()


def _estimate(client, headers, round_id, a, s, i, **extra):
    return client.put(
        f"/api/v1/rounds/{round_id}/estimate",
        json={"attainability": a, "scoop_risk": s, "impact": i, **extra},
        headers=headers,
    )


def test_a_whole_round_over_the_api(client, db, cast, as_):
    started = _start(client, as_, cast, cast.grace, cast.rita)
    rid = started["id"]
    assert started["status"] == "open" and not started["values_visible"]
    box = client.get("/api/v1/rounds?box=to_score", headers=as_["grace"]).json()
    assert [item["id"] for item in box] == [rid]

    r = _estimate(client, as_["grace"], rid, 2, 5, 3, scoop_risk_rationale="Meta is close")
    assert r.status_code == 200, r.text
    grace_sees = {e["display_name"]: e["estimate"] for e in r.json()["estimators"]}
    assert grace_sees["Grace Manager"]["scoop_risk"] == 5
    assert grace_sees["Rita Researcher"] is None  # not given yet

    # Rita, before giving hers, sees nothing of Grace's; the owner neither.
    for who in ("rita", "ada"):
        body = client.get(f"/api/v1/rounds/{rid}", headers=as_[who]).json()
        assert [e["estimate"] for e in body["estimators"]] == [None, None]
        assert "Meta is close" not in str(body) and body["spread"] == []
        assert [e["submitted"] for e in body["estimators"]] == [True, False]

    _estimate(client, as_["rita"], rid, 4, 2, 3)
    r = client.post(f"/api/v1/rounds/{rid}/reveal", json={}, headers=as_["ada"])
    assert r.status_code == 200 and r.json()["status"] == "revealed"
    spread = {s["score"]: s for s in r.json()["spread"]}
    assert spread["scoop_risk"]["text"] == "wide disagreement on scoop risk: 2 to 5"
    assert spread["scoop_risk"]["proposed"] == 4
    version = r.json()["version"]

    r = client.post(
        f"/api/v1/rounds/{rid}/close",
        json={"version": version, "adopt": {"impact": 4, "rationale": "Grace knows Meta"}},
        headers=as_["ada"],
    )
    assert r.status_code == 200, r.text
    closed = r.json()
    assert closed["status"] == "closed" and closed["assessment_id"]
    db.expire_all()
    current = project_queries.current_assessment(db, project=cast.project)
    assert current.id == closed["assessment_id"]
    assert (current.attainability, current.scoop_risk, current.impact) == (3, 4, 4)
    assert client.get("/api/v1/rounds?box=to_score", headers=as_["grace"]).json() == []
    started_box = client.get("/api/v1/rounds?box=started", headers=as_["ada"]).json()
    assert [(i["id"], i["estimates"]) for i in started_box] == [(rid, 2)]


def test_errors_keep_the_one_shape(client, cast, as_):
    r = client.post(
        f"/api/v1/projects/{cast.project.id}/rounds",
        json={"estimator_ids": [cast.olga.id]},
        headers=as_["ada"],
    )
    field_error(r, "estimator_ids")
    field_error(
        client.post(
            f"/api/v1/projects/{cast.project.id}/rounds",
            json={"estimator_ids": []},
            headers=as_["ada"],
        ),
        "estimator_ids",
    )
    rid = _start(client, as_, cast, cast.grace)["id"]
    field_error(_estimate(client, as_["grace"], rid, 6, 1, 1), "attainability")
    field_error(_estimate(client, as_["grace"], rid, True, 1, 1), "attainability")
    error_of(_estimate(client, as_["ada"], rid, 1, 1, 1), 403, "forbidden")
    error_of(_estimate(client, as_["rita"], rid, 1, 1, 1), 404, "not_found")
    error_of(client.get(f"/api/v1/rounds/{rid}", headers=as_["olga"]), 404, "not_found")
    error_of(client.post(f"/api/v1/rounds/{rid}/reveal", headers=as_["grace"]), 403, "forbidden")
    error_of(
        client.post(f"/api/v1/rounds/{rid}/close", json={"version": 1}, headers=as_["ada"]),
        409,
        "no_estimates",
    )
    _estimate(client, as_["grace"], rid, 1, 1, 1)
    error_of(
        client.post(f"/api/v1/rounds/{rid}/close", json={"version": 1}, headers=as_["ada"]),
        409,
        "round_changed",
    )
    field_error(
        client.post(f"/api/v1/rounds/{rid}/close", json={"adopt": {}}, headers=as_["ada"]),
        "version",
    )
    r = client.get("/api/v1/rounds?box=nonsense", headers=as_["ada"])
    field_error(r, "box")


def test_my_estimate_with_a_stale_version_is_refused(client, cast, as_):
    rid = _start(client, as_, cast, cast.grace)["id"]
    _estimate(client, as_["grace"], rid, 2, 2, 2)
    assert _estimate(client, as_["grace"], rid, 3, 3, 3, version=1).status_code == 200
    r = _estimate(client, as_["grace"], rid, 4, 4, 4, version=1)  # another tab's
    error_of(r, 409, "round_changed")


def test_private_projects_have_no_rounds(client, db, cast, as_):
    private = factories.make_project(db, cast.ada, "Private")
    r = client.post(
        f"/api/v1/projects/{private.id}/rounds",
        json={"estimator_ids": [cast.grace.id]},
        headers=as_["ada"],
    )
    error_of(r, 409, "not_shared")
