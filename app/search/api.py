"""GET /api/v1/search: the search page's results as JSON."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.auth.deps import ApiUser
from app.db import SessionDep
from app.errors import error_responses
from app.fulltext import QUERY_MAX
from app.routing import Route
from app.search.queries import Hit, search_everything

router = APIRouter(
    route_class=Route, prefix="/api/v1", tags=["search"], responses=error_responses(401, 422)
)


class SearchHit(BaseModel):
    id: int
    title: str
    snippet_html: str  # escaped text, the matched words in <mark>
    day: date | None = None
    label: str


class SearchResults(BaseModel):
    projects: list[SearchHit]
    releases: list[SearchHit]
    journal: list[SearchHit]


def _public(hits: list[Hit]) -> list[SearchHit]:
    return [
        SearchHit(
            id=h.id, title=h.title, snippet_html=str(h.snippet_html), day=h.day, label=h.label
        )
        for h in hits
    ]


@router.get(
    "/search",
    response_model=SearchResults,
    summary="Projects you may read, your releases and your journal entries matching every word "
    "(as a prefix, accents and case aside), best first, up to 10 of each",
)
def search(
    session: SessionDep,
    user: ApiUser,
    q: Annotated[str, Query(max_length=QUERY_MAX, description="Words to find")] = "",
) -> SearchResults:
    found = search_everything(session, user=user, text=q)
    return SearchResults(
        projects=_public(found.projects),
        releases=_public(found.releases),
        journal=_public(found.journal),
    )
