"""What the portfolio tables flag beside a project's scores: its last
scoring round showed wide disagreement, or its scores have not been
revisited in a while (GOLDFISH_SCORES_STALE_DAYS)."""

from datetime import datetime

from sqlmodel import Session

from app.db import utcnow
from app.projects.queries import PortfolioRow
from app.rounds.queries import wide_disagreement

WIDE = "wide disagreement in the last scoring round"


def score_flags(
    session: Session, *, rows: list[PortfolioRow], stale_days: int, now: datetime | None = None
) -> dict[int, list[str]]:
    """Per project id, the flags it shows (most have none). One query."""
    now = now or utcnow()
    wide = wide_disagreement(session, project_ids=[r.project.id for r in rows])
    flags: dict[int, list[str]] = {}
    for row in rows:
        found = [WIDE] if row.project.id in wide else []
        age = (now - row.assessment.created_at).days
        if age >= stale_days:
            found.append(f"scores not revisited in {age} days")
        if found:
            flags[row.project.id] = found
    return flags
