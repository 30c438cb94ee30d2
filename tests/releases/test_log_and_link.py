"""Logging a release and linking it to projects in one form (and one API
call): all of it, or with anything refused, nothing."""

from sqlmodel import select

from app.releases.models import Release, ReleaseLink
from tests import factories
from tests.helpers import api_error, count, error_of, soup

FORM = {
    "title": "LIMA: Less Is More for Alignment",
    "kind": "paper",
    "organisation": "Meta",
    "released_on": "2023-05-18",
    "url": "https://arxiv.org/abs/2305.11206",
    "summary": "1,000 curated examples are enough.",
}


def rows_for(projects, chosen: dict) -> dict:
    """The form's rows as a browser posts them: every project listed, in the
    page's order, with "" for not linked."""
    return {
        "link_project": [str(p.id) for p in projects],
        "link_effect": [chosen.get(p.id, ("", ""))[0] for p in projects],
        "link_note": [chosen.get(p.id, ("", ""))[1] for p in projects],
    }


def test_the_form_lists_my_live_projects_not_linked(logged_in, db, user, other_user):
    mine = factories.make_project(db, user, "Instruction tuning data")
    archived = factories.make_project(db, user, "Old idea")
    archived.archived_at = archived.created_at
    db.commit()
    factories.make_project(db, other_user, "Someone else's")
    page = soup(logged_in.get("/releases/new"))
    picker = page.select_one("#link-picker")
    labels = [label.get_text(" ", strip=True) for label in picker.select("label.link-project")]
    assert labels == ["Effect on Instruction tuning data"]
    select_ = picker.select_one(f"select#f-link_effect-{mine.id}")
    assert select_.select_one("option[selected]").get_text() == "not linked"


def test_log_and_link_two_projects_in_one_submit(logged_in, db, user):
    data_work = factories.make_project(db, user, "Instruction tuning data")
    evals = factories.make_project(db, user, "Alignment evals")
    untouched = factories.make_project(db, user, "Tokenizer ablations")
    projects = [evals, data_work, untouched]
    chosen = {data_work.id: ("scoop", "Same 1k-example claim"), evals.id: ("new_baseline", "")}
    r = logged_in.submit("/releases", {**FORM, **rows_for(projects, chosen)})
    assert r.status_code == 303
    release = db.exec(select(Release)).one()
    assert r.headers["location"] == f"/releases/{release.id}"  # linked already: its page
    links = {
        link.project_id: (link.effect, link.note)
        for link in db.exec(select(ReleaseLink).where(ReleaseLink.release_id == release.id))
    }
    assert links == {
        data_work.id: ("scoop", "Same 1k-example claim"),
        evals.id: ("new_baseline", ""),
    }
    page = soup(logged_in.get(r.headers["location"]))
    touched = [a.get_text(strip=True) for a in page.select("ul.links li > a:not(.button)")]
    assert sorted(touched) == ["Alignment evals", "Instruction tuning data"]
    assert page.select_one("a.button").get_text(strip=True) == "I got scooped: re-plan"


def test_a_refused_link_saves_nothing_and_keeps_everything_typed(logged_in, db, user):
    data_work = factories.make_project(db, user, "Instruction tuning data")
    evals = factories.make_project(db, user, "Alignment evals")
    chosen = {data_work.id: ("scoop", "Same claim"), evals.id: ("doom", "x" * 2001)}
    r = logged_in.submit("/releases", {**FORM, **rows_for([data_work, evals], chosen)})
    assert r.status_code == 422
    assert count(db, Release) == 0 and count(db, ReleaseLink) == 0
    page = soup(r)
    assert page.select_one(f"#e-link_effect-{evals.id}").get_text() == "Choose one of the options."
    assert page.select_one(f"#e-link_note-{evals.id}").get_text().startswith("Too long")
    kept = page.select_one(f"#f-link_effect-{data_work.id} option[selected]")
    assert kept["value"] == "scoop"
    assert page.select_one(f"#f-link_note-{data_work.id}")["value"] == "Same claim"
    assert page.select_one("#f-title")["value"] == FORM["title"]


def test_a_note_without_an_effect_is_asked_about_not_dropped(logged_in, db, user):
    project = factories.make_project(db, user, "Instruction tuning data")
    r = logged_in.submit("/releases", {**FORM, **rows_for([project], {project.id: ("", "hmm")})})
    assert r.status_code == 422
    assert count(db, Release) == 0
    error = soup(r).select_one(f"#e-link_effect-{project.id}").get_text()
    assert error == "Choose its effect to link it, or clear the note."


