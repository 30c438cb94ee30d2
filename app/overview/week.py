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
from app.forms import validate
from app.journal import queries as journal_queries
from app.journal import service as journal_service
from app.journal.models import EntryIn, EntryKind
from app.overview.week_page import REVIEW_PROMPTS, digest_page, review_page
from app.routing import Route
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
    why: str = ""
    stop: str = ""
    went_well: str = ""
    next: str = ""

    def answers(self) -> dict[str, str]:
        return self.model_dump(exclude={"week"})

    def start(self, today: date) -> date:
        """The Monday of the week reviewed (this week if `week` is no week)."""
        return journal_queries.parse_week(self.week, today)

    def review_entry(self, today: date) -> tuple[EntryIn | None, dict[str, str]]:
        """The review as a journal entry, its answers under their questions and
        dated the week's Sunday (today, for this week); or the error the form
        shows at its first question."""
        answers = {name: getattr(self, name).strip() for name, _ in REVIEW_PROMPTS}
        if not any(answers.values()):
            return None, {"why": "Answer at least one question."}
        body = "\n\n".join(
            f"**{question}**\n\n{answers[name]}"
            for name, question in REVIEW_PROMPTS
            if answers[name]
        )
        day = min(self.start(today) + timedelta(days=6), today)
        data, errors = validate(EntryIn, {"kind": EntryKind.review, "body": body, "day": day})
        return data, ({"why": next(iter(errors.values()))} if errors else {})


@router.post("/journal/review", name="journal_review_save")
def journal_review_save(
    request: Request, session: SessionDep, user: CurrentUser, form: Annotated[ReviewForm, Form()]
) -> Response:
    today = journal_service.today_for(user)
    data, errors = form.review_entry(today)
    if data is None:
        values = form.answers()
        context = review_page(session, user=user, week=form.week, values=values, errors=errors)
        return render(request, "journal/review.html", context, status_code=422)
    journal_service.entry_create(session, author=user, data=data)
    session.commit()
    return redirect(request, f"/journal/review?week={journal_queries.iso_week(form.start(today))}")


# ---------------------------------------------------------------- the digest


@router.get("/digest", name="digest")
def digest(request: Request, session: SessionDep, user: CurrentUser, week: str = "") -> Response:
    context = digest_page(session, user=user, week=week)
    status_code = 422 if context["errors"] else 200
    return render(request, "notifications/digest.html", context, status_code=status_code)
