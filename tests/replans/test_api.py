"""Re-plans and plan versions through the API."""

import pytest
from sqlmodel import select

from app.projects.models import Assessment, PlanVersion
from app.releases.models import Release
from app.replans.models import Replan
from tests import factories
from tests.helpers import count, error_of


def test_replan_in_one_call_with_a_logged_release(api, db, user):
    project = factories.make_project(db, user, "P", goal="v1 goal")
    release = factories.make_release(db, user, "R")
    r = api.post(
        f"/api/v1/projects/{project.id}/replans",
        json=factories.replan_data(version=1, release_id=release.id),
    )
    assert r.status_code == 201, r.text
    replan = r.json()
    assert replan["decision"] == "differentiate" and replan["release_id"] == release.id
    assert "What we learned: Check arXiv weekly" in replan["summary"]
    assert api.get(f"/api/v1/projects/{project.id}/replans").json() == [replan]
    plan = api.get(f"/api/v1/projects/{project.id}/plans/2").json()
    assert plan["reason"] == "replan" and plan["reason_note"] == "re-plan after R"
    assert plan["goal"] == "The multilingual version"
    assert api.get(f"/api/v1/projects/{project.id}/plans/1").json()["goal"] == "v1 goal"
    body = api.get(f"/api/v1/projects/{project.id}").json()
    assert body["replans"] == 1 and body["version"] == 2 and body["assessment"]["scoop_risk"] == 2


def test_replan_with_a_new_release_logs_it(api, db, user):
    project = factories.make_project(db, user, "P")
    data = factories.replan_data(
        version=1, release=factories.release_data("New one", url="2411.00001")
    )
    assert api.post(f"/api/v1/projects/{project.id}/replans", json=data).status_code == 201
    assert db.exec(select(Release.external_id)).one() == "arxiv:2411.00001"


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"decision": "retire", "learnings": ""}, "learnings"),
        ({"decision": "give_up"}, "decision"),
        ({"effect": "related"}, "effect"),
        ({"what_they_did": ""}, "what_they_did"),
        (
            {
                "assessment": {
                    "attainability": 9,
                    "scoop_risk": 1,
                    "impact": 1,
                    "success_axis": "best",
                }
            },
            "assessment.attainability",
        ),
        ({"plan": {"horizon": "someday"}}, "plan.horizon"),
        ({"release_id": None}, "body"),
    ],
)
def test_bad_replans_answer_422_and_write_nothing(api, db, user, patch, field):
    project = factories.make_project(db, user, "P")
    release = factories.make_release(db, user, "R")
    data = {**factories.replan_data(version=1, release_id=release.id), **patch}
    if patch.get("release_id", 0) is None:
        data.pop("release_id")
    error = error_of(
        api.post(f"/api/v1/projects/{project.id}/replans", json=data), 422, "validation_error"
    )
    assert field in [f["field"] for f in error["fields"]]
    assert count(db, Replan) == 0 and count(db, Assessment) == 1 and count(db, PlanVersion) == 1


def test_stale_version_is_a_conflict(api, db, user):
    project = factories.make_project(db, user, "P")
    release = factories.make_release(db, user, "R")
    api.patch(f"/api/v1/projects/{project.id}", json={"version": 1, "title": "Renamed"})
    r = api.post(
        f"/api/v1/projects/{project.id}/replans",
        json=factories.replan_data(version=1, release_id=release.id),
    )
    error_of(r, 409, "version_conflict")
    assert count(db, Replan) == 0


def test_unknown_or_foreign_release_is_404(api, db, user, other_user):
    project = factories.make_project(db, user, "P")
    theirs = factories.make_release(db, other_user, "Theirs")
    for release_id in (theirs.id, 999999):
        r = api.post(
            f"/api/v1/projects/{project.id}/replans",
            json=factories.replan_data(version=1, release_id=release_id),
        )
        error_of(r, 404, "not_found")
    assert count(db, Replan) == 0 and count(db, PlanVersion) == 1
    error_of(api.get(f"/api/v1/projects/{project.id}/plans/7"), 404, "not_found")


def test_no_endpoint_reports_a_scoop_as_a_failure(api, db, user):
    project = factories.make_project(db, user, "P")
    release = factories.make_release(db, user, "R")
    api.post(
        f"/api/v1/projects/{project.id}/replans",
        json=factories.replan_data(version=1, release_id=release.id),
    )
    for url in (
        "/api/v1/projects",
        f"/api/v1/projects/{project.id}",
        f"/api/v1/projects/{project.id}/replans",
    ):
        assert "fail" not in api.get(url).text.lower()
