"""Test fixtures. Each test runs in a transaction that is rolled back, on a
schema built by the Alembic migrations (never create_all).

SQLite by default; `pytest --postgres` runs the same suite on the PostgreSQL
server at GOLDFISH_TEST_POSTGRES_URL (a database is created and dropped)."""

import os
import secrets
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient
from markdown_it import MarkdownIt
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session

from app.cli import alembic_config
from app.config import Settings
from app.db import Database, make_engine
from app.main import create_app
from app.markdown import render_markdown
from app.security import CSRF_COOKIE
from bench.sql import SAVEPOINTS, counting
from tests import factories
from tests.helpers import api_for


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--postgres",
        action="store_true",
        help="run against PostgreSQL at GOLDFISH_TEST_POSTGRES_URL instead of SQLite",
    )
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="leave out the tests that open no database (the engine cannot change them);"
        " `make test` passes it to its PostgreSQL run, after the SQLite run has run them",
    )


def opens_a_database(item: pytest.Item) -> bool:
    """Every database a test opens, and every server it starts, comes from
    `new_database_url`, so a test whose fixtures do not reach it is the same
    test on either engine."""
    return "postgres_admin_url" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--database-tests-only"):
        return
    left_out = [item for item in items if not opens_a_database(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if opens_a_database(item)]


def pytest_report_header(config: pytest.Config) -> str:
    return "database: " + ("PostgreSQL" if config.getoption("--postgres") else "SQLite")


@pytest.fixture(scope="session")
def postgres_admin_url(request: pytest.FixtureRequest) -> str | None:
    if not request.config.getoption("--postgres"):
        return None
    url = os.environ.get("GOLDFISH_TEST_POSTGRES_URL")
    if not url:
        pytest.fail(
            "--postgres needs GOLDFISH_TEST_POSTGRES_URL, a server where tests may create databases"
        )
    return url


def _fresh_postgres_database(admin_url: str) -> tuple[str, Engine]:
    name = f"goldfish_test_{secrets.token_hex(4)}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), admin


@pytest.fixture(scope="session")
def new_database_url(tmp_path_factory: pytest.TempPathFactory, postgres_admin_url: str | None):
    """A factory of empty databases of the kind under test."""
    admins: list[tuple[Engine, str]] = []

    def make(label: str = "db") -> str:
        if postgres_admin_url is None:
            return f"sqlite:///{tmp_path_factory.mktemp(label) / 'goldfish.db'}"
        url, admin = _fresh_postgres_database(postgres_admin_url)
        admins.append((admin, make_url(url).database))
        return url

    yield make
    for admin, name in admins:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(new_database_url) -> str:
    return new_database_url("main")


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    command.upgrade(alembic_config(database_url), "head")
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


class RolledBackDatabase(Database):
    """Every session joins the test's outer transaction through a savepoint,
    so a handler's commit is real to the app and undone after the test."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.engine = connection.engine

    def session(self, *, write: bool = False, reads_after_commit: bool = False) -> Session:
        return Session(
            bind=self.connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )

    def dispose(self) -> None:
        pass


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def db(connection: Connection) -> Iterator[Session]:
    """A session for arranging and checking data, inside the test's transaction."""
    with Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    ) as session:
        yield session


@pytest.fixture
def settings(database_url: str) -> Settings:
    # gc_freeze off: each test's app would freeze that test's objects for good.
    return Settings(env="test", database_url=database_url, secret_key="t" * 48, gc_freeze=False)


@pytest.fixture
def app(settings: Settings, connection: Connection):
    return create_app(settings, database=RolledBackDatabase(connection))


class Client(TestClient):
    """A browser stand-in: keeps cookies and sends the CSRF token with forms."""

    def csrf(self) -> str:
        if CSRF_COOKIE not in self.cookies:
            self.get("/login")
        return self.cookies[CSRF_COOKIE]

    def submit(self, url: str, data: dict | None = None, **kwargs):
        return self.post(url, data={"csrftoken": self.csrf(), **(data or {})}, **kwargs)

    def htmx(self, url: str, data: dict | None = None, **kwargs):
        headers = {"HX-Request": "true", "x-csrftoken": self.csrf(), **kwargs.pop("headers", {})}
        return self.post(url, data=data or {}, headers=headers, **kwargs)


@pytest.fixture
def client(app) -> Iterator[Client]:
    # https: the session and CSRF cookies are Secure.
    with Client(app, base_url="https://testserver", follow_redirects=False) as c:
        yield c


@pytest.fixture
def user(db: Session):
    return factories.make_user(db, email="ada@example.org", display_name="Ada")


@pytest.fixture
def other_user(db: Session):
    return factories.make_user(db, email="grace@example.org", display_name="Grace")


@pytest.fixture
def logged_in(client: Client, db: Session, user) -> Client:
    factories.log_in(client, db, user)
    return client


@pytest.fixture
def api(app, db: Session, user) -> Iterator[TestClient]:
    with api_for(app, db, user) as c:
        yield c


@pytest.fixture
def count_queries(connection: Connection):
    """`with count_queries() as counted: ...` then `counted.n` statements ran
    (`counted.statements` holds them); the harness's savepoints are not counted."""
    return lambda: counting(connection, ignore=SAVEPOINTS)


@pytest.fixture
def markdown_rendering_stopped(monkeypatch: pytest.MonkeyPatch):
    """Call it once the data is written: from then on rendering Markdown
    fails, so a page that still shows formatted bodies shows stored HTML."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("Markdown rendered while showing a page")

    def stop() -> None:
        monkeypatch.setattr(MarkdownIt, "render", refuse)
        with pytest.raises(AssertionError, match="Markdown rendered"):
            render_markdown("**the renderer is off**")

    return stop
