"""An uploaded spreadsheet on its way to becoming projects.

The file itself is kept here, per user, between the mapping, the preview and
the import (a web worker keeps nothing in memory between requests), and for
a day at most: its bytes are dropped once the import has run, and an upload
left unfinished is deleted when it expires.
"""

from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import EnumText, UTCDateTime, in_check, utcnow

UPLOAD_TTL = timedelta(hours=24)
FILENAME_MAX = 200


class ImportStatus(StrEnum):
    uploaded = "uploaded"  # being mapped and previewed
    queued = "queued"  # waiting for `goldfish worker`
    checking = "checking"  # a worker reads and checks every row
    writing = "writing"  # a worker writes the projects, all in one transaction
    done = "done"
    failed = "failed"  # nothing was written; `error` says why

    @property
    def finished(self) -> bool:
        return self in (ImportStatus.done, ImportStatus.failed)


class ProjectImport(SQLModel, table=True):
    __tablename__ = "project_import"
    __table_args__ = (
        sa.CheckConstraint(in_check("status", ImportStatus), name="status"),
        sa.CheckConstraint("file_format IN ('csv', 'xlsx')", name="file_format"),
        sa.Index("ix_project_import_status_id", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="user.id", index=True)
    # The projects are shared with this team (the owner must be allowed to
    # share with it, checked again when the import runs); None is private.
    team_id: int | None = Field(default=None, foreign_key="team.id")
    filename: str = Field(max_length=FILENAME_MAX)
    file_format: str = Field(max_length=8)
    content: bytes = Field(sa_type=sa.LargeBinary)
    size_bytes: int = 0
    # The mapping chosen: one field name per column, and each score's scale.
    columns: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    scales: dict[str, str] = Field(default_factory=dict, sa_type=sa.JSON)
    status: ImportStatus = Field(default=ImportStatus.uploaded, sa_type=EnumText(ImportStatus, 10))
    rows_total: int = 0
    rows_checked: int = 0
    created_count: int = 0
    skipped_count: int = 0
    # What was skipped and why, for the summary: [{"line", "title", "why"}].
    skipped: list[dict] = Field(default_factory=list, sa_type=sa.JSON)
    error: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(default_factory=lambda: utcnow() + UPLOAD_TTL, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
