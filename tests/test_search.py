"""Search as a person types it: the portfolio's keyword filter matches part
of a keyword, accents and case aside; its keyword chips and column headers
are links (no JavaScript needed); the release log and the journal find
"Tülu" from "tulu"; week boxes take a day as well as "2026-W47"."""

from app.releases.models import Release
from tests import factories
from tests.helpers import as_user, soup, words
from tests.journal.test_pages import bodies
from tests.projects.test_pages import titles_in_order
from tests.releases.test_pages import titles


def test_the_keyword_filter_matches_part_of_a_keyword_accents_aside(logged_in, db, user):
    factories.make_project(db, user, "Harness", keywords=["evaluation", "long context"])
    factories.make_project(db, user, "Tuning", keywords=["tülu", "rl"])
    factories.make_project(db, user, "Other", keywords=["robotics"])
    assert titles_in_order(logged_in.get("/?keyword=eval")) == ["Harness"]
    assert titles_in_order(logged_in.get("/?keyword=context")) == ["Harness"]
    assert titles_in_order(logged_in.get("/?keyword=tulu")) == ["Tuning"]
    assert titles_in_order(logged_in.get("/?keyword=T%C3%9CL")) == ["Tuning"]  # "TÜL"
    assert titles_in_order(logged_in.get("/?keyword=%25")) == []


def test_keyword_chips_link_to_the_filtered_portfolio(logged_in, db, user):
    factories.make_project(db, user, "Harness", keywords=["evaluation", "long context"])
    factories.make_project(db, user, "Other", keywords=["robotics"])
    page = soup(logged_in.get("/"))
    chip = page.select_one("#portfolio-table td.title a.kw")
    assert chip.get_text() == "evaluation"
    assert chip["href"].endswith("/?keyword=evaluation")
    spaced = page.select("#portfolio-table td.title a.kw")[1]
    assert spaced["href"].endswith("/?keyword=long+context")
    assert titles_in_order(logged_in.get(spaced["href"])) == ["Harness"]


def test_column_headers_sort_the_table_and_say_how(logged_in, db, user):
    factories.make_project(db, user, "Alpha", impact=2, attainability=5)
    factories.make_project(db, user, "Beta", impact=5, attainability=2)
    factories.make_project(db, user, "Gamma", impact=4, attainability=4)

    def header(page, name: str):
        [th] = [th for th in page.select("#portfolio-table thead th") if words(th).startswith(name)]
        return th

    page = soup(logged_in.get("/"))
    assert header(page, "Priority")["aria-sort"] == "descending"
    impact = header(page, "Impact")
    assert not impact.has_attr("aria-sort")
    r = logged_in.get(impact.select_one("a")["href"])
    assert titles_in_order(r) == ["Beta", "Gamma", "Alpha"]
    impact = header(soup(r), "Impact")
    assert impact["aria-sort"] == "descending" and "▼" in words(impact)
    r = logged_in.get(impact.select_one("a")["href"])  # again: the other way round
    assert titles_in_order(r) == ["Alpha", "Gamma", "Beta"]
    assert header(soup(r), "Impact")["aria-sort"] == "ascending"
    title = header(soup(r), "Project").select_one("a")["href"]
    assert titles_in_order(logged_in.get(title)) == ["Alpha", "Beta", "Gamma"]


def test_the_team_portfolio_headers_stay_plain(client, db, user):
    team = factories.make_team(db, user, "Lab")
    factories.make_project(db, user, "Shared", team_id=team.id, keywords=["rl"])
    page = soup(as_user(client, db, user).get(f"/teams/{team.id}/portfolio"))
    assert page.select("#team-portfolio-table thead a") == []
    assert page.select_one("#team-portfolio-table span.kw").get_text() == "rl"


def test_release_search_ignores_accents_and_case(logged_in, db, user):
    factories.make_release(db, user, "Tülu 3", summary="Open post-training recipe")
    factories.make_release(db, user, "Llama 9", organisation="Méta AI")
    factories.make_release(db, user, "Qwen", summary="Évaluation sur ARC")
    assert titles(logged_in.get("/releases?q=tulu")) == ["Tülu 3"]
    assert titles(logged_in.get("/releases?q=T%C3%9CLU")) == ["Tülu 3"]
    assert titles(logged_in.get("/releases?q=meta+ai")) == ["Llama 9"]
    assert titles(logged_in.get("/releases?q=evaluation")) == ["Qwen"]
    assert titles(logged_in.get("/releases?q=recipe")) == ["Tülu 3"]


def test_an_edited_release_is_found_by_its_new_text(logged_in, db, user):
    release = factories.make_release(db, user, "Placeholder")
    release.title = "Añadido"
    db.add(release)
    db.commit()
    assert db.get(Release, release.id).search_text.startswith("anadido")
    assert titles(logged_in.get("/releases?q=anadido")) == ["Añadido"]


def test_journal_search_ignores_accents_and_case(logged_in, db, user):
    factories.make_entry(db, user, body="Re-ran the Tülu ablation", learned="Évaluation matters")
    factories.make_entry(db, user, body="Reading group")
    assert bodies(logged_in.get("/journal?q=tulu")) == ["Re-ran the Tülu ablation"]
    assert bodies(logged_in.get("/journal?q=evaluation")) == ["Re-ran the Tülu ablation"]


def test_week_boxes_take_a_day_or_an_iso_week(logged_in, db, user):
    factories.make_entry(db, user, day="2026-11-18", body="Midweek")
    factories.make_entry(db, user, day="2026-11-25", body="Next week")
    by_day = logged_in.get("/journal?week=2026-11-18")
    assert bodies(by_day) == ["Midweek"]
    box = soup(by_day).select_one("input[name=week]")
    assert (box["type"], box["value"]) == ("date", "2026-11-16")
    assert bodies(logged_in.get("/journal?week=2026-W47")) == ["Midweek"]

    digest = logged_in.get("/digest?week=2026-11-20")
    assert digest.status_code == 200
    page = soup(digest)
    assert page.select_one("h1").get_text(strip=True) == "Weekly digest: 16 Nov – 22 Nov 2026"
    box = page.select_one("#f-week")
    assert (box["type"], box["value"]) == ("date", "2026-11-16")
    assert logged_in.get("/digest?week=2026-02-30").status_code == 422
