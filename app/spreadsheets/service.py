"""Writes of spreadsheet imports. Services flush but never commit: the
caller owns the transaction (the page's request, the worker's steps, the
CLI), so the projects of one import land together or not at all."""

from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from app.auth.models import User
from app.db import utcnow
from app.errors import Refused
from app.projects.service import project_create
from app.spreadsheets.mapping import (
    FIELDS,
    LEAVE_OUT,
    SCORES,
    Checked,
    Mapping,
    check_rows,
    guessed,
    mapping_from,
)
from app.spreadsheets.models import FILENAME_MAX, ImportStatus, ProjectImport
from app.spreadsheets.queries import titles_of
from app.spreadsheets.sheet import SheetError, SheetFormat, Table, format_of, read_table
from app.teams.queries import membership_of

# A worker that died mid-import leaves its claim: another takes it over after this.
STALE_AFTER = timedelta(minutes=10)
SKIPPED_LISTED = 200  # rows named in a finished import's summary


def table_of(job: ProjectImport) -> Table:
    return read_table(job.content, SheetFormat(job.file_format))


def mapping_of(job: ProjectImport, table: Table) -> Mapping:
    return mapping_from(table.headers, job.columns, job.scales, table)


def check_team(session: Session, *, owner_id: int, team_id: int | None) -> None:
    if team_id is not None and membership_of(session, user_id=owner_id, team_id=team_id) is None:
        raise Refused(404, "not_found", "Choose one of your teams.", field="team_id")


def import_upload(
    session: Session, *, owner: User, filename: str, content: bytes, team_id: int | None
) -> ProjectImport:
    """Keep an uploaded file, once it reads as a spreadsheet, with the
    mapping guessed from its headers. Refused (422, field "file") with the
    reason when it does not read."""
    check_team(session, owner_id=owner.id, team_id=team_id)
    try:
        sheet_format = format_of(filename)
        table = read_table(content, sheet_format)
    except SheetError as exc:
        raise Refused(422, "unreadable_file", str(exc), field="file") from None
    if not table.rows:
        raise Refused(422, "no_rows", "The file has a header row but no projects.", field="file")
    imports_purge(session)
    mapping = guessed(table)
    job = ProjectImport(
        owner_id=owner.id,
        team_id=team_id,
        filename=filename.replace("\\", "/").rsplit("/", 1)[-1][:FILENAME_MAX] or "upload",
        file_format=sheet_format.value,
        content=content,
        size_bytes=len(content),
        columns=mapping.columns,
        scales={k: v.value for k, v in mapping.scales.items()},
        rows_total=table.row_count,
    )
    session.add(job)
    session.flush()
    return job


def _editable(job: ProjectImport) -> None:
    if job.status is not ImportStatus.uploaded:
        raise Refused(409, "import_started", "This import has started; its mapping is kept.")


def import_map(
    session: Session, *, job: ProjectImport, columns: list[str], scales: dict[str, str]
) -> Mapping:
    """Keep the mapping chosen on the mapping screen (problems included: the
    screen shows them beside their column)."""
    _editable(job)
    table = table_of(job)
    width = len(table.headers)
    cleaned = [c if c in FIELDS or c == LEAVE_OUT else "" for c in columns[:width]]
    cleaned += [""] * (width - len(cleaned))
    mapping = mapping_from(
        table.headers, cleaned, {k: v for k, v in scales.items() if k in SCORES}, table
    )
    job.columns = mapping.columns
    job.scales = {k: v.value for k, v in mapping.scales.items()}
    session.add(job)
    session.flush()
    return mapping


def import_check(session: Session, *, job: ProjectImport, progress=None) -> tuple[Table, Checked]:
    table = table_of(job)
    checked = check_rows(
        table,
        mapping_of(job, table),
        existing_titles=titles_of(session, owner_id=job.owner_id),
        team_id=job.team_id,
        progress=progress,
    )
    return table, checked


