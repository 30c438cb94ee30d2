"""The live tier: Goldfish served by `goldfish serve` in a subprocess, over a
file database (SQLite) or a PostgreSQL database (`pytest --postgres`), used
over real HTTP with real, separate connections.

The rest of the suite binds every session to one rolled-back connection,
which is fast and exact but blind to locks, pools, threads, processes and
signals: a bug of that class (a second write transaction inside a request)
once answered 500 to every new API token's first write on SQLite. Tests of
transactions, locks, sessions, concurrency and shutdown live here.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest
from alembic import command
from sqlmodel import Session

from app.auth.models import User
from app.cli import alembic_config
from app.db import Database, make_engine
from app.security import CSRF_COOKIE
from bench import server as live
from tests import factories

# Generous against a stall (the old bug hung 5 s then failed), short enough
# that a hang fails the test instead of the run.
CLIENT_TIMEOUT = httpx.Timeout(60.0)


@pytest.fixture
def database_url_live(new_database_url) -> str:
    """A fresh, migrated database of the kind under test, for one test."""
    url = new_database_url("live")
    command.upgrade(alembic_config(url), "head")
    return url


@pytest.fixture
def database(database_url_live: str) -> Iterator[Database]:
    """Direct access for arranging and checking, with its own connections."""
    db = Database(make_engine(database_url_live))
    yield db
    db.dispose()


@pytest.fixture
def serve(
    database_url_live: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., live.Server]]:
    """`serve(workers=2, threads=4)` starts a server over this test's database;
    every server started is stopped after the test, its log printed on failure."""
    started: list[live.Server] = []

    def start(*, workers: int = 1, **settings: object) -> live.Server:
        env = {f"GOLDFISH_{name.upper()}": str(value) for name, value in settings.items()}
        server = live.start(
            database_url_live,
            tmp_path,
            workers=workers,
            settings=env,
            log_name=f"server-{len(started)}.log",
        )
        started.append(server)
        return server

    yield start
    for server in started:
        if server.alive():
            try:
                server.stop()
            except Exception:
                server.kill()
        if getattr(request.node, "rep_call_failed", False):
            print(f"--- {server.log_path.name} ---\n{server.log_tail(80)}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call":
        item.rep_call_failed = report.failed
    return report


@dataclass
class Account:
    user: User
    token: str

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_account(database: Database, name: str = "Ada") -> Account:
    with Session(database.engine, expire_on_commit=False) as db:
        user = factories.make_user(db, display_name=name)
        token = factories.make_token(db, user)
    return Account(user=user, token=token)


@pytest.fixture
def account(database: Database) -> Account:
    return make_account(database)


class Browser:
    """A person's browser over real HTTP: keeps the session and CSRF cookies
    (by hand: they are `Secure`, and 127.0.0.1 is treated as secure by
    browsers but not by http.cookiejar) and sends the token with forms."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=CLIENT_TIMEOUT, follow_redirects=False)
        self.cookies: dict[str, str] = {}

    def _keep(self, response: httpx.Response) -> httpx.Response:
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if re.search(r"(?i)max-age=0|expires=thu, 01 jan 1970", header):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**({"Cookie": cookie} if cookie else {}), **(extra or {})}

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self._keep(self.http.get(path, headers=self._headers(), **kwargs))

    def post(self, path: str, data: dict[str, str], **kwargs) -> httpx.Response:
        if CSRF_COOKIE not in self.cookies:
            self.get("/login")
        form = {"csrftoken": self.cookies[CSRF_COOKIE], **data}
        headers = self._headers(kwargs.pop("headers", None))
        return self._keep(self.http.post(path, data=form, headers=headers, **kwargs))

    def log_in(self, email: str, password: str = factories.PASSWORD) -> None:
        response = self.post("/login", {"email": email, "password": password, "next": "/"})
        assert response.status_code == 303, response.text

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def browser_for() -> Iterator[Callable[[live.Server], Browser]]:
    opened: list[Browser] = []

    def make(server: live.Server) -> Browser:
        opened.append(Browser(server.url))
        return opened[-1]

    yield make
    for b in opened:
        b.close()