def test_a_bad_release_field_and_a_link_are_both_kept(logged_in, db, user):
    project = factories.make_project(db, user, "Instruction tuning data")
    bad = {**FORM, "title": "", **rows_for([project], {project.id: ("reinforces", "")})}
    r = logged_in.submit("/releases", bad)
    assert r.status_code == 422
    page = soup(r)
    assert page.select_one("#e-title").get_text() == "This is required."
    assert page.select_one(f"#f-link_effect-{project.id} option[selected]")["value"] == "reinforces"
    assert count(db, Release) == 0


def test_someone_elses_project_cannot_be_linked_from_the_form(logged_in, db, user, other_user):
    theirs = factories.make_project(db, other_user, "Theirs")
    r = logged_in.submit("/releases", {**FORM, **rows_for([theirs], {theirs.id: ("scoop", "")})})
    assert r.status_code == 422
    page = soup(r)
    assert page.select_one("#e-links").get_text() == (
        "A project chosen is not one of your live projects: choose again."
    )
    assert "Theirs" not in page.select_one("main").get_text()
    assert count(db, Release) == 0 and count(db, ReleaseLink) == 0


def test_a_duplicate_release_links_nothing_and_says_so(logged_in, db, user):
    project = factories.make_project(db, user, "Instruction tuning data")
    assert logged_in.submit("/releases", FORM).status_code == 303
    again = {**FORM, **rows_for([project], {project.id: ("scoop", "Same claim")})}
    r = logged_in.submit("/releases", again)
    assert r.status_code == 409
    notice = soup(r).select_one("#existing-release").get_text(" ", strip=True)
    assert "nothing was linked" in notice
    assert soup(r).select_one(f"#f-link_note-{project.id}")["value"] == "Same claim"
    assert count(db, Release) == 1 and count(db, ReleaseLink) == 0


def test_without_links_the_probable_projects_are_offered_as_before(logged_in, db, user):
    project = factories.make_project(db, user, "Instruction tuning data")
    r = logged_in.submit("/releases", {**FORM, **rows_for([project], {})})
    release = db.exec(select(Release)).one()
    assert r.headers["location"] == f"/releases/{release.id}/touches"
    assert count(db, ReleaseLink) == 0


# ---------------------------------------------------------------- the API


def test_api_logs_a_release_with_its_links(api, db, user):
    a = factories.make_project(db, user, "A")
    b = factories.make_project(db, user, "B")
    body = {
        **FORM,
        "links": [
            {"project_id": a.id, "effect": "partial_scoop", "note": "their eval is ours"},
            {"project_id": b.id, "effect": "reinforces"},
        ],
    }
    r = api.post("/api/v1/releases", json=body)
    assert r.status_code == 201
    created = r.json()
    got = {(link["project_id"], link["effect"], link["note"]) for link in created["links"]}
    assert got == {(a.id, "partial_scoop", "their eval is ours"), (b.id, "reinforces", "")}
    listed = api.get(f"/api/v1/releases/{created['id']}/links").json()
    assert {link["project_id"] for link in listed} == {a.id, b.id}


def test_api_without_links_is_as_before(api, db, user):
    r = api.post("/api/v1/releases", json=FORM)
    assert r.status_code == 201
    assert r.json()["links"] == []


def test_api_a_foreign_project_in_links_writes_nothing(api, db, user, other_user):
    mine = factories.make_project(db, user, "Mine")
    theirs = factories.make_project(db, other_user, "Theirs")
    body = {
        **FORM,
        "links": [
            {"project_id": mine.id, "effect": "scoop"},
            {"project_id": theirs.id, "effect": "scoop"},
        ],
    }
    error_of(api.post("/api/v1/releases", json=body), 404, "not_found")
    assert count(db, Release) == 0 and count(db, ReleaseLink) == 0


def test_api_refuses_a_project_twice_or_a_bad_effect(api, db, user):
    p = factories.make_project(db, user, "P")
    twice = [{"project_id": p.id, "effect": "scoop"}, {"project_id": p.id, "effect": "related"}]
    r = api.post("/api/v1/releases", json={**FORM, "links": twice})
    assert r.status_code == 422
    assert "Link each project once" in api_error(r)["message"] + str(api_error(r)["fields"])
    r = api.post("/api/v1/releases", json={**FORM, "links": [{"project_id": p.id, "effect": "x"}]})
    assert r.status_code == 422
    assert count(db, Release) == 0
