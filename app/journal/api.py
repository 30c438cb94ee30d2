"""Journal entries in the JSON API: the author's own, nobody else's."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.auth.deps import ApiUser
from app.db import SessionDep
from app.errors import error_responses
from app.inputs import IdPath, IdQuery, IsoDate
from app.journal import queries, service
from app.journal.models import EntryIn, EntryKind, EntryPage, EntryPublic, EntryUpdate
from app.listing import CURSOR_HELP, CURSOR_PATTERN, Cursor, parse_cursor
from app.projects import queries as project_queries
from app.routing import Route

router = APIRouter(
    route_class=Route,
    prefix="/api/v1/journal",
    tags=["journal"],
    responses=error_responses(401, 404, 422),
)


@router.post(
    "/entries",
    response_model=EntryPublic,
    status_code=201,
    responses=error_responses(403),  # a project_id the caller may read but not change
    summary="Write a journal entry",
)
def create_entry(session: SessionDep, user: ApiUser, data: EntryIn) -> EntryPublic:
    if data.project_id is not None:
        project_queries.project_for(session, user=user, project_id=data.project_id)
    entry = service.entry_create(session, author=user, data=data)
    session.commit()
    return EntryPublic.model_validate(entry)


class EntryQuery(BaseModel):
    """The list's query string: which entries, and which page of them."""

    since: IsoDate | None = None
    until: IsoDate | None = None
    kind: EntryKind | None = None
    project_id: IdQuery = None
    q: Annotated[str, Query(max_length=200)] = ""
    archived: bool = False
    before: Annotated[str | None, Query(pattern=CURSOR_PATTERN, description=CURSOR_HELP)] = None
    limit: Annotated[int, Query(ge=1, le=200)] = 50

    def filters(self) -> queries.EntryFilter:
        return queries.EntryFilter(
            since=self.since,
            until=self.until,
            kind=self.kind,
            project_id=self.project_id,
            text=self.q.strip(),
            archived=self.archived,
        )

    def cursor(self) -> Cursor | None:
        return parse_cursor(self.before) if self.before else None


@router.get("/entries", response_model=EntryPage, summary="Your entries, newest day first")
def list_entries(
    session: SessionDep, user: ApiUser, query: Annotated[EntryQuery, Query()]
) -> EntryPage:
    rows, next_before = queries.entries(
        session, user=user, filters=query.filters(), before=query.cursor(), limit=query.limit
    )
    return EntryPage(items=[EntryPublic.model_validate(e) for e in rows], next_before=next_before)


@router.get("/entries/{entry_id}", response_model=EntryPublic, summary="Read an entry")
def read_entry(session: SessionDep, user: ApiUser, entry_id: IdPath) -> EntryPublic:
    return EntryPublic.model_validate(queries.entry_for(session, user=user, entry_id=entry_id))


@router.patch(
    "/entries/{entry_id}",
    response_model=EntryPublic,
    responses=error_responses(403, 409),
    summary="Edit an entry (the earlier text is kept as a revision)",
)
def update_entry(
    session: SessionDep, user: ApiUser, entry_id: IdPath, data: EntryUpdate
) -> EntryPublic:
    entry = queries.entry_for(session, user=user, entry_id=entry_id)
    if data.project_id is not None:
        project_queries.project_for(session, user=user, project_id=data.project_id)
    service.entry_update(session, entry=entry, data=data)
    session.commit()
    return EntryPublic.model_validate(entry)


@router.post("/entries/{entry_id}/archive", response_model=EntryPublic, summary="Archive an entry")
def archive_entry(session: SessionDep, user: ApiUser, entry_id: IdPath) -> EntryPublic:
    entry = queries.entry_for(session, user=user, entry_id=entry_id)
    service.entry_archive(session, entry=entry)
    session.commit()
    return EntryPublic.model_validate(entry)


@router.post(
    "/entries/{entry_id}/restore", response_model=EntryPublic, summary="Restore an archived entry"
)
def restore_entry(session: SessionDep, user: ApiUser, entry_id: IdPath) -> EntryPublic:
    entry = queries.entry_for(session, user=user, entry_id=entry_id)
    service.entry_restore(session, entry=entry)
    session.commit()
    return EntryPublic.model_validate(entry)
