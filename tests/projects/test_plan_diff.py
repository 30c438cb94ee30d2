"""Plan history: what changed between two versions."""

from bs4 import BeautifulSoup

from tests import factories


def test_diff_between_versions_marks_words_removed_and_added(logged_in, db, user):
    project = factories.make_project(
        db, user, "P", goal="Be first with the benchmark", approach="Same"
    )
    logged_in.submit(
        f"/projects/{project.id}/plan",
        {"goal": "Be best with the benchmark", "approach": "Same", "based_on": "1"},
    )
    logged_in.submit(f"/projects/{project.id}/plan", {"goal": "Third", "based_on": "2"})
    page = BeautifulSoup(logged_in.get(f"/projects/{project.id}/plans/diff").text, "html.parser")
    goal = page.select(".field-diff")[0]
    assert [d.get_text() for d in goal.select("del")] == ["Be best with the benchmark"]
    assert [i.get_text() for i in goal.select("ins")] == ["Third"]

    page = BeautifulSoup(
        logged_in.get(f"/projects/{project.id}/plans/diff?a=1&b=2").text, "html.parser"
    )
    goal, approach = page.select(".field-diff")[:2]
    assert [d.get_text() for d in goal.select("del")] == ["first"]
    assert [i.get_text() for i in goal.select("ins")] == ["best"]
    assert "unchanged" in approach.get_text()


def test_diff_with_nonsense_versions_falls_back_to_the_latest_two(logged_in, db, user):
    project = factories.make_project(db, user, "P", goal="only one")
    r = logged_in.get(f"/projects/{project.id}/plans/diff?a=x&b=99")
    assert r.status_code == 200
    assert "Version 1" in r.text
