"""Pages load what they show in a fixed number of statements."""

import pytest

from tests import factories


def _seed(db, user, n: int) -> None:
    for i in range(n):
        factories.make_project(
            db,
            user,
            f"P{i}",
            attainability=1 + i % 5,
            impact=1 + (i * 3) % 5,
            scoop_risk=1 + (i * 7) % 5,
            keywords=[f"k{i % 7}", "shared"],
        )


def _statements(count_queries, client, url: str) -> int:
    client.get(url)  # a first use notes the session or token as seen: not the page's cost
    with count_queries() as counted:
        r = client.get(url)
    assert r.status_code == 200
    return counted.n


@pytest.mark.parametrize(
    "url", ["/", "/?status=idea&keyword=shared&sort=impact", "/api/v1/projects"]
)
def test_portfolio_costs_the_same_at_5_and_200_projects(
    logged_in, api, db, user, count_queries, url
):
    client = api if url.startswith("/api/") else logged_in
    _seed(db, user, 5)
    small = _statements(count_queries, client, url)
    _seed(db, user, 195)
    large = _statements(count_queries, client, url)
    assert large == small
    # Who is asking, the projects with their scores, their keywords, the
    # two resilience counts and the last rounds' spreads (plus BEGIN on SQLite).
    assert small <= 7


def test_project_page_cost_does_not_grow_with_the_portfolio(logged_in, db, user, count_queries):
    _seed(db, user, 5)
    target = factories.make_project(db, user, "Target")
    small = _statements(count_queries, logged_in, f"/projects/{target.id}")
    _seed(db, user, 100)
    large = _statements(count_queries, logged_in, f"/projects/{target.id}")
    assert large == small
