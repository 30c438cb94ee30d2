"""Browser pages of the release log: the log, logging a release, a release's
page with the projects it touched, and linking releases to projects."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.forms import validate
from app.inputs import IdPath
from app.projects import queries as project_queries
from app.releases import page, queries, service
from app.releases.models import LinkCreate, LinkUpdate, ReleaseCreate, ReleaseKind
from app.routing import Route
from app.web import is_htmx, redirect, render, safe_next

# Pages, not API: kept out of the OpenAPI document.
router = APIRouter(route_class=Route, include_in_schema=False)

KIND_OPTIONS = [(k.value, k.value) for k in ReleaseKind]


@router.get("/releases", name="release_log")
def release_log(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    kind: str = "",
    organisation: str = "",
    since: str = "",
    until: str = "",
    q: str = "",
    before: str = "",
) -> Response:
    query = page.LogQuery(kind, organisation, since, until, q, before)
    # An HTMX filter asks for the results block alone.
    context = page.log_page(session, user=user, query=query, fragment=is_htmx(request))
    return render(request, "releases/log.html", context, block="results")


class ReleaseForm(BaseModel):
    title: str = ""
    kind: str = ""
    organisation: str = ""
    released_on: str = ""
    url: str = ""
    summary: str = ""
    # "Projects it touches": one row per project listed, in the form's order.
    link_project: list[str] = []
    link_effect: list[str] = []
    link_note: list[str] = []

    def release_values(self) -> dict:
        return self.model_dump(exclude={"link_project", "link_effect", "link_note"})

    def typed_links(self) -> page.TypedLinks:
        return page.TypedLinks(self.link_project, self.link_effect, self.link_note)


def release_form_data(form: ReleaseForm) -> dict:
    # An empty required field is "missing", so the message says it is required.
    return {
        name: value
        for name, value in form.release_values().items()
        if value or name not in ("kind", "released_on")
    }


@router.get("/releases/new", name="release_new")
def release_new(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    values = {"kind": "paper", "released_on": date.today().isoformat()}
    context = _form_context(values, links=page.link_rows(session, user=user))
    return render(request, "releases/new.html", context)


def _form_context(
    values: dict, errors: dict | None = None, existing=None, links: list | None = None
) -> dict:
    return {
        "values": values,
        "errors": errors or {},
        "existing": existing,
        "kind_options": KIND_OPTIONS,
        "effect_options": page.EFFECT_OPTIONS,
        "link_rows": links or [],
    }


def _new_again(
    request: Request, session, user, form: ReleaseForm, status_code: int, **refusal
) -> Response:
    """The new-release form again, as typed, with why it was refused."""
    rows = page.link_rows(session, user=user, typed=form.typed_links())
    context = _form_context(form.release_values(), links=rows, **refusal)
    return render(request, "releases/new.html", context, status_code=status_code)


@router.post("/releases", name="release_create")
def release_create(
    request: Request, session: SessionDep, user: CurrentUser, form: Annotated[ReleaseForm, Form()]
) -> Response:
    """Log a release, and link it to the projects chosen on the same form:
    all of it or, with anything refused, nothing."""
    data, errors = validate(ReleaseCreate, release_form_data(form))
    links, link_errors = page.links_chosen(session, user=user, typed=form.typed_links())
    if data is None or link_errors:
        return _new_again(request, session, user, form, 422, errors={**errors, **link_errors})
    try:
        release, _ = service.release_create_linked(session, owner=user, data=data, links=links)
    except service.DuplicateRelease as duplicate:
        session.rollback()
        return _new_again(request, session, user, form, 409, existing=duplicate.existing)
    session.commit()
    # None chosen: the projects it probably touches, preselected (app.inbox).
    then = "release_detail" if links else "release_touches"
    return redirect(
        request,
        request.url_for(then, release_id=release.id).path,
        message=f"Release “{release.title}” logged.",
    )


def _detail_page(
    request: Request, session, user, release, errors: dict | None = None, status_code: int = 200
) -> Response:
    context = page.release_page(session, user=user, release=release, errors=errors)
    return render(request, "releases/detail.html", context, status_code=status_code)


@router.get("/releases/{release_id}", name="release_detail")
def release_detail(
    request: Request, session: SessionDep, user: CurrentUser, release_id: IdPath
) -> Response:
    release = queries.release_for(session, user=user, release_id=release_id)
    return _detail_page(request, session, user, release)


class LinkForm(BaseModel):
    project_id: str = ""
    release_id: str = ""
    effect: str = ""
    note: str = ""
    next: str = ""

    def create_data(self, project_id: object) -> dict:
        return {"project_id": project_id, "effect": self.effect or None, "note": self.note}

    def update_data(self) -> dict:
        return {"effect": self.effect or None, "note": self.note or None}


def _id(value: str) -> int | str | None:
    return int(value) if value.isdecimal() else value or None


def _not_linked_page(request: Request, back: str, errors: dict) -> Response:
    """The project page's link form has no page of its own to show again."""
    message = "; ".join(errors.values()) or "Choose a release from your log."
    context = {"status": 422, "title": "Not linked", "message": message, "back": back}
    return render(request, "errors/error.html", context, status_code=422)


@router.post("/releases/{release_id}/links", name="link_create")
def link_create(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    release_id: IdPath,
    form: Annotated[LinkForm, Form()],
) -> Response:
    release = queries.release_for(session, user=user, release_id=release_id)
    data, errors = validate(LinkCreate, form.create_data(_id(form.project_id)))
    if data is None:
        return _detail_page(request, session, user, release, errors, status_code=422)
    project = project_queries.project_for(session, user=user, project_id=data.project_id)
    service.link_set(
        session, release=release, project=project, actor=user, effect=data.effect, note=data.note
    )
    session.commit()
    default = request.url_for("release_detail", release_id=release.id).path
    return redirect(request, safe_next(form.next, default))


@router.post("/projects/{project_id}/links", name="project_link_create")
def project_link_create(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: IdPath,
    form: Annotated[LinkForm, Form()],
) -> Response:
    """The project page's "link a release from your log"."""
    project = project_queries.project_for(session, user=user, project_id=project_id)
    back = request.url_for("project_detail", project_id=project.id).path
    data, errors = validate(LinkCreate, form.create_data(project.id))
    release_id = _id(form.release_id)
    if data is None or not isinstance(release_id, int):
        return _not_linked_page(request, back, errors)
    release = queries.release_for(session, user=user, release_id=release_id)
    service.link_set(
        session, release=release, project=project, actor=user, effect=data.effect, note=data.note
    )
    session.commit()
    return redirect(request, back + "#releases-h")


@router.post("/links/{link_id}", name="link_update")
def link_update(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    link_id: IdPath,
    form: Annotated[LinkForm, Form()],
) -> Response:
    link = queries.link_for(session, user=user, link_id=link_id)
    data, errors = validate(LinkUpdate, form.update_data())
    if data is None:
        release = queries.release_for(session, user=user, release_id=link.release_id)
        return _detail_page(request, session, user, release, errors, status_code=422)
    service.link_update(session, link=link, data=data)
    session.commit()
    default = request.url_for("release_detail", release_id=link.release_id).path
    return redirect(request, safe_next(form.next, default))
