"""The release log's page and a release's page, each assembled in one place for
the routes that show it."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from app.auth.models import User
from app.listing import parse_cursor
from app.projects import queries as project_queries
from app.releases import queries
from app.releases.models import SCOOP_EFFECTS, LinkEffect, Release, ReleaseKind

EFFECT_OPTIONS = [(e.value, e.label) for e in LinkEffect]


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


def release_page(
    session: Session, *, user: User, release: Release, errors: dict | None = None
) -> dict:
    """A release's page: the projects it touched, and the caller's other
    projects to link it to."""
    links = queries.links_of_release(session, user=user, release=release)
    linked = {project.id for _, project in links}
    rows = project_queries.portfolio_titles(session, user=user)
    return {
        "release": release,
        "links": links,
        "scoop_effects": SCOOP_EFFECTS,
        "effect_options": EFFECT_OPTIONS,
        "project_options": [(pid, title) for pid, title in rows if pid not in linked],
        "errors": errors or {},
    }
