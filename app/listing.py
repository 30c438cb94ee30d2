"""What every "newest first, a page at a time, with a search box" list
shares: the keyset cursor, the page query, and a case-insensitive match."""

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

Cursor = tuple[date, int]


def parse_cursor(value: str) -> Cursor | None:
    """A cursor is written "<YYYY-MM-DD>_<id>"; anything else is None."""
    try:
        day, _, ident = value.partition("_")
        return date.fromisoformat(day), int(ident)
    except ValueError:
        return None


def text_match(session: Session, columns: list[Any], text: str) -> sa.ColumnElement[bool]:
    """Any column contains `text`, ignoring case, wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    # SQLite's LIKE already ignores ASCII case; lower() there would only slow it.
    if session.get_bind().dialect.name == "sqlite":
        return sa.or_(*(column.like(pattern, escape="\\") for column in columns))
    return sa.or_(*(column.ilike(pattern, escape="\\") for column in columns))


def newest_first_page(
    session: Session, query: Any, *, day: Any, ident: Any, before: Cursor | None, limit: int
) -> tuple[list[Any], str | None]:
    """One page ordered by (day, id) descending, and the cursor of the next.
    A row-value comparison lets the index jump straight to the cursor, so a
    deep page costs what the first one does."""
    if before:
        query = query.where(sa.tuple_(day, ident) < sa.tuple_(*before))
    rows = list(session.exec(query.order_by(day.desc(), ident.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    if not (more and rows):
        return rows, None
    last = rows[-1]
    return rows, f"{getattr(last, day.key).isoformat()}_{getattr(last, ident.key)}"
