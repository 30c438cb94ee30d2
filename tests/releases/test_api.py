"""The release and link API."""

import pytest

from app.releases.models import Release, ReleaseLink
from tests import factories
from tests.helpers import count, error_of


def test_create_read_and_dedupe(api, db):
    r = api.post("/api/v1/releases", json=factories.release_data("Paper A", url="2401.00001"))
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["url"] == "https://arxiv.org/abs/2401.00001"
    assert created["external_id"] == "arxiv:2401.00001"
    assert created["source"] == "api"
    assert created.pop("links") == []  # the links made with it: none asked for
    assert api.get(f"/api/v1/releases/{created['id']}").json() == created

    again = api.post(
        "/api/v1/releases",
        json=factories.release_data("Paper A v2", url="https://arxiv.org/pdf/2401.00001v2"),
    )
    error = error_of(again, 409, "duplicate_release")
    assert again.headers["location"] == f"/api/v1/releases/{created['id']}"
    assert error["fields"][0]["field"] == "url"
    assert count(db, Release) == 1


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"title": ""}, "title"),
        ({"kind": "tweet"}, "kind"),
        ({"released_on": "2999-01-01"}, "released_on"),
        ({"released_on": "not a date"}, "released_on"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"title": "x" * 301}, "title"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_releases_answer_422(api, db, patch, field):
    error = error_of(
        api.post("/api/v1/releases", json=factories.release_data(**patch)), 422, "validation_error"
    )
    assert field in [f["field"] for f in error["fields"]]
    assert count(db, Release) == 0


def test_list_filters_and_pages_with_a_cursor(api, db, user):
    for i in range(7):
        factories.make_release(
            db,
            user,
            f"R{i}",
            kind="model" if i % 2 else "paper",
            released_on=f"2026-0{i + 1}-01",
            organisation="Lab X" if i < 3 else "Lab Y",
        )
    page = api.get("/api/v1/releases?limit=3").json()
    assert [r["title"] for r in page["items"]] == ["R6", "R5", "R4"]
    page2 = api.get(f"/api/v1/releases?limit=3&before={page['next_before']}").json()
    assert [r["title"] for r in page2["items"]] == ["R3", "R2", "R1"]
    page3 = api.get(f"/api/v1/releases?limit=3&before={page2['next_before']}").json()
    assert [r["title"] for r in page3["items"]] == ["R0"] and page3["next_before"] is None
    assert [r["title"] for r in api.get("/api/v1/releases?kind=model").json()["items"]] == [
        "R5",
        "R3",
        "R1",
    ]
    assert [r["title"] for r in api.get("/api/v1/releases?organisation=lab x").json()["items"]] == [
        "R2",
        "R1",
        "R0",
    ]
    window = api.get("/api/v1/releases?since=2026-02-01&until=2026-03-31").json()
    assert [r["title"] for r in window["items"]] == ["R2", "R1"]
    assert [r["title"] for r in api.get("/api/v1/releases?q=r3").json()["items"]] == ["R3"]
    error_of(api.get("/api/v1/releases?before=garbage"), 422, "validation_error")
    error_of(api.get("/api/v1/releases?limit=0"), 422, "validation_error")


def test_links_create_list_and_change(api, db, user):
    project = factories.make_project(db, user, "P")
    release = factories.make_release(db, user, "R")
    r = api.post(
        f"/api/v1/releases/{release.id}/links", json={"project_id": project.id, "effect": "related"}
    )
    assert r.status_code == 201, r.text
    link = r.json()
    assert api.get(f"/api/v1/projects/{project.id}/links").json() == [link]
    assert api.get(f"/api/v1/releases/{release.id}/links").json() == [link]
    changed = api.patch(
        f"/api/v1/links/{link['id']}", json={"effect": "reinforces", "note": "Confirms our bet"}
    )
    assert changed.json()["effect"] == "reinforces" and changed.json()["note"] == "Confirms our bet"
    assert api.get(f"/api/v1/projects/{project.id}").json()["reinforced"] == 1
    error_of(api.patch(f"/api/v1/links/{link['id']}", json={}), 422, "validation_error")
    error_of(
        api.patch(f"/api/v1/links/{link['id']}", json={"effect": "doom"}), 422, "validation_error"
    )


def test_links_to_unknown_or_foreign_things_are_404(api, db, user, other_user):
    mine = factories.make_release(db, user, "Mine")
    theirs = factories.make_project(db, other_user, "Theirs")
    error_of(
        api.post(
            f"/api/v1/releases/{mine.id}/links", json={"project_id": theirs.id, "effect": "scoop"}
        ),
        404,
        "not_found",
    )
    error_of(
        api.post(
            f"/api/v1/releases/{mine.id}/links", json={"project_id": 999999, "effect": "scoop"}
        ),
        404,
        "not_found",
    )
    error_of(
        api.post("/api/v1/releases/999999/links", json={"project_id": 1, "effect": "scoop"}),
        404,
        "not_found",
    )
    assert count(db, ReleaseLink) == 0
