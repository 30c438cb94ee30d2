"""A long portfolio, as its owner meets it: 50 rows a page with the ranks of
the whole portfolio, filters and order kept from page to page, every row on
one page when asked, the score editor fetched only when a row asks for it,
and a page that costs the same number of statements whatever the size."""

import re

import pytest

from app.overview.ranked import PAGE_SIZE
from app.projects import service as project_service
from tests import factories
from tests.helpers import as_user, soup

N = PAGE_SIZE + 7  # two pages


def rows(response) -> list[dict]:
    """The portfolio's rows as shown: rank, title, status, the three scores."""
    found = []
    for tr in soup(response).select("#portfolio-table tbody tr[data-project-id]"):
        found.append(
            {
                "rank": tr.select_one("td.rank").get_text(strip=True),
                "title": tr.select_one("td.title > a").get_text(strip=True),
                "status": tr.select_one("td .status").get_text(strip=True),
                "scores": [td.get_text(strip=True) for td in tr.select("td.score")],
            }
        )
    return found


def pager_link(response, text: str) -> str:
    nav = soup(response).select_one("nav.pager")
    return next(a["href"] for a in nav.select("a") if a.get_text(strip=True) == text)


@pytest.fixture
def long_portfolio(db, user):
    """N projects, scores spread so that ranks differ; every tenth one paused."""
    return [
        factories.make_project(
            db,
            user,
            f"Project {i:02d}",
            attainability=1 + i % 5,
            impact=1 + (i // 5) % 5,
            scoop_risk=1 + (i // 25) % 5,
            status="paused" if i % 10 == 0 else "active",
            keywords=["rl"] if i % 2 else ["llm"],
        )
        for i in range(N)
    ]


def test_page_two_shows_ranks_51_and_on(logged_in, long_portfolio):
    first = logged_in.get("/")
    shown = rows(first)
    assert [r["rank"] for r in shown] == [str(n) for n in range(1, PAGE_SIZE + 1)]
    assert soup(first).select_one(".pager-range").get_text(strip=True) == f"1–50 of {N} projects"

    second = logged_in.get(pager_link(first, "Next"))
    assert second.status_code == 200
    later = rows(second)
    assert [r["rank"] for r in later] == [str(n) for n in range(PAGE_SIZE + 1, N + 1)]
    assert {r["title"] for r in shown}.isdisjoint(r["title"] for r in later)
    assert soup(second).select_one("nav.pager a[aria-current=page]").get_text() == "2"
    # Every row on one page, in the same order, when asked.
    every = rows(logged_in.get(pager_link(first, "All")))
    assert every == shown + later


def test_filters_and_order_are_kept_across_pages(logged_in, long_portfolio):
    ranks = {r["title"]: r["rank"] for r in rows(logged_in.get("/?page=all"))}
    first = logged_in.get("/?status=active&sort=title&order=asc")
    next_href = pager_link(first, "Next")
    assert "status=active" in next_href and "sort=title" in next_href
    assert "order=asc" in next_href and "page=2" in next_href
    second = logged_in.get(next_href)
    both = rows(first) + rows(second)
    active = N - len(range(0, N, 10))
    assert len(both) == active and len(rows(first)) == PAGE_SIZE
    assert {r["status"] for r in both} == {"active"}
    titles = [r["title"] for r in both]
    assert titles == sorted(titles)  # the order runs on from one page to the next
    # The ranks are the whole portfolio's, not the filtered view's.
    assert all(r["rank"] == ranks[r["title"]] for r in both)
    # The filter form keeps the view; the sort headers start again at page 1.
    page = soup(second)
    assert page.select_one(".filters select[name=status] option[selected]")["value"] == "active"
    impact_sort = page.select_one("th a.sort[href*='sort=impact']")["href"]
    assert "page=" not in impact_sort and "status=active" in impact_sort


def test_a_page_past_the_end_shows_the_last_and_nonsense_the_first(logged_in, long_portfolio):
    assert rows(logged_in.get("/?page=99"))[0]["rank"] == str(PAGE_SIZE + 1)
    for nonsense in ("0", "-1", "x", "1e9", "99999999999999999999"):
        r = logged_in.get(f"/?page={nonsense}")
        assert r.status_code == 200
        assert rows(r)[0]["rank"] == "1"


def test_the_score_editor_is_fetched_on_demand_in_place(logged_in, db, user):
    factories.make_project(db, user, "Top", impact=5, attainability=5)
    low = factories.make_project(db, user, "Low", impact=2, attainability=2, scoop_risk=4)
    page = soup(logged_in.get("/?sort=title&order=asc"))
    assert page.select("#portfolio-table select") == []  # no editor until asked for
    row = page.select_one(f"#row-{low.id}")
    assert [td.get_text(strip=True) for td in row.select("td.score")] == ["2", "4", "2"]
    link = row.select_one("a[data-edit-scores]")
    assert link["hx-get"] == link["href"] == f"/projects/{low.id}/scores/edit?sort=title&order=asc"
    assert link["hx-target"] == "closest tr" and link["hx-swap"] == "outerHTML"

    fragment = logged_in.get(link["hx-get"], headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["vary"]
    editor = soup(fragment)
    assert editor.select_one("html") is None and editor.select_one("table") is None
    tr = editor.select_one(f"tr#row-{low.id}.editing")
    assert tr.select_one("td.rank").get_text(strip=True) == "2"  # its rank in the portfolio
    chosen = {s["name"]: s.select_one("option[selected]")["value"] for s in tr.select("select")}
    assert chosen == {"attainability": "2", "scoop_risk": "4", "impact": "2"}
    form = tr.select_one(f"form#score-{low.id}")
    assert form["hx-post"] == form["action"] == f"/projects/{low.id}/scores?sort=title&order=asc"
    assert form["hx-target"] == "#portfolio"
    assert form.select_one("input[name=csrftoken]")["value"]

    # Saving from it re-ranks the table, which comes back with every editor closed.
    r = logged_in.htmx(
        form["hx-post"], {"attainability": "5", "scoop_risk": "1", "impact": "5", "version": "1"}
    )
    assert r.status_code == 200
    assert [x["title"] for x in rows(r)] == ["Low", "Top"]  # sorted by title still
    assert [x["rank"] for x in rows(r)] == ["1", "2"]
    assert soup(r).select("#portfolio-table select") == []
    assert soup(r).select_one("#scores-saved").get_text(strip=True).endswith("now #1 (was #2).")


def test_a_refused_rescore_leaves_the_row_editor_open(logged_in, db, user):
    project = factories.make_project(db, user, "Contested", impact=3)
    fresh = {"attainability": "3", "scoop_risk": "3", "impact": "5", "version": "1"}
    assert logged_in.htmx(f"/projects/{project.id}/scores", fresh).status_code == 200
    r = logged_in.htmx(f"/projects/{project.id}/scores", {**fresh, "impact": "1"})
    assert r.status_code == 409
    row = soup(r).select_one(f"#row-{project.id}")
    # The editor is open again, at the latest scores and version, to retry.
    assert row.select_one("select[name=impact] option[selected]")["value"] == "5"
    assert row.select_one("input[name=version]")["value"] == "2"


def test_the_editor_page_without_javascript_saves_and_returns(logged_in, db, user):
    project = factories.make_project(db, user, "Solo", impact=2)
    r = logged_in.get(f"/projects/{project.id}/scores/edit?page=2&keyword=rl")
    page = soup(r)
    assert page.select_one("h1").get_text(strip=True) == "Edit the scores of Solo"
    form = page.select_one(f"form#score-{project.id}")
    assert not form.has_attr("hx-post")  # a plain form on its own page
    assert page.select_one("noscript").get_text(strip=True) == "Save scores"
    labels = [s["aria-label"] for s in page.select(f"select[form=score-{project.id}]")]
    assert labels == ["attainability of Solo", "scoop risk of Solo", "impact of Solo"]
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    saved = logged_in.post(
        form["action"], data={**data, "attainability": "3", "scoop_risk": "3", "impact": "5"}
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/?keyword=rl&page=2"


def test_archived_projects_have_no_score_editor(logged_in, db, user):
    project = factories.make_project(db, user, "Old")
    project_service.project_archive(db, project=project)
    db.commit()
    r = logged_in.get(f"/projects/{project.id}/scores/edit")
    assert r.status_code == 404
    assert "archived projects are not re-scored" in r.text
    archived = soup(logged_in.get("/?archived=1"))
    assert archived.select_one(f"#row-{project.id}") is not None
    assert archived.select(f"#row-{project.id} a[data-edit-scores]") == []


def test_the_page_costs_the_same_statements_whatever_the_size(logged_in, db, user, count_queries):
    def grow(n: int) -> None:
        for i in range(n):
            factories.make_project(db, user, impact=1 + i % 5, keywords=["rl", f"k{i}"])

    def counted(path: str) -> int:
        with count_queries() as c:
            assert logged_in.get(path).status_code == 200
        return c.n

    grow(3)
    small = {p: counted(p) for p in ("/", "/?keyword=rl&sort=impact", "/?page=all")}
    grow(N)
    large = {p: counted(p) for p in small}
    assert large == small
    assert counted("/?page=2") == small["/"]
    assert len(rows(logged_in.get("/"))) == PAGE_SIZE


def test_the_team_portfolio_pages_too(client, db, user, count_queries):
    manager = factories.make_user(db, display_name="Maya Manager")
    team = factories.make_team(db, manager, "Vision group")
    factories.add_member(db, team, user, "researcher")
    for i in range(N):
        factories.make_project(db, user, f"T{i:02d}", team_id=team.id, impact=1 + i % 5)
    as_user(client, db, manager)
    url = f"/teams/{team.id}/portfolio"
    first = client.get(url)
    table = "#team-portfolio-table tbody tr"
    ranks = [tr.select_one("td.rank").get_text() for tr in soup(first).select(table)]
    assert ranks == [str(n) for n in range(1, PAGE_SIZE + 1)]
    href = pager_link(first, "Next")
    assert re.fullmatch(rf"/teams/{team.id}/portfolio\?page=2", href)
    second = client.get(href)
    ranks = [tr.select_one("td.rank").get_text() for tr in soup(second).select(table)]
    assert ranks == [str(n) for n in range(PAGE_SIZE + 1, N + 1)]
    with count_queries() as one:
        client.get(url)
    with count_queries() as two:
        client.get(href)
    assert one.n == two.n
