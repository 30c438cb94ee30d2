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

    navigation._statement.cache_clear()
    first = nav_counts(db, user=ada)
    second = nav_counts(db, user=bob)
    again = nav_counts(db, user=ada)

    assert first["inbox"] == 2 and again["inbox"] == 2
    assert second == dict.fromkeys(first, 0)
    # Asked three times, built once: the same statement object answered each.
    built = navigation._statement.cache_info()
    assert (built.misses, built.hits) == (1, 2)
