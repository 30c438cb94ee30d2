"""A sync handler's transaction ends as the handler returns, before FastAPI
validates the response in another thread: no connection is held while the
request waits for that thread (at 50 clients, requests waiting so held every
connection while every thread waited for one)."""

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from pydantic import BaseModel, field_validator

from app.config import Settings
from app.db import Database, SessionDep
from app.main import create_app
from app.routing import Route
from tests.helpers import migrated_database

held_while_validating: list[int] = []
database_of_test: list[Database] = []


class Probe(BaseModel):
    users: int

    @field_validator("users")
    @classmethod
    def _note_connections(cls, value: int) -> int:
        held_while_validating.append(database_of_test[0].engine.pool.checkedout())
        return value


def read_and_answer(session: SessionDep) -> dict:
    # Returns a plain dict: FastAPI validates it against Probe after the handler.
    return {"users": session.execute(sa.text("SELECT count(*) FROM project")).scalar_one()}


def write_but_not_commit(session: SessionDep) -> dict:
    session.execute(sa.text("DELETE FROM project"))
    return {"users": 0}


@pytest.fixture
def client(new_database_url) -> Iterator[TestClient]:
    url = new_database_url("routing")
    with migrated_database(url) as database:
        database_of_test[:] = [database]
        held_while_validating.clear()
        settings = Settings(env="test", database_url=url, secret_key="r" * 48)
        app = create_app(settings, database=database)
        for path, endpoint, method in [
            ("/api/v1/probe", read_and_answer, "GET"),
            ("/api/v1/probe", write_but_not_commit, "POST"),
        ]:
            app.router.add_api_route(
                path, endpoint, methods=[method], response_model=Probe, route_class_override=Route
            )
        with TestClient(app, base_url="https://testserver") as c:
            yield c


def test_a_read_hands_back_its_connection_before_the_response_is_validated(client):
    assert client.get("/api/v1/probe").json() == {"users": 0}
    assert held_while_validating == [0]


def test_a_write_left_uncommitted_is_rolled_back_when_the_handler_returns(client):
    assert client.post("/api/v1/probe").status_code == 200
    assert held_while_validating == [0]
