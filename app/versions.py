"""Optimistic concurrency, one way for every record that has a `version`.

A change is made against the version its author loaded: `claim_version`
moves the record to the next version in one conditional UPDATE, so of two
writers exactly one gets in, and the other gets a `Conflict`. The error
handler (app.errors) answers a `Conflict` with 409 and its code and message
in the API, and with the message on a page in the browser; a form that can
do better (show what was typed, with the message) catches it and re-renders.
The request's transaction is rolled back either way (app.routing.Route).
"""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

CONFLICT_CODE = "version_conflict"


class Conflict(Exception):
    """Someone changed the record since the caller loaded it."""

    def __init__(
        self, message: str, *, code: str = CONFLICT_CODE, current_version: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.current_version = current_version


def claim_version(
    session: Session,
    record: SQLModel,
    *,
    expected: int,
    what: str,
    where: tuple[Any, ...] = (),
    conflict: Callable[[Any], Conflict] | None = None,
    **values: Any,
) -> None:
    """Move `record` from version `expected` to the next, setting `values`,
    unless someone else got there first (or one of the extra `where`
    conditions no longer holds): then `record` is reloaded and
    `conflict(record)` raised, by default a version conflict that names the
    record as `what` ("project", "team", ...)."""
    table = type(record)
    result = session.execute(
        sa.update(table)
        .where(table.id == record.id, table.version == expected, *where)
        .values(version=table.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        # Only what the UPDATE wrote: other changes the caller made to the
        # record and has not flushed yet are kept.
        session.refresh(record, ["version", *values])
        return
    session.refresh(record)
    if conflict is not None:
        raise conflict(record)
    raise stale(what, expected=expected, current=record.version)


def stale(what: str, *, expected: int, current: int) -> Conflict:
    return Conflict(
        f"The {what} changed since version {expected}; it is now at version {current}. "
        "Read it again and re-apply your change.",
        current_version=current,
    )
