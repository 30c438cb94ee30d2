"""`goldfish worker`: polls feeds when they are due, in its own process.

Any number of workers (and web servers' "Poll now") can run against one
PostgreSQL database: each feed is leased by one of them at a time. On SQLite
run one worker. There is no scheduler inside the web workers.
"""

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta

from app.config import Settings
from app.db import Database, utcnow
from app.feeds import service
from app.feeds.polling import PollSettings, poll_due

log = logging.getLogger(__name__)

# With other jobs to look for, an idle worker looks this often: someone is
# watching a progress page.
JOBS_WAIT_SECONDS = 2.0


def run(
    database: Database,
    settings: Settings,
    *,
    stop: threading.Event | None = None,
    once: bool = False,
    jobs: Sequence[Callable[[Database], int]] = (),
) -> int:
    """Poll due feeds, one at a time, until stopped: SIGTERM or SIGINT let
    the poll under way finish, then return. `once`: poll what is due now,
    then return. Returns the number of polls made.

    `jobs`: other work the worker takes on between polls (a queued
    spreadsheet import); each call runs what it claims and says how many."""
    stop = stop or _stop_on_signals()
    how = PollSettings.of(settings)
    polls = 0
    while not stop.is_set():
        try:
            outcomes = poll_due(database, how=how, limit=1)
        except Exception:
            log.exception("polling failed; trying again after the idle wait")
            outcomes = []
            if once:
                break
        for outcome in outcomes:
            log.info(
                "feed %s: %s, %s seen, %s new, %s suggestions%s",
                outcome.feed_id,
                outcome.status.value,
                outcome.seen,
                outcome.new,
                outcome.suggestions,
                f" ({outcome.error})" if outcome.error else "",
            )
        polls += len(outcomes)
        ran = _run_jobs(database, jobs)
        if outcomes or ran:
            continue  # more may be due
        if once:
            break
        wait = _idle_wait(database, settings)
        stop.wait(min(wait, JOBS_WAIT_SECONDS) if jobs else wait)
    return polls


def _run_jobs(database: Database, jobs: Sequence[Callable[[Database], int]]) -> int:
    ran = 0
    for job in jobs:
        try:
            ran += job(database)
        except Exception:
            log.exception("%s failed; trying again after the idle wait", job.__name__)
    return ran


def _idle_wait(database: Database, settings: Settings) -> float:
    with database.session() as session:
        due = service.next_due(session)
    idle = settings.worker_idle_seconds
    if due is None:
        return idle
    return max(0.1, min(idle, (due - utcnow() + timedelta(seconds=0.05)).total_seconds()))


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        log.info("signal %s: stopping after the poll under way", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    return stop
