from tests import factories


def test_portfolio_shows_projects(logged_in, db, user):
    factories.make_project(db, user, "Sparse attention probe", impact=5)
    r = logged_in.get("/")
    assert r.status_code == 200, r.text
    assert "Sparse attention probe" in r.text
