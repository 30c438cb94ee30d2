"""The navigation's counts: one statement, built once, each user's own."""

from app import navigation
from app.navigation import nav_counts
from tests import factories


def test_each_user_gets_their_own_counts_from_the_one_statement(db):
    ada = factories.make_user(db, email="ada@example.org")
    bob = factories.make_user(db, email="bob@example.org")
    project = factories.make_project(db, ada)
    release = factories.make_release(db, ada)
    factories.make_suggestion(db, release, project)
    factories.make_suggestion(db, factories.make_release(db, ada, "Another"), project)

    first = nav_counts(db, user=ada)
    built = dict(navigation._built)
    second = nav_counts(db, user=bob)
    again = nav_counts(db, user=ada)

    assert first["inbox"] == 2 and again["inbox"] == 2
    assert second == dict.fromkeys(first, 0)
    # Asked three times, built once: the same statement object answered each.
    assert len(built) == 1
    assert [id(s) for s in navigation._built.values()] == [id(s) for s in built.values()]
