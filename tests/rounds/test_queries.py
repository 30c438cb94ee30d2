"""A round's page costs the same few statements at 3 estimators as at 30."""

import pytest

from app.rounds import queries, service
from tests import factories
from tests.helpers import as_user, token_of


def _revealed_round(db, cast, people, title):
    project = factories.make_project(db, cast.ada, title, team_id=cast.team.id)
    scoring_round = factories.make_round(db, project, cast.ada, people)
    for n, person in enumerate(people):
        factories.make_estimate(db, scoring_round, person, (1 + n % 5, 1 + (n * 3) % 5, 3))
    view = queries.round_for(db, user=cast.ada, round_id=scoring_round.id)
    service.round_reveal(db, view=view, version=None)
    db.commit()
    return scoring_round


def _statements(count_queries, get, url) -> int:
    get(url)  # a first use notes the session or token as seen: not the page's cost
    with count_queries() as counted:
        r = get(url)
    assert r.status_code == 200, r.text
    return counted.n


@pytest.mark.parametrize("url", ["/rounds/{}", "/api/v1/rounds/{}"])
def test_the_round_costs_the_same_at_3_and_30_estimators(client, db, cast, count_queries, url):
    people = [cast.grace, cast.rita, cast.tom]
    for n in range(27):
        member = factories.make_user(db, display_name=f"Estimator {n:02d}")
        factories.add_member(db, cast.team, member)
        people.append(member)
    small = _revealed_round(db, cast, people[:3], "Three estimators")
    large = _revealed_round(db, cast, people, "Thirty estimators")
    if url.startswith("/api/"):
        headers = token_of(db, cast.ada)

        def get(u):
            return client.get(u, headers=headers)
    else:
        as_user(client, db, cast.ada)
        get = client.get
    few = _statements(count_queries, get, url.format(small.id))
    many = _statements(count_queries, get, url.format(large.id))
    assert many == few
    # Who is asking (with the nav counts), the round with its project, its
    # people with their estimates, the current and adopted assessments, the
    # team and its portfolio (scores, keywords); plus BEGIN on SQLite.
    assert few <= 9


def test_a_blind_reader_costs_the_same_statements_as_one_who_sees(client, db, cast, count_queries):
    """Whether the values are shown or hidden, the same reads run: the
    database work does not tell a blind reader what is there."""
    scoring_round = factories.make_round(db, cast.project, cast.ada, [cast.grace, cast.rita])
    factories.make_estimate(db, scoring_round, cast.grace, (1, 5, 2))
    url = f"/api/v1/rounds/{scoring_round.id}"
    counts = {}
    for person in (cast.grace, cast.rita, cast.ada):  # sees; blind; blind owner
        headers = token_of(db, person)
        counts[person.display_name] = _statements(
            count_queries, lambda u, h=headers: client.get(u, headers=h), url
        )
    assert len(set(counts.values())) == 1, counts
