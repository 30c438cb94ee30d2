"""Pages of the spreadsheet import: upload, map the columns, preview,
import, and watch it run."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import create_model

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.errors import Refused
from app.inputs import IdPath
from app.routing import Route
from app.spreadsheets import page, queries, service
from app.spreadsheets.mapping import SCORES
from app.spreadsheets.models import ImportStatus
from app.spreadsheets.sheet import MAX_COLUMNS, MAX_UPLOAD_BYTES, too_large_message
from app.teams import queries as team_queries
from app.web import redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)

UPLOAD_PATH = "/imports/projects"
_CHUNK = 64 * 1024


def _upload_page(request: Request, session, user, *, errors=None, values=None, status_code=200):
    context = {
        "errors": errors or {},
        "values": values or {},
        "team_options": [("", "Private: only me"), *team_queries.team_choices(session, user=user)],
        "recent": queries.recent_imports(session, user=user),
        "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render(request, "spreadsheets/upload.html", context, status_code=status_code)


@router.get(UPLOAD_PATH, name="import_upload_form")
def import_upload_form(
    request: Request, session: SessionDep, user: CurrentUser, too_large: str = ""
) -> Response:
    # The body limit sends an oversize upload back here, unread.
    errors = {"file": too_large_message()} if too_large else {}
    return _upload_page(request, session, user, errors=errors, status_code=413 if errors else 200)


def _read_bounded(upload: UploadFile) -> bytes | None:
    """The upload's bytes, or None past the limit (read no further)."""
    chunks, size = [], 0
    while chunk := upload.file.read(_CHUNK):
        size += len(chunk)
        if size > MAX_UPLOAD_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _upload_input(
    file: UploadFile | None, team_id: str
) -> tuple[bytes | None, int | None, dict, int]:
    """The upload's bytes and team, or the errors to show beside the fields
    and their status."""
    if file is None or not file.filename:
        return None, None, {"file": "Choose a .csv or .xlsx file."}, 422
    content = _read_bounded(file)
    if content is None:
        return None, None, {"file": too_large_message()}, 413
    team = int(team_id) if team_id.isdecimal() and len(team_id) < 12 else None
    if team_id and team is None:
        return None, None, {"team_id": "Choose one of your teams."}, 422
    return content, team, {}, 200


@router.post(UPLOAD_PATH, name="import_upload")
def import_upload(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    file: Annotated[UploadFile | None, File()] = None,
    team_id: Annotated[str, Form()] = "",
) -> Response:
    values = {"team_id": team_id}
    content, team, errors, status_code = _upload_input(file, team_id)
    if errors:
        return _upload_page(
            request, session, user, errors=errors, values=values, status_code=status_code
        )
    try:
        job = service.import_upload(
            session, owner=user, filename=file.filename, content=content, team_id=team
        )
    except Refused as refused:
        session.rollback()
        errors = {refused.field or "file": refused.message}
        return _upload_page(request, session, user, errors=errors, values=values, status_code=422)
    session.commit()
    return redirect(request, request.url_for("import_mapping", import_id=job.id).path)


def _started(request: Request, job) -> Response | None:
    """An import under way or over has no mapping to change: its progress."""
    if job.status is not ImportStatus.uploaded:
        return redirect(request, request.url_for("import_progress", import_id=job.id).path)
    return None


@router.get("/imports/{import_id}/mapping", name="import_mapping")
def import_mapping(
    request: Request, session: SessionDep, user: CurrentUser, import_id: IdPath
) -> Response:
    job = queries.import_for(session, user=user, import_id=import_id)
    if (started := _started(request, job)) is not None:
        return started
    table = service.table_of(job)
    context = page.mapping_context(job, table, service.mapping_of(job, table))
    return render(request, "spreadsheets/mapping.html", context)


# The mapping form: one select per column (col_0, col_1, …) and one scale
# select per score column; every field is text until the service reads it.
MappingForm = create_model(
    "MappingForm",
    **{f"col_{i}": (str, "") for i in range(MAX_COLUMNS)},
    **{f"scale_{score}": (str, "") for score in SCORES},
)


@router.post("/imports/{import_id}/mapping", name="import_map")
def import_map(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    import_id: IdPath,
    form: Annotated[MappingForm, Form()],
) -> Response:
    job = queries.import_for(session, user=user, import_id=import_id)
    if (started := _started(request, job)) is not None:
        return started
    values = form.model_dump()
    columns = [values[f"col_{i}"][:40] for i in range(MAX_COLUMNS)]
    scales = {score: values[f"scale_{score}"][:10] for score in SCORES}
    mapping = service.import_map(session, job=job, columns=columns, scales=scales)
    session.commit()
    table = service.table_of(job)
    problems = mapping.problems(table.headers)
    if problems:
        context = page.mapping_context(job, table, mapping, problems)
        return render(request, "spreadsheets/mapping.html", context, status_code=422)
    return redirect(request, request.url_for("import_preview", import_id=job.id).path)


@router.get("/imports/{import_id}/preview", name="import_preview")
def import_preview(
    request: Request, session: SessionDep, user: CurrentUser, import_id: IdPath
) -> Response:
    job = queries.import_for(session, user=user, import_id=import_id)
    if (started := _started(request, job)) is not None:
        return started
    return render(request, "spreadsheets/preview.html", page.preview_context(session, job))


@router.post("/imports/{import_id}/start", name="import_start")
def import_start(
    request: Request, session: SessionDep, user: CurrentUser, import_id: IdPath
) -> Response:
    job = queries.import_for(session, user=user, import_id=import_id)
    if (started := _started(request, job)) is not None:
        return started
    try:
        service.import_queue(session, job=job)
    except Refused as refused:
        session.rollback()
        job = queries.import_for(session, user=user, import_id=import_id)
        context = page.preview_context(session, job) | {"message": refused.message}
        return render(request, "spreadsheets/preview.html", context, status_code=refused.status)
    session.commit()
    return redirect(request, request.url_for("import_progress", import_id=job.id).path)


@router.get("/imports/{import_id}", name="import_progress")
def import_progress(
    request: Request, session: SessionDep, user: CurrentUser, import_id: IdPath
) -> Response:
    job = queries.import_for(session, user=user, import_id=import_id)
    if job.status is ImportStatus.uploaded:
        return redirect(request, request.url_for("import_preview", import_id=job.id).path)
    return render(request, "spreadsheets/progress.html", {"job": job}, block="progress")
