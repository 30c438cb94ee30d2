"""What the app does once, when it starts serving."""

import gc

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import RolledBackDatabase


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.mark.parametrize("freeze", [True, False])
def test_start_up_freezes_what_it_made_out_of_the_collectors_reach(
    settings, connection, unfrozen, freeze
):
    """gc.freeze() after start-up: a collection during a request no longer
    walks every module, route and template (p95 pauses on small pages).
    GOLDFISH_GC_FREEZE=false turns it off, for the bench to compare."""
    app = create_app(
        settings.model_copy(update={"gc_freeze": freeze}), RolledBackDatabase(connection)
    )
    assert gc.get_freeze_count() == 0
    with TestClient(app, base_url="https://testserver") as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        frozen = gc.get_freeze_count()
    assert (frozen > 10_000) is freeze
