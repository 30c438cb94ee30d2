"""The soak's databases: fresh ones of each kind, seeded through the app's own
services, and the checks run on them afterwards (straight SQL, with the
server stopped or still running: the checks only read)."""

import random
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import make_url

from app.auth import service as auth_service
from app.auth.models import User, UserCreate
from app.auth.passwords import hash_password
from app.cli import alembic_config
from app.db import Database, make_engine
from app.journal import service as journal_service
from app.journal.models import EntryIn
from app.projects import service as project_service
from app.projects.models import ProjectCreate
from app.releases import service as release_service
from app.releases.models import ReleaseCreate

PASSWORD = "soak password, never used to log in"  # noqa: S105


@dataclass(frozen=True)
class Config:
    """One way of serving Goldfish: a kind of database and a number of workers."""

    name: str
    kind: str  # "sqlite" or "postgresql"
    workers: int


SQLITE_1 = Config("SQLite, 1 worker", "sqlite", 1)
SQLITE_2 = Config("SQLite, 2 workers", "sqlite", 2)
POSTGRES_2 = Config("PostgreSQL, 2 workers", "postgresql", 2)


@contextmanager
def fresh_database(config: Config, workdir: Path, admin_url: str | None) -> Iterator[str]:
    """An empty, migrated database of the config's kind; a PostgreSQL one is
    dropped afterwards (an SQLite file goes with `workdir`)."""
    if config.kind == "sqlite":
        url = f"sqlite:///{workdir / 'goldfish.db'}"
        command.upgrade(alembic_config(url), "head")
        yield url
        return
    assert admin_url, "PostgreSQL configurations need an admin URL"
    name = f"goldfish_soak_{secrets.token_hex(4)}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        command.upgrade(alembic_config(url), "head")
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def sqlite_path(url: str) -> str:
    return make_url(url).database or ""


@contextmanager
def database(url: str) -> Iterator[Database]:
    db = Database(make_engine(url))
    try:
        yield db
    finally:
        db.dispose()


# ---------------------------------------------------------------- seeding


@dataclass
class SeededUser:
    id: int
    email: str
    project_ids: list[int] = field(default_factory=list)  # shared by all of the user's clients


@cache
def _password_hash() -> str:
    """Argon2 costs 0.1–0.5 s a hash on this machine and the soak makes
    hundreds of users who only ever use API tokens: they all get the same
    real hash of PASSWORD."""
    return hash_password(PASSWORD)


KEYWORDS = ("llm", "evaluation", "retrieval", "agents", "safety", "vision", "speech", "code")


def project_payload(rng: random.Random, title: str) -> dict:
    return {
        "title": title,
        "summary": "What we try, and why it matters to the three teams downstream.",
        "keywords": rng.sample(KEYWORDS, 2),
        "status": rng.choice(("idea", "active", "paused")),
        "assessment": {
            "attainability": rng.randint(1, 5),
            "scoop_risk": rng.randint(1, 5),
            "impact": rng.randint(1, 5),
            "success_axis": rng.choice(("first", "best", "open")),
            "scoop_risk_rationale": "Two groups posted related preprints last quarter.",
        },
        "plan": {
            "goal": "A working prototype on the small benchmark.",
            "approach": "Start from the open baseline; ablate the data mix first.",
            "contingency": "If scooped, publish the evaluation suite on its own.",
        },
    }


def seed_users(
    url: str,
    rng: random.Random,
    *,
    users: int,
    projects: int,
    releases: int = 3,
    entries: int = 3,
    label: str = "soak",
) -> list[SeededUser]:
    """`users` people, each with `projects` projects, a few releases and
    journal entries, written through the app's services."""
    seeded: list[SeededUser] = []
    today = date.today()
    with (
        database(url) as db,
        db.session(write=True) as s,
    ):
        for u in range(users):
            email = f"{label}-{u}-{secrets.token_hex(3)}@example.org"
            user = auth_service.user_create(
                s,
                data=UserCreate(email=email, display_name=f"Soak {u}", password=PASSWORD),
                password_hash=_password_hash(),
            )
            person = SeededUser(id=user.id, email=email)
            for p in range(projects):
                data = ProjectCreate.model_validate(project_payload(rng, f"Seeded {u}.{p}"))
                person.project_ids.append(
                    project_service.project_create(s, owner=user, data=data).id
                )
            for r in range(releases):
                release_service.release_create(
                    s,
                    owner=user,
                    data=ReleaseCreate(
                        title=f"Seeded release {u}.{r}",
                        kind="paper",
                        released_on=today - timedelta(days=r),
                        url=f"https://example.org/seeded/{user.id}/{r}",
                    ),
                )
            for e in range(entries):
                journal_service.entry_create(
                    s,
                    author=user,
                    data=EntryIn(
                        kind="experiment",
                        body=f"Seeded entry {e}",
                        project_id=rng.choice(person.project_ids) if person.project_ids else None,
                    ),
                )
            s.commit()
            seeded.append(person)
    return seeded


