"""Engine, connection pragmas, per-request sessions.

One request is one transaction: handlers that change data call
`session.commit()` once, after the service call; services never commit.
"""

import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel

from app.config import create_private

# Named constraints, so migrations can alter them on every database.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITE_OPTION = "goldfish_write"
_NOWAIT_OPTION = "goldfish_nowait"
_HOLDS_GATE = "goldfish_holds_write_gate"
_READS_AFTER_COMMIT = "goldfish_reads_after_commit"
_KEEP_WRITING = "goldfish_keep_writing"
_PENDING = "goldfish_pending_writes"
_WRITE_REQUEST = "goldfish_write_request"
# How long a write waits for SQLite's write lock (or a PostgreSQL row lock)
# before the request is answered 503 "busy, retry".
LOCK_WAIT_MS = 5000
# How long bookkeeping during a read (last seen) waits before giving up.
BRIEF_WAIT_MS = 250
# SQLite's primary result codes for "someone else holds the lock".
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
# PostgreSQL: lock_not_available, query_canceled (lock_timeout), deadlock,
# serialization failure, too many connections, cannot connect now.
_PG_RETRYABLE = frozenset({"55P03", "57014", "40P01", "40001", "53300", "57P03"})


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timestamps stored as UTC and always read back timezone-aware.

    SQLite has no timezone type; PostgreSQL's timestamptz has. Storing naive
    UTC on both keeps the two databases identical."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing a naive datetime; use app.db.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class EnumText(sa.TypeDecorator[StrEnum]):
    """A StrEnum stored as plain text (a CHECK constraint lists the values),
    read back as the enum. Text, not a native enum type, so adding a value is
    a one-line migration on every database."""

    impl = sa.String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int = 16) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: StrEnum | str | None, dialect: Any) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Any) -> StrEnum | None:
        return None if value is None else self.enum(value)


def in_check(column: str, enum: type[StrEnum]) -> str:
    """The SQL of a CHECK constraint allowing exactly the enum's values."""
    return f"{column} IN ({', '.join(repr(member.value) for member in enum)})"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with our pragmas. `pool_size` and friends size the pool; the
    web app passes its thread count (see `app.main`), so a request that got
    a thread never waits for a connection."""
    if not url.startswith("sqlite"):
        # Lock waits end, like SQLite's busy_timeout, in a 503 rather than a stall.
        connect_args = {"options": f"-c lock_timeout={LOCK_WAIT_MS}"}
        return sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)

    database = sa.engine.make_url(url).database
    if database and database != ":memory:":
        # Owner-only from the start; SQLite gives its -wal and -shm files
        # the database file's permissions.
        create_private(Path(database))
    engine = sa.create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
    # One write transaction at a time per process. SQLite allows one writer
    # anyway; without this gate the others poll for its lock in the busy
    # handler (sleeping up to 100 ms a try) while competing with the writer
    # for the GIL, and writes convoy into seconds. Threads wait here in line
    # instead. Processes (several workers) still meet at SQLite's own lock.
    write_gate = threading.Lock()

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Python 3.11's sqlite3 opens transactions behind our back unless
        # told not to; we issue BEGIN ourselves in the "begin" hook below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A deferred transaction that later writes gets SQLITE_BUSY without
        # waiting on busy_timeout; write requests take the lock up front.
        options = conn.get_execution_options()
        if not options.get(_WRITE_OPTION):
            _set_busy_timeout(conn, LOCK_WAIT_MS)
            conn.exec_driver_sql("BEGIN")
            return
        # Bookkeeping writes (last seen) give up soon rather than wait.
        wait_ms = BRIEF_WAIT_MS if options.get(_NOWAIT_OPTION) else LOCK_WAIT_MS
        started = time.monotonic()
        if not write_gate.acquire(timeout=wait_ms / 1000):
            raise _busy_error("BEGIN IMMEDIATE")
        conn.info[_HOLDS_GATE] = True
        try:
            # One wait in all: what is left of it after the gate, for the lock.
            waited_ms = int((time.monotonic() - started) * 1000)
            _set_busy_timeout(conn, max(1, wait_ms - waited_ms))
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release_gate(conn.info)
            raise

    def _release_gate(info: dict) -> None:
        if info.pop(_HOLDS_GATE, False):
            write_gate.release()

    @sa.event.listens_for(engine, "commit")
    @sa.event.listens_for(engine, "rollback")
    def _on_end(conn: Connection) -> None:
        _release_gate(conn.info)

    @sa.event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        _release_gate(record.info)  # a connection returned mid-transaction

    return engine


def _busy_error(statement: str) -> sa.exc.OperationalError:
    error = sqlite3.OperationalError("database is locked (waited for this process's writers)")
    error.sqlite_errorcode = _SQLITE_BUSY
    return sa.exc.OperationalError(statement, None, error)


def _set_busy_timeout(conn: Connection, ms: int) -> None:
    # Remembered per DBAPI connection, so the usual case costs no statement.
    if conn.info.get("busy_timeout_ms", LOCK_WAIT_MS) != ms:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={ms}")
        conn.info["busy_timeout_ms"] = ms


def is_busy(exc: BaseException) -> bool:
    """Whether a database error means "busy, try again later" (a lock held too
    long, no connection free in time) rather than a bug."""
    if isinstance(exc, sa.exc.TimeoutError):  # no pooled connection came free
        return True
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in (_SQLITE_BUSY, _SQLITE_LOCKED)
    if not hasattr(orig, "sqlstate"):
        return False
    if orig.sqlstate:
        return orig.sqlstate in _PG_RETRYABLE
    # psycopg's OperationalError without a state: the server could not be reached.
    return isinstance(exc, sa.exc.OperationalError)


def begin_reading(session: Session) -> None:
    """Start the session's transaction as a read, whatever the request's method:
    looking up who is asking never takes SQLite's write lock."""
    if not session.in_transaction():
        session.info[_KEEP_WRITING] = True  # its commit is not the request's write
        session.connection(execution_options={_WRITE_OPTION: False})


