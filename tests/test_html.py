"""Every page a signed-in user reaches is well-formed where it matters:
unique ids (labels and HTMX targets depend on them) and a label per field."""

from collections import Counter

import pytest

from tests import factories
from tests.helpers import soup


@pytest.fixture
def pages(db, user):
    project = factories.make_project(db, user, "P", goal="g")
    release = factories.make_release(db, user, "R")
    factories.make_link(db, user, release, project, effect="partial_scoop")
    entry = factories.make_entry(db, user, body="b", project_id=project.id)
    # A team the user manages, with a researcher's plan shared up to them.
    team = factories.make_team(db, user, "T")
    researcher = factories.make_user(db, display_name="Rita")
    factories.add_member(db, team, researcher)
    theirs = factories.make_project(db, researcher, "Theirs", team_id=team.id)
    request = factories.make_request(db, theirs, researcher, user, ["One?", "Two?"])
    return [
        "/teams",
        f"/teams/{team.id}",
        f"/teams/{team.id}/portfolio",
        f"/teams/{team.id}/settings",
        f"/teams/{team.id}/journal",
        f"/projects/{theirs.id}",
        f"/projects/{project.id}/plans/1/share",
        "/reviews",
        f"/reviews/{request.id}",
        "/activity",
        "/digest",
        "/",
        "/projects/new",
        f"/projects/{project.id}",
        f"/projects/{project.id}/edit",
        f"/projects/{project.id}/plan/edit",
        f"/projects/{project.id}/replan",
        f"/projects/{project.id}/plans/diff",
        "/releases",
        "/releases/new",
        f"/releases/{release.id}",
        "/journal",
        "/journal/new",
        f"/journal/entries/{entry.id}",
        f"/journal/entries/{entry.id}/edit",
        "/journal/pace",
        "/journal/review",
        "/journal/settings",
        "/account",
    ]


def test_ids_are_unique_and_fields_are_labelled(logged_in, pages):
    for url in pages:
        r = logged_in.get(url)
        assert r.status_code == 200, url
        page = soup(r)
        ids = Counter(tag["id"] for tag in page.select("[id]"))
        assert [i for i, n in ids.items() if n > 1] == [], url
        for field in page.select(
            "input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, textarea"
        ):
            has_label = field.get("id") and page.select_one(f'label[for="{field["id"]}"]')
            assert has_label or field.find_parent("label") or field.get("aria-label"), (
                url,
                str(field)[:80],
            )