def issue_tokens(url: str, owners: list[SeededUser], *, name: str) -> list[str]:
    """One fresh API token per entry of `owners` (a user may appear twice)."""
    with database(url) as db, db.session(write=True) as s:
        tokens = [
            auth_service.token_create(s, user=s.get(User, owner.id), name=name).raw
            for owner in owners
        ]
        s.commit()
    return tokens


# ---------------------------------------------------------------- checks


def scalar(url: str, sql: str, **params) -> object:
    with database(url) as db, db.engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def rows(url: str, sql: str, **params) -> list[tuple]:
    with database(url) as db, db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql), params)]


def integrity_check(url: str) -> str:
    """SQLite's own verdict on the file: 'ok', or the first problems it lists."""
    found = rows(url, "PRAGMA integrity_check")
    return "; ".join(str(r[0]) for r in found[:5])


# A whole project has its first assessment and its first plan version.
HALF_WRITTEN_PROJECTS = """
SELECT count(*) FROM project p
WHERE NOT EXISTS (SELECT 1 FROM assessment a WHERE a.project_id = p.id)
   OR NOT EXISTS (SELECT 1 FROM plan_version v WHERE v.project_id = p.id AND v.number = 1)
"""

# A whole re-plan: its plan version, its assessment, its release link and its
# journal entry, all there and all about the same project.
BROKEN_REPLANS = """
SELECT count(*) FROM replan r
WHERE NOT EXISTS (SELECT 1 FROM plan_version v WHERE v.id = r.plan_after_id
                  AND v.project_id = r.project_id AND v.reason = 'replan')
   OR NOT EXISTS (SELECT 1 FROM assessment a WHERE a.id = r.assessment_after_id
                  AND a.project_id = r.project_id)
   OR NOT EXISTS (SELECT 1 FROM release_link l WHERE l.release_id = r.release_id
                  AND l.project_id = r.project_id)
   OR NOT EXISTS (SELECT 1 FROM journal_entry j WHERE j.replan_id = r.id
                  AND j.project_id = r.project_id)
"""

# The other way round: pieces of a re-plan whose re-plan record is missing.
ORPHAN_REPLAN_PIECES = """
SELECT
  (SELECT count(*) FROM plan_version v WHERE v.reason = 'replan'
     AND NOT EXISTS (SELECT 1 FROM replan r WHERE r.plan_after_id = v.id)),
  (SELECT count(*) FROM journal_entry j WHERE j.kind = 'replan'
     AND NOT EXISTS (SELECT 1 FROM replan r WHERE r.id = j.replan_id))
"""

# Where only re-plans change projects, each project has one plan version and
# one assessment more than its re-plans, and one version more too.
PROJECTS_OUT_OF_STEP = """
SELECT count(*) FROM project p
WHERE (SELECT count(*) FROM plan_version v WHERE v.project_id = p.id)
        != 1 + (SELECT count(*) FROM replan r WHERE r.project_id = p.id)
   OR (SELECT count(*) FROM assessment a WHERE a.project_id = p.id)
        != 1 + (SELECT count(*) FROM replan r WHERE r.project_id = p.id)
   OR p.version != 1 + (SELECT count(*) FROM replan r WHERE r.project_id = p.id)
"""


@dataclass
class Ledger:
    """What the server acknowledged (2xx, with the id it gave) and what it did
    not (an error, a reset, a timeout: the write may or may not have landed)."""

    acked: dict[str, int] = field(default_factory=dict)  # marker → id
    unacked: dict[str, int | str] = field(default_factory=dict)  # marker → what came back


@dataclass
class LedgerCheck:
    acked: int
    missing: int  # acknowledged, but no row with that id and marker
    duplicated: int  # markers stored more than once
    unacked_stored: int  # not acknowledged (an error, or no answer), yet stored
    failed_stored: int  # of those, answered 5xx: the server said it failed, and it did not


def check_ledger(url: str, ledger: Ledger, sql: str) -> LedgerCheck:
    """`sql` selects (id, marker) of every row the writers could have made."""
    stored: dict[str, list[int]] = {}
    for row_id, marker in rows(url, sql):
        stored.setdefault(marker, []).append(row_id)
    missing = sum(1 for m, i in ledger.acked.items() if i not in stored.get(m, []))
    duplicated = sum(1 for ids in stored.values() if len(ids) > 1)
    unacked_stored = [status for m, status in ledger.unacked.items() if m in stored]
    failed_stored = sum(1 for s in unacked_stored if isinstance(s, int) and s >= 500)
    return LedgerCheck(len(ledger.acked), missing, duplicated, len(unacked_stored), failed_stored)


# What the writers write, found again by marker.
ENTRY_MARKERS = "SELECT id, body FROM journal_entry WHERE body LIKE 'we-%'"
PROJECT_MARKERS = "SELECT id, title FROM project WHERE title LIKE 'wp-%'"
REPLAN_MARKERS = "SELECT id, what_they_did FROM replan WHERE what_they_did LIKE 'replan-%'"
