"""Counting the SQL statements a piece of code runs: one listener, shared by
the page bench (per request, on the engine an in-process app uses) and the
tests' `count_queries` fixture (on the rolled-back test connection)."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

# What a harness adds around the code it counts: the test suite nests each
# test's work in savepoints on one connection.
SAVEPOINTS = ("SAVEPOINT", "RELEASE", "ROLLBACK TO")


@dataclass
class Counted:
    """The statements that ran, in order."""

    statements: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.statements)


@contextmanager
def counting(target: Engine | Connection, *, ignore: tuple[str, ...] = ()) -> Iterator[Counted]:
    """`with counting(engine) as counted: ...`, then `counted.n` statements ran
    on `target` meanwhile, leaving out those that start with one of `ignore`."""
    counted = Counted()

    def before(_conn, _cursor, statement: str, *_args) -> None:
        if not statement.lstrip().upper().startswith(ignore):
            counted.statements.append(statement)

    sa.event.listen(target, "before_cursor_execute", before)
    try:
        yield counted
    finally:
        sa.event.remove(target, "before_cursor_execute", before)
