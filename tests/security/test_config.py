"""Production settings refuse weak secrets without echoing them; secrets and
the SQLite database are private to their owner from the moment they exist."""

import os
import secrets
import stat
import subprocess
import sys

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from app import config
from app.config import ROOT, Settings
from app.db import make_engine


@pytest.mark.parametrize("weak", ["a" * 32, "ab" * 20, "password" * 5, "0123456789" * 4])
def test_production_refuses_a_low_entropy_secret(weak):
    with pytest.raises(ValidationError, match="too regular") as refused:
        Settings(env="production", secret_key=weak)
    assert weak not in str(refused.value)


@pytest.mark.parametrize(
    "make",
    [
        lambda: secrets.token_urlsafe(32),
        lambda: secrets.token_hex(16),
        # 32 random hex digits in which zxcvbn sees patterns (it rates them 92 bits)
        lambda: "224006818962174df452ab4db04f4a99",
    ],
)
def test_production_accepts_a_random_secret(make):
    strong = make()
    settings = Settings(env="production", secret_key=strong, base_url="https://gf.example.org")
    assert settings.secret_key == strong


def test_the_refused_secret_is_never_printed_by_the_command(tmp_path):
    weak = "s" * 40
    env = {
        **os.environ,
        "GOLDFISH_ENV": "production",
        "GOLDFISH_SECRET_KEY": weak,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
    }
    run = subprocess.run(
        [sys.executable, "-m", "app.cli", "migrate"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0
    assert "GOLDFISH_SECRET_KEY" in run.stderr
    assert weak not in run.stdout + run.stderr


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_sqlite_database_and_its_wal_are_owner_only(tmp_path):
    old = os.umask(0o022)  # a usual umask would make them 0644
    try:
        path = tmp_path / "private.db"
        engine = make_engine(f"sqlite:///{path}")
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
            conn.execute(sa.text("INSERT INTO t VALUES (1)"))
            assert _mode(path) == 0o600
            assert _mode(f"{path}-wal") == 0o600
        engine.dispose()
    finally:
        os.umask(old)


def test_the_development_secret_file_is_owner_only(tmp_path, monkeypatch):
    old = os.umask(0o022)
    monkeypatch.setattr(config, "VAR_DIR", tmp_path / "var")
    try:
        settings = Settings(env="dev", secret_key="")
    finally:
        os.umask(old)
    key_file = tmp_path / "var" / "secret_key"
    assert _mode(key_file) == 0o600
    assert key_file.read_text() == settings.secret_key
    assert Settings(env="dev", secret_key="").secret_key == settings.secret_key
