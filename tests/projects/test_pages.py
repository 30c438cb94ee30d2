"""The portfolio, project pages and forms, as a browser without JavaScript
(and as HTMX) would use them."""

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.projects.models import Assessment, PlanVersion, Project, ProjectKeyword
from tests import factories
from tests.helpers import count, soup


def titles_in_order(response) -> list[str]:
    return [a.get_text(strip=True) for a in soup(response).select("#portfolio-table td.title > a")]


NEW_PROJECT = {
    "title": "Eval harness for long-context models",
    "summary": "Can a cheap harness predict long-context failures?",
    "keywords": "LLM, evaluation,  long context ",
    "status": "active",
    "success_axis": "best",
    "attainability": "4",
    "scoop_risk": "2",
    "impact": "5",
    "attainability_rationale": "We have the infra.",
    "scoop_risk_rationale": "Few groups care.",
    "impact_rationale": "Everyone needs it.",
    "goal": "A public harness",
    "approach": "Synthetic needles",
    "differentiation": "Thoroughness",
    "contingency": "Build on theirs",
    "questions": "Do we value best over first?",
    "horizon": "2027-03-01",
}


def test_create_project_with_scores_and_first_plan(logged_in, db, user):
    r = logged_in.submit("/projects", NEW_PROJECT)
    assert r.status_code == 303
    project = db.exec(select(Project)).one()
    assert r.headers["location"] == f"/projects/{project.id}"
    assert project.owner_id == user.id and project.status == "active"
    keywords = db.exec(
        select(ProjectKeyword.keyword).where(ProjectKeyword.project_id == project.id)
    ).all()
    assert sorted(keywords) == ["evaluation", "llm", "long context"]
    assessment = db.exec(select(Assessment)).one()
    assert (assessment.attainability, assessment.scoop_risk, assessment.impact) == (4, 2, 5)
    plan = db.exec(select(PlanVersion)).one()
    assert (
        plan.number == 1 and plan.reason == "initial" and plan.horizon.isoformat() == "2027-03-01"
    )

    page = soup(logged_in.get(r.headers["location"]))
    assert page.select_one("h1").get_text(strip=True) == NEW_PROJECT["title"]
    # 0.9 × 0.7 × (1 − 0.3 × 0.4) × 100 = 55.44
    assert page.select_one("#priority-value").get_text() == "55.4"
    assert page.select_one("#rank").get_text() == "1"
    assert "impact 0.9 × attainability 0.7" in page.select_one("p.explain").get_text()
    text = page.get_text()
    assert "We have the infra." in text and "Do we value best over first?" in text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "required"),
        ("title", "   ", "required"),
        ("title", "x" * 10_000, "at most 200"),
        ("summary", "x" * 5001, "at most 5000"),
        ("impact", "6", "1 to 5"),
        ("impact", "0", "1 to 5"),
        ("scoop_risk", "high", "1 to 5"),
        ("attainability", "", "1 to 5"),
        ("status", "failed", "one of the options"),
        ("success_axis", "fastest", "one of the options"),
        ("horizon", "next spring", "yyyy-mm-dd"),
        ("horizon", "2027-02-30", "yyyy-mm-dd"),
        ("keywords", "<script>", "not a keyword"),
        ("keywords", ", ".join(f"k{i}" for i in range(21)), "at most 20 keywords"),
        ("keywords", "k," * 100_000, "at most 20 keywords"),
        ("impact_rationale", "x" * 2001, "at most 2000"),
        ("contingency", "x" * 5001, "at most 5000"),
    ],
)
def test_bad_input_is_shown_beside_its_field_and_nothing_is_written(
    logged_in, db, field, value, message
):
    r = logged_in.submit("/projects", {**NEW_PROJECT, field: value})
    assert r.status_code == 422
    error = soup(r).select_one(f"#e-{field}")
    assert error is not None, f"no message beside {field}"
    assert message in error.get_text().lower()
    # The rest of what was typed is still in the form.
    kept = soup(r).select_one("#f-goal").get_text()
    assert kept == NEW_PROJECT["goal"]
    assert count(db, Project) == count(db, Assessment) == count(db, PlanVersion) == 0


