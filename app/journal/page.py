"""The journal's pages, assembled in one place for the routes that show them."""

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from app.auth.models import User
from app.inputs import as_id
from app.journal import queries, service
from app.journal.models import EntryKind, JournalEntry
from app.listing import parse_cursor
from app.projects import queries as project_queries
from app.teams import queries as team_queries


def project_choices(session: Session, *, user: User) -> list[tuple[int, str]]:
    """The projects an entry may be about: the author's portfolio."""
    return project_queries.portfolio_titles(session, user=user)


def team_choices(session: Session, *, user: User) -> list[tuple[int, str]]:
    """The teams an entry may be shared with: the author's own."""
    return team_queries.team_choices(session, user=user)


@dataclass(frozen=True)
class HomeQuery:
    """The journal home's query string, as typed (echoed back into its links)."""

    week: str = ""
    kind: str = ""
    project: str = ""
    q: str = ""
    archived: str = ""
    before: str = ""


def home_page(session: Session, *, user: User, query: HomeQuery, fragment: bool) -> dict:
    """The journal home: a page of entries under the query's filters, and,
    unless only the entries block is asked for (the search box), the pace
    and settings that only the whole page shows."""
    today = service.today_for(user)
    since = until = None
    if query.week:
        since = queries.parse_week(query.week, today)
        until = since + timedelta(days=6)
    filters = queries.EntryFilter(
        since=since,
        until=until,
        kind=EntryKind(query.kind) if query.kind in EntryKind.__members__ else None,
        project_id=as_id(query.project),
        text=query.q.strip()[:200],
        archived=query.archived in ("1", "on", "true"),
    )
    cursor = parse_cursor(query.before) if query.before else None
    rows, next_before = queries.entries(session, user=user, filters=filters, before=cursor)
    settings = None if fragment else queries.settings_for(session, user=user)
    echoed = {
        "week": query.week,
        "kind": query.kind,
        "project": query.project,
        "q": query.q,
        "archived": query.archived,
    }
    projects = project_choices(session, user=user)
    shared = any(e.shared_team_id for e in rows)
    return {
        "entries": rows,
        "next_before": next_before,
        "query": {k: v for k, v in echoed.items() if v},
        "filters": filters,
        "week_start": since,
        "this_week": queries.iso_week(today),
        "prev_week": queries.iso_week((since or today) - timedelta(days=7)),
        "next_week": queries.iso_week((since or today) + timedelta(days=7)),
        "kinds": list(EntryKind),
        "projects": projects,
        "project_titles": dict(projects),
        "team_names": dict(team_choices(session, user=user)) if shared else {},
        "settings": settings,
        "pace": None
        if fragment
        else queries.pace(session, user=user, settings=settings, today=today),
        "today": today,
    }


def entry_page(session: Session, *, user: User, entry: JournalEntry, **extra) -> dict:
    """An entry's page (or its edit form, with `extra`): the entry, its
    history, and the names of its project and team."""
    projects = project_choices(session, user=user)
    teams = team_choices(session, user=user)
    return {
        "entry": entry,
        "revisions": queries.revisions_of(session, entry=entry),
        "projects": projects,
        "project_titles": dict(projects),
        "teams": teams,
        "team_names": dict(teams),
        **extra,
    }
