"""Reads of spreadsheet imports: each belongs to the person who uploaded it."""

import sqlalchemy as sa
from sqlmodel import Session, select

from app.auth.models import User
from app.errors import NotFound
from app.projects.models import Project
from app.spreadsheets.models import ProjectImport


class ImportNotFound(NotFound):
    what = "import"


def import_for(session: Session, *, user: User, import_id: int) -> ProjectImport:
    """The user's own import; anyone else's is not found."""
    job = session.exec(
        select(ProjectImport).where(
            ProjectImport.id == import_id, ProjectImport.owner_id == user.id
        )
    ).first()
    if job is None:
        raise ImportNotFound
    return job


def titles_of(session: Session, *, owner_id: int) -> set[str]:
    """The titles of every project the owner has, archived ones included:
    an import skips a row whose project exists rather than make a twin."""
    return set(session.exec(select(Project.title).where(Project.owner_id == owner_id)))


def recent_imports(session: Session, *, user: User, limit: int = 5) -> list[ProjectImport]:
    return list(
        session.exec(
            select(ProjectImport)
            .where(ProjectImport.owner_id == user.id)
            .order_by(sa.desc(ProjectImport.id))
            .limit(limit)
        )
    )
