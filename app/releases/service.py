"""Writes to the release log and to release links. Never commits."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.auth.models import User
from app.db import utcnow
from app.notifications.models import NoticeKind
from app.notifications.service import notify
from app.projects.models import Project
from app.releases.models import (
    ORGANISATION_MAX,
    RELEASE_SUMMARY_MAX,
    RELEASE_TITLE_MAX,
    URL_MAX,
    LinkEffect,
    LinkState,
    LinkUpdate,
    Release,
    ReleaseCreate,
    ReleaseKind,
    ReleaseLink,
    ReleaseSource,
)
from app.releases.queries import release_by_keys, releases_with_keys
from app.releases.urls import BadUrl, external_id, normalise_url
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


def release_create_linked(
    session: Session,
    *,
    owner: User,
    data: ReleaseCreate,
    links: list[tuple[Project, LinkEffect, str]],
    source: ReleaseSource = ReleaseSource.manual,
) -> tuple[Release, list[ReleaseLink]]:
    """Log a release and link it to the projects it touches (each with its
    effect and note), as one change: a duplicate release raises
    DuplicateRelease before any link is made. The caller has loaded the
    projects through the queries that check they are the owner's."""
    release = release_create(session, owner=owner, data=data, source=source)
    made = [
        link_set(session, release=release, project=project, actor=owner, effect=effect, note=note)
        for project, effect, note in links
    ]
    return release, made


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


@dataclass(frozen=True)
class ReleaseDraft:
    """A release as a feed entry describes it, before it is in anyone's log."""

    title: str
    kind: ReleaseKind
    released_on: date
    organisation: str = ""
    url: str | None = None
    summary: str = ""

    def keys(self) -> tuple[str | None, str | None]:
        if not self.url:
            return None, None
        try:
            return normalise_url(self.url), external_id(self.url)
        except BadUrl:
            return None, external_id(self.url)


def releases_ingest(
    session: Session, *, owner_id: int, drafts: list[ReleaseDraft], source: ReleaseSource
) -> list[tuple[Release, bool]]:
    """Each draft as a release of the owner's log, with whether it is new:
    one already logged under the same address or arXiv id / DOI (by hand, by
    another feed, or earlier in this list) is reused, not repeated. Two
    queries for the lookups, whatever the number of drafts."""
    keyed = [(draft, *draft.keys()) for draft in drafts]
    url_keys = {k for _, k, _ in keyed if k}
    ids = {e for _, _, e in keyed if e}
    known = releases_with_keys(session, owner_id=owner_id, url_keys=url_keys, external_ids=ids)
    by_url = {r.url_key: r for r in known if r.url_key}
    by_id = {r.external_id: r for r in known if r.external_id}
    out: list[tuple[Release, bool]] = []
    for draft, url_key, ext_id in keyed:
        existing = (by_id.get(ext_id) if ext_id else None) or (
            by_url.get(url_key) if url_key else None
        )
        if existing is not None:
            out.append((existing, False))
            continue
        release = Release(
            owner_id=owner_id,
            title=draft.title[:RELEASE_TITLE_MAX],
            kind=draft.kind,
            organisation=draft.organisation[:ORGANISATION_MAX],
            released_on=draft.released_on,
            url=(draft.url or None) if draft.url and len(draft.url) <= URL_MAX else None,
            url_key=url_key if url_key and len(url_key) <= URL_MAX else None,
            external_id=ext_id,
            summary=draft.summary[:RELEASE_SUMMARY_MAX],
            source=source,
        )
        session.add(release)
        if release.url_key:
            by_url[release.url_key] = release
        if ext_id:
            by_id[ext_id] = release
        out.append((release, True))
    session.flush()
    return out


def releases_copied_for(
    session: Session, *, wanted: list[tuple[Release, int]]
) -> dict[tuple[int, int], Release]:
    """Each (release, owner id) as a release of that owner's log (a team
    feed's find, for a member's project): theirs if they have it, else a
    copy. Keyed by (release id, owner id); two queries per other owner,
    whatever the number of releases."""
    found: dict[tuple[int, int], Release] = {}
    by_owner: dict[int, dict[int, Release]] = {}
    for release, owner_id in wanted:
        if release.owner_id == owner_id:
            found[(release.id, owner_id)] = release
        else:
            by_owner.setdefault(owner_id, {})[release.id] = release
    for owner_id, distinct in by_owner.items():
        releases = list(distinct.values())
        drafts = [
            ReleaseDraft(
                title=r.title,
                kind=r.kind,
                released_on=r.released_on,
                organisation=r.organisation,
                url=r.url,
                summary=r.summary,
            )
            for r in releases
        ]
        copies = releases_ingest(
            session, owner_id=owner_id, drafts=drafts, source=ReleaseSource.feed
        )
        for release, (copy, _) in zip(releases, copies, strict=True):
            found[(release.id, owner_id)] = copy
    return found
