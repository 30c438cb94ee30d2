"""Running a queued import: `goldfish worker` claims it, never a web worker.

Three steps, each its own transaction: claim; check every row (reporting
how far it got, for the progress page); then write every project and the
summary in one transaction, so that the import lands whole or not at all.
A failure anywhere is recorded on the import, with nothing written.
"""

import logging

import sqlalchemy as sa

from app.auth.models import User
from app.db import Database
from app.errors import Refused
from app.spreadsheets import service
from app.spreadsheets.models import ImportStatus, ProjectImport
from app.spreadsheets.sheet import SheetError

log = logging.getLogger(__name__)

UNEXPECTED = (
    "The import failed on an unexpected error (logged for the administrator); nothing was written."
)


def run_due(database: Database) -> int:
    """Claim one queued import and run it; the number run (0 or 1)."""
    with database.session(write=True) as session:
        import_id = service.import_claim(session)
        session.commit()
    if import_id is None:
        return 0
    run_import(database, import_id)
    return 1


def _report(database: Database, import_id: int, status: ImportStatus, rows: int) -> None:
    with database.session(write=True) as session:
        session.execute(
            sa.update(ProjectImport)
            .where(ProjectImport.id == import_id)
            .values(status=status, rows_checked=rows)
        )
        session.commit()


def run_import(database: Database, import_id: int) -> ImportStatus:
    try:
        with database.session() as session:
            job = session.get(ProjectImport, import_id)
            assert job is not None
            _, checked = service.import_check(
                session,
                job=job,
                progress=lambda rows: _report(database, import_id, ImportStatus.checking, rows),
            )
        _report(database, import_id, ImportStatus.writing, len(checked.rows))
        with database.session(write=True) as session:
            job = session.get(ProjectImport, import_id)
            owner = session.get(User, job.owner_id)
            service.import_write(session, job=job, owner=owner, checked=checked)
            session.commit()
        log.info("import %s: %s projects created", import_id, len(checked.to_create))
        return ImportStatus.done
    except (Refused, SheetError) as exc:
        message = f"Nothing was imported: {getattr(exc, 'message', None) or exc}"
    except Exception:
        log.exception("import %s failed", import_id)
        message = UNEXPECTED
    with database.session(write=True) as session:
        service.import_fail(session, import_id=import_id, message=message)
        session.commit()
    return ImportStatus.failed
