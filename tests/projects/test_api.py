"""The projects JSON API: token auth, one error shape, versions, validation."""

import pytest

from app.projects.models import Assessment, PlanVersion, Project
from tests import factories
from tests.helpers import count, error_of


def test_create_read_and_list_ranked(api, db):
    r = api.post(
        "/api/v1/projects",
        json=factories.project_data(
            "Mech interp of MoE routers",
            attainability=4,
            scoop_risk=2,
            impact=5,
            keywords=["Interp", "moe"],
            goal="Find the routing circuits",
        ),
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["keywords"] == ["interp", "moe"]
    assert created["version"] == 1
    assert created["plan"]["number"] == 1 and created["plan"]["goal"] == "Find the routing circuits"
    assert created["priority"] == {
        "value": 55.4,
        "rank": 1,
        "explanation": "55.4 = impact 0.9 × attainability 0.7 × scoop factor 0.88 "
        "(1 − scoop risk 0.3 × (1 − residual 0.6 for 'best')) × 100",
    }
    assert api.get(f"/api/v1/projects/{created['id']}").json() == created

    api.post(
        "/api/v1/projects",
        json=factories.project_data("Better", attainability=5, impact=5, scoop_risk=1),
    )
    listing = api.get("/api/v1/projects").json()
    assert listing["formula"].startswith("priority = impact × attainability")
    assert [(p["title"], p["priority"]["rank"]) for p in listing["items"]] == [
        ("Better", 1),
        ("Mech interp of MoE routers", 2),
    ]
    assert [p["title"] for p in api.get("/api/v1/projects?keyword=MOE").json()["items"]] == [
        "Mech interp of MoE routers"
    ]


def test_update_makes_a_new_assessment_and_bumps_the_version(api, db):
    pid = api.post("/api/v1/projects", json=factories.project_data("P")).json()["id"]
    r = api.patch(
        f"/api/v1/projects/{pid}",
        json={
            "version": 1,
            "status": "active",
            "assessment": {"scoop_risk": 5, "scoop_risk_rationale": "A big lab announced it"},
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["version"] == 2 and body["status"] == "active"
    assert body["assessment"]["scoop_risk"] == 5 and body["assessment"]["impact"] == 3
    history = api.get(f"/api/v1/projects/{pid}/assessments").json()
    assert [h["scoop_risk"] for h in history] == [5, 3]
    assert history[0]["scoop_risk_rationale"] == "A big lab announced it"


def test_stale_version_answers_409_and_changes_nothing(api, db):
    pid = api.post("/api/v1/projects", json=factories.project_data("P")).json()["id"]
    assert (
        api.patch(f"/api/v1/projects/{pid}", json={"version": 1, "title": "First"}).status_code
        == 200
    )
    r = api.patch(
        f"/api/v1/projects/{pid}",
        json={"version": 1, "title": "Second", "assessment": {"impact": 1}},
    )
    error = error_of(r, 409, "version_conflict")
    assert "version 2" in error["message"]
    current = api.get(f"/api/v1/projects/{pid}").json()
    assert current["title"] == "First" and current["assessment"]["impact"] == 3
    assert count(db, Assessment) == 1


def test_archive_and_restore(api):
    pid = api.post("/api/v1/projects", json=factories.project_data("P")).json()["id"]
    archived = api.post(f"/api/v1/projects/{pid}/archive").json()
    assert archived["archived_at"] is not None and archived["priority"]["rank"] is None
    assert api.get("/api/v1/projects").json()["items"] == []
    assert [p["id"] for p in api.get("/api/v1/projects?archived=true").json()["items"]] == [pid]
    restored = api.post(f"/api/v1/projects/{pid}/restore").json()
    assert restored["archived_at"] is None and restored["priority"]["rank"] == 1


def test_plans_are_listed_newest_first(api):
    pid = api.post("/api/v1/projects", json=factories.project_data("P", goal="g1")).json()["id"]
    plans = api.get(f"/api/v1/projects/{pid}/plans").json()
    assert [(p["number"], p["reason"], p["goal"]) for p in plans] == [(1, "initial", "g1")]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"assessment": {"impact": 6}}, "assessment.impact"),
        ({"assessment": {"impact": 0}}, "assessment.impact"),
        ({"assessment": {"impact": "3"}}, "assessment.impact"),
        ({"assessment": {"impact": 3.5}}, "assessment.impact"),
        ({"assessment": {"impact": True}}, "assessment.impact"),
        ({"assessment": {"success_axis": "fastest"}}, "assessment.success_axis"),
        ({"title": ""}, "title"),
        ({"title": "x" * 10_000}, "title"),
        ({"status": "failed"}, "status"),
        ({"keywords": "not a list of words!"}, "keywords"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_updates_answer_422_naming_the_field(api, db, patch, field):
    pid = api.post("/api/v1/projects", json=factories.project_data("P")).json()["id"]
    error = error_of(
        api.patch(f"/api/v1/projects/{pid}", json={"version": 1, **patch}), 422, "validation_error"
    )
    assert field in [f["field"] for f in error["fields"]]
    assert count(db, Assessment) == 1
    assert api.get(f"/api/v1/projects/{pid}").json()["version"] == 1


def test_two_hundred_thousand_keywords_are_refused_with_the_limit(api, db):
    # Short ones, so that the body stays under the 1 MiB limit and reaches validation.
    r = api.post(
        "/api/v1/projects",
        json=factories.project_data("P", keywords=["k"] * 200_000),
    )
    error = error_of(r, 422, "validation_error")
    assert [f["field"] for f in error["fields"]] == ["keywords"]
    assert "at most 20 keywords" in error["fields"][0]["message"]
    assert count(db, Project) == 0


def test_update_without_version_is_refused(api):
    pid = api.post("/api/v1/projects", json=factories.project_data("P")).json()["id"]
    error = error_of(
        api.patch(f"/api/v1/projects/{pid}", json={"title": "x"}), 422, "validation_error"
    )
    assert "version" in [f["field"] for f in error["fields"]]


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.pop("title"), "title"),
        (lambda d: d.update(title="x" * 201), "title"),
        (lambda d: d["assessment"].update(scoop_risk=9), "assessment.scoop_risk"),
        (lambda d: d["assessment"].pop("impact"), "assessment.impact"),
        (lambda d: d["plan"].update(horizon="someday"), "plan.horizon"),
        (lambda d: d.update(summary=["not", "text"]), "summary"),
    ],
)
def test_bad_creates_answer_422_and_write_nothing(api, db, mutate, field):
    data = factories.project_data("P")
    mutate(data)
    error = error_of(api.post("/api/v1/projects", json=data), 422, "validation_error")
    assert field in [f["field"] for f in error["fields"]]
    assert count(db, Project) == count(db, PlanVersion) == 0


