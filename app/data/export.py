"""Writing archives: the whole instance (`goldfish export`), or one person's
own data (the account page's download). Both stream: rows are fetched in
batches (a server-side cursor on PostgreSQL) and compressed as they come,
so memory stays flat however large the tables."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import IO, Protocol

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from app.config import ROOT
from app.data.archive import (
    ArchiveError,
    ArchiveWriter,
    Manifest,
    encode_row,
    exported_columns,
    included_tables,
    row_order,
    tables,
)
from app.models import metadata

BATCH = 1000


class Progress(Protocol):
    """Told what is being copied, for a progress bar (the CLI's is rich's):
    how many rows in all, then each table as it starts, and rows as they go."""

    def begin(self, total: int) -> None: ...
    def table(self, name: str) -> None: ...
    def rows(self, n: int) -> None: ...


class NoProgress:
    def begin(self, total: int) -> None:
        pass

    def table(self, name: str) -> None:
        pass

    def rows(self, n: int) -> None:
        pass


def code_revision() -> str:
    """The schema revision this code's models describe (Alembic's head)."""
    head = ScriptDirectory(str(ROOT / "alembic")).get_current_head()
    assert head is not None
    return head


def database_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def check_revision(connection: Connection) -> str:
    found, expected = database_revision(connection), code_revision()
    if found != expected:
        raise ArchiveError(
            f"the database is at schema revision {found or 'none'}, this Goldfish at"
            f" {expected}: run `goldfish migrate` first"
        )
    return expected


def _lines(connection: Connection, query: sa.Select, progress: Progress) -> Iterator[bytes]:
    # On the statement, not the connection (which would keep it for every
    # later statement, savepoints included): a server-side cursor on PostgreSQL.
    result = connection.execute(query.execution_options(yield_per=BATCH)).mappings()
    for batch in result.partitions():
        for row in batch:
            yield encode_row(row)
        progress.rows(len(batch))


def _count(connection: Connection, query: sa.Select) -> int:
    counting = sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    return connection.execute(counting).scalar_one()


def _write(
    connection: Connection,
    out: IO[bytes],
    *,
    scope: str,
    include_secrets: bool,
    where: Callable[[sa.Table], sa.ColumnElement[bool] | None] | None,
    chosen: list[sa.Table],
    progress: Progress,
    now: datetime | None,
) -> Manifest:
    revision = check_revision(connection)
    manifest = Manifest(
        schema_revision=revision,
        scope=scope,
        include_secrets=include_secrets,
        exported_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
    )
    writer = ArchiveWriter(out, manifest)
    dialect = connection.dialect.name
    queries = []
    for table in chosen:
        columns = exported_columns(table, include_secrets=include_secrets)
        query = sa.select(*columns).order_by(*row_order(table, dialect))
        clause = where(table) if where else None
        if clause is not None:
            query = query.where(clause)
        queries.append((table, columns, query))
    progress.begin(sum(_count(connection, query) for _, _, query in queries))
    for table, columns, query in queries:
        progress.table(table.name)
        writer.write_table(table, [c.name for c in columns], _lines(connection, query, progress))
    writer.close()
    return manifest


def instance_export(
    connection: Connection,
    out: IO[bytes],
    *,
    include_secrets: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> Manifest:
    """Every table the app owns into `out`. Run it in one transaction that
    sees a single snapshot (REPEATABLE READ on PostgreSQL; any transaction
    on SQLite in WAL mode) so the archive is consistent while others write."""
    return _write(
        connection,
        out,
        scope="instance",
        include_secrets=include_secrets,
        where=None,
        chosen=included_tables(include_secrets=include_secrets),
        progress=progress or NoProgress(),
        now=now,
    )


def _own_rows(user_id: int) -> dict[str, sa.ColumnElement[bool]]:
    """What of each table is one person's own: their projects and what hangs
    off them, their releases, journal, reviews and comments they wrote, their
    feeds, suggestions, notifications, memberships and estimates. Other tables are left
    out; no row of anyone else's is in it."""
    t = metadata.tables
    projects = sa.select(t["project"].c.id).where(t["project"].c.owner_id == user_id)
    entries = sa.select(t["journal_entry"].c.id).where(t["journal_entry"].c.author_id == user_id)
    requests = t["review_request"].c
    # Requests they made (on their projects) or were asked to answer.
    theirs = sa.select(requests.id).where(
        requests.project_id.in_(projects) | (requests.reviewer_id == user_id)
    )
    rounds = sa.select(t["scoring_round"].c.id).where(t["scoring_round"].c.project_id.in_(projects))
    return {
        "user": t["user"].c.id == user_id,
        "journal_settings": t["journal_settings"].c.user_id == user_id,
        "calendar_feed": t["calendar_feed"].c.user_id == user_id,
        "mail_preference": t["mail_preference"].c.user_id == user_id,
        "membership": t["membership"].c.user_id == user_id,
        "project": t["project"].c.owner_id == user_id,
        "assessment": t["assessment"].c.project_id.in_(projects),
        "plan_version": t["plan_version"].c.project_id.in_(projects),
        "project_keyword": t["project_keyword"].c.project_id.in_(projects),
        "release": t["release"].c.owner_id == user_id,
        "release_link": t["release_link"].c.project_id.in_(projects),
        "replan": t["replan"].c.project_id.in_(projects),
        "replan_draft": t["replan_draft"].c.author_id == user_id,
        "journal_entry": t["journal_entry"].c.author_id == user_id,
        "journal_revision": t["journal_revision"].c.entry_id.in_(entries),
        "review_request": t["review_request"].c.project_id.in_(projects),
        "review": t["review"].c.reviewer_id == user_id,
        "review_question": t["review_question"].c.request_id.in_(theirs),
        "review_comment": t["review_comment"].c.author_id == user_id,
        "feed": t["feed"].c.owner_id == user_id,
        "suggestion": t["suggestion"].c.owner_id == user_id,
        "notification": t["notification"].c.user_id == user_id,
        # Rounds on their projects and who was asked; estimates only their
        # own, so a round's owner gets no one's values, blind or not.
        "scoring_round": t["scoring_round"].c.project_id.in_(projects),
        "round_estimator": t["round_estimator"].c.round_id.in_(rounds)
        | (t["round_estimator"].c.user_id == user_id),
        "estimate": t["estimate"].c.user_id == user_id,
    }


def user_export(
    connection: Connection, out: IO[bytes], *, user_id: int, now: datetime | None = None
) -> Manifest:
    """One person's own data into `out`, in the same format (scope "user"),
    never with secrets."""
    own = _own_rows(user_id)
    return _write(
        connection,
        out,
        scope="user",
        include_secrets=False,
        where=lambda table: own[table.name],
        chosen=[table for table in tables() if table.name in own],
        progress=NoProgress(),
        now=now,
    )
