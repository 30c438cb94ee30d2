"""The search page behind the header's box: GET /search?q=."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.fulltext import QUERY_MAX
from app.routing import Route
from app.search.queries import Found, search_everything
from app.web import render

# Pages, not API: kept out of the OpenAPI document.
router = APIRouter(route_class=Route, include_in_schema=False)


@router.get("/search", name="search")
def search_page(request: Request, session: SessionDep, user: CurrentUser, q: str = "") -> Response:
    too_long = len(q) > QUERY_MAX
    error = f"Search for at most {QUERY_MAX} characters (you typed {len(q)})." if too_long else ""
    found = Found() if too_long else search_everything(session, user=user, text=q)
    context = {"q": q, "error": error, "found": found, "query_max": QUERY_MAX}
    return render(request, "search/results.html", context, status_code=422 if too_long else 200)