def test_malformed_json_answers_400(api, db):
    r = api.post(
        "/api/v1/projects",
        content=b'{"title": "oops",',
        headers={"Content-Type": "application/json"},
    )
    error_of(r, 400, "malformed_json")
    assert count(db, Project) == 0


def test_html_is_stored_as_text_and_returned_as_json(api):
    evil = "<script>alert(1)</script>"
    r = api.post("/api/v1/projects", json=factories.project_data(evil))
    assert r.json()["title"] == evil
    assert r.headers["content-type"].startswith("application/json")


def test_api_needs_a_valid_token(app, api):
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="https://testserver") as anonymous:
        error_of(anonymous.get("/api/v1/projects"), 401, "unauthorized")
        error_of(
            anonymous.get("/api/v1/projects", headers={"Authorization": "Bearer gf_forged"}),
            401,
            "unauthorized",
        )


def test_api_ignores_the_browser_session(logged_in):
    assert logged_in.get("/api/v1/projects").status_code == 401


def test_unknown_routes_and_ids_use_the_error_shape(api):
    error_of(api.get("/api/v1/projects/999999"), 404, "not_found")
    error_of(api.get("/api/v1/projects/abc"), 422, "validation_error")
    error_of(api.get("/api/v1/nothing-here"), 404, "not_found")
    error_of(api.put("/api/v1/projects"), 405, "method_not_allowed")


def test_openapi_documents_the_api(client):
    spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/projects"])
    assert {"get", "patch"} <= set(paths["/api/v1/projects/{project_id}"])
    assert "/api/v1/projects/{project_id}/assessments" in paths
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    assert "ErrorBody" in spec["components"]["schemas"]
