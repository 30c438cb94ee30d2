"""`goldfish backup` copies a live SQLite database while writers run, and
`goldfish restore` brings it back identical; a restore never replaces data
unless told to."""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.data.backup import row_counts
from tests.data.conftest import migrated
from tests.test_cli import run

# A writer process: rows in transactions of ten, until told to stop. A
# consistent copy holds whole transactions only: a multiple of ten.
WRITER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("PRAGMA busy_timeout=30000")
n = 0
while True:
    db.execute("BEGIN IMMEDIATE")
    for _ in range(10):
        db.execute("INSERT INTO login_attempt (email, client_ip, attempted_at)"
                   " VALUES (?, '192.0.2.1', '2026-12-01 00:00:00')", (f"w{sys.argv[2]}-{n}@x",))
        n += 1
    db.execute("COMMIT")
    print(n, flush=True)
"""


def _env(url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "GOLDFISH_ENV": "test",
        "GOLDFISH_SECRET_KEY": "c" * 48,
    }


@pytest.fixture
def live(tmp_path: Path):
    """A migrated SQLite file with some bulk, so that a backup takes a while."""
    url = f"sqlite:///{tmp_path / 'live.db'}"
    migrated(url).dispose()
    db = sqlite3.connect(tmp_path / "live.db", isolation_level=None)
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO throttle_event (action, key, at) VALUES ('signup', ?, '2026-12-01 00:00:00')",
        ((f"{i:06d}" + "k" * 200,) for i in range(60_000)),
    )
    db.execute("COMMIT")
    db.close()
    return url, tmp_path / "live.db"


def _logins(path: Path) -> int:
    return row_counts(path)["login_attempt"]


def test_a_backup_taken_while_writers_run_restores_to_a_consistent_copy(live, tmp_path):
    url, path = live
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(i)], stdout=subprocess.PIPE)
        for i in range(2)
    ]
    try:
        for writer in writers:  # both have committed before the backup starts
            assert writer.stdout.readline()
        before = _logins(path)
        done = run(_env(url), "backup", str(tmp_path / "backups"))
        after = _logins(path)
    finally:
        for writer in writers:
            writer.kill()
            writer.wait()
            writer.stdout.close()
    assert done.returncode == 0, done.stderr
    [made] = (tmp_path / "backups").glob("goldfish-*.db")
    assert done.stdout.strip() == f"Backed up to {made}"
    assert oct(made.stat().st_mode & 0o777) == "0o600"
    copied = row_counts(made)
    # The copy is one moment of the live database: whole transactions, and
    # no fewer rows than before it started, no more than after it ended.
    assert before <= copied["login_attempt"] <= after and after > before
    assert copied["login_attempt"] % 10 == 0
    assert copied["throttle_event"] == 60_000

    restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
    back = run(_env(restored_url), "restore", str(made))
    assert back.returncode == 0, back.stderr
    restored = tmp_path / "restored.db"
    assert row_counts(restored) == copied
    with sqlite3.connect(restored) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_backups_are_rotated_with_keep(live, tmp_path):
    url, _ = live
    folder = tmp_path / "backups"
    for _ in range(4):
        assert run(_env(url), "backup", str(folder), "--keep", "2").returncode == 0
        time.sleep(0.01)
    kept = sorted(folder.glob("goldfish-*.db"))
    assert len(kept) == 2
    last = run(_env(url), "backup", str(folder), "--keep", "2")
    assert f"Removed {kept[0]} (--keep 2)" in last.stdout
    assert sorted(folder.glob("goldfish-*.db"))[0] == kept[1]
    assert not list(folder.glob(".*partial"))


def test_restore_refuses_to_replace_a_database_with_data_unless_forced(live, tmp_path):
    url, path = live
    made = run(_env(url), "backup", str(tmp_path / "b"))
    [backup] = (tmp_path / "b").glob("goldfish-*.db")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("DELETE FROM throttle_event WHERE id > 10")
    db.close()

    refused = run(_env(url), "restore", str(backup))
    assert refused.returncode == 1 and made.returncode == 0
    assert refused.stderr.strip().splitlines() == [
        f"goldfish: {path} holds data: refusing to overwrite it; pass --force to replace it"
        " (it is backed up beside itself first)"
    ]
    assert row_counts(path)["throttle_event"] == 10

    forced = run(_env(url), "restore", str(backup), "--force")
    assert forced.returncode == 0, forced.stderr
    assert row_counts(path)["throttle_event"] == 60_000
    [saved] = [p for p in path.parent.glob("goldfish-*.db")]
    assert row_counts(saved)["throttle_event"] == 10  # what was replaced is kept


def test_not_a_backup_and_not_sqlite(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    bad = run(_env(f"sqlite:///{tmp_path / 'new.db'}"), "restore", str(junk))
    assert bad.returncode == 1 and "is not a SQLite database" in bad.stderr
    postgres = run(_env("postgresql+psycopg://u:p@127.0.0.1:9/x"), "backup", str(tmp_path))
    assert postgres.returncode == 1 and "for PostgreSQL use pg_dump" in postgres.stderr
