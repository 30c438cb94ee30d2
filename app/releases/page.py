"""The release log's page, assembled in one place for the route that shows it."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from app.auth.models import User
from app.listing import parse_cursor
from app.releases import queries
from app.releases.models import ReleaseKind


def _date_or_none(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class LogQuery:
    """The release log's query string, as typed (echoed back into its links)."""

    kind: str = ""
    organisation: str = ""
    since: str = ""
    until: str = ""
    q: str = ""
    before: str = ""


def log_page(session: Session, *, user: User, query: LogQuery, fragment: bool) -> dict:
    """A page of the release log under the query's filters; the organisation
    picker, outside the results block, only for the whole page."""
    filters = queries.ReleaseFilter(
        kind=ReleaseKind(query.kind) if query.kind in ReleaseKind.__members__ else None,
        organisation=query.organisation.strip()[:200],
        since=_date_or_none(query.since),
        until=_date_or_none(query.until),
        text=query.q.strip()[:200],
    )
    cursor = parse_cursor(query.before) if query.before else None
    rows, next_before = queries.release_log(session, user=user, filters=filters, before=cursor)
    echoed = {
        "kind": query.kind,
        "organisation": query.organisation,
        "since": query.since,
        "until": query.until,
        "q": query.q,
    }
    return {
        "releases": rows,
        "filters": filters,
        "query": {k: v for k, v in echoed.items() if v},
        "next_before": next_before,
        "is_first_page": cursor is None,
        "kinds": list(ReleaseKind),
        "organisations": [] if fragment else queries.organisations(session, user=user),
        "bad_dates": {
            name: "Enter a date as YYYY-MM-DD."
            for name, value in (("since", query.since), ("until", query.until))
            if value and _date_or_none(value) is None
        },
    }