def test_html_in_every_text_field_is_shown_escaped(logged_in, db):
    evil = '<script>alert(1)</script><img src=x onerror=alert(2)>"'
    fields = {
        name: evil
        for name in (
            "title",
            "summary",
            "attainability_rationale",
            "scoop_risk_rationale",
            "impact_rationale",
            "goal",
            "approach",
            "differentiation",
            "contingency",
            "questions",
        )
    }
    r = logged_in.submit("/projects", {**NEW_PROJECT, **fields})
    assert r.status_code == 303
    for page in (logged_in.get(r.headers["location"]), logged_in.get("/")):
        assert "<script>alert(1)</script>" not in page.text
        assert "<img src=x" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert not soup(page).select("main script, main img")


def test_portfolio_ranks_by_priority_and_explains_each_rank(logged_in, db, user):
    factories.make_project(db, user, "Low", attainability=2, impact=2)
    factories.make_project(db, user, "High", attainability=5, impact=5, scoop_risk=1)
    factories.make_project(db, user, "Middle", attainability=3, impact=4)
    r = logged_in.get("/")
    assert titles_in_order(r) == ["High", "Middle", "Low"]
    page = soup(r)
    assert [td.get_text(strip=True) for td in page.select("td.rank")] == ["1", "2", "3"]
    explanations = [s.get_text() for s in page.select("td.priority .explain")]
    assert all(" = impact " in e and "scoop factor" in e for e in explanations)
    assert (
        "priority = impact × attainability × (1 − scoop risk × (1 − residual)) × 100"
        in page.select_one(".formula").get_text()
    )


def test_portfolio_filters_and_sorts(logged_in, db, user):
    factories.make_project(db, user, "Alpha", impact=2, status="active", keywords=["rl"])
    factories.make_project(db, user, "Beta", impact=5, status="paused", keywords=["llm"])
    factories.make_project(db, user, "Gamma", impact=4, status="active", keywords=["llm", "rl"])
    assert titles_in_order(logged_in.get("/?status=active")) == ["Gamma", "Alpha"]
    assert titles_in_order(logged_in.get("/?keyword=LLM")) == ["Beta", "Gamma"]
    assert titles_in_order(logged_in.get("/?status=active&keyword=llm")) == ["Gamma"]
    assert titles_in_order(logged_in.get("/?sort=impact&order=asc")) == ["Alpha", "Gamma", "Beta"]
    assert titles_in_order(logged_in.get("/?sort=title")) == ["Gamma", "Beta", "Alpha"]
    assert titles_in_order(logged_in.get("/?sort=title&order=asc")) == ["Alpha", "Beta", "Gamma"]
    # Ranks stay the portfolio's own whatever the view.
    ranks = [
        td.get_text(strip=True)
        for td in soup(logged_in.get("/?sort=title&order=asc")).select("td.rank")
    ]
    assert ranks == ["3", "1", "2"]
    # Nonsense in the query string falls back to the defaults.
    assert logged_in.get("/?status=bogus&sort=;drop&order=sideways").status_code == 200


def editor_page(client, portfolio: str, project_id: int):
    """The page a browser without JavaScript opens from a portfolio row's
    "Edit scores" link: the row has no editor until then."""
    row = soup(client.get(portfolio)).select_one(f"#row-{project_id}")
    assert row.select("select") == [] and row.select_one("form") is None
    link = row.select_one("a[data-edit-scores]")
    assert link.get_text(strip=True) == "Edit scores"
    r = client.get(link["href"])
    assert r.status_code == 200
    page = soup(r)
    assert page.select_one("h1").get_text(strip=True).startswith("Edit the scores of ")
    return page