def with_next_write(session: Session, statement: sa.Executable) -> None:
    """Run `statement` first thing in the session's next transaction: a write
    request's bookkeeping (last used) rides in the handler's own write
    transaction, at no extra lock. If the handler never writes, or rolls
    back, it is simply noted on a later request."""
    session.info.setdefault(_PENDING, []).append(statement)


def write_apart(session: Session, statement: sa.Executable, *, wait: bool) -> bool:
    """Run one small bookkeeping write in a transaction of its own on the same
    session (never a second session: on SQLite that would wait for the lock its
    own request holds). Ends any transaction in progress first.

    With `wait`, a busy database raises as any write would (the request gets
    its 503 now rather than after a second wait). Without it, the write gives
    up after BRIEF_WAIT_MS and returns False; the caller tries again later."""
    session.commit()
    options = {_WRITE_OPTION: True, _NOWAIT_OPTION: not wait}
    try:
        connection = session.connection(execution_options=options)
        if not wait and connection.dialect.name == "postgresql":
            session.execute(sa.text(f"SET LOCAL lock_timeout = '{BRIEF_WAIT_MS}ms'"))
        session.execute(statement)
        session.info[_KEEP_WRITING] = True
        session.commit()
    except sa.exc.DBAPIError as exc:
        session.rollback()
        if wait or not is_busy(exc):
            raise
        return False
    return True


def insert_new(session: Session, model: type, rows: list[dict]) -> None:
    """INSERT the rows, skipping any that a unique key says exist already (a
    concurrent writer's): ON CONFLICT DO NOTHING on SQLite and PostgreSQL."""
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(model).on_conflict_do_nothing(), rows)


class Database:
    """Hands out sessions; tests swap in one bound to a rolled-back connection."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._write_engine = engine.execution_options(**{_WRITE_OPTION: True})

    def session(self, *, write: bool = False, reads_after_commit: bool = False) -> Session:
        """`reads_after_commit`: a web request's session, whose one write
        transaction is followed only by reads (see `_reads_after_commit`)."""
        session = Session(self._write_engine if write else self.engine, expire_on_commit=False)
        if write and reads_after_commit:
            session.info[_READS_AFTER_COMMIT] = self.engine
        return session

    def dispose(self) -> None:
        self.engine.dispose()


@sa.event.listens_for(Session, "after_begin")
def _run_pending_writes(session: Session, _transaction: Any, connection: Connection) -> None:
    for statement in session.info.pop(_PENDING, ()):
        connection.execute(statement)


@sa.event.listens_for(Session, "after_commit")
def _reads_after_commit(session: Session) -> None:
    """Once a write request has committed its work, what it reads to answer
    (the saved row, the fragment to swap) is a read: on SQLite a second
    BEGIN IMMEDIATE could fail after the work was saved, and a client that
    was told "failed" would send it again."""
    if session.in_nested_transaction():
        return  # a savepoint released inside the request's write transaction
    if session.info.pop(_KEEP_WRITING, False):
        return
    read_engine = session.info.pop(_READS_AFTER_COMMIT, None)
    if read_engine is not None:
        session.bind = read_engine


def end_transaction(session: Session, *, failed: bool) -> None:
    """End whatever transaction a handler left open, handing back its
    connection. A write request's handler saved what it meant to with its own
    commit: anything left is rolled back, as the end of the request would. A
    read has nothing to save and is committed (a rollback would expire what
    the response still shows)."""
    if not session.in_transaction():
        return
    unsaved = session.new or session.dirty or session.deleted  # never saved by a read
    if failed or unsaved or session.info.get(_WRITE_REQUEST, True):
        # Detached first, so the rollback does not expire what the response
        # or an error page still shows (the signed-in user's name).
        session.expunge_all()
        session.rollback()
    else:
        session.commit()


def get_session(request: Request) -> Iterator[Session]:
    database: Database = request.app.state.database
    write = request.method not in SAFE_METHODS
    with database.session(write=write, reads_after_commit=True) as session:
        session.info[_WRITE_REQUEST] = write
        yield session


# scope="function": the session closes once the response is built, not after
# it is sent. The handler's transaction ends earlier still, as it returns
# (app.routing.Route): FastAPI validates a sync handler's response in a
# thread of the shared pool, and a connection held across that wait was a
# pool deadlock at 50 clients.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
