"""Suggestions under /api/v1: the caller's inbox, confirmed or dismissed one by one."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.deps import ApiUser
from app.db import SessionDep
from app.errors import error_responses
from app.inbox import queries, service
from app.inbox.models import (
    Explanation,
    SuggestionConfirm,
    SuggestionDismiss,
    SuggestionPage,
    SuggestionPublic,
    SuggestionState,
)
from app.inputs import IdPath, IdQuery
from app.releases.models import LinkPublic
from app.routing import Route

router = APIRouter(
    route_class=Route,
    prefix="/api/v1",
    tags=["suggestions"],
    responses=error_responses(401, 404, 422),
)


def public(row: queries.InboxRow) -> SuggestionPublic:
    s = row.suggestion
    return SuggestionPublic(
        id=s.id,
        release_id=s.release_id,
        project_id=s.project_id,
        feed_id=s.feed_id,
        score=s.score,
        effect=s.effect,
        explanation=Explanation.model_validate(s.explanation or {"terms": []}),
        state=s.state,
        note=s.note,
        created_at=s.created_at,
        decided_at=s.decided_at,
        release_title=row.release.title,
        project_title=row.project.title,
    )


@router.get(
    "/suggestions",
    response_model=SuggestionPage,
    summary="Releases matched to your projects, strongest first",
)
def list_suggestions(
    session: SessionDep,
    user: ApiUser,
    project_id: IdQuery = None,
    release_id: IdQuery = None,
    state: Annotated[
        SuggestionState | None,
        Query(description="open (the default), confirmed, dismissed or not_relevant"),
    ] = SuggestionState.open,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> SuggestionPage:
    rows = queries.suggestions(
        session, user=user, state=state, project_id=project_id, release_id=release_id, limit=limit
    )
    return SuggestionPage(items=[public(row) for row in rows])


@router.get(
    "/suggestions/{suggestion_id}", response_model=SuggestionPublic, summary="One suggestion"
)
def read_suggestion(session: SessionDep, user: ApiUser, suggestion_id: IdPath) -> SuggestionPublic:
    return public(queries.suggestion_row(session, user=user, suggestion_id=suggestion_id))


@router.post(
    "/suggestions/{suggestion_id}/confirm",
    response_model=LinkPublic,
    summary="Confirm: link the release to the project (with another effect, and a note, if given)",
)
def confirm_suggestion(
    session: SessionDep,
    user: ApiUser,
    suggestion_id: IdPath,
    data: SuggestionConfirm | None = None,
) -> LinkPublic:
    data = data or SuggestionConfirm()
    suggestion = queries.suggestion_for(session, user=user, suggestion_id=suggestion_id)
    link = service.suggestion_confirm(
        session, suggestion=suggestion, actor=user, effect=data.effect, note=data.note
    )
    session.commit()
    return LinkPublic.model_validate(link)


@router.post(
    "/suggestions/{suggestion_id}/dismiss",
    response_model=SuggestionPublic,
    summary='Dismiss; with {"reason": "not_relevant"} the project\'s matching learns from it',
)
def dismiss_suggestion(
    session: SessionDep,
    user: ApiUser,
    suggestion_id: IdPath,
    data: SuggestionDismiss | None = None,
) -> SuggestionPublic:
    suggestion = queries.suggestion_for(session, user=user, suggestion_id=suggestion_id)
    service.suggestion_dismiss(
        session, suggestion=suggestion, not_relevant=bool(data and data.reason)
    )
    session.commit()
    return public(queries.suggestion_row(session, user=user, suggestion_id=suggestion_id))
