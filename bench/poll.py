"""A poll of a 500-entry feed, end to end: served over a local socket, read
by the real fetcher and parser, ingested into a migrated SQLite file (or the
DATABASE_URL given) with dedupe, and matched against 50 projects. Prints the
first poll (500 new entries), the second (a changed document, all seen) and
a baseline: the same database's insert of 500 releases by hand, one request's
worth of ORM work each.

    python -m bench.poll [--entries 500] [--projects 50]
"""

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from alembic import command
from sqlmodel import Session

from app.auth import service as auth_service
from app.auth.models import User, UserCreate
from app.cli import alembic_config
from app.db import Database, make_engine
from app.feeds.models import Feed, FeedKind
from app.feeds.polling import PollSettings, poll_feed
from app.projects.models import ProjectCreate
from app.projects.service import project_create
from app.releases.models import ReleaseCreate
from app.releases.service import release_create
from bench.feedserver import FeedServer
from bench.seed import PASSWORD

TOPICS = [
    "instruction tuning with curated data",
    "preference optimisation for chat models",
    "long context retrieval evaluation",
    "code generation benchmarks",
    "multilingual speech recognition",
    "protein structure prediction",
    "vision language pretraining",
    "mixture of experts routing",
    "quantised fine tuning of large models",
    "tool use by language agents",
]


def atom(n: int, offset: int = 0) -> bytes:
    day = date(2024, 1, 1)
    entries = []
    for i in range(offset, offset + n):
        topic = TOPICS[i % len(TOPICS)]
        pid = f"24{(i // 90000) + 1:02d}.{i % 90000:05d}"
        entries.append(
            f"<entry><id>http://arxiv.org/abs/{pid}v1</id>"
            f"<published>{(day + timedelta(days=i % 300)).isoformat()}T12:00:00Z</published>"
            f"<title>{escape(f'Paper {i} on {topic}')}</title>"
            f"<summary>{escape(f'We study {topic}. Result {i} improves on prior work.')}</summary>"
            f"<author><name>A</name><arxiv:affiliation>Lab {i % 17}</arxiv:affiliation></author>"
            f'<link href="http://arxiv.org/abs/{pid}v1" rel="alternate" type="text/html"/></entry>'
        )
    return (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom"><title>bench</title>'
        + "".join(entries)
        + "</feed>"
    ).encode()


def _project(i: int) -> ProjectCreate:
    topic = TOPICS[i % len(TOPICS)]
    return ProjectCreate.model_validate(
        {
            "title": f"Project {i}: {topic}",
            "summary": f"Can we do better at {topic}?",
            "keywords": topic.split()[:3],
            "assessment": dict(attainability=3, scoop_risk=3, impact=3, success_axis="best"),
            "plan": {},
        }
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp, FeedServer() as server:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        command.upgrade(alembic_config(url), "head")
        database = Database(make_engine(url))
        with Session(database.engine, expire_on_commit=False) as db:
            user = auth_service.user_create(
                db,
                data=UserCreate(email="bench@example.org", display_name="Bench", password=PASSWORD),
            )
            for i in range(args.projects):
                project_create(db, owner=user, data=_project(i))
            db.commit()
            first = server.route("/first", body=atom(args.entries))
            feed = Feed(owner_id=user.id, kind=FeedKind.arxiv, title="bench", url=first)
            db.add(feed)
            db.commit()
            feed_id, user_id = feed.id, user.id
        how = PollSettings(allow_private=True, max_bytes=50 * 1024 * 1024)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        start = time.perf_counter()
        outcome = poll_feed(database, feed_id, how=how)
        first_s = time.perf_counter() - start
        print(
            f"first poll, {args.entries} new entries, {args.projects} projects: {first_s:.2f} s "
            f"({outcome.new} new, {outcome.releases_created} releases, "
            f"{outcome.suggestions} suggestions, {outcome.error or 'no error'})"
        )
        server.route("/first", body=atom(args.entries) + b"\n")
        start = time.perf_counter()
        again = poll_feed(database, feed_id, how=how)
        print(f"second poll, all {again.seen} seen before: {time.perf_counter() - start:.2f} s")
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            f"peak RSS +{(rss_after - rss_before) / 1024:.0f} MiB (peak {rss_after / 1024:.0f} MiB)"
        )

        with Session(database.engine, expire_on_commit=False) as db:
            owner = db.get(User, user_id)
            start = time.perf_counter()
            for i in range(args.entries):
                data = ReleaseCreate(
                    title=f"By hand {i}",
                    kind="paper",
                    released_on="2024-01-01",
                    url=f"https://example.org/by-hand/{i}",
                )
                release_create(db, owner=owner, data=data)
                db.commit()
            by_hand = time.perf_counter() - start
        print(
            f"baseline, {args.entries} releases logged one by one (no matching): {by_hand:.2f} s; "
            f"first poll / baseline = {first_s / by_hand:.2f}"
        )
        database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
