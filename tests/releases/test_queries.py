"""The release log costs the same at any size and any depth."""

import pytest

from tests import factories


def _seed(db, user, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        factories.make_release(db, user, f"R{i}", released_on=f"2026-0{1 + i % 9}-{1 + i % 28:02}")


@pytest.mark.parametrize(
    "query", ["", "?kind=paper", "?q=r1", "?since=2026-02-01&until=2026-05-01"]
)
def test_release_log_statements_do_not_grow(logged_in, db, user, count_queries, query):
    _seed(db, user, 20)
    with count_queries() as small:
        assert logged_in.get(f"/releases{query}").status_code == 200
    _seed(db, user, 180, start=20)
    with count_queries() as large:
        page = logged_in.get(f"/releases{query}")
        assert page.status_code == 200
    assert large.n == small.n <= 4


def test_api_release_pages_cost_the_same_deep_down(api, db, user, count_queries):
    _seed(db, user, 120)
    first = api.get("/api/v1/releases?limit=10").json()
    with count_queries() as shallow:
        api.get(f"/api/v1/releases?limit=10&before={first['next_before']}")
    cursor = first["next_before"]
    for _ in range(9):
        cursor = api.get(f"/api/v1/releases?limit=10&before={cursor}").json()["next_before"]
    with count_queries() as deep:
        assert len(api.get(f"/api/v1/releases?limit=10&before={cursor}").json()["items"]) == 10
    assert deep.n == shallow.n
