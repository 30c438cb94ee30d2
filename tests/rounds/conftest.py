"""The cast of a round: Ada owns a project shared with Vision, which Grace
manages and Rita and Tom research in; Olga is in no team."""

from dataclasses import dataclass

import pytest

from app.auth.models import User
from app.projects.models import Project
from tests import factories


@dataclass
class RoundCast:
    ada: User
    grace: User
    rita: User
    tom: User
    olga: User
    team: object
    project: Project


@pytest.fixture
def cast(db) -> RoundCast:
    ada = factories.make_user(db, email="ada@example.org", display_name="Ada Owner")
    grace = factories.make_user(db, email="grace@example.org", display_name="Grace Manager")
    rita = factories.make_user(db, email="rita@example.org", display_name="Rita Researcher")
    tom = factories.make_user(db, email="tom@example.org", display_name="Tom Teammate")
    olga = factories.make_user(db, email="olga@example.org", display_name="Olga Outsider")
    team = factories.make_team(db, grace, "Vision")
    for member in (ada, rita, tom):
        factories.add_member(db, team, member)
    project = factories.make_project(
        db, ada, "Shared project Alpha", team_id=team.id, attainability=3, scoop_risk=2, impact=4
    )
    return RoundCast(ada, grace, rita, tom, olga, team, project)
