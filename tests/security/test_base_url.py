"""With GOLDFISH_BASE_URL set, the Host header a client sends never reaches
a redirect or an invite link."""

import pytest

from app.main import create_app
from tests import factories
from tests.conftest import Client
from tests.helpers import soup


@pytest.fixture
def canonical(settings, connection):
    from tests.conftest import RolledBackDatabase

    settings.base_url = "https://gf.example.org"
    app = create_app(settings, database=RolledBackDatabase(connection))
    with Client(app, base_url="https://testserver", follow_redirects=False) as client:
        client.headers["host"] = "evil.example"  # what an attacker's request says
        yield client


def test_redirects_and_invite_links_use_the_base_url(canonical, db, user):
    factories.log_in(canonical, db, user)
    r = canonical.submit("/teams", {"name": "Vision"})
    assert r.status_code == 303
    assert r.headers["location"].startswith("https://gf.example.org/teams/")
    team_path = r.headers["location"].removeprefix("https://gf.example.org")
    r = canonical.submit(f"{team_path}/invites", {"role": "manager", "days": "7"})
    link = soup(r).select_one("#invite-link")["value"]
    assert link.startswith("https://gf.example.org/teams/")
    assert "evil.example" not in r.text


def test_without_a_base_url_development_follows_the_request(client, db, user):
    factories.log_in(client, db, user)
    r = client.submit("/teams", {"name": "Vision"})
    assert r.headers["location"].startswith("https://testserver/teams/")


def test_production_requires_a_base_url():
    from pydantic import ValidationError

    from app.config import Settings

    with pytest.raises(ValidationError, match="GOLDFISH_BASE_URL"):
        Settings(env="production", secret_key="q7Vd-2kP9xZr_Lm4Tn8Wb3Yc6Hf1Js5Ga0Ue")
    with pytest.raises(ValidationError, match="without a path"):
        Settings(env="test", secret_key="t" * 48, base_url="https://gf.example.org/app")
