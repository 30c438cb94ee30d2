"""Journal pages: the journal home with its quick entry, entries edited in
place, the pace view, the weekly review, settings and exports; and a team's
journal, where members read what others chose to share with the team."""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.errors import Refused
from app.forms import validate
from app.inputs import IdPath
from app.journal import charts, exports, page, queries, service
from app.journal.forms import EntryForm, SettingsForm
from app.journal.models import EntryIn, EntryUpdate, JournalEntry, SettingsIn
from app.projects import queries as project_queries
from app.routing import Route
from app.versions import Conflict
from app.web import is_htmx, redirect, render, spooled_download

# Pages, not API: kept out of the OpenAPI document.
router = APIRouter(route_class=Route, include_in_schema=False)


def _refused_errors(refused: Refused) -> dict:
    return {refused.field or "body": refused.message}


def _conflicted(context: dict, conflict: Conflict) -> dict:
    """The edit form again, saying why nothing was saved, at the version now saved."""
    context["message"] = (
        "This entry was changed elsewhere after you opened it, so nothing was saved. "
        "Your text is below; the saved version is in the history."
    )
    context["values"]["version"] = str(conflict.current_version)
    return context


def _form_context(session: SessionDep, user: CurrentUser, values: dict, errors: dict) -> dict:
    return {
        "values": values,
        "errors": errors,
        "projects": page.project_choices(session, user=user),
        "teams": page.team_choices(session, user=user),
    }


def _check_project(session: SessionDep, user: CurrentUser, project_id: int | None) -> None:
    if project_id is not None:
        project_queries.project_for(session, user=user, project_id=project_id)


@router.get("/journal", name="journal_home")
def journal_home(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    week: str = "",
    kind: str = "",
    project: str = "",
    q: str = "",
    archived: str = "",
    before: str = "",
) -> Response:
    query = page.HomeQuery(week, kind, project, q, archived, before)
    # The search box asks for the entries block alone: skip what only the page shows.
    context = page.home_page(session, user=user, query=query, fragment=is_htmx(request))
    return render(request, "journal/home.html", context, block="entries")


def _quick_context(
    values: dict | None = None, errors: dict | None = None, saved=None, next_url: str = ""
) -> dict:
    return {
        "quick_values": values or {},
        "quick_errors": errors or {},
        "saved": saved,
        "quick_next": next_url,
    }


def _new_again(request: Request, session, user, form: EntryForm, errors: dict) -> Response:
    """A new entry not saved: the quick box again (HTMX) or the full form,
    with what was typed and why."""
    if is_htmx(request):
        context = _quick_context(form.model_dump(), errors, next_url=form.next)
        return render(request, "journal/_quick.html", context, block="quick", status_code=422)
    values = {**form.model_dump(), "day": form.day or service.today_for(user).isoformat()}
    context = _form_context(session, user, values, errors)
    return render(request, "journal/new.html", context, status_code=422)


@router.post("/journal/entries", name="journal_create")
def journal_create(
    request: Request, session: SessionDep, user: CurrentUser, form: Annotated[EntryForm, Form()]
) -> Response:
    data, errors = validate(EntryIn, form.entry_data())
    if data is None:
        return _new_again(request, session, user, form, errors)
    _check_project(session, user, data.project_id)
    try:
        entry = service.entry_create(session, author=user, data=data)
    except Refused as refused:
        session.rollback()
        return _new_again(request, session, user, form, _refused_errors(refused))
    session.commit()
    if is_htmx(request):
        context = _quick_context(saved=entry, next_url=form.next)
        return render(request, "journal/_quick.html", context, block="quick")
    return redirect(request, form.saved_url(entry.id))


@router.get("/journal/new", name="journal_new")
def journal_new(
    request: Request, session: SessionDep, user: CurrentUser, project: str = ""
) -> Response:
    values = {
        "day": service.today_for(user).isoformat(),
        "kind": "experiment",
        "project_id": project,
    }
    return render(request, "journal/new.html", _form_context(session, user, values, {}))


def _entry_block(request: Request, context: dict, status_code: int = 200) -> Response:
    """An entry's block: the page without HTMX, the block alone with it."""
    return render(request, "journal/entry.html", context, block="entry", status_code=status_code)


def _edit_page(session, user, entry: JournalEntry, values: dict, errors: dict) -> dict:
    """An entry's page with its edit form open, showing `values`."""
    return page.entry_page(
        session, user=user, entry=entry, editing=True, values=values, errors=errors
    )


def _edit_refused(request: Request, context: dict, refused: Refused | Conflict) -> Response:
    """The edit form again, saying why nothing was saved: a rule's refusal
    beside its field, or a conflict, at the version now saved."""
    if isinstance(refused, Conflict):
        return _entry_block(request, _conflicted(context, refused), 409)
    return _entry_block(request, {**context, "errors": _refused_errors(refused)}, 422)


