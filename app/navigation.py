"""The numbers in the navigation bar (reviews waiting, unread notifications,
open suggestions), each contributed by the feature that owns it.

Auth looks up who is asking and fills the bar in the same read, in one
statement; it cannot import the features that own the counts (they sit
above it), so each registers its count here when it is imported:

    @nav_count("reviews")
    def _waiting(user) -> sa.Select: ...   # a SELECT of one count
"""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

CountQuery = Callable[[Any], sa.Select]  # the signed-in user → SELECT count(...)

_counts: dict[str, CountQuery] = {}


def nav_count(name: str) -> Callable[[CountQuery], CountQuery]:
    def register(query: CountQuery) -> CountQuery:
        _counts[name] = query
        return query

    return register


def nav_counts(session: Session, *, user: Any) -> dict[str, int]:
    """Every registered count for this user, in one statement."""
    if not _counts:
        return {}
    names = list(_counts)
    row = session.execute(
        sa.select(*(_counts[name](user).scalar_subquery() for name in names))
    ).one()
    return dict(zip(names, row, strict=True))