def import_queue(session: Session, *, job: ProjectImport) -> ProjectImport:
    """Hand a previewed import to the worker, if every column has a field
    and no row has an error (else refused: nothing is queued)."""
    _editable(job)
    check_team(session, owner_id=job.owner_id, team_id=job.team_id)
    table, checked = import_check(session, job=job)
    if mapping_of(job, table).problems(table.headers):
        raise Refused(422, "mapping_incomplete", "Choose a field for every column first.")
    if checked.errors:
        raise Refused(
            422,
            "rows_invalid",
            f"{len(checked.errors)} rows have errors: nothing can be imported until they are "
            "fixed in the file.",
        )
    job.status = ImportStatus.queued
    job.rows_total = len(checked.rows)
    session.add(job)
    session.flush()
    return job


def import_claim(session: Session, *, now: datetime | None = None) -> int | None:
    """The oldest queued import (or one whose worker went silent), claimed by
    the caller. On PostgreSQL workers skip each other's claims (FOR UPDATE
    SKIP LOCKED); on SQLite the write transaction lets one in at a time."""
    now = now or utcnow()
    query = (
        select(ProjectImport.id)
        .where(
            sa.or_(
                ProjectImport.status == ImportStatus.queued,
                sa.and_(
                    ProjectImport.status.in_([ImportStatus.checking, ImportStatus.writing]),
                    ProjectImport.started_at < now - STALE_AFTER,
                ),
            )
        )
        .order_by(ProjectImport.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    import_id = session.exec(query).first()
    if import_id is None:
        return None
    session.execute(
        sa.update(ProjectImport)
        .where(ProjectImport.id == import_id)
        .values(status=ImportStatus.checking, started_at=now, rows_checked=0)
    )
    return import_id


def projects_write(
    session: Session,
    *,
    owner: User,
    checked: Checked,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, list[dict]]:
    """Create every checked row's project in the caller's transaction: the
    number created and what was skipped ([{"line", "title", "why"}]). A
    title that appeared in the portfolio since the rows were checked is
    skipped too; a refusal (the owner left the team) raises, and the caller
    rolls everything back."""
    if checked.errors:
        raise Refused(422, "rows_invalid", "Rows have errors: nothing was imported.")
    existing = {" ".join(t.split()).casefold() for t in titles_of(session, owner_id=owner.id)}
    skipped = [
        {"line": r.line, "title": r.values.get("title", ""), "why": r.skip} for r in checked.skipped
    ]
    created = 0
    for done, row in enumerate(checked.to_create, start=1):
        assert row.data is not None
        key = " ".join(row.data.title.split()).casefold()
        if key in existing:
            skipped.append(
                {
                    "line": row.line,
                    "title": row.data.title,
                    "why": "Added meanwhile: left as it is.",
                }
            )
            continue
        project_create(session, owner=owner, data=row.data)
        existing.add(key)
        created += 1
        if progress is not None:
            progress(done)
    return created, skipped


def import_write(
    session: Session, *, job: ProjectImport, owner: User, checked: Checked
) -> ProjectImport:
    """The import's projects and its summary, in the caller's transaction."""
    created, skipped = projects_write(session, owner=owner, checked=checked)
    job.status = ImportStatus.done
    job.created_count = created
    job.skipped_count = len(skipped)
    job.skipped = skipped[:SKIPPED_LISTED]
    job.rows_checked = len(checked.rows)
    job.content = b""  # the file is not kept once its projects exist
    job.finished_at = utcnow()
    job.error = ""
    session.add(job)
    session.flush()
    return job


def import_fail(session: Session, *, import_id: int, message: str) -> None:
    session.execute(
        sa.update(ProjectImport)
        .where(ProjectImport.id == import_id)
        .values(status=ImportStatus.failed, error=message[:2000], finished_at=utcnow(), content=b"")
    )


def imports_purge(session: Session, *, now: datetime | None = None) -> int:
    """Uploads left unfinished past their day are deleted; finished imports
    keep only their summary."""
    now = now or utcnow()
    gone = session.execute(
        sa.delete(ProjectImport).where(
            ProjectImport.expires_at < now,
            ProjectImport.status.in_([ImportStatus.uploaded, ImportStatus.failed]),
        )
    )
    return gone.rowcount or 0
