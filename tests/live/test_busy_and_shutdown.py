"""When the database stays busy, and when the server is told to stop."""

import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx2 as httpx
import sqlalchemy as sa
from bs4 import BeautifulSoup
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from app.journal.models import JournalEntry
from tests.live.conftest import CLIENT_TIMEOUT, make_account

ENTRY = {"kind": "experiment", "body": "Tried the longer warm-up."}


@contextmanager
def write_lock_held_elsewhere(database_url: str) -> Iterator[None]:
    """Another program holds the write lock: SQLite's, or on PostgreSQL a lock
    on the journal's table that lets reads through and stops writes."""
    if database_url.startswith("sqlite"):
        other = sqlite3.connect(make_url(database_url).database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as other:
            other.exec_driver_sql("LOCK TABLE journal_entry IN EXCLUSIVE MODE")
            try:
                yield
            finally:
                other.rollback()
    finally:
        engine.dispose()


def _bodies(database) -> list[str]:
    with Session(database.engine) as db:
        return list(db.exec(select(JournalEntry.body).order_by(JournalEntry.id)))


def test_a_write_that_waits_too_long_is_a_503_that_loses_nothing(
    serve, database, database_url_live, account, browser_for
):
    server = serve()
    person = browser_for(server)
    person.log_in(account.user.email)
    typed = {
        "kind": "reading",
        "body": "Notes on <the> LIMA paper & its 1,000 examples.",
        "learned": "Quality over quantity.",
        "next": "/journal",
    }

    with httpx.Client(base_url=server.url, timeout=CLIENT_TIMEOUT) as api:
        with write_lock_held_elsewhere(database_url_live):
            started = time.monotonic()
            read = api.get("/api/v1/journal/entries", headers=account.bearer)
            read_seconds = time.monotonic() - started
            refused = api.post("/api/v1/journal/entries", json=ENTRY, headers=account.bearer)
            page = person.post("/journal/entries", typed)
        after = api.post("/api/v1/journal/entries", json=ENTRY, headers=account.bearer)

    assert read.status_code == 200
    assert read_seconds < 2  # reads do not wait for the writer
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "2"
    assert refused.json()["error"]["code"] == "busy"
    # The form comes back with everything typed, ready to send again.
    assert page.status_code == 503
    assert page.headers["retry-after"] == "2"
    soup = BeautifulSoup(page.text, "html.parser")
    retry = soup.select_one("form#busy-retry")
    assert retry["action"] == "/journal/entries"
    kept = {i["name"]: i["value"] for i in retry.select("input[type=hidden]")}
    assert {k: kept[k] for k in typed} == typed
    assert "Notes on <the> LIMA paper & its 1,000 examples." in soup.select_one("dl.typed").text
    # The lock gone, the same server writes again, and the kept form saves.
    assert after.status_code == 201
    resent = person.post("/journal/entries", {k: v for k, v in kept.items() if k != "csrftoken"})
    assert resent.status_code == 303
    assert _bodies(database) == [ENTRY["body"], typed["body"]]


def test_sigterm_lets_requests_in_flight_finish_then_exits(serve, database):
    server = serve()
    writers = [make_account(database, f"Writer {i}") for i in range(10)]
    started = threading.Event()

    def write(n: int) -> int | str:
        who = writers[n % len(writers)]
        try:
            with httpx.Client(base_url=server.url, timeout=CLIENT_TIMEOUT) as http:
                started.set()
                body = {**ENTRY, "body": f"in flight {n}"}
                return http.post(
                    "/api/v1/journal/entries", json=body, headers=who.bearer
                ).status_code
        except httpx.ConnectError:
            return "refused"  # arrived after the server stopped listening: never accepted

    with ThreadPoolExecutor(max_workers=30) as pool:
        results = [pool.submit(write, n) for n in range(60)]
        started.wait(5)
        time.sleep(0.05)
        signalled = time.monotonic()
        server.signal(signal.SIGTERM)
        outcomes = [f.result() for f in results]
        code = server.process.wait(timeout=15)
        exited_in = time.monotonic() - signalled

    answered = [o for o in outcomes if o != "refused"]
    assert answered, outcomes
    assert set(answered) == {201}, outcomes
    # uvicorn re-raises the signal once it has shut down cleanly.
    assert code in (0, -signal.SIGTERM), server.log_tail()
    assert "Finished server process" in server.log()
    assert exited_in < 12
    # Every acknowledged write is there.
    assert len(_bodies(database)) == len(answered)
