"""Writes to the release log and to release links. Never commits."""

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.auth.models import User
from app.db import utcnow
from app.notifications.models import NoticeKind
from app.notifications.service import notify
from app.projects.models import Project
from app.releases.models import (
    LinkEffect,
    LinkState,
    LinkUpdate,
    Release,
    ReleaseCreate,
    ReleaseLink,
    ReleaseSource,
)
from app.releases.queries import release_by_keys
from app.teams.queries import managers_of


class DuplicateRelease(Exception):
    """The release is logged already; `existing` is the one to use."""

    def __init__(self, existing: Release) -> None:
        super().__init__(f"already logged as release {existing.id}")
        self.existing = existing


def release_create(
    session: Session,
    *,
    owner: User,
    data: ReleaseCreate,
    source: ReleaseSource = ReleaseSource.manual,
) -> Release:
    url_key, external_id = data.keys()
    existing = release_by_keys(session, user=owner, url_key=url_key, external_id=external_id)
    if existing is not None:
        raise DuplicateRelease(existing)
    release = Release(
        owner_id=owner.id,
        title=data.title,
        kind=data.kind,
        organisation=data.organisation,
        released_on=data.released_on,
        url=data.url or None,
        url_key=url_key,
        external_id=external_id,
        summary=data.summary,
        source=source,
    )
    session.add(release)
    try:
        with session.begin_nested():  # a racing writer trips the unique keys
            session.flush()
    except IntegrityError:
        existing = release_by_keys(session, user=owner, url_key=url_key, external_id=external_id)
        if existing is None:
            raise
        raise DuplicateRelease(existing) from None
    return release


def link_set(
    session: Session,
    *,
    release: Release,
    project: Project,
    actor: User,
    effect: LinkEffect,
    note: str = "",
) -> ReleaseLink:
    """Link a release to a project, or change the effect of the existing link."""
    link = session.exec(
        select(ReleaseLink).where(
            ReleaseLink.release_id == release.id, ReleaseLink.project_id == project.id
        )
    ).first()
    if link is None:
        link = ReleaseLink(
            release_id=release.id,
            project_id=project.id,
            effect=effect,
            note=note,
            created_by=actor.id,
        )
        session.add(link)
        _tell_team(session, release=release, project=project, actor=actor, effect=effect)
    else:
        link.effect = effect
        link.state = LinkState.confirmed
        if note:
            link.note = note
        link.updated_at = utcnow()
    session.flush()
    return link


def _tell_team(
    session: Session, *, release: Release, project: Project, actor: User, effect: LinkEffect
) -> None:
    """A release touching a shared project is news for the team's managers."""
    if project.team_id is None:
        return
    notify(
        session,
        user_ids=[m.id for m in managers_of(session, team_id=project.team_id)],
        kind=NoticeKind.release_linked,
        actor=actor,
        summary=f"{release.title} → {project.title} ({effect.label})",
        project_id=project.id,
        release_id=release.id,
    )


def link_update(session: Session, *, link: ReleaseLink, data: LinkUpdate) -> ReleaseLink:
    if data.effect is not None:
        link.effect = data.effect
    if data.note is not None:
        link.note = data.note
    link.updated_at = utcnow()
    session.flush()
    return link
