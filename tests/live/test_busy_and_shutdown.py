"""When the database stays busy, and when the server is told to stop."""

import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx2 as httpx
import sqlalchemy as sa
from sqlmodel import Session, select

from app.auth.models import UserSession
from app.db import utcnow
from app.journal.models import JournalEntry
from tests.helpers import soup
from tests.live.conftest import CLIENT_TIMEOUT, make_account
from tests.support.locks import write_lock_held_elsewhere

ENTRY = {"kind": "experiment", "body": "Tried the longer warm-up."}


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

    # The person's session is due to be noted as seen: a read must not wait for that.
    with database.session(write=True) as db:
        db.execute(sa.update(UserSession).values(last_seen_at=utcnow() - timedelta(hours=1)))
        db.commit()

    with httpx.Client(base_url=server.url, timeout=CLIENT_TIMEOUT) as api:
        with write_lock_held_elsewhere(database_url_live):
            started = time.monotonic()
            read = api.get("/api/v1/journal/entries", headers=account.bearer)
            page_read = person.get("/journal")
            read_seconds = time.monotonic() - started
            refused = api.post("/api/v1/journal/entries", json=ENTRY, headers=account.bearer)
            page = person.post("/journal/entries", typed)
        after = api.post("/api/v1/journal/entries", json=ENTRY, headers=account.bearer)

    assert (read.status_code, page_read.status_code) == (200, 200)
    assert read_seconds < 3  # reads do not wait for the writer
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "2"
    assert refused.json()["error"]["code"] == "busy"
    # The form comes back with everything typed, ready to send again.
    assert page.status_code == 503
    assert page.headers["retry-after"] == "2"
    shown = soup(page)
    retry = shown.select_one("form#busy-retry")
    assert retry["action"] == "/journal/entries"
    kept = {i["name"]: i["value"] for i in retry.select("input[type=hidden]")}
    assert {k: kept[k] for k in typed} == typed
    assert "Notes on <the> LIMA paper & its 1,000 examples." in shown.select_one("dl.typed").text
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
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError):
            # Arrived after the server stopped listening, or sat unread on a
            # connection it closed as idle (the peer may see that as a reset):
            # never accepted. The check of the table below proves none of
            # these was written.
            return "refused"

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
    # Every acknowledged write is there, and nothing unacknowledged was written.
    assert sorted(_bodies(database)) == sorted(
        f"in flight {n}" for n, o in enumerate(outcomes) if o == 201
    )
