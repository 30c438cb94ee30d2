"""`goldfish import` refuses a bad archive with one line and a non-zero
exit, and writes nothing: not a row, whatever was wrong and wherever."""

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from tests.data.conftest import migrated
from tests.data.seed import row_counts, seed_every_table
from tests.data.test_roundtrip import export_bytes
from tests.test_cli import run


@pytest.fixture
def archive(source) -> bytes:
    with source.session(write=True) as s:
        seed_every_table(s)
    return export_bytes(source, include_secrets=False)


@pytest.fixture
def target(new_database_url, tmp_path: Path):
    url = new_database_url("target")
    database = migrated(url)
    yield url, database
    database.dispose()


def rewrite(archive: bytes, *, files=None, manifest=None, fix_checksums=False) -> bytes:
    """The archive with some files replaced, the manifest edited, and (to
    get past the checksums) their sums and counts made to match again."""
    files = files or {}
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        contents = {name: z.read(name) for name in z.namelist()}
    contents.update(files)
    meta = json.loads(contents["manifest.json"])
    if fix_checksums:
        for entry in meta["tables"]:
            data = contents[entry["file"]]
            entry["sha256"] = hashlib.sha256(data).hexdigest()
            entry["rows"] = data.count(b"\n")
    if manifest:
        manifest(meta)
    contents["manifest.json"] = json.dumps(meta).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in contents.items():
            z.writestr(name, data)
    return out.getvalue()


def refused(target, tmp_path: Path, data: bytes, *args: str) -> str:
    url, database = target
    path = tmp_path / "bad.zip"
    path.write_bytes(data)
    done = run(_env(url), "import", str(path), *args)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("goldfish: "), done.stderr
    with database.engine.connect() as connection:
        assert set(row_counts(connection).values()) == {0}  # nothing written
    return lines[0]


def _env(url: str) -> dict:

    return {
        **os.environ,
        "DATABASE_URL": url,
        "GOLDFISH_ENV": "test",
        "GOLDFISH_SECRET_KEY": "c" * 48,
    }


def test_a_good_archive_loads_through_the_command(archive, target, tmp_path):
    url, database = target
    path = tmp_path / "good.zip"
    path.write_bytes(archive)
    done = run(_env(url), "import", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Imported ")
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        listed = {t["name"]: t["rows"] for t in json.loads(z.read("manifest.json"))["tables"]}
    with database.engine.connect() as connection:
        loaded = {name: n for name, n in row_counts(connection).items() if n}
    assert loaded == {name: n for name, n in listed.items() if n} and loaded["journal_entry"] == 3


def test_a_truncated_zip(archive, target, tmp_path):
    line = refused(target, tmp_path, archive[: len(archive) // 2])
    assert "not a readable zip archive" in line


def test_a_zip_bomb(archive, target, tmp_path):
    bomb = rewrite(archive, files={"tables/release.jsonl": b" " * (50 * 1024 * 1024)})
    line = refused(target, tmp_path, bomb)
    assert "zip bomb" in line and "tables/release.jsonl" in line


def test_an_archive_larger_than_allowed(archive, target, tmp_path):
    line = refused(target, tmp_path, archive, "--max-bytes", "1000")
    assert "unpacks to more than 1,000 bytes" in line


def test_a_file_changed_after_export(archive, target, tmp_path):
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        releases = z.read("tables/release.jsonl")
    changed = rewrite(
        archive, files={"tables/release.jsonl": releases.replace(b"Alpaca", b"Llama!")}
    )
    line = refused(target, tmp_path, changed)
    assert "tables/release.jsonl does not match its sha256 checksum" in line


def test_a_newer_format(archive, target, tmp_path):
    newer = rewrite(archive, manifest=lambda m: m.update(format_version=2))
    line = refused(target, tmp_path, newer)
    assert "format version 2, newer than this Goldfish reads (1): upgrade Goldfish" in line


def test_an_older_format_says_why(archive, target, tmp_path):
    older = rewrite(archive, manifest=lambda m: m.update(format_version=0))
    line = refused(target, tmp_path, older)
    assert "format version 0" in line and "no upgrade step exists" in line


def test_another_schema_revision(archive, target, tmp_path):
    other = rewrite(archive, manifest=lambda m: m.update(schema_revision="0123abcd"))
    line = refused(target, tmp_path, other)
    assert "made at schema revision 0123abcd" in line


def test_a_file_not_in_the_manifest(archive, target, tmp_path):
    line = refused(target, tmp_path, rewrite(archive, files={"tables/extra.jsonl": b""}))
    assert "tables/extra.jsonl, not listed" in line


def test_a_row_the_database_refuses_rolls_back_every_table_before_it(archive, target, tmp_path):
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        projects = z.read("tables/project.jsonl")
    # Owned by nobody: refused by the foreign key after users, teams… went in.
    orphan = projects.replace(b'"owner_id":1', b'"owner_id":999', 1)
    bad = rewrite(archive, files={"tables/project.jsonl": orphan}, fix_checksums=True)
    line = refused(target, tmp_path, bad)
    assert "tables/project.jsonl rows 1–2: the database refused them" in line


def test_a_line_that_is_not_a_row(archive, target, tmp_path):
    bad = rewrite(archive, files={"tables/team.jsonl": b'{"id": 1}\n'}, fix_checksums=True)
    line = refused(target, tmp_path, bad)
    assert "tables/team.jsonl line 1: not a row with the columns the manifest lists" in line


def test_one_persons_download_is_not_an_instance(archive, target, tmp_path):
    line = refused(target, tmp_path, rewrite(archive, manifest=lambda m: m.update(scope="user")))
    assert "one person's own data" in line


def test_a_target_that_holds_data(archive, target, tmp_path):
    url, database = target
    path = tmp_path / "good.zip"
    path.write_bytes(archive)
    assert run(_env(url), "import", str(path)).returncode == 0
    with database.engine.connect() as connection:
        before = row_counts(connection)
    again = run(_env(url), "import", str(path))
    assert again.returncode == 1
    assert (
        again.stderr.strip().splitlines() == [again.stderr.strip()]
        and "the database is not empty (login_attempt: 1 row" in again.stderr
    )
    with database.engine.connect() as connection:
        assert row_counts(connection) == before
