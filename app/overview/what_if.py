"""The project page's what-if: how the ranking would move if one score
changed. Nothing is saved."""

from sqlmodel import Session

from app.auth.models import User
from app.forms import as_int
from app.overview.project_page import WhatIf, project_page
from app.projects import queries
from app.projects.models import Project
from app.scoring import ScoreField, Scores, ScoringConfig, what_if


def _what_if_errors(project: Project, score: str, value: str) -> dict[str, str]:
    """Why the what-if cannot be answered; empty when it can."""
    errors = {}
    if score not in ScoreField.__members__:
        errors["score"] = "Choose attainability, scoop risk or impact."
    if as_int(value) not in (1, 2, 3, 4, 5):
        errors["value"] = "Choose a value from 1 to 5."
    if not errors and project.archived_at is not None:
        errors["score"] = "An archived project is not ranked."
    return errors


def what_if_page(
    session: Session,
    *,
    user: User,
    project_id: int,
    scoring: ScoringConfig,
    score: str,
    value: str,
) -> dict:
    """The project's page with the what-if the query string asks (`score`
    set to `value`) answered in `what_if`, or why it cannot be in
    `what_if_errors`. Only the owner asks: it is their own ranking."""
    queries.project_for(session, user=user, project_id=project_id)
    context = project_page(session, user=user, project_id=project_id, scoring=scoring)
    project = context["project"]
    errors = _what_if_errors(project, score, value)
    if errors:
        return {**context, "what_if_errors": errors}
    field = ScoreField(score)
    moved = Scores.of(context["assessment"]).moved(field, int(value))
    moves = what_if(context["entries"], scoring, project_id=project.id, scores=moved)
    return {**context, "what_if": WhatIf(field=field, value=int(value), moves=moves)}
