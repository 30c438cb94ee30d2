"""The triage inbox page: suggestions grouped by project, strongest first;
confirm (effect and note editable), dismiss, or "not relevant". In place
over HTMX, and as plain forms without JavaScript."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.forms import validate
from app.inbox import queries, service
from app.inbox.models import SuggestionConfirm
from app.inputs import INT_MAX, IdPath
from app.projects import queries as project_queries
from app.releases import queries as release_queries
from app.releases.models import SCOOP_EFFECTS, LinkEffect
from app.releases.service import link_set
from app.routing import Route
from app.web import is_htmx, redirect, render, safe_next

router = APIRouter(route_class=Route, include_in_schema=False)

EFFECT_OPTIONS = [(e.value, e.label) for e in LinkEffect]


def _row_context(row: queries.InboxRow, errors: dict | None = None, values=None) -> dict:
    return {
        "row": row,
        "effect_options": EFFECT_OPTIONS,
        "scoop_effects": SCOOP_EFFECTS,
        "errors": errors or {},
        "values": values or {},
    }


@router.get("/inbox", name="inbox")
def inbox(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return render(
        request,
        "inbox/inbox.html",
        {
            "groups": queries.inbox(session, user=user),
            "effect_options": EFFECT_OPTIONS,
            "scoop_effects": SCOOP_EFFECTS,
            "errors": {},
            "values": {},
        },
    )


class DecideForm(BaseModel):
    effect: str = ""
    note: str = ""
    reason: str = ""
    next: str = ""

    def confirm_data(self) -> dict:
        return {"effect": self.effect or None, "note": self.note}


def _answer(request: Request, session: SessionDep, user: CurrentUser, suggestion_id: int, form):
    """The decided row in place for HTMX; otherwise back to where the form was."""
    if is_htmx(request):
        row = queries.suggestion_row(session, user=user, suggestion_id=suggestion_id)
        return render(request, "inbox/_suggestion.html", _row_context(row))
    back = safe_next(form.next, request.url_for("inbox").path)
    return redirect(request, back)


def _confirmed(request: Request, session, user, suggestion, form: DecideForm) -> Response:
    """As _answer, except that a scoop confirmed without JavaScript, and with
    no page named to go back to, lands on its own page: it offers the re-plan."""
    if not is_htmx(request) and suggestion.effect in SCOOP_EFFECTS and not form.next:
        page = request.url_for("suggestion_page", suggestion_id=suggestion.id).path
        return redirect(request, page)
    return _answer(request, session, user, suggestion.id, form)


def _refused_row(request: Request, session, user, suggestion_id: int, form, errors) -> Response:
    """The row again with the form as posted (422): in place for HTMX, else on its own page."""
    row = queries.suggestion_row(session, user=user, suggestion_id=suggestion_id)
    context = _row_context(row, errors, form.model_dump())
    template = "inbox/_suggestion.html" if is_htmx(request) else "inbox/decide.html"
    return render(request, template, context, status_code=422)


@router.post("/inbox/{suggestion_id}/confirm", name="suggestion_confirm")
def confirm(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    suggestion_id: IdPath,
    form: Annotated[DecideForm, Form()],
) -> Response:
    suggestion = queries.suggestion_for(session, user=user, suggestion_id=suggestion_id)
    data, errors = validate(SuggestionConfirm, form.confirm_data())
    if data is None:
        return _refused_row(request, session, user, suggestion_id, form, errors)
    service.suggestion_confirm(
        session, suggestion=suggestion, actor=user, effect=data.effect, note=data.note
    )
    session.commit()
    return _confirmed(request, session, user, suggestion, form)


@router.post("/inbox/{suggestion_id}/dismiss", name="suggestion_dismiss")
def dismiss(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    suggestion_id: IdPath,
    form: Annotated[DecideForm, Form()],
) -> Response:
    suggestion = queries.suggestion_for(session, user=user, suggestion_id=suggestion_id)
    service.suggestion_dismiss(
        session, suggestion=suggestion, not_relevant=form.reason == "not_relevant"
    )
    session.commit()
    return _answer(request, session, user, suggestion_id, form)


@router.post("/inbox/{suggestion_id}/reopen", name="suggestion_reopen")
def reopen(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    suggestion_id: IdPath,
    form: Annotated[DecideForm, Form()],
) -> Response:
    suggestion = queries.suggestion_for(session, user=user, suggestion_id=suggestion_id)
    service.suggestion_reopen(session, suggestion=suggestion)
    session.commit()
    return _answer(request, session, user, suggestion_id, form)


@router.get("/inbox/{suggestion_id}", name="suggestion_page")
def suggestion_page(
    request: Request, session: SessionDep, user: CurrentUser, suggestion_id: IdPath
) -> Response:
    """One suggestion on its own page: where a form without JavaScript lands."""
    row = queries.suggestion_row(session, user=user, suggestion_id=suggestion_id)
    return render(request, "inbox/decide.html", _row_context(row))


# ---------------------------------------------------------------- a release logged by hand


@router.get("/releases/{release_id}/touches", name="release_touches")
def release_touches(
    request: Request, session: SessionDep, user: CurrentUser, release_id: IdPath
) -> Response:
    """Right after logging a release: the projects it probably touches,
    preselected, linked in one step. None: straight on to the release."""
    release = release_queries.release_for(session, user=user, release_id=release_id)
    threshold = request.app.state.settings.match_threshold
    probable = service.release_matches(session, user=user, release=release, threshold=threshold)
    detail = request.url_for("release_detail", release_id=release.id).path
    if not probable:
        return redirect(request, detail)
    context = {
        "release": release,
        "probable": probable,
        "effect_options": EFFECT_OPTIONS,
        "detail": detail,
    }
    return render(request, "inbox/touches.html", context)


def _an_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 10 and 0 < int(text) <= INT_MAX


class TouchesForm(BaseModel):
    # One per project shown: "PROJECT_ID:EFFECT", or "PROJECT_ID:" for "do not link".
    choice: list[str] = []


@router.post("/releases/{release_id}/touches", name="release_touches_link")
def release_touches_link(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    release_id: IdPath,
    form: Annotated[TouchesForm, Form()],
) -> Response:
    release = release_queries.release_for(session, user=user, release_id=release_id)
    for choice in form.choice[:200]:
        project_id, _, effect = choice.partition(":")
        if not _an_id(project_id) or effect not in LinkEffect.__members__:
            continue  # "do not link", or not a choice the page offered
        project = project_queries.project_for(session, user=user, project_id=int(project_id))
        link_set(session, release=release, project=project, actor=user, effect=LinkEffect(effect))
    session.commit()
    return redirect(request, request.url_for("release_detail", release_id=release.id).path)
