"""A 1,000-row CSV of projects imported end to end into a migrated SQLite
file (or the DATABASE_URL given): read and sniffed, mapped as guessed,
every row checked, then written in one transaction by the worker's path.
Prints each step's time, the statements' rate and the peak memory.

    python -m bench.spreadsheet [--rows 1000]
"""

import argparse
import csv
import io
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from alembic import command
from sqlmodel import func, select

from app.auth import service as auth_service
from app.auth.models import UserCreate
from app.cli import alembic_config
from app.db import Database, make_engine
from app.projects.models import Project
from app.spreadsheets import service
from app.spreadsheets.models import ImportStatus
from app.spreadsheets.worker import run_due
from bench.seed import PASSWORD

TOPICS = [
    "instruction tuning with curated data",
    "preference optimisation for chat models",
    "long context retrieval evaluation",
    "code generation benchmarks",
    "multilingual speech recognition",
]


def sheet(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "Title",
            "Research question",
            "Keywords",
            "Impact (0-10)",
            "Scoop risk %",
            "Attainability",
            "Success axis",
            "Status",
            "Impact rationale",
        ]
    )
    for n in range(rows):
        topic = TOPICS[n % len(TOPICS)]
        writer.writerow(
            [
                f"Project {n}: {topic}",
                f"Can we do better at {topic}? A question worth a paragraph of text, {n}.",
                f"{topic.split()[0]}, benchmark, {n % 7}",
                n % 11,
                f"{(n * 7) % 101}%",
                1 + n % 5,
                ("first", "best", "open")[n % 3],
                ("idea", "active", "paused")[n % 3],
                "Because the field asks for it." * 3,
            ]
        )
    return out.getvalue().encode()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        command.upgrade(alembic_config(url), "head")
        database = Database(make_engine(url))
        content = sheet(args.rows)
        with database.session(write=True) as session:
            owner = auth_service.user_create(
                session,
                data=UserCreate(
                    email=f"bench-{time.time_ns()}@example.org",
                    display_name="Bench",
                    password=PASSWORD,
                ),
            )
            session.commit()
            started = time.perf_counter()
            job = service.import_upload(
                session, owner=owner, filename="bench.csv", content=content, team_id=None
            )
            session.commit()
            uploaded = time.perf_counter() - started
            started = time.perf_counter()
            _, checked = service.import_check(session, job=job)
            preview = time.perf_counter() - started
            assert not checked.errors, checked.errors[:3]
            service.import_queue(session, job=job)
            session.commit()
            import_id = job.id
        started = time.perf_counter()
        ran = run_due(database)
        worker = time.perf_counter() - started
        with database.session() as session:
            job = session.get(type(job), import_id)
            created = session.exec(
                select(func.count()).select_from(Project).where(Project.owner_id == owner.id)
            ).one()
        database.dispose()
    assert ran == 1
    assert job.status is ImportStatus.done, job.error
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"spreadsheet import: {args.rows:,} rows, {len(content) / 1024:,.0f} KB CSV")
    print(f"  upload (read, sniff, guess)  {uploaded * 1000:8.1f} ms")
    print(f"  preview (check every row)    {preview * 1000:8.1f} ms")
    print(
        f"  import by the worker         {worker * 1000:8.1f} ms"
        f"  ({created / worker:,.0f} projects/s, {created:,} created, "
        f"{job.skipped_count} skipped)"
    )
    print(f"  peak memory (RSS)            {peak_mb:8.1f} MB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
