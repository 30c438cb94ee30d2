"""The account page's "Download all my data": one person's own rows, in the
archive format of a full export (app/data/archive.py)."""

import tempfile
from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask

from app.auth.deps import CurrentUser
from app.data.export import user_export
from app.db import SessionDep
from app.routing import Route

router = APIRouter(route_class=Route, include_in_schema=False)

# An archive larger than this is spooled to a temporary file, not memory.
_IN_MEMORY_BYTES = 8 * 1024 * 1024
_CHUNK = 64 * 1024


@router.get("/account/export", name="account_export")
def account_export(session: SessionDep, user: CurrentUser) -> Response:
    spool = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY_BYTES)  # noqa: SIM115 (closed after sending)
    try:
        user_export(session.connection(), spool, user_id=user.id)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    day = datetime.now(UTC).date().isoformat()
    return StreamingResponse(
        iter(lambda: spool.read(_CHUNK), b""),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="goldfish-my-data-{day}.zip"',
            "Cache-Control": "no-store",
        },
        background=BackgroundTask(spool.close),
    )
