"""Writes to projects. Services flush but never commit: the caller owns the
transaction, so a multi-step change lands whole or not at all."""

import sqlalchemy as sa
from sqlmodel import Session, delete, select

from app import versions
from app.auth.models import User
from app.db import utcnow
from app.errors import Refused
from app.projects.events import leaving_team
from app.projects.models import (
    Assessment,
    AssessmentIn,
    AssessmentPatch,
    PlanIn,
    PlanReason,
    PlanVersion,
    Project,
    ProjectCreate,
    ProjectKeyword,
    ProjectUpdate,
)
from app.projects.queries import current_assessment, current_plan
from app.teams.events import member_leaving
from app.teams.queries import membership_of
from app.versions import Conflict

_RATIONALES = ("attainability_rationale", "scoop_risk_rationale", "impact_rationale")


def _share(session: Session, *, project: Project, owner_id: int, team_id: int | None) -> None:
    """Share the project with one of the owner's teams, or make it private.
    Open review requests in a team it leaves are withdrawn. A team the owner
    is not in is one they cannot see: not found, as a project would be."""
    if team_id is not None and membership_of(session, user_id=owner_id, team_id=team_id) is None:
        raise Refused(404, "not_found", "Choose one of your teams.", field="team_id")
    if project.id is not None and project.team_id not in (None, team_id):
        leaving_team.send(session=session, project_ids=[project.id])
    project.team_id = team_id


def project_create(session: Session, *, owner: User, data: ProjectCreate) -> Project:
    project = Project(owner_id=owner.id, title=data.title, summary=data.summary, status=data.status)
    _share(session, project=project, owner_id=owner.id, team_id=data.team_id)
    session.add(project)
    session.flush()
    _set_keywords(session, project=project, keywords=data.keywords)
    session.add(
        Assessment(project_id=project.id, author_id=owner.id, **data.assessment.model_dump())
    )
    session.add(
        PlanVersion(
            project_id=project.id,
            number=1,
            author_id=owner.id,
            reason=PlanReason.initial,
            **data.plan.model_dump(),
        )
    )
    session.flush()
    return project


def project_update(
    session: Session, *, project: Project, actor: User, data: ProjectUpdate
) -> Project:
    """Apply a change made against `data.version`; a re-scoring adds an assessment."""
    claim_version(session, project=project, expected=data.version)
    if "team_id" in data.model_fields_set:
        _share(session, project=project, owner_id=project.owner_id, team_id=data.team_id)
    changes = data.model_dump(
        exclude_unset=True, exclude={"version", "assessment", "keywords", "team_id"}
    )
    for name, value in changes.items():
        if value is not None:
            setattr(project, name, value)
    if data.keywords is not None:
        _set_keywords(session, project=project, keywords=data.keywords)
    if data.assessment is not None:
        _rescore(session, project=project, actor=actor, patch=data.assessment)
    session.flush()
    return project


def assessment_add(
    session: Session, *, project: Project, actor: User, values: AssessmentIn
) -> Assessment:
    """The project's next assessment, whatever the current one says (a
    decision is history even when it changes no number)."""
    claim_version(session, project=project, expected=project.version)
    assessment = Assessment(project_id=project.id, author_id=actor.id, **values.model_dump())
    session.add(assessment)
    session.flush()
    return assessment


def project_archive(session: Session, *, project: Project) -> Project:
    if project.archived_at is None:
        claim_version(session, project=project, expected=project.version)
        project.archived_at = utcnow()
        session.flush()
    return project


def project_restore(session: Session, *, project: Project) -> Project:
    if project.archived_at is not None:
        claim_version(session, project=project, expected=project.version)
        project.archived_at = None
        session.flush()
    return project


def plan_revise(
    session: Session,
    *,
    project: Project,
    actor: User,
    based_on: int,
    data: PlanIn,
    reason: PlanReason = PlanReason.revision,
    reason_note: str = "",
) -> PlanVersion:
    """A new plan version; `based_on` is the number the author started from."""
    latest = current_plan(session, project=project)
    latest_number = latest.number if latest else 0
    if based_on != latest_number:
        raise Conflict(
            f"A newer plan (version {latest_number}) was saved after version {based_on}; "
            "read it again and re-apply your change.",
            current_version=latest_number,
        )
    return plan_add(
        session, project=project, actor=actor, data=data, reason=reason, reason_note=reason_note
    )


def plan_add(
    session: Session,
    *,
    project: Project,
    actor: User,
    data: PlanIn,
    reason: PlanReason,
    reason_note: str = "",
) -> PlanVersion:
    """Append the next plan version (callers check for conflicts first)."""
    latest = current_plan(session, project=project)
    plan = PlanVersion(
        project_id=project.id,
        number=(latest.number if latest else 0) + 1,
        author_id=actor.id,
        reason=reason,
        reason_note=reason_note[:300],
        **data.model_dump(),
    )
    session.add(plan)
    project.updated_at = utcnow()
    session.flush()  # the unique (project, number) catches a racing writer
    return plan


def claim_version(session: Session, *, project: Project, expected: int) -> None:
    """Move the project to the next version, unless someone else already did
    (app.versions.Conflict)."""
    versions.claim_version(session, project, expected=expected, what="project", updated_at=utcnow())


def _rescore(session: Session, *, project: Project, actor: User, patch: AssessmentPatch) -> None:
    current = current_assessment(session, project=project)
    values = {
        name: getattr(current, name)
        for name in ("attainability", "scoop_risk", "impact", "success_axis", *_RATIONALES)
    }
    given = {k: v for k, v in patch.model_dump(exclude_unset=True).items() if v is not None}
    values.update(given)
    for score in ("attainability", "scoop_risk", "impact"):
        why = f"{score}_rationale"
        if values[score] != getattr(current, score) and why not in given:
            # The old reason explained the old number: not carried to a new one.
            values[why] = ""
    if all(getattr(current, k) == v for k, v in values.items()):
        return  # nothing moved: no new history entry
    session.add(Assessment(project_id=project.id, author_id=actor.id, **values))


def _set_keywords(session: Session, *, project: Project, keywords: list[str]) -> None:
    session.execute(delete(ProjectKeyword).where(ProjectKeyword.project_id == project.id))
    session.add_all(ProjectKeyword(project_id=project.id, keyword=k) for k in keywords)


@member_leaving.connect
def _unshare_projects_of(_sender, *, session: Session, team_id: int, user_id: int) -> None:
    """A member leaving a team takes their projects back: private again."""
    project_ids = list(
        session.exec(
            select(Project.id).where(Project.owner_id == user_id, Project.team_id == team_id)
        )
    )
    if project_ids:
        leaving_team.send(session=session, project_ids=project_ids)
        session.execute(
            sa.update(Project)
            .where(Project.id.in_(project_ids))
            .values(team_id=None, version=Project.version + 1, updated_at=utcnow())
        )
