"""`goldfish demo` and the first page's "Explore with demo data": loaded
once, into an empty instance only, and never over real accounts."""

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from app.auth.models import User
from app.auth.routes import SIGNUP_PER_IP_HOUR
from app.auth.service import throttled
from app.db import make_engine
from app.demo.service import DEMO_EMAILS, RESEARCHER_EMAIL, demo_password, demo_state
from app.models import metadata
from app.projects.models import Project
from app.replans.models import Replan
from app.reviews.models import Review
from app.security import CSRF_COOKIE
from tests import factories, test_cli
from tests.helpers import count, soup
from tests.test_cli import run

cli_env = test_cli.cli_env  # the same fixture: a database of its own per test


def _row_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in metadata.sorted_tables
            }
    finally:
        engine.dispose()


def test_demo_loads_once_prints_the_accounts_and_a_second_run_changes_nothing(cli_env):
    assert run(cli_env, "migrate").returncode == 0
    first = run(cli_env, "demo")
    assert first.returncode == 0, first.stderr
    secret = cli_env["GOLDFISH_SECRET_KEY"]
    for email in DEMO_EMAILS:
        assert f"{email}  password: {demo_password(secret, email)}" in first.stdout
    loaded = _row_counts(cli_env["DATABASE_URL"])
    assert loaded["project"] == 12 and loaded["release"] == 32 and loaded["replan"] == 1
    assert loaded["journal_entry"] >= 55 and loaded["review"] == 2

    second = run(cli_env, "demo")
    assert second.returncode == 0, second.stderr
    assert "loaded already" in second.stdout
    assert second.stdout.splitlines()[1:] == first.stdout.splitlines()[1:]
    assert _row_counts(cli_env["DATABASE_URL"]) == loaded

    # The printed password logs in.
    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.main import create_app

    settings = Settings(env="test", database_url=cli_env["DATABASE_URL"], secret_key=secret)
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        client.get("/login")
        r = client.post(
            "/login",
            data={
                "email": RESEARCHER_EMAIL,
                "password": demo_password(secret, RESEARCHER_EMAIL),
                "csrftoken": client.cookies[CSRF_COOKIE],
            },
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert "Small curated instruction sets" in client.get("/").text


def test_demo_refuses_an_instance_with_real_accounts_and_writes_nothing(cli_env):
    assert run(cli_env, "migrate").returncode == 0
    made = run(cli_env, "create-user", "lin@example.org", "--password", "a good password")
    assert made.returncode == 0, made.stderr
    before = _row_counts(cli_env["DATABASE_URL"])
    refused = run(cli_env, "demo")
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "not demo accounts" in refused.stderr
    assert _row_counts(cli_env["DATABASE_URL"]) == before


def _button(client):
    return soup(client.get("/signup")).select_one("form[action$='/demo'] button")


def test_the_empty_first_page_offers_the_demo_and_logs_the_visitor_in(client, db: Session):
    r = client.get("/")
    assert r.status_code == 303 and r.headers["location"] == "/signup"
    assert _button(client).get_text(strip=True) == "Explore with demo data"

    r = client.submit("/demo")
    assert r.status_code == 303 and r.headers["location"] == "/"
    portfolio = client.get("/")
    assert portfolio.status_code == 200 and "Small curated instruction sets" in portfolio.text
    assert count(db, Replan) == 1 and count(db, Review) == 2

    # From now on the instance has accounts: no button, and the POST is refused.
    client.cookies.clear()
    assert _button(client) is None
    again = client.submit("/demo")
    assert again.status_code == 403
    assert "only offered to an empty" in soup(again).select_one("main").get_text()
    assert count(db, User) == 2 and count(db, Project) == 12


def test_the_demo_button_needs_the_csrf_token(client, db: Session):
    client.get("/signup")
    r = client.post("/demo", data={})
    assert r.status_code == 403
    assert count(db, User) == 0


def test_the_demo_button_is_not_shown_or_usable_once_a_real_user_exists(client, db, user):
    assert _button(client) is None
    r = client.submit("/demo")
    assert r.status_code == 403
    assert db.exec(select(User.email)).all() == [user.email]
    assert count(db, Project) == 0


def test_loading_the_demo_counts_as_a_sign_up_for_the_address_limit(client, db: Session):
    hour = timedelta(hours=1)
    for _ in range(SIGNUP_PER_IP_HOUR):  # ten sign-ups from this address
        assert not throttled(
            db, action="signup-ip", key="testclient", limit=SIGNUP_PER_IP_HOUR, window=hour
        )
    db.commit()
    r = client.submit("/demo")
    assert r.status_code == 429
    assert "Too many sign-ups" in soup(r).select_one("main").get_text()
    assert count(db, User) == 0


def test_demo_accounts_are_told_apart_by_address(db: Session):
    factories.make_user(db, email="researcher@example.org")
    assert demo_state(db) == (0, 1)