def _entry_saved(request: Request, session, user, entry: JournalEntry) -> Response:
    """After a change: HTMX swaps in the entry's block; a plain form goes to its page."""
    if is_htmx(request):
        return _entry_block(request, page.entry_page(session, user=user, entry=entry))
    return redirect(request, request.url_for("journal_entry", entry_id=entry.id).path)


@router.get("/journal/entries/{entry_id}", name="journal_entry")
def journal_entry(
    request: Request, session: SessionDep, user: CurrentUser, entry_id: IdPath
) -> Response:
    entry = queries.entry_for(session, user=user, entry_id=entry_id)
    return _entry_block(request, page.entry_page(session, user=user, entry=entry))


@router.get("/journal/entries/{entry_id}/edit", name="journal_edit")
def journal_edit(
    request: Request, session: SessionDep, user: CurrentUser, entry_id: IdPath
) -> Response:
    entry = queries.entry_for(session, user=user, entry_id=entry_id)
    values = {
        **entry.model_dump(),
        "day": entry.day.isoformat(),
        "project_id": str(entry.project_id or ""),
        "shared_team_id": str(entry.shared_team_id or ""),
        "hours": "" if entry.hours is None else str(entry.hours),
        "energy": str(entry.energy or ""),
    }
    return _entry_block(request, _edit_page(session, user, entry, values, {}))


@router.post("/journal/entries/{entry_id}", name="journal_update")
def journal_update(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    entry_id: IdPath,
    form: Annotated[EntryForm, Form()],
) -> Response:
    entry = queries.entry_for(session, user=user, entry_id=entry_id)
    data, errors = validate(EntryUpdate, form.update_data())
    context = _edit_page(session, user, entry, form.model_dump(), errors)
    if data is None:
        return _entry_block(request, context, 422)
    _check_project(session, user, data.project_id)
    try:
        service.entry_update(session, entry=entry, data=data)
    except (Refused, Conflict) as refused:
        session.rollback()
        return _edit_refused(request, context, refused)
    session.commit()
    return _entry_saved(request, session, user, entry)


@router.post("/journal/entries/{entry_id}/archive", name="journal_archive")
def journal_archive(
    request: Request, session: SessionDep, user: CurrentUser, entry_id: IdPath
) -> Response:
    entry = queries.entry_for(session, user=user, entry_id=entry_id)
    service.entry_archive(session, entry=entry)
    session.commit()
    return redirect(request, request.url_for("journal_entry", entry_id=entry.id).path)


@router.post("/journal/entries/{entry_id}/restore", name="journal_restore")
def journal_restore(
    request: Request, session: SessionDep, user: CurrentUser, entry_id: IdPath
) -> Response:
    entry = queries.entry_for(session, user=user, entry_id=entry_id)
    service.entry_restore(session, entry=entry)
    session.commit()
    return redirect(request, request.url_for("journal_entry", entry_id=entry.id).path)


@router.get("/journal/pace", name="journal_pace")
def journal_pace(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    settings = queries.settings_for(session, user=user)
    today = service.today_for(user)
    pace = queries.pace(session, user=user, settings=settings, today=today)
    return render(
        request,
        "journal/pace.html",
        {
            "pace": pace,
            "settings": settings,
            "charts": charts.pace_charts(pace, hours_limit=settings.weekly_hours_limit),
        },
    )


@router.get("/journal/settings", name="journal_settings")
def journal_settings(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    settings = queries.settings_for(session, user=user)
    return render(request, "journal/settings.html", {"values": settings.model_dump(), "errors": {}})


@router.post("/journal/settings")
def journal_settings_save(
    request: Request, session: SessionDep, user: CurrentUser, form: Annotated[SettingsForm, Form()]
) -> Response:
    data, errors = validate(SettingsIn, form.model_dump())
    if data is None:
        return render(
            request,
            "journal/settings.html",
            {"values": form.model_dump(), "errors": errors},
            status_code=422,
        )
    service.settings_save(session, user=user, data=data)
    session.commit()
    return redirect(request, "/journal")


# The exports, by the file extension asked for: their media types.
EXPORT_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "zip": "application/zip",
    "json": "application/json",
}


def _export_file(session, user, fmt: str, out) -> None:
    """Everything the user wrote, as a file in one of the EXPORT_TYPES,
    written into `out` as the entries are read, a batch at a time."""
    entries = queries.each_entry(session, user=user)
    if fmt == "json":
        settings = queries.settings_for(session, user=user)
        exports.write_json(out, user=user, entries=entries, settings=settings)
        return
    titles = dict(page.project_choices(session, user=user))
    write = exports.write_zip if fmt == "zip" else exports.write_markdown
    write(out, user=user, entries=entries, titles=titles)


@router.get("/journal/export.{fmt}", name="journal_export")
def journal_export(request: Request, session: SessionDep, user: CurrentUser, fmt: str) -> Response:
    if fmt not in EXPORT_TYPES:
        raise HTTPException(404, "No such export.")
    filename = f"journal-{service.today_for(user).isoformat()}.{fmt}"
    return spooled_download(
        lambda out: _export_file(session, user, fmt, out),
        media_type=EXPORT_TYPES[fmt],
        filename=filename,
    )
