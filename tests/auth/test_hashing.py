"""Argon2 never runs while the request holds a database connection (and so
never inside a transaction: on SQLite that would hold the write lock for the
~100 ms of a hash), and runs only a few at a time."""

import threading
import time
from collections.abc import Iterator

import anyio
import pytest
from fastapi import FastAPI
from sqlmodel import Session

from app.auth import passwords
from app.config import Settings
from app.db import Database
from app.main import create_app
from tests import factories
from tests.conftest import Client
from tests.helpers import migrated_database


@pytest.fixture
def real_app(new_database_url) -> Iterator[tuple[Client, Database]]:
    """The app over its own database with a real pool (not the rolled-back
    shared connection), so held connections can be counted."""
    url = new_database_url("hashing")
    settings = Settings(env="test", database_url=url, secret_key="h" * 48)
    with (
        migrated_database(url) as database,
        Client(
            create_app(settings, database=database),
            base_url="https://testserver",
            follow_redirects=False,
        ) as client,
    ):
        yield client, database


@pytest.fixture
def connections_held_while_hashing(monkeypatch, real_app) -> list[int]:
    _, database = real_app
    seen: list[int] = []
    hash_password, verify_password = passwords.hash_password, passwords.verify_password

    def hashing(password: str) -> str:
        seen.append(database.engine.pool.checkedout())
        return hash_password(password)

    def verifying(password: str, stored: str | None):
        seen.append(database.engine.pool.checkedout())
        return verify_password(password, stored)

    monkeypatch.setattr(passwords, "hash_password", hashing)
    monkeypatch.setattr(passwords, "verify_password", verifying)
    return seen


def test_signing_up_hashes_with_no_connection_held(real_app, connections_held_while_hashing):
    client, _ = real_app
    response = client.submit(
        "/signup",
        {"email": "new@example.org", "display_name": "New", "password": "a long enough pass"},
    )
    assert response.status_code == 303
    assert connections_held_while_hashing == [0]


@pytest.mark.parametrize("password", [factories.PASSWORD, "the wrong password"])
def test_logging_in_checks_the_password_with_no_connection_held(
    real_app, connections_held_while_hashing, password
):
    client, database = real_app
    with Session(database.engine, expire_on_commit=False) as db:
        user = factories.make_user(db, email="ada@example.org")
    response = client.submit("/login", {"email": user.email, "password": password})
    assert response.status_code == (303 if password == factories.PASSWORD else 401)
    assert connections_held_while_hashing == [0]


def test_an_unknown_account_costs_a_hash_too(real_app, connections_held_while_hashing):
    client, _ = real_app
    response = client.submit("/login", {"email": "nobody@example.org", "password": "whatever1"})
    assert response.status_code == 401
    assert connections_held_while_hashing == [0]


def test_at_most_two_hashes_run_at_once(monkeypatch):
    running, most = 0, 0
    lock = threading.Lock()

    def slow_hash(password: str) -> str:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return "hashed"

    monkeypatch.setattr(passwords, "hash_password", slow_hash)
    app = FastAPI()

    async def burst() -> None:
        async with anyio.create_task_group() as tg:
            for _ in range(8):
                tg.start_soon(passwords.hash_password_limited, app, "pw")

    # In a thread of its own: the browser tests' Playwright may own this
    # thread's event loop when they share the pytest process.
    runner = threading.Thread(target=anyio.run, args=(burst,))
    runner.start()
    runner.join(30)
    assert most == passwords.MAX_CONCURRENT_HASHES == 2
