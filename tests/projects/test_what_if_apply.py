"""The project page's What-if, applied: a normal re-score with its reason."""

from sqlmodel import select

from app.projects.models import Assessment, Project
from tests import factories
from tests.helpers import count, soup


def assessments(db, project) -> list[Assessment]:
    db.expire_all()
    rows = select(Assessment).where(Assessment.project_id == project.id).order_by(Assessment.id)
    return list(db.exec(rows))


def test_the_preview_offers_to_apply_the_change(logged_in, db, user):
    project = factories.make_project(db, user, "Kernels", scoop_risk=3)
    page = soup(logged_in.get(f"/projects/{project.id}/what-if?score=scoop_risk&value=5"))
    form = page.select_one("form#apply-what-if")
    assert form["action"].endswith(f"/projects/{project.id}/what-if")
    assert form.select_one("label[for=f-rationale]").get_text() == (
        "Why scoop risk is now 5 (was 3)"
    )
    assert form.select_one("button").get_text() == "Apply this change"


def test_no_apply_when_the_score_would_not_move(logged_in, db, user):
    project = factories.make_project(db, user, "Kernels", scoop_risk=3)
    page = soup(logged_in.get(f"/projects/{project.id}/what-if?score=scoop_risk&value=3"))
    assert page.select_one("form#apply-what-if") is None


def test_applying_saves_a_rescore_with_its_reason(logged_in, db, user):
    project = factories.make_project(
        db, user, "Kernels", scoop_risk=3, scoop_risk_rationale="Nobody else is on it"
    )
    form = {"score": "scoop_risk", "value": "5", "version": str(project.version)}
    r = logged_in.submit(
        f"/projects/{project.id}/what-if", {**form, "rationale": "Big Lab announced it"}
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/projects/{project.id}"
    old, new = assessments(db, project)
    assert (old.scoop_risk, new.scoop_risk) == (3, 5)
    assert new.scoop_risk_rationale == "Big Lab announced it"
    assert (new.attainability, new.impact) == (old.attainability, old.impact)
    page = soup(logged_in.get(r.headers["location"]))
    assert "Big Lab announced it" in page.get_text()


def test_a_moved_score_needs_its_reason(logged_in, db, user):
    project = factories.make_project(db, user, "Kernels", scoop_risk=3)
    form = {"score": "scoop_risk", "value": "5", "version": str(project.version)}
    r = logged_in.submit(f"/projects/{project.id}/what-if", {**form, "rationale": "  "})
    assert r.status_code == 422
    page = soup(r)
    assert page.select_one("#e-rationale").get_text().startswith("Say why the score moves")
    assert page.select_one("form#apply-what-if")  # the what-if is shown again
    assert "If scoop risk were 5 (now 3)" in page.select_one("#what-if").get_text(" ", strip=True)
    assert len(assessments(db, project)) == 1


def test_a_too_long_reason_is_refused_and_kept(logged_in, db, user):
    project = factories.make_project(db, user, "Kernels", impact=2)
    long = "because " * 300
    form = {"score": "impact", "value": "4", "version": str(project.version), "rationale": long}
    r = logged_in.submit(f"/projects/{project.id}/what-if", form)
    assert r.status_code == 422
    page = soup(r)
    assert page.select_one("#e-rationale").get_text().startswith("Too long")
    assert page.select_one("#f-rationale").get_text() == long
    assert len(assessments(db, project)) == 1


def test_an_edit_made_meanwhile_is_not_overwritten(logged_in, db, user):
    project = factories.make_project(db, user, "Kernels", scoop_risk=3)
    opened_at = project.version
    project.version += 1  # someone re-scored it in another tab
    db.commit()
    form = {"score": "scoop_risk", "value": "5", "version": str(opened_at), "rationale": "Why"}
    r = logged_in.submit(f"/projects/{project.id}/what-if", form)
    assert r.status_code == 409
    page = soup(r)
    assert page.select_one("#e-version").get_text().startswith("The project changed")
    assert page.select_one("#f-rationale").get_text() == "Why"
    assert page.select_one("input[name=version]")["value"] == str(opened_at + 1)
    assert len(assessments(db, project)) == 1


def test_only_the_owner_applies(client, db, user, other_user):
    project = factories.make_project(db, user, "Kernels")
    factories.log_in(client, db, other_user)
    form = {"score": "impact", "value": "5", "version": str(project.version), "rationale": "x"}
    assert client.submit(f"/projects/{project.id}/what-if", form).status_code == 404
    assert count(db, Assessment) == 1
    assert db.get(Project, project.id).version == project.version


def test_the_htmx_preview_carries_the_apply_form(logged_in, db, user):
    project = factories.make_project(db, user, "Kernels", scoop_risk=3)
    r = logged_in.get(
        f"/projects/{project.id}/what-if?score=scoop_risk&value=5", headers={"HX-Request": "true"}
    )
    assert r.status_code == 200
    fragment = soup(r)
    assert fragment.select_one("#what-if form#apply-what-if input[name=csrftoken]")["value"]
