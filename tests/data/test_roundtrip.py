"""A full export imports into an empty instance on the other database and
exports again to the same bytes; ids, secrets and sequences behave."""

import io
import json
import os
import zipfile
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from app.auth.models import User
from app.data.archive import SECRET_TABLES, ArchiveReader
from app.data.export import instance_export
from app.data.load import instance_import
from app.models import metadata
from tests import factories
from tests.data.conftest import migrated
from tests.data.seed import row_counts, seed_every_table

WHEN = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def export_bytes(database, *, include_secrets: bool, now=WHEN) -> bytes:
    out = io.BytesIO()
    with database.engine.connect() as connection:
        instance_export(connection, out, include_secrets=include_secrets, now=now)
    return out.getvalue()


def import_bytes(database, archive: bytes) -> None:
    with database.session(write=True) as session:
        instance_import(session.connection(), ArchiveReader(io.BytesIO(archive)))
        session.commit()


def test_every_table_crosses_to_the_other_database_and_back_unchanged(source, other_database_url):
    with source.session(write=True) as s:
        seed_every_table(s)
    with source.engine.connect() as connection:
        counts = row_counts(connection)
    # Every table the app owns has rows, so none can be silently left out.
    assert [name for name, n in counts.items() if n == 0] == []
    first = export_bytes(source, include_secrets=True)

    target = migrated(other_database_url)
    try:
        if "GOLDFISH_TEST_POSTGRES_URL" in os.environ:  # CI: always across engines
            assert target.engine.dialect.name != source.engine.dialect.name
        import_bytes(target, first)
        with target.engine.connect() as connection:
            assert row_counts(connection) == counts
        assert export_bytes(target, include_secrets=True) == first

        # The ids came along and the next id is fresh (PostgreSQL's sequences moved on).
        with target.session(write=True) as s:
            ada = s.exec(select(User).where(User.email == "ada@example.org")).one()
            newcomer = factories.make_user(s, email="after@example.org")
            project = factories.make_project(s, ada, "Made after the import")
            largest = s.execute(sa.select(sa.func.max(metadata.tables["project"].c.id)))
            assert newcomer.id == counts["user"] + 1
            assert project.id == largest.scalar_one() == counts["project"] + 1
    finally:
        target.dispose()


def test_without_secrets_no_credential_leaves_and_the_rest_round_trips(source, other_database_url):
    with source.session(write=True) as s:
        seed_every_table(s)
        hashes = [h for h in s.exec(select(User.password_hash)) if h]
    archive = export_bytes(source, include_secrets=False)
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("manifest.json"))
        everything = b"".join(z.read(name) for name in names)
    assert not {f"tables/{name}.jsonl" for name in SECRET_TABLES} & names
    columns = {t["name"]: t["columns"] for t in manifest["tables"]}
    assert "password_hash" not in columns["user"] and "token_hash" not in columns["invite"]
    assert all(h.encode() not in everything for h in hashes)
    assert b"token_hash" not in everything

    target = migrated(other_database_url)
    try:
        import_bytes(target, archive)
        again = export_bytes(target, include_secrets=False, now=datetime.now(UTC))
        # Only the manifest's export time differs between the two archives.
        with zipfile.ZipFile(io.BytesIO(archive)) as a, zipfile.ZipFile(io.BytesIO(again)) as b:
            assert a.namelist() == b.namelist()
            for name in a.namelist():
                if name != "manifest.json":
                    assert a.read(name) == b.read(name), name
            first, second = json.loads(a.read("manifest.json")), json.loads(b.read("manifest.json"))
            assert first.pop("exported_at") != second.pop("exported_at")
            assert first == second
        # Imported people have no password until one is set for them.
        with Session(target.engine) as s:
            assert set(s.exec(select(User.password_hash))) == {"!"}
    finally:
        target.dispose()
