"""Finishing a re-plan, and keeping its draft. Never commits: the caller
commits once, so the whole re-plan lands or none of it does."""

from sqlmodel import Session, select

from app.auth.models import User
from app.db import utcnow
from app.journal import service as journal_service
from app.projects import service as project_service
from app.projects.models import Assessment, PlanReason, Project, ProjectStatus
from app.projects.queries import current_assessment, current_plan
from app.releases import service as release_service
from app.releases.models import Release, ReleaseCreate
from app.releases.queries import release_by_keys, release_for
from app.replans.models import Replan, ReplanCreate, ReplanDecision, ReplanDraft

# A decision that changes what the project is doing changes its status.
_STATUS_AFTER = {
    ReplanDecision.pause: ProjectStatus.paused,
    ReplanDecision.retire: ProjectStatus.retired,
}


def replan_submit(session: Session, *, project: Project, actor: User, data: ReplanCreate) -> Replan:
    """Record a scoop and what we do about it: the release (logged now if
    new), its link, a new assessment, a new plan version and the re-plan."""
    project_service.claim_version(session, project=project, expected=data.version)
    release = _release(session, actor=actor, data=data)
    release_service.link_set(
        session, release=release, project=project, actor=actor, effect=data.effect
    )
    assessment_before = current_assessment(session, project=project)
    plan_before = current_plan(session, project=project)

    assessment_after = Assessment(
        project_id=project.id, author_id=actor.id, **data.assessment.model_dump()
    )
    session.add(assessment_after)
    plan_after = project_service.plan_add(
        session,
        project=project,
        actor=actor,
        data=data.plan,
        reason=PlanReason.replan,
        reason_note=f"re-plan after {release.title}",
    )
    if data.decision in _STATUS_AFTER:
        project.status = _STATUS_AFTER[data.decision]
    session.flush()

    replan = Replan(
        project_id=project.id,
        release_id=release.id,
        author_id=actor.id,
        effect=data.effect,
        what_they_did=data.what_they_did,
        what_stands=data.what_stands,
        decision=data.decision,
        learnings=data.learnings,
        summary=replan_summary(project=project, release=release, data=data),
        assessment_before_id=assessment_before.id,
        assessment_after_id=assessment_after.id,
        plan_before_id=plan_before.id if plan_before else None,
        plan_after_id=plan_after.id,
    )
    session.add(replan)
    session.flush()
    journal_service.replan_entry_create(
        session,
        author=actor,
        project_id=project.id,
        replan_id=replan.id,
        summary=replan.summary,
        learned=data.learnings,
    )
    draft_discard(session, project=project, actor=actor)
    return replan


def replan_summary(*, project: Project, release: Release, data: ReplanCreate) -> str:
    """The journal-ready account of the re-plan, in Markdown."""
    lines = [
        f"Re-planned **{project.title}** after *{release.title}*"
        + (f" ({release.organisation})" if release.organisation else "")
        + ".",
        "",
        f"- What they did: {data.what_they_did}",
        f"- What of ours still stands: {data.what_stands}",
        f"- Decision: {data.decision.label}",
    ]
    if data.learnings:
        lines.append(f"- What we learned: {data.learnings}")
    return "\n".join(lines)


def _release(session: Session, *, actor: User, data: ReplanCreate) -> Release:
    if data.release_id is not None:
        return release_for(session, user=actor, release_id=data.release_id)
    # Logged already (by hand, a feed, or another re-plan): the re-plan is
    # about that one.
    existing = logged_release(session, actor=actor, data=data.release)
    return existing or release_service.release_create(session, owner=actor, data=data.release)


def logged_release(session: Session, *, actor: User, data: ReleaseCreate) -> Release | None:
    """The release in the actor's log that `data` describes (same normalised
    URL, arXiv id or DOI), if any: the one rule re-plans dedupe releases by."""
    url_key, external_id = data.keys()
    return release_by_keys(session, user=actor, url_key=url_key, external_id=external_id)


def draft_get(session: Session, *, project: Project, actor: User) -> ReplanDraft | None:
    return session.exec(
        select(ReplanDraft).where(
            ReplanDraft.project_id == project.id, ReplanDraft.author_id == actor.id
        )
    ).first()


def draft_save(
    session: Session, *, project: Project, actor: User, step: int, data: dict
) -> ReplanDraft:
    draft = draft_get(session, project=project, actor=actor)
    if draft is None:
        draft = ReplanDraft(project_id=project.id, author_id=actor.id)
        session.add(draft)
    draft.step = step
    draft.data = dict(data)  # a new dict, so the JSON column sees the change
    draft.updated_at = utcnow()
    session.flush()
    return draft


def draft_discard(session: Session, *, project: Project, actor: User) -> None:
    draft = draft_get(session, project=project, actor=actor)
    if draft is not None:
        session.delete(draft)
        session.flush()
