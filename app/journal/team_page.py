"""The team journal's page, assembled here for its route (app/journal/team.py)."""

from sqlmodel import Session

from app.auth.models import User
from app.journal import queries, service
from app.listing import parse_cursor
from app.teams import queries as team_queries


def team_journal_page(session: Session, *, user: User, team_id: int, before: str) -> dict:
    """What members shared with the team, a page at a time from `before`, and
    the counts of those who opted in, for any member of it (others get a 404).
    No one's hours, energy or hours of the day are on it."""
    view = team_queries.team_for(session, user=user, team_id=team_id)
    cursor = parse_cursor(before) if before else None
    entries, next_before = queries.team_entries(session, team_id=team_id, before=cursor)
    return {
        "view": view,
        "team": view.team,
        "entries": entries,
        "next_before": next_before,
        "process": queries.team_process(
            session, team_id=team_id, reader_id=user.id, today=service.today_for(user)
        ),
        "min_others": queries.TEAM_MIN_OTHERS,
        "weeks": queries.TEAM_WEEKS,
    }
