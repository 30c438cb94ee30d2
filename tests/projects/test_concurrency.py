"""Two writers on a real database (not the rolled-back test connection):
the second one to save from a stale version is refused, not merged."""

import pytest
from sqlmodel import select

from app.projects import service
from app.projects.models import Assessment, AssessmentPatch, Project, ProjectUpdate
from app.versions import Conflict
from tests import factories
from tests.helpers import migrated_database


@pytest.fixture
def database(new_database_url):
    with migrated_database(new_database_url("concurrency")) as database:
        yield database


def test_second_writer_from_a_stale_version_gets_a_conflict(database):
    with database.session(write=True) as s:
        user = factories.make_user(s)
        project_id = factories.make_project(s, user, "Contested").id

    alice = database.session()
    bob = database.session()
    try:
        # Both open the project at version 1.
        a_project = alice.get(Project, project_id)
        b_project = bob.get(Project, project_id)
        a_user = alice.get(type(user), user.id)
        b_user = bob.get(type(user), user.id)
        assert a_project.version == b_project.version == 1
        alice.rollback()
        bob.rollback()

        service.project_update(
            alice,
            project=a_project,
            actor=a_user,
            data=ProjectUpdate(version=1, assessment=AssessmentPatch(impact=5)),
        )
        alice.commit()
        with pytest.raises(Conflict) as conflict:
            service.project_update(
                bob,
                project=b_project,
                actor=b_user,
                data=ProjectUpdate(version=1, assessment=AssessmentPatch(impact=1)),
            )
        bob.rollback()
        assert conflict.value.current_version == 2
    finally:
        alice.close()
        bob.close()

    with database.session() as s:
        impacts = s.exec(
            select(Assessment.impact)
            .where(Assessment.project_id == project_id)
            .order_by(Assessment.id)
        ).all()
        assert impacts == [3, 5]
        assert s.get(Project, project_id).version == 2
