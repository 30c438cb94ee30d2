"""A project's pages that belong to the projects feature alone (the project
page itself brings features together: app.overview.project_page)."""

from sqlmodel import Session

from app.auth.models import User
from app.projects import queries
from app.projects.diff import plan_diff


def plan_diff_page(session: Session, *, user: User, project_id: int, a: str, b: str) -> dict:
    """What changed between two of a project's plan versions, numbered `a` and
    `b` as the query string gives them; a number that is not one of its plans
    falls back to the last two."""
    project, _ = queries.project_viewable(session, user=user, project_id=project_id)
    plans = {p.number: p for p in queries.plans_of(session, project=project)}
    newest = max(plans)
    old_number = int(a) if a.isdecimal() and int(a) in plans else max(1, newest - 1)
    new_number = int(b) if b.isdecimal() and int(b) in plans else newest
    return {
        "project": project,
        "numbers": sorted(plans),
        "old": plans[old_number],
        "new": plans[new_number],
        "fields": plan_diff(plans[old_number], plans[new_number], by_line=True),
    }
