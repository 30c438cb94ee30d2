"""The last-resort answers: an unexpected error, a busy database."""

import sqlite3

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.db import is_busy


def test_an_unexpected_error_is_answered_without_reraising(app):
    """Starlette's own handler re-raises after answering, which makes uvicorn
    drop the keep-alive connection; ours answers and stops there."""

    def explode() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/v1/explode", explode)
    app.add_api_route("/explode", explode)
    # raise_server_exceptions: anything re-raised would fail this test.
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=True) as c:
        api = c.get("/api/v1/explode")
        page = c.get("/explode")
    assert api.status_code == 500
    assert api.json()["error"] == {
        "status": 500,
        "code": "internal_error",
        "message": "Something went wrong on our side.",
        "fields": [],
    }
    assert page.status_code == 500
    assert "Nothing was saved" in page.text


def test_a_busy_database_in_a_handler_is_a_503_with_retry_after(app, api):
    def busy() -> None:
        error = sqlite3.OperationalError("database is locked")
        error.sqlite_errorcode = 5
        raise sa.exc.OperationalError("BEGIN IMMEDIATE", {}, error)

    app.add_api_route("/api/v1/busy", busy)
    response = api.get("/api/v1/busy")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.json()["error"]["code"] == "busy"


class _PgError(Exception):
    def __init__(self, sqlstate: str | None) -> None:
        self.sqlstate = sqlstate


def _sqlite(code: int, message: str = "x") -> sa.exc.OperationalError:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code
    return sa.exc.OperationalError("stmt", {}, error)


@pytest.mark.parametrize(
    ("error", "busy"),
    [
        (_sqlite(5, "database is locked"), True),
        (_sqlite(517, "database is locked"), True),  # SQLITE_BUSY_SNAPSHOT
        (_sqlite(6, "database table is locked"), True),
        (_sqlite(1, "no such table: project"), False),
        (sa.exc.OperationalError("stmt", {}, _PgError("55P03")), True),  # lock_timeout
        (sa.exc.OperationalError("stmt", {}, _PgError("40P01")), True),  # deadlock
        (sa.exc.OperationalError("stmt", {}, _PgError(None)), True),  # server unreachable
        (sa.exc.ProgrammingError("stmt", {}, _PgError("42P01")), False),  # no such table
        (sa.exc.IntegrityError("stmt", {}, _PgError("23505")), False),
        (sa.exc.TimeoutError("QueuePool limit reached"), True),
        (ValueError("not a database error"), False),
    ],
)
def test_which_database_errors_mean_busy(error, busy):
    assert is_busy(error) is busy
