"""The week in review, two views of it: the weekly review a researcher
writes in their journal (their entries, links and re-plans of the week, with
four questions), and the digest of what they were told and did (their
notifications, entries, re-plans and, for managers, the plans waiting).
The pages are assembled in app/overview/week_page.py."""

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.forms import as_int, validate
from app.journal import queries as journal_queries
from app.journal import service as journal_service
from app.journal.models import EntryIn, EntryKind, EntryUpdate
from app.overview.week_page import (
    REVIEW_PROMPTS,
    digest_page,
    review_body,
    review_page,
    week_review,
)
from app.routing import Route
from app.versions import Conflict
from app.web import redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)


# ---------------------------------------------------------------- the weekly review


@router.get("/journal/review", name="journal_review")
def journal_review(
    request: Request, session: SessionDep, user: CurrentUser, week: str = ""
) -> Response:
    return render(request, "journal/review.html", review_page(session, user=user, week=week))


class ReviewForm(BaseModel):
    week: str = ""
    version: str = ""  # of the review being edited; "" when writing the week's first
    why: str = ""
    stop: str = ""
    went_well: str = ""
    next: str = ""

    def answers(self) -> dict[str, str]:
        return self.model_dump(exclude={"week"})

    def start(self, today: date) -> date:
        """The Monday of the week reviewed (this week if `week` is no week)."""
        return journal_queries.parse_week(self.week, today)

    def review_text(self) -> tuple[str, dict[str, str]]:
        """The review's body, its answers under their questions; or the error
        the form shows at its first question."""
        answers = {name: getattr(self, name).strip() for name, _ in REVIEW_PROMPTS}
        if not any(answers.values()):
            return "", {"why": "Answer at least one question."}
        return review_body(answers), {}


def _review_again(request, session, user, form: ReviewForm, errors, status, message=None):
    context = review_page(session, user=user, week=form.week, values=form.answers(), errors=errors)
    context["message"] = message
    if message and context["review"] is not None:
        context["values"]["version"] = str(context["review"].version)
    return render(request, "journal/review.html", context, status_code=status)


def _save_review(session, user, existing, form: ReviewForm, body: str, start: date, today: date):
    """Write the week's first review, or update the one there (at the version
    the form was opened at); the errors if the text is refused."""
    if existing is None:
        day = min(start + timedelta(days=6), today)  # the week's Sunday; today, for this week
        data, errors = validate(EntryIn, {"kind": EntryKind.review, "body": body, "day": day})
        if data is not None:
            journal_service.entry_create(session, author=user, data=data)
        return errors
    version = as_int(form.version)
    if not isinstance(version, int):  # the form was opened before the review was written
        raise Conflict("A review of this week was saved meanwhile.", current_version=0)
    data, errors = validate(EntryUpdate, {"version": version, "body": body})
    if data is not None:
        journal_service.entry_update(session, entry=existing, data=data)
    return errors


REVIEW_SAVED_MEANWHILE = (
    "This week's review was saved elsewhere after you opened this page, so nothing "
    "was saved. The saved review is shown above; your answers are below: save again "
    "to replace it with them."
)


@router.post("/journal/review", name="journal_review_save")
def journal_review_save(
    request: Request, session: SessionDep, user: CurrentUser, form: Annotated[ReviewForm, Form()]
) -> Response:
    """The week's review: written the first time, updated after (one a week).
    A review saved meanwhile elsewhere is not overwritten unseen (409)."""
    today = journal_service.today_for(user)
    start = form.start(today)
    body, errors = form.review_text()
    if errors:
        return _review_again(request, session, user, form, errors, 422)
    existing = week_review(session, user=user, start=start)
    try:
        errors = _save_review(session, user, existing, form, body, start, today)
    except Conflict:
        session.rollback()
        return _review_again(request, session, user, form, {}, 409, REVIEW_SAVED_MEANWHILE)
    if errors:
        session.rollback()
        errors = {"why": next(iter(errors.values()))}
        return _review_again(request, session, user, form, errors, 422)
    session.commit()
    message = "Weekly review updated." if existing else "Weekly review saved to your journal."
    week = journal_queries.iso_week(start)
    return redirect(request, f"/journal/review?week={week}", message=message)


# ---------------------------------------------------------------- the digest


@router.get("/digest", name="digest")
def digest(request: Request, session: SessionDep, user: CurrentUser, week: str = "") -> Response:
    context = digest_page(session, user=user, week=week)
    status_code = 422 if context["errors"] else 200
    return render(request, "notifications/digest.html", context, status_code=status_code)
