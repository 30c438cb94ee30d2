"""A re-plan lands whole or not at all."""

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.projects.models import Assessment, PlanVersion, Project
from app.releases.models import Release, ReleaseLink
from app.replans import service
from app.replans.models import Replan, ReplanCreate, ReplanDraft
from tests import factories


def counts(db) -> dict[str, int]:
    return {
        model.__name__: db.exec(select(sa.func.count()).select_from(model)).one()
        for model in (Assessment, PlanVersion, Release, ReleaseLink, Replan, ReplanDraft)
    }


def test_when_the_last_write_fails_nothing_of_the_replan_is_kept(db, user, monkeypatch):
    project = factories.make_project(db, user, "P", goal="Original goal")
    service.draft_save(db, project=project, actor=user, step=6, data={"what_they_did": "kept"})
    db.commit()
    before = counts(db)
    data = ReplanCreate.model_validate(
        factories.replan_data(version=1, release=factories.release_data("Brand new release"))
    )

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    # The very last write of a re-plan is clearing its draft.
    monkeypatch.setattr(service, "draft_discard", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        service.replan_submit(db, project=project, actor=user, data=data)
    db.rollback()

    assert counts(db) == before
    db.refresh(project)
    assert (project.version, project.status) == (1, "idea")
    assert db.exec(select(PlanVersion.goal)).all() == ["Original goal"]
    assert db.exec(select(ReplanDraft)).one().data == {"what_they_did": "kept"}


def test_a_complete_replan_writes_every_part_once(db, user):
    project = factories.make_project(db, user, "P")
    release = factories.make_release(db, user, "R")
    before = counts(db)
    replan = service.replan_submit(
        db,
        project=project,
        actor=user,
        data=ReplanCreate.model_validate(factories.replan_data(version=1, release_id=release.id)),
    )
    db.commit()
    after = counts(db)
    assert {k: after[k] - before[k] for k in after} == {
        "Assessment": 1,
        "PlanVersion": 1,
        "Release": 0,
        "ReleaseLink": 1,
        "Replan": 1,
        "ReplanDraft": 0,
    }
    assert db.get(Project, project.id).version == 2
    assert replan.assessment_before_id < replan.assessment_after_id


def test_replanning_twice_after_the_same_release_keeps_one_link(db, user):
    project = factories.make_project(db, user, "P")
    release = factories.make_release(db, user, "R")
    for version in (1, 2):
        service.replan_submit(
            db,
            project=project,
            actor=user,
            data=ReplanCreate.model_validate(
                factories.replan_data(
                    version=version, release_id=release.id, effect="partial_scoop"
                )
            ),
        )
        db.commit()
    assert db.exec(select(sa.func.count()).select_from(ReleaseLink)).one() == 1
    assert db.exec(select(PlanVersion.number).order_by(PlanVersion.number)).all() == [1, 2, 3]
