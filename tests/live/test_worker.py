"""`goldfish worker` in real processes over a real database: however many
run at once, each due feed is polled by exactly one of them (a lease taken
with FOR UPDATE SKIP LOCKED on PostgreSQL, inside SQLite's single writer on
SQLite), and SIGTERM lets the poll under way finish."""

import signal
import subprocess
import time
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from app.db import utcnow
from app.feeds.models import Feed, FeedItem, PollStatus
from app.releases.models import Release
from bench.feedserver import FeedServer, Reply
from bench.server import GOLDFISH, server_env
from tests import factories
from tests.feeds.test_polling import LIMA, SAM, TULU, arxiv_atom

WORKER_SETTINGS = {"GOLDFISH_FEEDS_ALLOW_PRIVATE": "true", "GOLDFISH_WORKER_IDLE_SECONDS": "0.2"}


def _worker(database_url: str, log: Path, *args: str) -> subprocess.Popen:
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [str(GOLDFISH), "worker", *args],
            env=server_env(database_url, WORKER_SETTINGS),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _slow(body: bytes, seconds: float):
    """An answer that takes a while, so that workers overlap."""
    return lambda _request: Reply(
        body=body, delay=seconds, headers={"Content-Type": "application/atom+xml"}
    )


def test_three_workers_poll_each_due_feed_exactly_once(database, database_url_live, tmp_path):
    papers = [LIMA, SAM, TULU]
    with Session(database.engine) as db, FeedServer() as feeds:
        owner = factories.make_user(db, display_name="Ada")
        paths = [f"/feed-{n}.atom" for n in range(8)]
        for n, path in enumerate(paths):
            url = feeds.route(path, handler=_slow(arxiv_atom(papers[n % 3]), 0.3))
            db.add(Feed(owner_id=owner.id, kind="rss", title=f"Feed {n}", url=url))
        db.commit()

        workers = [_worker(database_url_live, tmp_path / f"w{i}.log", "--once") for i in range(3)]
        codes = [w.wait(timeout=120) for w in workers]
        logs = "\n".join((tmp_path / f"w{i}.log").read_text() for i in range(3))

        assert codes == [0, 0, 0], logs
        assert sorted(len(feeds.requests_to(path)) for path in paths) == [1] * 8, logs
        assert "Traceback" not in logs
    with Session(database.engine) as db:
        polled = db.exec(select(Feed.last_status, Feed.lease_until, Feed.items_total)).all()
        assert polled == [(PollStatus.ok, None, 1)] * 8
        # Three papers, one release each in Ada's log, however many feeds carried them.
        assert db.exec(select(sa.func.count()).select_from(Release)).one() == 3
        assert db.exec(select(sa.func.count()).select_from(FeedItem)).one() == 8


def test_a_worker_polls_when_due_and_stops_on_sigterm_after_its_poll(
    database, database_url_live, tmp_path
):
    with Session(database.engine) as db, FeedServer() as feeds:
        owner = factories.make_user(db, display_name="Ada")
        url = feeds.route("/slow.atom", handler=_slow(arxiv_atom(LIMA), 2.0))
        feed = Feed(owner_id=owner.id, kind="rss", title="Slow", url=url)
        db.add(feed)
        db.commit()
        worker = _worker(database_url_live, tmp_path / "w.log")
        try:
            deadline = time.monotonic() + 60
            while not feeds.requests and time.monotonic() < deadline:
                time.sleep(0.05)
            assert feeds.requests, (tmp_path / "w.log").read_text()
            worker.send_signal(signal.SIGTERM)  # mid-poll: the answer is 2 s away
            code = worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
        log = (tmp_path / "w.log").read_text()
        assert code == 0, log
        db.expire_all()
        stored = db.get(Feed, feed.id)
        # The poll under way was finished and recorded, and its feed is free.
        assert (stored.last_status, stored.items_total, stored.lease_until) == (
            PollStatus.ok,
            1,
            None,
        ), log
        assert stored.next_poll_at > utcnow()
        assert len(feeds.requests) == 1


def test_feeds_poll_and_list_from_the_command_line(database, database_url_live, tmp_path):
    with Session(database.engine) as db, FeedServer() as feeds:
        owner = factories.make_user(db, display_name="Ada")
        ok = Feed(
            owner_id=owner.id,
            kind="rss",
            title="Lab",
            url=feeds.route("/ok.atom", body=arxiv_atom(LIMA, SAM)),
        )
        broken = Feed(
            owner_id=owner.id, kind="rss", title="Broken", url=feeds.route("/x", status=500)
        )
        db.add_all([ok, broken])
        db.commit()
        env = server_env(database_url_live, WORKER_SETTINGS)

        def goldfish(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                [str(GOLDFISH), "feeds", *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )

        one = goldfish("poll", "--feed", str(ok.id))
        assert one.returncode == 0, one.stderr
        assert f"feed {ok.id}: ok, 2 seen, 2 new, 2 releases" in one.stdout
        every = goldfish("poll")  # both: one fails, so the command does too
        assert every.returncode == 1
        assert f"feed {ok.id}: ok, 2 seen, 0 new" in every.stdout
        assert f"feed {broken.id}: error" in every.stdout and "500" in every.stdout
        missing = goldfish("poll", "--feed", "999")
        assert missing.returncode == 1 and "No feed with id 999" in missing.stderr
        listed = goldfish("list")
        assert listed.returncode == 0
        rows = [line.split("\t") for line in listed.stdout.splitlines()]
        assert [(r[0], r[2], r[4]) for r in rows] == [
            (str(ok.id), "Lab", "ok"),
            (str(broken.id), "Broken", "error"),
        ]
    with Session(database.engine) as db:
        assert db.exec(select(sa.func.count()).select_from(Release)).one() == 2
