"""The numbers in the navigation bar (reviews waiting, unread notifications,
open suggestions), each contributed by the feature that owns it.

Auth looks up who is asking and fills the bar in the same read, in one
statement; it cannot import the features that own the counts (they sit
above it), so each registers its count here when it is imported:

    @nav_count("reviews")
    def _waiting(user) -> sa.Select: ...   # a SELECT of one count

The statement is built once, with the user's id a bound parameter: a page
asks for it on every request, and building it cost more than running it.
A count query may use only the user's ``id``.
"""

from collections.abc import Callable
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

CountQuery = Callable[[Any], sa.Select]  # the signed-in user → SELECT count(...)

_counts: dict[str, CountQuery] = {}


def nav_count(name: str) -> Callable[[CountQuery], CountQuery]:
    def register(query: CountQuery) -> CountQuery:
        _counts[name] = query
        _statement.cache_clear()
        return query

    return register


class _Anyone:
    """The user a count is built for, once for all: the id is bound later."""

    id = sa.bindparam("nav_user_id", type_=sa.Integer())


@cache
def _statement() -> sa.Select:
    return sa.select(*(query(_Anyone).scalar_subquery() for query in _counts.values()))


def nav_counts(session: Session, *, user: Any) -> dict[str, int]:
    """Every registered count for this user, in one statement."""
    if not _counts:
        return {}
    row = session.execute(_statement(), {"nav_user_id": user.id}).one()
    return dict(zip(_counts, row, strict=True))
