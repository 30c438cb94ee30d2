"""The releases and release-links JSON API under /api/v1."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from app.auth.deps import ApiUser
from app.db import SessionDep
from app.errors import error_body, error_responses
from app.inputs import IdPath, IsoDate
from app.listing import CURSOR_HELP, CURSOR_PATTERN, Cursor, parse_cursor
from app.projects import queries as project_queries
from app.releases import queries, service
from app.releases.models import (
    LinkCreate,
    LinkPublic,
    LinkUpdate,
    ReleaseCreateLinked,
    ReleaseKind,
    ReleaseLinked,
    ReleasePage,
    ReleasePublic,
    ReleaseSource,
)
from app.routing import Route

router = APIRouter(
    route_class=Route, prefix="/api/v1", tags=["releases"], responses=error_responses(401, 404, 422)
)


@router.post(
    "/releases",
    response_model=ReleaseLinked,
    status_code=201,
    responses=error_responses(403, 409),
    summary="Log a release, optionally linked to projects of yours; a URL or arXiv id "
    "already logged answers 409 with its Location",
)
def create_release(session: SessionDep, user: ApiUser, data: ReleaseCreateLinked):
    """With `links`, the release and every link are made together, or none
    of them (a project that is not yours answers 404, or 403 when you can
    only read it)."""
    project_for = project_queries.project_for
    links = [
        (project_for(session, user=user, project_id=ln.project_id), ln.effect, ln.note)
        for ln in data.links
    ]
    try:
        release, made = service.release_create_linked(
            session, owner=user, data=data.release(), links=links, source=ReleaseSource.api
        )
    except service.DuplicateRelease as duplicate:
        session.rollback()
        return _duplicate_response(duplicate.existing)
    session.commit()
    return ReleaseLinked(
        **ReleasePublic.model_validate(release).model_dump(),
        links=[LinkPublic.model_validate(link) for link in made],
    )


def _duplicate_response(existing) -> JSONResponse:
    """409 for a release logged already, pointing at it."""
    return JSONResponse(
        error_body(
            409,
            f"This release is logged already as release {existing.id}: {existing.title}",
            code="duplicate_release",
            fields=[{"field": "url", "message": f"already logged as release {existing.id}"}],
        ),
        status_code=409,
        headers={"Location": f"/api/v1/releases/{existing.id}"},
    )


@dataclass(frozen=True)
class ReleaseLogQuery:
    """A page of the release log as the API asks for it."""

    filters: queries.ReleaseFilter
    before: Cursor | None
    limit: int


def release_log_query(
    kind: ReleaseKind | None = None,
    organisation: Annotated[str, Query(max_length=200)] = "",
    since: IsoDate | None = None,
    until: IsoDate | None = None,
    q: Annotated[
        str, Query(max_length=200, description="Text in title, organisation or summary")
    ] = "",
    before: Annotated[str | None, Query(pattern=CURSOR_PATTERN, description=CURSOR_HELP)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ReleaseLogQuery:
    filters = queries.ReleaseFilter(
        kind=kind, organisation=organisation.strip(), since=since, until=until, text=q.strip()
    )
    return ReleaseLogQuery(filters, parse_cursor(before) if before else None, limit)


ReleaseLogParams = Annotated[ReleaseLogQuery, Depends(release_log_query)]


@router.get("/releases", response_model=ReleasePage, summary="The release log, newest first")
def list_releases(session: SessionDep, user: ApiUser, query: ReleaseLogParams) -> ReleasePage:
    rows, next_before = queries.release_log(
        session, user=user, filters=query.filters, before=query.before, limit=query.limit
    )
    return ReleasePage(
        items=[ReleasePublic.model_validate(r) for r in rows], next_before=next_before
    )


@router.get("/releases/{release_id}", response_model=ReleasePublic, summary="Read a release")
def read_release(session: SessionDep, user: ApiUser, release_id: IdPath) -> ReleasePublic:
    return ReleasePublic.model_validate(
        queries.release_for(session, user=user, release_id=release_id)
    )


@router.post(
    "/releases/{release_id}/links",
    response_model=LinkPublic,
    status_code=201,
    responses=error_responses(403),  # a project the caller may read but not change
    summary="Link a release to a project (or change the effect of an existing link)",
)
def create_link(
    session: SessionDep, user: ApiUser, release_id: IdPath, data: LinkCreate
) -> LinkPublic:
    release = queries.release_for(session, user=user, release_id=release_id)
    project = project_queries.project_for(session, user=user, project_id=data.project_id)
    link = service.link_set(
        session, release=release, project=project, actor=user, effect=data.effect, note=data.note
    )
    session.commit()
    return LinkPublic.model_validate(link)


@router.get(
    "/releases/{release_id}/links",
    response_model=list[LinkPublic],
    summary="Projects a release touched",
)
def release_links(session: SessionDep, user: ApiUser, release_id: IdPath) -> list[LinkPublic]:
    release = queries.release_for(session, user=user, release_id=release_id)
    return [
        LinkPublic.model_validate(link)
        for link, _ in queries.links_of_release(session, user=user, release=release)
    ]


@router.get(
    "/projects/{project_id}/links",
    response_model=list[LinkPublic],
    summary="Releases linked to a project",
)
def project_links(session: SessionDep, user: ApiUser, project_id: IdPath) -> list[LinkPublic]:
    # Readable by the project's team, as its page is.
    project, _ = project_queries.project_viewable(session, user=user, project_id=project_id)
    return [
        LinkPublic.model_validate(link)
        for link, _ in queries.links_of_project(session, project=project)
    ]


@router.patch(
    "/links/{link_id}", response_model=LinkPublic, summary="Change a link's effect or note"
)
def update_link(
    session: SessionDep, user: ApiUser, link_id: IdPath, data: LinkUpdate
) -> LinkPublic:
    link = queries.link_for(session, user=user, link_id=link_id)
    service.link_update(session, link=link, data=data)
    session.commit()
    return LinkPublic.model_validate(link)
