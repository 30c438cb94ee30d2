"""The portfolios flag projects whose last round showed wide disagreement,
and projects whose scores have not been revisited in a while."""

from datetime import timedelta

import sqlalchemy as sa

from app.config import Settings
from app.db import utcnow
from app.main import create_app
from app.projects.models import Assessment
from app.rounds import queries, service
from tests import factories
from tests.conftest import Client, RolledBackDatabase
from tests.helpers import as_user, soup, words


def _flags(client, url, project_id) -> list[str]:
    row = soup(client.get(url)).select_one(f"#row-{project_id}")
    return [words(s) for s in row.select(".flag-wide, .flag-stale")]


def test_wide_disagreement_is_flagged_once_revealed(client, db, cast):
    scoring_round = factories.make_round(db, cast.project, cast.ada, [cast.grace, cast.rita])
    factories.make_estimate(db, scoring_round, cast.grace, (3, 5, 3))
    factories.make_estimate(db, scoring_round, cast.rita, (3, 2, 3))
    as_user(client, db, cast.ada)
    assert _flags(client, "/", cast.project.id) == []  # blind: says nothing yet
    view = queries.round_for(db, user=cast.ada, round_id=scoring_round.id)
    service.round_reveal(db, view=view, version=None)
    db.commit()
    wide = ["wide disagreement in the last scoring round"]
    assert _flags(client, "/", cast.project.id) == wide
    as_user(client, db, cast.grace)
    assert _flags(client, f"/teams/{cast.team.id}/portfolio", cast.project.id) == wide


def test_old_scores_are_flagged_after_the_setting_s_days(client, db, cast, connection, settings):
    db.execute(
        sa.update(Assessment)
        .where(Assessment.project_id == cast.project.id)
        .values(created_at=utcnow() - timedelta(days=100))
    )
    db.commit()
    as_user(client, db, cast.ada)
    assert _flags(client, "/", cast.project.id) == ["scores not revisited in 100 days"]
    patient = settings.model_copy(update={"scores_stale_days": 200})
    app = create_app(patient, database=RolledBackDatabase(connection))
    with Client(app, base_url="https://testserver", follow_redirects=False) as other:
        as_user(other, db, cast.ada)
        assert _flags(other, "/", cast.project.id) == []
    assert Settings(secret_key="t" * 48).scores_stale_days == 90
