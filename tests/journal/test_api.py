"""Journal entries through the API: the author's own, with revisions."""

import pytest
from sqlmodel import select

from app.journal.models import JournalEntry, JournalRevision
from tests import factories
from tests.helpers import count, error_of


def test_create_list_read_edit_archive(api, db, user):
    project = factories.make_project(db, user, "P")
    r = api.post(
        "/api/v1/journal/entries",
        json={
            "kind": "evaluation",
            "day": "2026-11-18",
            "body": "Ran **evals**",
            "learned": "Seeds matter",
            "hours": 3.5,
            "energy": 3,
            "project_id": project.id,
            "serves_purpose": True,
        },
    )
    assert r.status_code == 201, r.text
    entry = r.json()
    assert (entry["kind"], entry["hours"], entry["version"]) == ("evaluation", "3.5", 1)
    assert api.get(f"/api/v1/journal/entries/{entry['id']}").json() == entry
    listing = api.get("/api/v1/journal/entries?kind=evaluation&since=2026-11-01&q=EVALS").json()
    assert [e["id"] for e in listing["items"]] == [entry["id"]]
    edited = api.patch(
        f"/api/v1/journal/entries/{entry['id']}", json={"version": 1, "body": "Ran evals twice"}
    )
    assert edited.json()["body"] == "Ran evals twice" and edited.json()["version"] == 2
    assert db.exec(select(JournalRevision.body)).one() == "Ran **evals**"
    error_of(
        api.patch(f"/api/v1/journal/entries/{entry['id']}", json={"version": 1, "body": "x"}),
        409,
        "version_conflict",
    )
    archived = api.post(f"/api/v1/journal/entries/{entry['id']}/archive").json()
    assert archived["archived_at"] is not None
    assert api.get("/api/v1/journal/entries").json()["items"] == []
    assert len(api.get("/api/v1/journal/entries?archived=true").json()["items"]) == 1
    assert api.post(f"/api/v1/journal/entries/{entry['id']}/restore").json()["archived_at"] is None


def test_day_defaults_to_today_in_the_users_zone(api, db, user):
    from app.journal.service import today_for

    entry = api.post("/api/v1/journal/entries", json={"kind": "rest", "body": "A walk"}).json()
    assert entry["day"] == today_for(user).isoformat()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "nap"}, "kind"),
        ({"kind": "rest", "energy": 0}, "energy"),
        ({"kind": "rest", "energy": "3"}, "energy"),
        ({"kind": "rest", "hours": 25}, "hours"),
        ({"kind": "rest", "hours": 1.25}, "hours"),
        ({"kind": "rest", "day": "yesterday"}, "day"),
        ({"kind": "rest", "body": "x" * 20_001}, "body"),
        ({"kind": "rest", "mood": "great"}, "mood"),
        ({}, "kind"),
    ],
)
def test_bad_entries_answer_422(api, db, body, field):
    error = error_of(api.post("/api/v1/journal/entries", json=body), 422, "validation_error")
    assert field in [f["field"] for f in error["fields"]]
    assert count(db, JournalEntry) == 0


def test_other_peoples_entries_and_projects_are_not_found(api, db, user, other_user):
    theirs = factories.make_entry(db, other_user, body="private")
    their_project = factories.make_project(db, other_user, "Theirs")
    error_of(api.get(f"/api/v1/journal/entries/{theirs.id}"), 404, "not_found")
    error_of(
        api.post("/api/v1/journal/entries", json={"kind": "rest", "project_id": their_project.id}),
        404,
        "not_found",
    )
    assert api.get("/api/v1/journal/entries").json()["items"] == []
    assert api.get("/api/v1/journal/entries?q=private").json()["items"] == []
