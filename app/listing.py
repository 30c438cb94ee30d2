"""What every "newest first, a page at a time, with a search box" list
shares: the keyset cursor, the page query, and a case- and accent-blind match."""

import re
import unicodedata
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

Cursor = tuple[date, int]

# What the API documents for `before`, and all that parse_cursor reads. Ids
# of up to 9 digits stay below an INTEGER column's limit (app/inputs.py).
CURSOR_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])_[0-9]{1,9}$"
_CURSOR = re.compile(CURSOR_PATTERN)
CURSOR_HELP = "`next_before` of the previous page"


def parse_cursor(value: str) -> Cursor | None:
    """A cursor is written "<YYYY-MM-DD>_<id>"; anything else is None.

    The pattern cannot tell the 31st of April from a real day, so a day the
    calendar lacks still names a place in the (day, id) order: the one just
    before the next real day (and year 0 is before everything)."""
    if not _CURSOR.fullmatch(value):
        return None
    day, _, ident = value.partition("_")
    year, month, day_of_month = (int(part) for part in day.split("-"))
    if year == 0:
        return date.min, 0
    try:
        return date(year, month, day_of_month), int(ident)
    except ValueError:  # the 30th of February: just before the 1st of March
        return date(year, month + 1, 1), 0  # December has all 31 days


def fold(text: str) -> str:
    """Text as search compares it: accents off (NFKD, then the combining
    marks dropped) and case folded, so "tulu" finds "Tülu" and "ﬁne" "fine"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def folded_text(*parts: str | None) -> str:
    """The stored search text of a row: its searchable fields, folded, one a line."""
    return "\n".join(fold(part) for part in parts if part)


def folded_match(column: Any, text: str) -> sa.ColumnElement[bool]:
    """A folded column (folded_text) contains `text`, accents and case aside,
    wildcards taken literally. Both sides are folded, so LIKE's own case
    rules (which differ between SQLite and PostgreSQL) never come into it."""
    folded = fold(text)
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")


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
