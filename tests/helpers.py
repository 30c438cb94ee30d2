"""Small helpers for reading what a test got back: rows counted, pages
parsed, API errors checked, and clients that act as someone.

`factories` writes data the way the app does; this module reads results.
`tests/support/` is for machinery outside the test process (a server
subprocess, another program holding a lock), not for these."""

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import command
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import select

from app.cli import alembic_config
from app.db import Database, make_engine
from tests import factories

# ---------------------------------------------------------------- rows


def count(db, model, *where) -> int:
    """How many rows of `model` (matching `where`, if given) there are."""
    return db.exec(select(sa.func.count()).select_from(model).where(*where)).one()


@contextmanager
def migrated_database(url: str) -> Iterator[Database]:
    """A database at `url` upgraded to head, with its own real connections
    (not the rolled-back test connection), disposed of afterwards."""
    command.upgrade(alembic_config(url), "head")
    database = Database(make_engine(url))
    try:
        yield database
    finally:
        database.dispose()


# ---------------------------------------------------------------- pages


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def words(tag) -> str:
    """The text of a tag as a reader sees it: one space between words."""
    return " ".join(tag.get_text(" ").split())


# ---------------------------------------------------------------- API errors


def api_error(response) -> dict:
    """The error of an API response, checked to have the one envelope every
    API error has: `{"error": {"status", "code", "message", "fields"}}`."""
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"status", "code", "message", "fields"}, error
    assert error["status"] == response.status_code, error
    return error


def error_of(response, status: int, code: str) -> dict:
    """The error of a response that must be this status and code, with a message."""
    assert response.status_code == status, response.text
    error = api_error(response)
    assert error["code"] == code and error["message"], error
    return error


def field_error(response, field: str) -> None:
    """A 422 that names `field` among the fields it refuses."""
    error = error_of(response, 422, "validation_error")
    assert field in [f["field"] for f in error["fields"]], error


# ---------------------------------------------------------------- acting as someone


def token_of(db, person) -> dict:
    """Headers that make an API call as `person`."""
    return {"Authorization": f"Bearer {factories.make_token(db, person)}"}


def api_for(app, db, person, **options) -> TestClient:
    """An API client that calls as `person`, with a token of their own
    (`options` go to the TestClient, e.g. raise_server_exceptions=False)."""
    return TestClient(app, base_url="https://testserver", headers=token_of(db, person), **options)


def as_user(client, db, person):
    """The browser-like `client`, logged out of whoever it was and in as `person`."""
    client.cookies.clear()
    factories.log_in(client, db, person)
    return client
