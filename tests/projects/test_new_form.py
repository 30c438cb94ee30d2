"""The new-project form: a title and three scores first, the rest under
"More details", nothing typed there lost."""

from sqlmodel import select

from app.projects.models import Assessment, PlanVersion, Project
from tests.helpers import count, soup


def test_the_short_form_shows_title_and_scores_the_rest_is_disclosed(logged_in):
    page = soup(logged_in.get("/projects/new"))
    form = page.select_one("form[action$='/projects']")
    details = form.select_one("details#more-details")
    assert details is not None and not details.has_attr("open")
    outside = [
        el["name"] for el in form.select("input, select, textarea") if not el.find_parent("details")
    ]
    assert outside == ["csrftoken", "title", "attainability", "scoop_risk", "impact"]
    inside = {el["name"] for el in details.select("input, select, textarea")}
    assert {"summary", "keywords", "success_axis", "goal", "scoop_risk_rationale"} <= inside


# What the browser posts for the details left as they were.
UNTOUCHED = {"status": "idea", "success_axis": "best", "team_id": ""}


def test_title_and_scores_alone_create_a_ranked_project(logged_in, db, user):
    form = {"title": "Sparse kernels", "attainability": "4", "scoop_risk": "2", "impact": "5"}
    form |= UNTOUCHED
    r = logged_in.submit("/projects", form)
    assert r.status_code == 303
    project = db.exec(select(Project)).one()
    assessment = db.exec(select(Assessment)).one()
    assert (assessment.attainability, assessment.scoop_risk, assessment.impact) == (4, 2, 5)
    assert assessment.success_axis == "best"  # the form's default, as before
    assert count(db, PlanVersion) == 1
    assert r.headers["location"] == f"/projects/{project.id}"


def test_an_error_in_the_details_opens_them_and_keeps_what_was_typed(logged_in, db):
    form = {
        "title": "Sparse kernels",
        "attainability": "4",
        "scoop_risk": "2",
        "impact": "5",
        "summary": "Block-sparse attention.",
        "horizon": "next spring",
        **UNTOUCHED,
    }
    r = logged_in.submit("/projects", form)
    assert r.status_code == 422
    page = soup(r)
    details = page.select_one("details#more-details")
    assert details.has_attr("open")
    assert details.select_one("#e-horizon").get_text() == "Enter a date as YYYY-MM-DD."
    assert details.select_one("#f-summary").get_text() == "Block-sparse attention."
    assert count(db, Project) == 0


def test_a_title_error_keeps_the_details_typed_and_open(logged_in, db):
    form = {"title": "", "attainability": "4", "scoop_risk": "2", "impact": "5", "goal": "Ship"}
    form |= UNTOUCHED
    page = soup(logged_in.submit("/projects", form))
    assert page.select_one("#e-title").get_text() == "This is required."
    assert page.select_one("details#more-details").has_attr("open")
    assert page.select_one("#f-goal").get_text() == "Ship"


def test_a_title_error_alone_keeps_the_details_closed(logged_in):
    form = {"title": "", "attainability": "4", "scoop_risk": "2", "impact": "5", **UNTOUCHED}
    page = soup(logged_in.submit("/projects", form))
    assert not page.select_one("details#more-details").has_attr("open")
