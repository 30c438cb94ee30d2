"""What a project's forms and page say back: a title too long is refused
beside its field with every character kept (never cut), a horizon already
past is saved and said, and sharing is set on the project page itself."""

from sqlmodel import select

from app.projects.models import PlanVersion, Project
from tests import factories
from tests.helpers import soup, words
from tests.projects.test_pages import NEW_PROJECT
from tests.test_flash import flash_of


def test_a_20000_character_title_is_refused_beside_the_field_and_kept(logged_in, db):
    title = "Reward model robustness " + "x" * (20_000 - 24)
    r = logged_in.submit("/projects", {**NEW_PROJECT, "title": title})
    assert r.status_code == 422
    page = soup(r)
    field = page.select_one("#f-title")
    assert field["value"] == title, "what was typed is kept, all of it"
    assert not field.has_attr("maxlength"), "the browser would cut a paste silently"
    assert page.select_one("#e-title").get_text(strip=True) == (
        "Too long: at most 200 characters; this one has 20000."
    )
    assert field["aria-describedby"] == "e-title"
    assert db.exec(select(Project)).all() == []


def test_a_horizon_in_the_past_is_saved_with_a_warning(logged_in, db):
    r = logged_in.submit("/projects", {**NEW_PROJECT, "horizon": "2025-01-31"})
    assert r.status_code == 303
    assert db.exec(select(PlanVersion)).one().horizon.isoformat() == "2025-01-31"
    page = logged_in.get(r.headers["location"])
    assert flash_of(page) == (
        f"Project “{NEW_PROJECT['title']}” created. Its horizon, 31 Jan 2025, is already past: "
        "revise the plan to set a later one."
    )
    horizon = soup(page).select_one("#plan-1 .plan-fields .past")
    assert horizon.get_text(strip=True) == "(already past)"


def test_a_future_horizon_gets_no_warning(logged_in, db):
    r = logged_in.submit("/projects", {**NEW_PROJECT, "horizon": "2099-01-31"})
    page = logged_in.get(r.headers["location"])
    assert "already past" not in flash_of(page)
    assert soup(page).select_one("#plan-1 .past") is None


def test_sharing_is_set_on_the_project_page(logged_in, db, user):
    team = factories.make_team(db, user, "Alignment lab")
    project = factories.make_project(db, user, "Reward model robustness")
    page = soup(logged_in.get(f"/projects/{project.id}"))
    form = page.select_one("#sharing form")
    assert form["action"].endswith(f"/projects/{project.id}/sharing")
    options = [o.get_text(strip=True) for o in form.select("select[name=team_id] option")]
    assert options == ["Private: only me", "Alignment lab"]
    version = form.select_one("input[name=version]")["value"]

    r = logged_in.submit(form["action"], {"team_id": str(team.id), "version": version})
    assert r.status_code == 303
    db.refresh(project)
    assert project.team_id == team.id
    landed = logged_in.get(r.headers["location"])
    assert flash_of(landed) == "“Reward model robustness” is now shared with Alignment lab."
    assert words(soup(landed).select_one("#sharing p.shared")).startswith(
        "Shared with Alignment lab"
    )

    form = soup(landed).select_one("#sharing form")
    version = form.select_one("input[name=version]")["value"]
    r = logged_in.submit(form["action"], {"team_id": "", "version": version})
    db.refresh(project)
    assert project.team_id is None
    assert flash_of(logged_in.get(r.headers["location"])) == (
        "“Reward model robustness” is now private: only you can see it."
    )


def test_sharing_with_a_team_not_mine_is_refused_beside_the_select(logged_in, db, user, other_user):
    factories.make_team(db, user, "Alignment lab")
    theirs = factories.make_team(db, other_user, "Someone else's lab")
    project = factories.make_project(db, user, "Reward model robustness")
    r = logged_in.submit(
        f"/projects/{project.id}/sharing", {"team_id": str(theirs.id), "version": "1"}
    )
    assert r.status_code == 422
    assert soup(r).select_one("#sharing #e-team_id").get_text(strip=True) == (
        "Choose one of your teams."
    )
    db.refresh(project)
    assert project.team_id is None
