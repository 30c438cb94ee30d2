"""What every "newest first, a page at a time, with a search box" list
shares: the keyset cursor, the page query, and a case- and accent-blind match."""

import base64
import bisect
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

import sqlalchemy as sa
from fastapi import Depends, Query
from pydantic import Field as PydanticField
from sqlmodel import Session

from app.errors import ApiError

Cursor = tuple[date, int]
Row = TypeVar("Row")

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


# ------------------------------------------------------------ API list pages
#
# Every list of the API pages the same way: `limit` (1 to 200, 50 by
# default) and `cursor`, the `next` of the page before. A cursor is opaque to
# clients: the sort key of the last row shown (its rank key and id, or its
# time and id), as base64url JSON. The next page is the rows that sort after
# that key, so a row added or removed meanwhile never shifts another out
# of the walk.

PAGE_DEFAULT = 50
PAGE_MAX = 200
PAGE_CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,1200}$"
PAGE_CURSOR_HELP = "`next` of the previous page; leave it out for the first page"
PAGE_LIMIT_HELP = f"Rows a page, at most {PAGE_MAX}"

KeyPart = int | float | str | datetime
_JSON_TYPES: dict[type, tuple[type, ...]] = {int: (int,), float: (int, float), str: (str,)}


class BadCursor(ValueError):
    """A cursor this list did not hand out."""


def encode_page_cursor(key: tuple[KeyPart, ...]) -> str:
    parts = [part.isoformat() if isinstance(part, datetime) else part for part in key]
    raw = json.dumps(parts, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_page_cursor(value: str, shape: tuple[type, ...]) -> tuple[KeyPart, ...]:
    """The key a cursor holds, checked against the list's key `shape`
    (types, in order); BadCursor if it is not one of this list's."""
    try:
        parts = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCursor(value) from exc
    if not isinstance(parts, list) or len(parts) != len(shape):
        raise BadCursor(value)
    key: list[KeyPart] = []
    for part, kind in zip(parts, shape, strict=True):
        if kind is datetime:
            try:
                key.append(_aware(datetime.fromisoformat(part)))
            except (TypeError, ValueError) as exc:
                raise BadCursor(value) from exc
        elif isinstance(part, bool) or not isinstance(part, _JSON_TYPES[kind]):
            raise BadCursor(value)
        else:
            key.append(kind(part))
    return tuple(key)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def page_after(
    rows: Sequence[Row], *, key: Callable[[Row], tuple], after: tuple | None, limit: int
) -> tuple[list[Row], str | None]:
    """A page of `rows` (already in `key` order, ascending): those after the
    key `after`, `limit` of them, and the cursor of the next page (None on
    the last). For lists ordered in Python (the ranking) or small ones."""
    start = 0 if after is None else bisect.bisect_right([key(r) for r in rows], after)
    page = list(rows[start : start + limit])
    more = start + limit < len(rows)
    return page, encode_page_cursor(key(page[-1])) if more and page else None


@dataclass(frozen=True)
class PageQuery:
    """`limit` and `cursor` as an API list was asked for them."""

    limit: int
    cursor: str | None

    def after(self, shape: tuple[type, ...]) -> tuple[KeyPart, ...] | None:
        """The key the cursor holds; a 422 (in the API's error envelope) for
        a cursor that is not one of this list's."""
        if self.cursor is None:
            return None
        try:
            return decode_page_cursor(self.cursor, shape)
        except BadCursor:
            raise ApiError(
                422,
                "This cursor is not one this list handed out: pass the `next` of its"
                " previous page, or leave it out for the first page.",
                code="validation_error",
                fields=[{"field": "cursor", "message": "not a cursor of this list"}],
            ) from None


def page_query(
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX, description=PAGE_LIMIT_HELP)] = PAGE_DEFAULT,
    cursor: Annotated[
        str | None, Query(pattern=PAGE_CURSOR_PATTERN, description=PAGE_CURSOR_HELP)
    ] = None,
) -> PageQuery:
    return PageQuery(limit=limit, cursor=cursor)


PageParams = Annotated[PageQuery, Depends(page_query)]


def next_cursor_field(order: str) -> Any:
    """The `next` field of a page model: `order` says which way the pages go."""
    return PydanticField(
        None, description=f"Pass as `cursor` for the next page ({order}); null on the last page"
    )