def test_inline_rescore_without_javascript_redirects_back_reranked(logged_in, db, user):
    factories.make_project(db, user, "First", impact=5, attainability=5)
    second = factories.make_project(db, user, "Second", impact=3, attainability=3)
    assert titles_in_order(logged_in.get("/")) == ["First", "Second"]
    # Without JavaScript, the row's "Edit scores" link opens a page with its form.
    page = editor_page(logged_in, "/?keyword=&sort=priority&order=desc&status=", second.id)
    # What a browser without JavaScript posts: the row's form and the selects tied to it.
    form = page.select_one(f"#score-{second.id}")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    data |= {"attainability": "5", "scoop_risk": "1", "impact": "5"}
    assert page.select_one(f"select[name=impact][form=score-{second.id}]") is not None
    r = logged_in.post(form["action"], data=data)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert titles_in_order(logged_in.get("/")) == ["Second", "First"]
    assert db.exec(select(sa.func.count()).where(Assessment.project_id == second.id)).one() == 2


def test_inline_rescore_from_a_filtered_view_returns_to_it(logged_in, db, user):
    project = factories.make_project(db, user, "A", status="active", keywords=["rl"])
    factories.make_project(db, user, "B", status="paused")
    page = editor_page(logged_in, "/?status=active&keyword=rl&sort=impact&order=asc", project.id)
    form = page.select_one(f"#score-{project.id}")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    r = logged_in.post(
        form["action"], data={**data, "attainability": "3", "scoop_risk": "3", "impact": "4"}
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/?status=active&keyword=rl&sort=impact&order=asc"


def test_inline_rescore_with_htmx_returns_the_reranked_fragment(logged_in, db, user):
    factories.make_project(db, user, "First", impact=5, attainability=5)
    second = factories.make_project(db, user, "Second", impact=3, attainability=3)
    r = logged_in.htmx(
        f"/projects/{second.id}/scores",
        {"attainability": "5", "scoop_risk": "1", "impact": "5", "version": "1"},
    )
    assert r.status_code == 200
    assert "HX-Request" in r.headers["vary"]
    fragment = soup(r)
    assert fragment.select_one("html") is None, "a fragment, not a page"
    assert fragment.select_one("#portfolio") is not None
    assert titles_in_order(r) == ["Second", "First"]
    assert fragment.select_one(f"#row-{second.id}")["class"] == ["changed"]


def test_inline_rescore_keeps_the_view_it_came_from(logged_in, db, user):
    a = factories.make_project(db, user, "A", status="active", impact=2)
    factories.make_project(db, user, "B", status="paused", impact=5)
    r = logged_in.htmx(
        f"/projects/{a.id}/scores?status=active",
        {"attainability": "3", "scoop_risk": "3", "impact": "4", "version": "1"},
    )
    assert titles_in_order(r) == ["A"]


def test_stale_inline_rescore_is_refused_not_overwritten(logged_in, db, user):
    project = factories.make_project(db, user, "Contested", impact=3)
    fresh = {"attainability": "3", "scoop_risk": "3", "impact": "5", "version": "1"}
    assert logged_in.htmx(f"/projects/{project.id}/scores", fresh).status_code == 200
    stale = {**fresh, "impact": "1"}  # made from the page before the first edit
    r = logged_in.htmx(f"/projects/{project.id}/scores", stale)
    assert r.status_code == 409
    assert "changed elsewhere" in soup(r).select_one(".notice").get_text()
    db.expire_all()
    current = db.exec(select(Assessment).order_by(Assessment.id.desc())).first()
    assert current.impact == 5


def test_inline_rescore_with_bad_score_says_why(logged_in, db, user):
    project = factories.make_project(db, user, "P")
    r = logged_in.htmx(
        f"/projects/{project.id}/scores",
        {"attainability": "3", "scoop_risk": "9", "impact": "3", "version": "1"},
    )
    assert r.status_code == 422
    assert "1 to 5" in soup(r).select_one(".notice").get_text()
    assert count(db, Assessment) == 1


def test_edit_form_rescores_and_keeps_history(logged_in, db, user):
    project = factories.make_project(db, user, "Old title", impact=3, keywords=["a"])
    form = soup(logged_in.get(f"/projects/{project.id}/edit"))
    assert form.select_one("#f-title")["value"] == "Old title"
    values = {
        "title": "New title",
        "summary": "s",
        "keywords": "b, c",
        "status": "active",
        "success_axis": "open",
        "attainability": "4",
        "scoop_risk": "2",
        "impact": "5",
        "impact_rationale": "Bigger than we thought",
        "version": "1",
    }
    r = logged_in.submit(f"/projects/{project.id}/edit", values)
    assert r.status_code == 303
    page = soup(logged_in.get(f"/projects/{project.id}"))
    assert page.select_one("h1").get_text(strip=True) == "New title"
    history = page.select(".history-list > li")
    assert len(history) == 2
    assert "Bigger than we thought" in history[0].get_text()
    assert page.select("svg.history polyline")


def test_edit_with_stale_version_keeps_the_typed_text(logged_in, db, user):
    project = factories.make_project(db, user, "Shared")
    base = {
        "title": "Mine",
        "status": "idea",
        "success_axis": "best",
        "attainability": "3",
        "scoop_risk": "3",
        "impact": "3",
    }
    assert (
        logged_in.submit(f"/projects/{project.id}/edit", {**base, "version": "1"}).status_code
        == 303
    )
    r = logged_in.submit(
        f"/projects/{project.id}/edit", {**base, "title": "Theirs", "version": "1"}
    )
    assert r.status_code == 409
    assert soup(r).select_one("#f-title")["value"] == "Theirs"
    assert "changed this project" in r.text
    db.refresh(project)
    assert project.title == "Mine"


def test_revising_the_plan_makes_a_new_version(logged_in, db, user):
    project = factories.make_project(db, user, "P", goal="First goal")
    form = soup(logged_in.get(f"/projects/{project.id}/plan/edit"))
    assert form.select_one("#f-goal").get_text() == "First goal"
    r = logged_in.submit(f"/projects/{project.id}/plan", {"goal": "Second goal", "based_on": "1"})
    assert r.status_code == 303
    plans = db.exec(select(PlanVersion).order_by(PlanVersion.number)).all()
    assert [(p.number, p.goal, p.reason) for p in plans] == [
        (1, "First goal", "initial"),
        (2, "Second goal", "revision"),
    ]
    # A second author still on version 1 is told, and loses nothing.
    r = logged_in.submit(f"/projects/{project.id}/plan", {"goal": "Third goal", "based_on": "1"})
    assert r.status_code == 409
    assert soup(r).select_one("#f-goal").get_text() == "Third goal"
    assert count(db, PlanVersion) == 2


def test_archive_hides_from_ranking_keeps_everything_and_restores(logged_in, db, user):
    keep = factories.make_project(db, user, "Keep")
    gone = factories.make_project(db, user, "Shelve")
    assert logged_in.submit(f"/projects/{gone.id}/archive").status_code == 303
    assert titles_in_order(logged_in.get("/")) == ["Keep"]
    assert titles_in_order(logged_in.get("/?archived=1")) == ["Shelve"]
    assert "Archived on" in logged_in.get(f"/projects/{gone.id}").text
    assert count(db, Project) == 2 and count(db, Assessment) == 2
    assert logged_in.submit(f"/projects/{gone.id}/restore").status_code == 303
    assert sorted(titles_in_order(logged_in.get("/"))) == ["Keep", "Shelve"]
    assert keep.id


def test_there_is_no_way_to_delete_a_project(app):
    methods = {m for route in app.routes for m in getattr(route, "methods", set())}
    assert "DELETE" not in methods


def test_portfolio_map_plots_every_project_as_a_link(logged_in, db, user):
    a = factories.make_project(db, user, "A", attainability=5, impact=5, scoop_risk=4)
    b = factories.make_project(db, user, "B", attainability=5, impact=5, scoop_risk=1)
    c = factories.make_project(db, user, "C", attainability=1, impact=2, scoop_risk=2)
    page = soup(logged_in.get("/"))
    points = page.select("figure.map svg a.point")
    assert sorted(p["href"] for p in points) == sorted(
        f"/projects/{pid}" for pid in (a.id, b.id, c.id)
    )
    by_id = {int(p["data-project-id"]): p for p in points}
    # Readable without colour: scoop risk is also the marker's shape.
    assert by_id[a.id].select_one("use.marker")["href"] == "#mk4"
    assert by_id[b.id].select_one("use.marker")["href"] == "#mk1"
    assert "risk-4" in by_id[a.id].select_one("use.marker")["class"]
    # Two projects in the same cell do not hide each other.
    ma = by_id[a.id].select_one("use.marker")
    mb = by_id[b.id].select_one("use.marker")
    assert (ma["x"], ma["y"]) != (mb["x"], mb["y"])
    # Titles are written on the map, and the quadrants are named.
    assert by_id[a.id].select_one("text.map-label").get_text().startswith("A")
    quadrants = [t.contents[0].strip() for t in page.select("text.map-quadrant")]
    assert quadrants == ["Quick wins", "Moonshots", "Safe bets", "Rethink"]
    # No hard-coded colours: the dark theme's tokens reach every marker.
    assert not page.select("figure.map [fill], figure.map [stroke]")
    assert "scoop risk 4" in by_id[a.id].select_one("title").get_text()


def test_what_if_previews_a_new_ranking_without_saving(logged_in, db, user):
    top = factories.make_project(
        db, user, "Top", attainability=5, impact=5, scoop_risk=1, success_axis="first"
    )
    factories.make_project(db, user, "Next", attainability=4, impact=4, scoop_risk=1)
    r = logged_in.get(f"/projects/{top.id}/what-if?score=scoop_risk&value=5")
    assert r.status_code == 200
    rows = soup(r).select("#what-if table.what-if tbody tr")
    assert [row.select("td")[1].get_text() for row in rows] == ["Next", "Top"]
    assert "▼ from 1" in rows[1].get_text()
    assert count(db, Assessment) == 2
    assert titles_in_order(logged_in.get("/")) == ["Top", "Next"]
    # HTMX gets only the result block.
    fragment = logged_in.get(
        f"/projects/{top.id}/what-if?score=impact&value=1", headers={"HX-Request": "true"}
    )
    assert soup(fragment).select_one("html") is None
    assert soup(fragment).select_one("#what-if") is not None


@pytest.mark.parametrize(
    "query", ["score=colour&value=3", "score=impact&value=9", "score=impact&value=x"]
)
def test_what_if_with_bad_input_says_so(logged_in, db, user, query):
    project = factories.make_project(db, user, "P")
    r = logged_in.get(f"/projects/{project.id}/what-if?{query}")
    assert r.status_code == 422
    assert soup(r).select("#what-if .error")


def test_unknown_urls_get_a_friendly_404(logged_in):
    for url in ("/projects/999999", "/projects/abc", "/nowhere"):
        r = logged_in.get(url)
        assert r.status_code == 404, url
        assert "<h1>" in r.text


def test_an_inline_rescore_does_not_carry_the_old_reason_to_the_new_score(logged_in, db, user):
    project = factories.make_project(
        db,
        user,
        "Reward model robustness",
        scoop_risk=5,
        scoop_risk_rationale="Half of Twitter is doing this",
        impact=4,
        impact_rationale="Everyone needs it",
    )
    r = logged_in.submit(
        f"/projects/{project.id}/scores",
        {"attainability": "3", "scoop_risk": "3", "impact": "4", "version": "1"},
    )
    assert r.status_code == 303
    db.expire_all()
    newest = db.exec(select(Assessment).order_by(Assessment.id.desc())).first()
    assert newest.scoop_risk == 3 and newest.scoop_risk_rationale == ""
    assert newest.impact_rationale == "Everyone needs it"  # unchanged score, reason stands
    history = soup(logged_in.get(f"/projects/{project.id}")).select_one(".history-list li")
    marked = history.select_one(".no-reason").get_text()
    assert marked == "Scoop risk 5 → 3: no reason given"
    assert "Half of Twitter" not in history.get_text()
