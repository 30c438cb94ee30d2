"""Full-text search against the LIKE scan it replaced, in one run.

`python -m bench.search [--releases N] [--rounds R] [--database-url URL]`
builds a fresh database with the migrations (SQLite file by default, or an
empty PostgreSQL database you name), bulk-inserts N releases for one user
(the FTS5 triggers index them as they go in: the same sync path as the
services), then times, interleaved round by round:

- like:   the release log's text filter as it was (LIKE over the folded text)
- log:    the release log's text filter now (app.fulltext through release_log)
- search: the header's search (app.search.queries.search_everything, ranked,
          with snippets, over projects, releases and journal)

for a rare word (1% of titles), a prefix of it, a common word and a word in
no release, and prints p50/p95 in ms and each as a ratio to `like`.
"""

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from sqlmodel import Session, select

from app.auth.models import User
from app.cli import alembic_config
from app.db import make_engine
from app.listing import folded_match
from app.releases.models import Release
from app.releases.queries import ReleaseFilter, release_log
from app.search.queries import search_everything
from bench.seed import insert_rows
from bench.seed.releases import MISSING_WORD, SEARCH_WORD, release_rows

WORDS = {
    "rare hit": SEARCH_WORD,
    "prefix hit": SEARCH_WORD[:4],
    "common hit": "evaluating",
    "miss": MISSING_WORD,
}


def _old_like(session: Session, user: User, text: str) -> list[Release]:
    """The release log's query before full-text search, as it was."""
    query = (
        select(Release)
        .where(Release.owner_id == user.id, folded_match(Release.search_text, text))
        .order_by(Release.released_on.desc(), Release.id.desc())
        .limit(51)
    )
    return list(session.exec(query))


def _seed(url: str, n: int) -> None:
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    with Session(engine) as s:
        user = User(email="bench@example.org", display_name="Bench", password_hash="!")  # noqa: S106 (never logs in)
        s.add(user)
        s.flush()
        insert_rows(s, Release, release_rows(random.Random(20261203), owner_id=user.id, n=n))  # noqa: S311
        s.commit()
    if engine.dialect.name == "postgresql":
        # A bulk insert leaves the GIN index's pending list full and the
        # planner without statistics; autovacuum would see to both soon.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE release"))
    engine.dispose()


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def run(url: str, n: int, rounds: int) -> None:
    started = time.perf_counter()
    _seed(url, n)
    print(f"seeded {n} releases through the triggers in {time.perf_counter() - started:.1f} s")
    engine = make_engine(url)
    with Session(engine) as s:
        user = s.exec(select(User)).one()
        ways = {
            "like": lambda text: _old_like(s, user, text),
            "log": lambda text: release_log(s, user=user, filters=ReleaseFilter(text=text))[0],
            "search": lambda text: search_everything(s, user=user, text=text).releases,
        }
        times = {(w, label): [] for w in ways for label in WORDS}
        counts = {}
        for _ in range(rounds):
            for label, word in WORDS.items():
                for way, call in ways.items():
                    t0 = time.perf_counter()
                    rows = call(word)
                    times[way, label].append((time.perf_counter() - t0) * 1000)
                    counts[way, label] = len(rows)
        total = s.execute(sa.select(sa.func.count()).select_from(Release)).scalar_one()
    engine.dispose()
    print(f"{engine.dialect.name}, {total} releases, {rounds} rounds, interleaved")
    print(f"{'query':<11} {'way':<7} {'rows':>5} {'p50 ms':>8} {'p95 ms':>8} {'p50 / like':>11}")
    for label in WORDS:
        base, _ = _ms(times["like", label])
        for way in ways:
            p50, p95 = _ms(times[way, label])
            rows = counts[way, label]
            print(f"{label:<11} {way:<7} {rows:>5} {p50:>8.2f} {p95:>8.2f} {p50 / base:>10.2f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--releases", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--database-url", help="an EMPTY database (default: a new SQLite file)")
    args = parser.parse_args()
    if args.database_url:
        run(args.database_url, args.releases, args.rounds)
        return
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'search-bench.db'}", args.releases, args.rounds)


if __name__ == "__main__":
    main()
