"""The project page's what-if: how the ranking would move if one score
changed (nothing is saved), and "Apply this change", which saves it as a
re-score with its reason through the same service as any other."""

from dataclasses import dataclass

from sqlmodel import Session

from app.auth.models import User
from app.forms import as_int, validate
from app.overview.project_page import WhatIf, project_page
from app.projects import queries, service
from app.projects.models import Project, ProjectUpdate
from app.scoring import ScoreField, Scores, ScoringConfig, what_if
from app.versions import Conflict


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


@dataclass(frozen=True)
class ApplyChange:
    """ "Apply this change" as posted: the what-if's score and value, the
    project version the page showed, and why the score moved."""

    score: str
    value: str
    version: str
    rationale: str


RATIONALE_NEEDED = "Say why the score moves: the reason is kept with it in the history."
STALE = (
    "The project changed after this page was opened (a re-score or an edit), so nothing "
    "was saved. The preview below is against the scores now saved; apply again if it "
    "still holds."
)


def what_if_apply(
    session: Session, *, user: User, project_id: int, scoring: ScoringConfig, form: ApplyChange
) -> dict | None:
    """Save the what-if's change as a re-score (a new assessment with its
    rationale; the project's version guards against an edit made meanwhile).
    None when saved; else the page again, the what-if shown, with why not in
    `apply_errors` and what was typed in `apply_values` (nothing written)."""
    project = queries.project_for(session, user=user, project_id=project_id)
    context = what_if_page(
        session,
        user=user,
        project_id=project_id,
        scoring=scoring,
        score=form.score,
        value=form.value,
    )
    if context.get("what_if_errors"):
        return context
    field, value = context["what_if"].field, context["what_if"].value
    why = form.rationale.strip()
    refused = {}
    if value == getattr(context["assessment"], field.value):
        refused["value"] = f"{field.value.replace('_', ' ').capitalize()} is {value} already."
    elif not why:
        refused["rationale"] = RATIONALE_NEEDED
    data, errors = validate(
        ProjectUpdate,
        {
            "version": as_int(form.version),
            "assessment": {field.value: value, f"{field.value}_rationale": why},
        },
    )
    refused |= {
        "rationale" if name.endswith("_rationale") else name: message
        for name, message in errors.items()
    }
    version = form.version
    if not refused:
        try:
            service.project_update(session, project=project, actor=user, data=data)
            return None
        except Conflict:
            session.rollback()
            context = what_if_page(
                session,
                user=user,
                project_id=project_id,
                scoring=scoring,
                score=form.score,
                value=form.value,
            )
            refused = {"version": STALE}
            version = str(context["project"].version)
    values = {"rationale": form.rationale, "version": version}
    return {**context, "apply_errors": refused, "apply_values": values}
