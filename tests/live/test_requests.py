"""Requests as a real server sees them: a new token's first call, a session
that sat idle, two worker processes, many requests at once, big bodies."""

import http.client
import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlsplit

import httpx2 as httpx
import sqlalchemy as sa
from sqlmodel import Session, select

from app.auth.models import ApiToken, UserSession
from app.db import utcnow
from app.journal.models import JournalEntry
from app.releases.models import ReleaseLink
from app.replans.models import Replan
from tests import factories
from tests.live.conftest import CLIENT_TIMEOUT, make_account

ENTRY = {"kind": "experiment", "body": "Ran the ablation on the new tokenizer."}


def _entries(database, user_id: int) -> list[JournalEntry]:
    with Session(database.engine) as db:
        return list(db.exec(select(JournalEntry).where(JournalEntry.author_id == user_id)))


def test_a_new_tokens_very_first_call_is_a_write(serve, database, account):
    server = serve()
    with httpx.Client(base_url=server.url, timeout=CLIENT_TIMEOUT) as http:
        first = http.post("/api/v1/journal/entries", json=ENTRY, headers=account.bearer)
        second = http.post("/api/v1/journal/entries", json=ENTRY, headers=account.bearer)
    assert (first.status_code, second.status_code) == (201, 201), first.text
    assert len(_entries(database, account.user.id)) == 2
    with Session(database.engine) as db:
        token = db.exec(select(ApiToken).where(ApiToken.user_id == account.user.id)).one()
    assert token.last_used_at is not None  # noted on the first call, in its own request


def test_a_session_idle_past_the_touch_interval_posts_a_journal_entry(
    serve, database, account, browser_for
):
    server = serve()
    person = browser_for(server)
    person.log_in(account.user.email)
    # Back from lunch: the session was last seen long enough ago to be noted again.
    lunch = utcnow() - timedelta(minutes=50)
    with database.session(write=True) as db:
        db.execute(
            sa.update(UserSession)
            .where(UserSession.user_id == account.user.id)
            .values(last_seen_at=lunch)
        )
        db.commit()

    response = person.post(
        "/journal/entries", {"kind": "reading", "body": "Written after lunch.", "next": "/journal"}
    )

    assert response.status_code == 303, response.text
    assert [e.body for e in _entries(database, account.user.id)] == ["Written after lunch."]
    with Session(database.engine) as db:
        seen = db.exec(
            select(UserSession.last_seen_at).where(UserSession.user_id == account.user.id)
        ).one()
    assert seen > lunch


def test_an_idle_session_reading_a_page_is_noted_as_seen(serve, database, account, browser_for):
    server = serve()
    person = browser_for(server)
    person.log_in(account.user.email)
    lunch = utcnow() - timedelta(minutes=50)
    with database.session(write=True) as db:
        db.execute(sa.update(UserSession).values(last_seen_at=lunch))
        db.commit()

    assert person.get("/journal").status_code == 200
    with Session(database.engine) as db:
        assert db.exec(select(UserSession.last_seen_at)).one() > lunch


def test_two_workers_write_at_once_and_every_write_lands(serve, database):
    server = serve(workers=2)
    accounts = [make_account(database, f"Writer {i}") for i in range(8)]

    def write(n: int) -> int:
        who = accounts[n % len(accounts)]
        with httpx.Client(base_url=server.url, timeout=CLIENT_TIMEOUT) as http:
            body = {**ENTRY, "body": f"entry {n}"}
            return http.post("/api/v1/journal/entries", json=body, headers=who.bearer).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(write, range(80)))

    assert statuses == [201] * 80
    with Session(database.engine) as db:
        bodies = db.exec(select(JournalEntry.body)).all()
    assert sorted(bodies) == sorted(f"entry {n}" for n in range(80))


def test_many_first_requests_at_once_do_not_starve_the_pool(serve, database):
    """Many more requests than threads and connections, each from a fresh
    token (so each writes its last-used): they wait their turn, none fails.
    With the old second session this deadlocked the pool for 30 s; with
    connections held while FastAPI waited for a thread to validate the
    response, the pool timed out into 503s."""
    threads = 2  # a pool of 2 + 4 connections
    server = serve(threads=threads)
    accounts = [make_account(database, f"Fresh {i}") for i in range(40)]

    def call(n: int) -> int:
        who = accounts[n]
        with httpx.Client(base_url=server.url, timeout=CLIENT_TIMEOUT) as http:
            if n % 2:
                return http.get("/api/v1/projects", headers=who.bearer).status_code
            body = {**ENTRY, "body": f"entry by {n}"}
            return http.post("/api/v1/journal/entries", json=body, headers=who.bearer).status_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(call, [*range(40), *range(40), *range(40)]))

    assert sorted(statuses) == sorted([200] * 60 + [201] * 60)
    writers = [a.user.id for n, a in enumerate(accounts) if n % 2 == 0]
    with Session(database.engine) as db:
        noted = db.exec(select(ApiToken.user_id).where(ApiToken.last_used_at.is_not(None))).all()
    assert set(writers) <= set(noted)  # a write waits its turn to note it


