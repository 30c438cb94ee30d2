"""Reads of the release log and of release links, always scoped to the user."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from app import fulltext
from app.auth.models import User
from app.errors import NotFound
from app.listing import newest_first_page
from app.projects.models import Project
from app.releases.models import LinkEffect, LinkState, Release, ReleaseKind, ReleaseLink

PAGE_SIZE = 50


class ReleaseNotFound(NotFound):
    what = "release"


class LinkNotFound(NotFound):
    what = "link"


def release_for(session: Session, *, user: User, release_id: int) -> Release:
    release = session.exec(
        select(Release).where(Release.id == release_id, Release.owner_id == user.id)
    ).first()
    if release is None:
        raise ReleaseNotFound(release_id)
    return release


def release_by_keys(
    session: Session, *, user: User, url_key: str | None, external_id: str | None
) -> Release | None:
    """The release already logged under this URL or external id, if any."""
    clauses = []
    if url_key:
        clauses.append(Release.url_key == url_key)
    if external_id:
        clauses.append(Release.external_id == external_id)
    if not clauses:
        return None
    return session.exec(
        select(Release).where(Release.owner_id == user.id, sa.or_(*clauses)).limit(1)
    ).first()


def releases_with_keys(
    session: Session, *, owner_id: int, url_keys: set[str], external_ids: set[str]
) -> list[Release]:
    """The owner's releases logged under any of these addresses or ids."""
    clauses = []
    if url_keys:
        clauses.append(Release.url_key.in_(sorted(url_keys)))
    if external_ids:
        clauses.append(Release.external_id.in_(sorted(external_ids)))
    if not clauses:
        return []
    return list(session.exec(select(Release).where(Release.owner_id == owner_id, sa.or_(*clauses))))


@dataclass(frozen=True)
class ReleaseFilter:
    kind: ReleaseKind | None = None
    organisation: str = ""
    since: date | None = None
    until: date | None = None
    text: str = ""


def release_log(
    session: Session,
    *,
    user: User,
    filters: ReleaseFilter,
    before: tuple[date, int] | None = None,
    limit: int = PAGE_SIZE,
) -> tuple[list[Release], str | None]:
    """Newest first, one page at a time. Keyset pagination: a page costs the
    same at the 1st and the 400th page."""
    query = select(Release).where(Release.owner_id == user.id)
    if filters.kind:
        query = query.where(Release.kind == filters.kind)
    if filters.organisation:
        query = query.where(sa.func.lower(Release.organisation) == filters.organisation.lower())
    if filters.since:
        query = query.where(Release.released_on >= filters.since)
    if filters.until:
        query = query.where(Release.released_on <= filters.until)
    found = fulltext.match(fulltext.RELEASES, filters.text, dialect=_dialect(session))
    if found:
        query = query.where(Release.id.in_(found.ids()))
    return newest_first_page(
        session, query, day=Release.released_on, ident=Release.id, before=before, limit=limit
    )


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def organisations(session: Session, *, user: User, limit: int = 200) -> list[str]:
    return list(
        session.exec(
            select(Release.organisation)
            .where(Release.owner_id == user.id, Release.organisation != "")
            .group_by(Release.organisation)
            .order_by(sa.func.count().desc(), Release.organisation)
            .limit(limit)
        )
    )


def recent_releases(session: Session, *, user: User, limit: int = 100) -> list[Release]:
    return list(
        session.exec(
            select(Release)
            .where(Release.owner_id == user.id)
            .order_by(Release.released_on.desc(), Release.id.desc())
            .limit(limit)
        )
    )


def link_for(session: Session, *, user: User, link_id: int) -> ReleaseLink:
    link = session.exec(
        select(ReleaseLink)
        .join(Project, Project.id == ReleaseLink.project_id)
        .where(ReleaseLink.id == link_id, Project.owner_id == user.id)
    ).first()
    if link is None:
        raise LinkNotFound(link_id)
    return link


def links_of_release(
    session: Session, *, user: User, release: Release
) -> list[tuple[ReleaseLink, Project]]:
    return [
        (link, project)
        for link, project in session.exec(
            select(ReleaseLink, Project)
            .join(Project, Project.id == ReleaseLink.project_id)
            .where(
                ReleaseLink.release_id == release.id,
                Project.owner_id == user.id,
                ReleaseLink.state == LinkState.confirmed,
            )
            .order_by(Project.title)
        )
    ]


def links_of_project(session: Session, *, project: Project) -> list[tuple[ReleaseLink, Release]]:
    """Confirmed links of a project the caller already may see, newest release first."""
    return [
        (link, release)
        for link, release in session.exec(
            select(ReleaseLink, Release)
            .join(Release, Release.id == ReleaseLink.release_id)
            .where(ReleaseLink.project_id == project.id, ReleaseLink.state == LinkState.confirmed)
            .order_by(Release.released_on.desc(), Release.id.desc())
        )
    ]


def reinforcement_counts(session: Session, *, project_ids: list[int]) -> dict[int, int]:
    """How many confirmed releases reinforce each project's plan."""
    if not project_ids:
        return {}
    rows = session.exec(
        select(ReleaseLink.project_id, sa.func.count())
        .where(
            ReleaseLink.project_id.in_(project_ids),
            ReleaseLink.effect == LinkEffect.reinforces,
            ReleaseLink.state == LinkState.confirmed,
        )
        .group_by(ReleaseLink.project_id)
    )
    return dict(rows.all())


def links_in_range(
    session: Session,
    *,
    user: User,
    since: date,
    until: date,
    linked_since: datetime | None = None,
    linked_until: datetime | None = None,
) -> list[tuple[ReleaseLink, Release, Project]]:
    """Releases of those days that touched the user's projects, and (given
    the moments `linked_since` to `linked_until`) older releases linked to
    them in that time."""
    when = sa.and_(Release.released_on >= since, Release.released_on <= until)
    if linked_since is not None and linked_until is not None:
        linked = sa.and_(
            ReleaseLink.created_at >= linked_since, ReleaseLink.created_at < linked_until
        )
        when = sa.or_(when, linked)
    return [
        (link, release, project)
        for link, release, project in session.exec(
            select(ReleaseLink, Release, Project)
            .join(Release, Release.id == ReleaseLink.release_id)
            .join(Project, Project.id == ReleaseLink.project_id)
            .where(
                Project.owner_id == user.id,
                ReleaseLink.state == LinkState.confirmed,
                when,
            )
            .order_by(Release.released_on, Release.id)
        )
    ]
