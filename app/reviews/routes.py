"""Browser pages of reviews: sharing a plan version up, the review queue,
and a review's page where the manager answers and both sides comment."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict
from starlette.datastructures import FormData

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.errors import NotFound, Refused
from app.forms import as_int, validate
from app.inputs import IdPath
from app.projects import queries as project_queries
from app.reviews import queries, service
from app.reviews.models import (
    CommentCreate,
    Decision,
    QuestionsUpdate,
    RequestCreate,
    ReviewCreate,
    ReviewQuestion,
)
from app.reviews.page import review_page
from app.routing import Route
from app.teams import queries as team_queries
from app.versions import Conflict
from app.web import is_htmx, redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)

DECISION_OPTIONS = [
    (Decision.acknowledged.value, "Acknowledge the scoop risk"),
    (Decision.approved.value, "Approve the plan (acknowledges its scoop risk too)"),
    (Decision.changes_requested.value, "Ask for changes"),
]


class PlanNotFound(NotFound):
    what = "plan version"


# ---------------------------------------------------------------- the queue


@router.get("/reviews", name="review_queue")
def review_queue(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    waiting = queries.queue(session, user=user)
    waiting_ids = {row.request.id for row in waiting}
    return render(
        request,
        "reviews/queue.html",
        {
            "waiting": waiting,
            "others": [
                r for r in queries.team_open(session, user=user) if r.request.id not in waiting_ids
            ],
            "sent": queries.sent_by(session, user=user),
        },
    )


# ---------------------------------------------------------------- sharing up


def _share_context(session, user, project_id: int, number: int) -> dict:
    project = project_queries.project_for(session, user=user, project_id=project_id)
    plan = project_queries.plan_by_number(session, project=project, number=number)
    if plan is None:
        raise PlanNotFound(number)
    managers = (
        [m for m in team_queries.managers_of(session, team_id=project.team_id) if m.id != user.id]
        if project.team_id
        else []
    )
    team = (
        team_queries.team_for(session, user=user, team_id=project.team_id).team
        if project.team_id
        else None
    )
    return {
        "project": project,
        "plan": plan,
        "team": team,
        "reviewer_options": [(str(m.id), m.display_name) for m in managers],
    }


@router.get("/projects/{project_id}/plans/{number}/share", name="review_share")
def review_share(
    request: Request, session: SessionDep, user: CurrentUser, project_id: IdPath, number: IdPath
) -> Response:
    context = _share_context(session, user, project_id, number)
    plan = context["plan"]
    values = {
        "questions": "\n".join(service.questions_from_text(plan.questions)),
        "reviewer_id": context["reviewer_options"][0][0] if context["reviewer_options"] else "",
    }
    return render(request, "reviews/share.html", {**context, "values": values, "errors": {}})


@router.post("/projects/{project_id}/plans/{number}/share", name="review_share_submit")
async def review_share_submit(
    request: Request, session: SessionDep, user: CurrentUser, project_id: IdPath, number: IdPath
) -> Response:
    form = await request.form()
    return _share_submit(request, session, user, project_id, number, form)


def _share_submit(request, session, user, project_id, number, form: FormData) -> Response:
    context = _share_context(session, user, project_id, number)
    values = {
        "questions": str(form.get("questions", "")),
        "reviewer_id": str(form.get("reviewer_id", "")),
    }
    data, errors = validate(
        RequestCreate,
        {
            "reviewer_id": as_int(values["reviewer_id"]),
            "questions": service.questions_from_text(values["questions"]),
        },
    )
    if errors:
        if "reviewer_id" in errors:
            errors["reviewer_id"] = "Choose a manager of the project's team."
        if any(k not in ("reviewer_id",) for k in errors):
            errors["questions"] = (
                "Write at least one question, one per line "
                "(at most 20, each under 1,000 characters)."
            )
    if not errors:
        try:
            review = service.request_create(
                session, project=context["project"], plan=context["plan"], actor=user, data=data
            )
        except Refused as exc:
            session.rollback()
            errors = {exc.field or "questions": exc.message}
        else:
            session.commit()
            return redirect(request, str(request.url_for("review_detail", request_id=review.id)))
    return render(
        request,
        "reviews/share.html",
        {**context, "values": values, "errors": errors},
        status_code=422,
    )


# ---------------------------------------------------------------- the review


class AnswerForm(BaseModel):
    """A manager's answer as posted: the decision, a note, and one answer-N
    field per question (N its position), all text until validated."""

    model_config = ConfigDict(extra="allow")  # the answer-N fields

    version: str = ""
    plan_number: str = ""
    decision: str = ""
    note: str = ""

    def answers(self, questions: list[ReviewQuestion]) -> dict[int, str]:
        """What was typed for each question, by position ("" for none)."""
        typed = self.model_extra or {}
        return {q.position: _last(typed.get(f"answer-{q.position}", "")) for q in questions}

    def review_data(self, answers: dict[int, str]) -> dict:
        return {
            "version": as_int(self.version),
            "plan_number": as_int(self.plan_number),
            "decision": self.decision or None,
            "answers": list(answers.values()),
            "note": self.note,
        }

    def kept(self, answers: dict[int, str]) -> dict:
        """What the page shows again when the answer is not saved."""
        return {"answers": answers, "values": {"decision": self.decision, "note": self.note}}


def _last(value: str | list[str]) -> str:
    """A field sent more than once arrives as a list; the last one counts, as
    for the declared fields."""
    return value[-1] if isinstance(value, list) else value


def _answer_refused(errors: dict[str, str]) -> dict:
    """An answer's errors in the page's words: the decision is a choice to
    make, and a bad version or plan number means a form out of date."""
    if "decision" in errors:
        errors["decision"] = "Choose: acknowledge the risk, approve, or ask for changes."
    stale = {"version", "plan_number"} & errors.keys()
    return {
        "errors": errors,
        "message": "This form is out of date; reload the page." if stale else "",
    }


class QuestionsForm(BaseModel):
    version: str = ""
    questions: str = ""

    def update_data(self) -> dict:
        return {
            "version": as_int(self.version),
            "questions": service.questions_from_text(self.questions),
        }


class WithdrawForm(BaseModel):
    version: str = ""

    def expected(self) -> int:
        """The version the page was opened at; 0 (never current) if it is no number."""
        version = as_int(self.version)
        return version if isinstance(version, int) else 0


def _page_context(session, user, request_id: int) -> dict:
    return review_page(session, user=user, request_id=request_id) | {
        "decision_options": DECISION_OPTIONS
    }


def _review_page(request, context: dict, status_code: int = 200, block: str | None = None):
    return render(request, "reviews/detail.html", context, status_code=status_code, block=block)


def _page_again(
    request, session, user, request_id: int, status_code: int, values: dict | None = None, **shown
) -> Response:
    """The request's page again after a form was not saved: what the user
    typed kept (`values` over the page's own), and why (errors or a message)."""
    context = _page_context(session, user, request_id)
    context["values"] |= values or {}
    return _review_page(request, context | shown, status_code)


def _conflict_page(request, session, user, request_id: int, message: str, **kept) -> Response:
    """The request as it is now, with what the user typed kept and why it was not saved."""
    session.rollback()
    return _page_again(request, session, user, request_id, 409, message=message, **kept)


# What a researcher's stale form is told; `_changed_page` says what became of the change.
CHANGED_MEANWHILE = (
    "This request changed since you opened the page (answered, withdrawn or edited in another tab)"
)


def _changed_page(request, session, user, request_id: int, outcome: str, **kept) -> Response:
    """A researcher's change refused because the request moved on meanwhile."""
    return _conflict_page(request, session, user, request_id, CHANGED_MEANWHILE + outcome, **kept)


def _to_review(request: Request, request_id: int) -> Response:
    return redirect(request, str(request.url_for("review_detail", request_id=request_id)))


@router.get("/reviews/{request_id}", name="review_detail")
def review_detail(
    request: Request, session: SessionDep, user: CurrentUser, request_id: IdPath
) -> Response:
    return _review_page(request, _page_context(session, user, request_id))


@router.post("/reviews/{request_id}/answer", name="review_answer")
def review_answer(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    request_id: IdPath,
    form: Annotated[AnswerForm, Form()],
) -> Response:
    view = queries.request_for(session, user=user, request_id=request_id)
    answers = form.answers(queries.questions_of(session, request=view.request))
    data, errors = validate(ReviewCreate, form.review_data(answers))
    if data is None:
        refused = _answer_refused(errors)
        return _page_again(request, session, user, request_id, 422, **form.kept(answers), **refused)
    try:
        service.review_submit(session, view=view, actor=user, data=data)
    except Conflict as changed:
        message = changed.message + " Nothing was saved."
        return _conflict_page(request, session, user, request_id, message, **form.kept(answers))
    session.commit()
    return _to_review(request, request_id)


@router.post("/reviews/{request_id}/comments", name="review_comment")
async def review_comment(
    request: Request, session: SessionDep, user: CurrentUser, request_id: IdPath
) -> Response:
    form = await request.form()
    context = _page_context(session, user, request_id)
    body = str(form.get("comment", ""))
    data, errors = validate(CommentCreate, {"body": body})
    if errors:
        context["errors"] = {"comment": errors.get("body", "Write a comment.")}
        context["values"]["comment"] = body
        return _review_page(request, context, 422, block="thread")
    comment = service.comment_add(session, view=context["view"], actor=user, data=data)
    session.commit()
    if not is_htmx(request):
        url = request.url_for("review_detail", request_id=request_id)
        return redirect(request, f"{url}#comment-{comment.id}")
    return _review_page(request, _page_context(session, user, request_id), block="thread")


@router.post("/reviews/{request_id}/questions", name="review_questions")
def review_questions(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    request_id: IdPath,
    form: Annotated[QuestionsForm, Form()],
) -> Response:
    view = queries.request_for(session, user=user, request_id=request_id)
    data, errors = validate(QuestionsUpdate, form.update_data())
    typed = {"questions": form.questions}
    if data is None:
        errors = {"questions": "Write at least one question, one per line."}
        return _page_again(request, session, user, request_id, 422, values=typed, errors=errors)
    try:
        service.questions_update(session, view=view, data=data)
    except Conflict:
        outcome = ". Your questions were not saved; they are in the form below."
        return _changed_page(request, session, user, request_id, outcome, values=typed)
    session.commit()
    return _to_review(request, request_id)


@router.post("/reviews/{request_id}/withdraw", name="review_withdraw")
def review_withdraw(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    request_id: IdPath,
    form: Annotated[WithdrawForm, Form()],
) -> Response:
    view = queries.request_for(session, user=user, request_id=request_id)
    try:
        service.request_withdraw(session, view=view, version=form.expected())
    except Conflict:
        outcome = ", so it was not withdrawn. Here it is as it stands now."
        return _changed_page(request, session, user, request_id, outcome)
    session.commit()
    return _to_review(request, request_id)