def test_a_body_over_the_limit_is_refused_before_it_is_read(serve, account):
    server = serve(max_body_bytes=64 * 1024)
    huge = {**ENTRY, "body": "x" * (200 * 1024)}
    with httpx.Client(base_url=server.url, timeout=CLIENT_TIMEOUT) as http:
        declared = http.post("/api/v1/journal/entries", json=huge, headers=account.bearer)

        def chunks():
            payload = json.dumps(huge).encode()
            for i in range(0, len(payload), 8192):
                yield payload[i : i + 8192]

        chunked = http.post(
            "/api/v1/journal/entries",
            content=chunks(),
            headers={**account.bearer, "Content-Type": "application/json"},
        )
        still_fine = http.post("/api/v1/journal/entries", json=ENTRY, headers=account.bearer)

    for refused in (declared, chunked):
        assert refused.status_code == 413
        assert refused.json()["error"]["code"] == "payload_too_large"
        assert "65,536 bytes" in refused.json()["error"]["message"]
    assert still_fine.status_code == 201


def test_an_error_answer_keeps_the_connection_open(serve, account):
    """One keep-alive connection: a 404, a 422 and a 401 in a row, then a 200."""
    server = serve()
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    try:
        statuses = []
        for method, path, body, headers in [
            ("GET", "/api/v1/projects/999999", None, account.bearer),
            ("POST", "/api/v1/journal/entries", b'{"kind": "nope"}', account.bearer),
            ("GET", "/api/v1/projects", None, {"Authorization": "Bearer gf_unknown"}),
            ("GET", "/api/v1/projects", None, account.bearer),
        ]:
            conn.request(
                method, path, body=body, headers={**headers, "Content-Type": "application/json"}
            )
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)
            assert response.getheader("connection") != "close"
    finally:
        conn.close()
    assert statuses == [404, 422, 401, 200]


def test_other_users_are_served_during_a_burst_of_logins(serve, database, browser_for):
    """Password hashing runs two at a time, waiting on the event loop: 30
    people logging in at once do not take the threads that serve others."""
    server = serve(threads=4)
    people = [make_account(database, f"Login {i}") for i in range(30)]
    reader = people[0]
    finished: list[str] = []

    def log_in(n: int) -> None:
        person = browser_for(server)
        person.log_in(people[n].user.email)
        finished.append("login")

    def read() -> None:
        with httpx.Client(base_url=server.url, timeout=CLIENT_TIMEOUT) as http:
            assert http.get("/api/v1/projects", headers=reader.bearer).status_code == 200
        finished.append("read")

    with ThreadPoolExecutor(max_workers=31) as pool:
        logins = [pool.submit(log_in, n) for n in range(30)]
        # Let the logins queue up (each costs ~100 ms of CPU; 2 at a time).
        while sum(1 for f in logins if f.done()) < 2:
            time.sleep(0.01)
        reading = pool.submit(read)
        for f in [*logins, reading]:
            f.result()
    assert finished.index("read") < len(finished) - 5, finished


def test_a_replan_logging_a_new_release_is_written_whole(serve, database, account):
    """A re-plan logs its release inside a savepoint, then writes on in the
    same transaction (the savepoint's release is not the request's commit)."""
    with Session(database.engine, expire_on_commit=False) as db:
        project = factories.make_project(db, account.user, "Reward model robustness")
    server = serve()
    body = {
        "version": project.version,
        "release": {
            "title": "Their reward-model paper",
            "kind": "paper",
            "released_on": "2026-11-30",
            "url": "https://example.org/their-paper",
        },
        "effect": "scoop",
        "what_they_did": "Published the same robustness benchmark.",
        "what_stands": "Our low-resource results.",
        "decision": "differentiate",
        "assessment": {"attainability": 4, "scoop_risk": 2, "impact": 3, "success_axis": "best"},
        "plan": {"goal": "The careful evaluation of what they shipped.", "approach": "Reproduce."},
    }
    with httpx.Client(base_url=server.url, timeout=CLIENT_TIMEOUT) as http:
        response = http.post(
            f"/api/v1/projects/{project.id}/replans", json=body, headers=account.bearer
        )
    assert response.status_code == 201, response.text
    with Session(database.engine) as db:
        assert db.exec(select(sa.func.count()).select_from(Replan)).one() == 1
        assert db.exec(select(sa.func.count()).select_from(ReleaseLink)).one() == 1
