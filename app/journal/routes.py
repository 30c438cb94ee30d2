"""Journal pages: the journal home with its quick entry, entries edited in
place, the pace view, the weekly review, settings and exports; and a team's
journal, where members read what others chose to share with the team."""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.errors import Refused
from app.forms import as_decimal, as_int, validate
from app.inputs import IdPath
from app.journal import exports, page, queries, service
from app.journal.models import EntryIn, EntryUpdate, SettingsIn
from app.projects import queries as project_queries
from app.routing import Route
from app.versions import Conflict
from app.web import is_htmx, redirect, render, safe_next

# Pages, not API: kept out of the OpenAPI document.
router = APIRouter(route_class=Route, include_in_schema=False)


def _optional_id(value: str) -> int | str | None:
    """A picker's id: a number, nothing chosen, or whatever was sent (to be refused)."""
    return int(value) if value.isdecimal() else value or None


class EntryForm(BaseModel):
    day: str = ""
    kind: str = ""
    project_id: str = ""
    body: str = ""
    learned: str = ""
    hours: str = ""
    energy: str = ""
    serves_purpose: str = ""
    shared_team_id: str = ""
    version: str = ""
    next: str = ""

    def entry_data(self) -> dict:
        """What a new entry is made from."""
        data = {
            "project_id": _optional_id(self.project_id),
            "shared_team_id": _optional_id(self.shared_team_id),
            "body": self.body,
            "learned": self.learned,
            "hours": as_decimal(self.hours),
            "energy": as_int(self.energy),
            "serves_purpose": self.serves_purpose in ("on", "1", "true"),
        }
        # Left empty, the day is today (new) or unchanged (edit), and a missing
        # kind reads as "required".
        if self.day:
            data["day"] = self.day
        if self.kind:
            data["kind"] = self.kind
        return data

    def update_data(self) -> dict:
        """What an edit is made from: the version it was opened at, and no day
        for a day left empty (unchanged)."""
        return {**self.entry_data(), "version": as_int(self.version) or 0, "day": self.day or None}


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


@router.post("/journal/entries", name="journal_create")
def journal_create(
    request: Request, session: SessionDep, user: CurrentUser, form: Annotated[EntryForm, Form()]
) -> Response:
    data, errors = validate(EntryIn, form.entry_data())
    entry = None
    if data is not None:
        _check_project(session, user, data.project_id)
        try:
            entry = service.entry_create(session, author=user, data=data)
        except Refused as refused:
            session.rollback()
            errors = _refused_errors(refused)
    if entry is None:
        if is_htmx(request):
            context = _quick_context(form.model_dump(), errors, next_url=form.next)
            return render(request, "journal/_quick.html", context, block="quick", status_code=422)
        values = {**form.model_dump(), "day": form.day or service.today_for(user).isoformat()}
        return render(
            request,
            "journal/new.html",
            _form_context(session, user, values, errors),
            status_code=422,
        )
    session.commit()
    if is_htmx(request):
        context = _quick_context(saved=entry, next_url=form.next)
        return render(request, "journal/_quick.html", context, block="quick")
    if not form.next:  # the full form: the journal shows the new entry
        return redirect(request, "/journal")
    # The quick box without JavaScript: it says "saved" on the page it came back to.
    back = safe_next(form.next, "/journal")
    return redirect(request, f"{back}{'&' if '?' in back else '?'}saved_entry={entry.id}")


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
    context = page.entry_page(
        session, user=user, entry=entry, editing=True, values=values, errors={}
    )
    return _entry_block(request, context)


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
    context = page.entry_page(
        session, user=user, entry=entry, editing=True, values=form.model_dump(), errors=errors
    )
    if data is None:
        return _entry_block(request, context, 422)
    _check_project(session, user, data.project_id)
    try:
        service.entry_update(session, entry=entry, data=data)
    except Refused as refused:
        session.rollback()
        return _entry_block(request, {**context, "errors": _refused_errors(refused)}, 422)
    except Conflict as conflict:
        session.rollback()
        return _entry_block(request, _conflicted(context, conflict), 409)
    session.commit()
    if is_htmx(request):
        return _entry_block(request, page.entry_page(session, user=user, entry=entry))
    return redirect(request, request.url_for("journal_entry", entry_id=entry.id).path)


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
        {"pace": pace, "settings": settings, "charts": _pace_charts(pace)},
    )


def _pace_charts(pace: queries.Pace) -> dict:
    """Bar heights and line points for the small SVG charts (12 weeks)."""
    width, height, pad = 360, 120, 18
    step = (width - 2 * pad) / len(pace.weeks)
    top_hours = max([float(w.hours) for w in pace.weeks] + [1.0])
    top_count = max(
        [w.weekend_entries + w.late_entries for w in pace.weeks]
        + [w.entries for w in pace.weeks]
        + [1]
    )
    bars = []
    for i, w in enumerate(pace.weeks):
        x = pad + i * step
        h = (height - 2 * pad) * float(w.hours) / top_hours
        bars.append(
            {
                "x": round(x + 2, 1),
                "w": round(step - 4, 1),
                "y": round(height - pad - h, 1),
                "h": round(h, 1),
                "week": w,
            }
        )
    odd = []
    for i, w in enumerate(pace.weeks):
        x = pad + i * step
        weekend = (height - 2 * pad) * w.weekend_entries / top_count
        late = (height - 2 * pad) * w.late_entries / top_count
        odd.append(
            {
                "x": round(x + 2, 1),
                "w": round((step - 4) / 2, 1),
                "weekend": round(weekend, 1),
                "late": round(late, 1),
                "week": w,
            }
        )
    energy_points = [
        (
            round(pad + i * step + step / 2, 1),
            round(height - pad - (height - 2 * pad) * (w.energy - 1) / 4, 1),
        )
        for i, w in enumerate(pace.weeks)
        if w.energy is not None
    ]
    return {
        "width": width,
        "height": height,
        "pad": pad,
        "bars": bars,
        "odd": odd,
        "energy": " ".join(f"{x},{y}" for x, y in energy_points),
        "energy_dots": energy_points,
        "top_hours": top_hours,
    }


class SettingsForm(BaseModel):
    purpose: str = ""
    weekly_hours_limit: str = "50"
    weeks_over_limit: str = "3"
    late_hour: str = "22"


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


@router.get("/journal/export.{fmt}", name="journal_export")
def journal_export(request: Request, session: SessionDep, user: CurrentUser, fmt: str) -> Response:
    if fmt not in ("md", "zip", "json"):
        raise HTTPException(404, "No such export.")
    entries = queries.all_entries(session, user=user)
    stamp = service.today_for(user).isoformat()
    titles = {} if fmt == "json" else dict(page.project_choices(session, user=user))
    if fmt == "md":
        return Response(
            exports.as_markdown(user=user, entries=entries, titles=titles),
            media_type="text/markdown; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="journal-{stamp}.md"'},
        )
    if fmt == "zip":
        return Response(
            exports.as_zip(user=user, entries=entries, titles=titles),
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="journal-{stamp}.zip"'},
        )
    return Response(
        exports.as_json(
            user=user, entries=entries, settings=queries.settings_for(session, user=user)
        ),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="journal-{stamp}.json"'},
    )
