"""The `goldfish` command, run as a user would, against its own database."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import ROOT

GOLDFISH = [sys.executable, "-m", "app.cli"]


@pytest.fixture
def cli_env(new_database_url) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": new_database_url("cli"),
        "GOLDFISH_ENV": "test",
        "GOLDFISH_SECRET_KEY": "c" * 48,
    }


def run(env: dict, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*GOLDFISH, *args],
        env=env,
        cwd=ROOT,
        input=input,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_migrate_create_user_and_token_then_call_the_api(cli_env, tmp_path: Path):
    assert run(cli_env, "migrate").returncode == 0
    made = run(
        cli_env, "create-user", "Lin@Example.org", "--name", "Lin", "--password", "a good password"
    )
    assert made.returncode == 0, made.stderr
    assert "lin@example.org" in made.stdout

    again = run(cli_env, "create-user", "lin@example.org", "--password", "a good password")
    assert again.returncode == 1 and "exists" in again.stderr

    weak = run(cli_env, "create-user", "new@example.org", "--password", "short")
    assert weak.returncode == 2 and "password" in weak.stderr

    token = run(cli_env, "create-token", "lin@example.org", "--name", "bot")
    assert token.returncode == 0, token.stderr
    raw = token.stdout.strip()
    assert raw.startswith("gf_")

    nobody = run(cli_env, "create-token", "nobody@example.org")
    assert nobody.returncode == 1 and "No account" in nobody.stderr

    # The printed token works against an app on the same database.
    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.main import create_app

    settings = Settings(env="test", database_url=cli_env["DATABASE_URL"], secret_key="c" * 48)
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        r = client.get("/api/v1/projects", headers={"Authorization": f"Bearer {raw}"})
        assert r.status_code == 200 and r.json()["items"] == []


def test_production_refuses_to_start_without_a_secret_key():
    from pydantic import ValidationError

    from app.config import Settings

    with pytest.raises(ValidationError, match="GOLDFISH_SECRET_KEY"):
        Settings(env="production", secret_key="")
    strong = "q7Vd-2kP9xZr_Lm4Tn8Wb3Yc6Hf1Js5Ga0Ue"
    production = Settings(env="production", secret_key=strong, base_url="https://gf.example.org")
    assert production.secret_key == strong


def test_score_mapping_and_residuals_are_validated():
    from pydantic import ValidationError

    from app.config import Settings

    assert Settings(
        env="test", secret_key="k" * 40, score_mapping="0.2,0.4,0.6,0.8,1"
    ).score_mapping == (
        0.2,
        0.4,
        0.6,
        0.8,
        1.0,
    )
    with pytest.raises(ValidationError):
        Settings(env="test", secret_key="k" * 40, score_mapping="0.9,0.1,0.5,0.5,0.5")
    with pytest.raises(ValidationError):
        Settings(env="test", secret_key="k" * 40, residual_best=1.5)
